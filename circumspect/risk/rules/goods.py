"""Rules on controlled goods: where they go, who uses them, who supplies them."""

from __future__ import annotations

import re

import numpy as np

from circumspect.risk.columns import STR, blank
from circumspect.risk.rules.config import Rule
from circumspect.risk.rules.registry import RuleInput, RuleResult, rule


@rule("ru_by_controlled")
def ru_by_controlled(inp: RuleInput, config: Rule) -> RuleResult:
    """Controlled goods to, via or for an end user in Russia or Belarus."""
    rb = inp.rules.russia_belarus
    col = inp.country
    transit = inp.transit
    dest_rb = np.isin(col["destination_country"], list(rb))
    cons_rb = np.isin(col["consignee_country"], list(rb))
    eu_rb = np.isin(col["end_user_country"], list(rb))
    tr_rb = np.array([any(c in rb for c in t.split(";") if c) for t in transit], dtype=bool)
    mask = inp.controlled & (dest_rb | cons_rb | eu_rb | tr_rb)

    def message(i: int) -> str:
        where = []
        if dest_rb[i]:
            where.append(f"destination {col['destination_country'][i]}")
        if cons_rb[i]:
            where.append(f"consignee in {col['consignee_country'][i]}")
        if eu_rb[i]:
            where.append(f"end user in {col['end_user_country'][i]}")
        if tr_rb[i]:
            where.append(f"transit via {transit[i]}")
        return (
            f"Controlled goods {inp.goods(i)} with {', '.join(where)}: exports of these "
            "goods to Russia/Belarus are prohibited (EU 833/2014, CHPL)."
        )

    return RuleResult(mask, inp.tier_weight, message)


@rule("forwarder_as_end_user")
def forwarder_as_end_user(inp: RuleInput, config: Rule) -> RuleResult:
    """The end user (else the consignee) of controlled goods is a forwarder by its name."""
    frame = inp.frame
    words = [str(w).casefold() for w in config.param("words", [])]
    eu_name = frame["end_user_name"].astype(STR).fillna("").str.strip()
    target = eu_name.where(
        eu_name != "", frame["consignee_name"].astype(STR).fillna("")
    ).str.casefold()
    pattern = "|".join(re.escape(w) for w in words) or "$^"
    is_fwd = target.str.contains(pattern, regex=True).fillna(False).to_numpy(dtype=bool)
    mask = inp.controlled & is_fwd
    names = target.to_numpy()

    def message(i: int) -> str:
        return (
            f"The end user of controlled goods {inp.goods(i)} is '{names[i]}', a "
            "logistics/forwarding company, not the real user of the goods."
        )

    return RuleResult(mask, inp.tier_weight, message)


@rule("end_user_missing")
def end_user_missing(inp: RuleInput, config: Rule) -> RuleResult:
    """Controlled goods declared without an end user."""
    mask = inp.controlled & blank(inp.frame["end_user_name"]).to_numpy()

    def message(i: int) -> str:
        return f"Controlled goods {inp.goods(i)} declared without an end user."

    return RuleResult(mask, inp.tier_weight, message)


@rule("many_suppliers")
def many_suppliers(inp: RuleInput, config: Rule) -> RuleResult:
    """One consignee gets the same controlled HS-6 from at least ``min_exporters`` exporters."""
    k = int(config.param("min_exporters", 5))
    sup = inp.frame["_suppliers"].to_numpy()
    mask = inp.controlled & (sup >= k)

    def message(i: int) -> str:
        return (
            f"Consignee '{inp.consignee_name[i]}' receives HS {inp.hs[i][:6]} "
            f"from {sup[i]} different exporters: split purchases of controlled goods."
        )

    return RuleResult(mask, inp.tier_weight, message)
