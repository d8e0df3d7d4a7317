"""Rules on controlled goods through transshipment countries (``countries.transshipment``)."""

from __future__ import annotations

import numpy as np

from circumspect.names.identifiers import kz_bin_registration
from circumspect.risk.columns import STR
from circumspect.risk.rules.config import Rule
from circumspect.risk.rules.registry import RuleInput, RuleResult, rule


@rule("transshipment_new_consignee")
def transshipment_new_consignee(inp: RuleInput, config: Rule) -> RuleResult:
    """The consignee's BIN shows registration on or after ``cutoff`` (YYYY-MM)."""
    y, m = (int(p) for p in str(config.param("cutoff", "2022-03")).split("-"))
    cutoff = y * 12 + m
    cid = inp.consignee_id
    controlled = inp.controlled
    to_ts = inp.to_transshipment
    reg: dict[str, tuple[int, int] | None] = {}
    for value in set(cid[controlled & to_ts]):
        reg[value] = kz_bin_registration(value) if value else None
    registered = np.array(
        [reg.get(v) if c and t else None for v, c, t in zip(cid, controlled, to_ts, strict=True)],
        dtype=object,
    )
    mask = np.array([r is not None and r[0] * 12 + r[1] >= cutoff for r in registered], dtype=bool)
    col = inp.country

    def message(i: int) -> str:
        yy, mm = registered[i]
        return (
            f"Controlled goods {inp.goods(i)} to {col['destination_country'][i]} "
            f"(transshipment country) for consignee '{inp.consignee_name[i]}' "
            f"whose BIN {cid[i]} shows registration in {yy}-{mm:02d}, after the "
            "invasion of 24 Feb 2022."
        )

    return RuleResult(mask, inp.tier_weight, message)


@rule("transshipment_outside_business")
def transshipment_outside_business(inp: RuleInput, config: Rule) -> RuleResult:
    """None of the consignee's ``min_history`` earlier declarations is in the same section."""
    frame = inp.frame
    min_hist = int(config.param("min_history", 3))
    prev = frame["_prev_n"].to_numpy()
    same = frame["_prev_same_section"].to_numpy()
    section = frame["_section"].astype(STR).fillna("").to_numpy()
    mask = inp.controlled & inp.to_transshipment & (prev >= min_hist) & (same == 0)
    col = inp.country

    def message(i: int) -> str:
        return (
            f"Controlled goods {inp.goods(i)} to {col['destination_country'][i]} "
            f"(transshipment country) for consignee '{inp.consignee_name[i]}', "
            f"none of whose {prev[i]} earlier declarations is in HS section "
            f"{section[i]} (chapter {inp.hs[i][:2]}): outside its line of business."
        )

    return RuleResult(mask, inp.tier_weight, message)


@rule("indirect_route")
def indirect_route(inp: RuleInput, config: Rule) -> RuleResult:
    """Dispatched from a transshipment country that is not the origin or exporter's."""
    col = inp.country
    disp = col["dispatch_country"]
    orig = col["origin_country"]
    expc = col["exporter_country"]
    mask = (
        inp.controlled
        & np.isin(disp, list(inp.rules.transshipment))
        & (disp != "")
        & (orig != "")
        & (disp != orig)
        & (disp != expc)
        & (disp != col["destination_country"])
    )

    def message(i: int) -> str:
        return (
            f"Controlled goods {inp.goods(i)} of {orig[i]} origin sold by an exporter in "
            f"{expc[i] or '?'} were dispatched from {disp[i]}, a transshipment country."
        )

    return RuleResult(mask, inp.tier_weight, message)
