"""Rules on parallel imports and re-export to Russia (issue 15).

They read the columns :func:`circumspect.risk.circumvention.circumvention_features` adds:
``_banned_any`` / ``_pi_group`` / ``_art12g`` (the code on an export ban, the parallel-import
list, an Art. 12g annex), ``_brands`` (brands found in the goods description), ``_clause``
(the contract's no-Russia clause: ``yes``/``no``/empty without the column), ``_item_eur``
(value per item in EUR) and the ``_rx_*`` columns of the import-then-transfer join.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np

from circumspect.goods.bans import COALITION, EU27
from circumspect.risk.columns import STR
from circumspect.risk.rules.config import Rule
from circumspect.risk.rules.registry import Array, RuleInput, RuleResult, rule

#: EAEU members other than Russia: a consignee here passes goods on without a customs border
EAEU_NOT_RU: tuple[str, ...] = ("AM", "BY", "KG", "KZ")
#: Annex VIII partner countries: Art. 12g does not apply to exports to them
ART12G_PARTNERS: frozenset[str] = frozenset({"US", "JP", "GB", "KR", "AU", "CA", "NZ", "NO", "CH"})


def _rb_links(inp: RuleInput) -> dict[str, Array]:
    rb = list(inp.rules.russia_belarus)
    col = inp.country
    return {
        "destination": np.isin(col["destination_country"], rb),
        "end user": np.isin(col["end_user_country"], rb),
        "consignee": np.isin(col["consignee_country"], rb),
        "transit": np.array(
            [any(c in rb for c in t.split(";") if c) for t in inp.transit], dtype=bool
        ),
    }


def _where(inp: RuleInput, links: Mapping[str, Array], i: int) -> str:
    col = inp.country
    values = {
        "destination": col["destination_country"][i],
        "end user": col["end_user_country"][i],
        "consignee": col["consignee_country"][i],
        "transit": inp.transit[i],
        "payer": col["payment_country"][i],
        "payment bank": str(inp.frame["_bic"].iat[i])[4:6],
        "consignee party": "; ".join(_russian_hits(inp, i, "consignee")),
        "end user party": "; ".join(_russian_hits(inp, i, "end user")),
    }
    return ", ".join(f"{name} {values[name]}" for name, mask in links.items() if mask[i])


def _russian_hits(inp: RuleInput, i: int, role: str) -> list[str]:
    """The Russian parties behind row ``i``'s screened ``role`` (owner, link, listing)."""
    hits = inp.party_hits.get(inp.frame.index[i], [])
    out: list[str] = []
    for hit in hits:
        if hit.role == role and hit.russian and hit.russian not in out:
            out.append(hit.russian)
    return out


def _russian_party(inp: RuleInput, role: str) -> Array:
    """Rows whose ``role`` party screened as a Russian listed party, or owned by or linked
    to one (``PartyHit.russian``)."""
    mask = np.zeros(len(inp), dtype=bool)
    labels = [
        label
        for label, hits in inp.party_hits.items()
        if any(h.role == role and h.russian for h in hits)
    ]
    if labels:
        positions = inp.frame.index.get_indexer(labels)
        mask[positions[positions >= 0]] = True
    return mask


@rule("coalition_origin_to_russia")
def coalition_origin_to_russia(inp: RuleInput, config: Rule) -> RuleResult:
    """Goods of a sanctioning country under an export ban with a RU/BY destination link."""
    n = len(inp)
    rb = inp.rules.russia_belarus
    col = inp.country
    links = _rb_links(inp)
    rb_link = links["destination"] | links["end user"] | links["consignee"] | links["transit"]
    partner_strength = float(config.param("partner_strength", 0.8))
    item_eur = inp.frame["_item_eur"].to_numpy(dtype="float64")
    coalition = list(COALITION)
    cand = np.flatnonzero(
        rb_link
        & inp.frame["_banned_any"].to_numpy(dtype=bool)
        & (np.isin(col["origin_country"], coalition) | np.isin(col["exporter_country"], coalition))
    )
    mask = np.zeros(n, dtype=bool)
    strength = np.zeros(n)
    why: dict[int, str] = {}
    for i in cand:
        origin, exporter = str(col["origin_country"][i]), str(col["exporter_country"][i])
        dests = {
            str(c)
            for c in (
                col["destination_country"][i],
                col["end_user_country"][i],
                col["consignee_country"][i],
                *str(inp.transit[i]).split(";"),
            )
            if c in rb
        }
        best, text = 0.0, ""
        for blist, entry in inp.ctx.bans.covering(inp.hs[i]):
            if blist.kind != "export_ban" or not (dests & blist.applies_to):
                continue
            if (
                entry.min_value is not None
                and entry.min_value_currency == "EUR"
                and not np.isnan(item_eur[i])
                and item_eur[i] <= entry.min_value
            ):
                continue
            s = 1.0 if blist.binds(origin, exporter) else partner_strength
            if s > best:
                cond = f" ({entry.condition})" if entry.condition else ""
                text = f"{blist.name}, {blist.article} via {entry.code}{cond}"
                best = s
        if best > 0:
            mask[i] = True
            strength[i] = best
            why[int(i)] = text

    def message(i: int) -> str:
        who = (
            f"origin {col['origin_country'][i] or '-'}, "
            f"exporter {col['exporter_country'][i] or '-'}"
        )
        return (
            f"Goods of a sanctioning country ({who}) under an export ban to Russia/Belarus "
            f"({why[i]}) with {_where(inp, links, i)}."
        )

    return RuleResult(mask, strength, message, lambda i: {"ban": why.get(i, "")})


@rule("parallel_import_brand")
def parallel_import_brand(inp: RuleInput, config: Rule) -> RuleResult:
    """A brand or customs group of Russia's parallel-import list, EAEU consignee, RU link."""
    n = len(inp)
    col = inp.country
    brands = inp.frame["_brands"].astype(STR).fillna("").to_numpy()
    bics = inp.frame["_bic"].astype(STR).fillna("").to_numpy()
    links = {
        "end user": col["end_user_country"] == "RU",
        "destination": col["destination_country"] == "RU",
        "payer": col["payment_country"] == "RU",
        "payment bank": np.array([b[4:6] == "RU" for b in bics], dtype=bool),
        "consignee party": _russian_party(inp, "consignee"),
        "end user party": _russian_party(inp, "end user"),
    }
    ru_link = np.logical_or.reduce(list(links.values()))
    eaeu = list(config.param("consignee_countries", list(EAEU_NOT_RU)))
    cons_eaeu = np.isin(col["consignee_country"], eaeu)
    bans = inp.ctx.bans
    pi_brands = {
        b for bl in bans.lists if bl.kind == "parallel_import" for e in bl.entries for b in e.brands
    }
    mask = np.zeros(n, dtype=bool)
    strength = np.zeros(n)
    why: dict[int, str] = {}
    for i in np.flatnonzero(cons_eaeu & ru_link):
        found = [b for b in str(brands[i]).split(";") if b]
        best, text = 0.0, ""
        for blist, entry in bans.covering(inp.hs[i]):
            if blist.kind != "parallel_import":
                continue
            listed = [b for b in found if b in entry.brands]
            if listed:
                s, t = 1.0, f"brand {', '.join(listed)} listed for group {entry.code}"
            elif not entry.brands:
                s, t = 0.7, f"customs group {entry.code} listed for every brand"
            else:
                continue
            if s > best:
                best, text = s, f"{t} ({blist.name}, version: {blist.version})"
        if best == 0.0:
            other = [b for b in found if b in pi_brands]
            if other:
                best = 0.8
                text = f"brand {', '.join(other)} on the parallel-import list (for another group)"
        if best > 0:
            mask[i] = True
            strength[i] = best
            why[int(i)] = text
    owners = {b.brand: b for b in inp.ctx.brands.brands}

    def message(i: int) -> str:
        found = [b for b in str(brands[i]).split(";") if b]
        stopped = [
            f"{b} ({owners[b].owner}, {owners[b].owner_country}) stopped supplying Russia"
            for b in found
            if b in owners and owners[b].stopped_supplying_russia
        ]
        return (
            f"Parallel-import goods: {why[i]}; consignee in {col['consignee_country'][i]} "
            f"(EAEU) with a Russian link ({_where(inp, links, i)})"
            + (f"; {'; '.join(stopped)}" if stopped else "")
            + "."
        )

    def evidence(i: int) -> dict[str, Any]:
        return {"brands": [b for b in str(brands[i]).split(";") if b], "why": why.get(i, "")}

    return RuleResult(mask, strength, message, evidence)


@rule("reexport_chain")
def reexport_chain(inp: RuleInput, config: Rule) -> RuleResult:
    """An import of banned/listed goods then a transfer of the same HS-6 to a RU/BY buyer.

    The join (same importer BIN, same HS-6, 0..``days`` days later) is made by
    :func:`circumspect.risk.circumvention.circumvention_features` from ``--transfers``."""
    frame = inp.frame
    days = frame["_rx_days"].to_numpy()
    mask = days >= 0
    doc = frame["_rx_doc"].astype(STR).fillna("").to_numpy()
    buyer = frame["_rx_buyer"].astype(STR).fillna("").to_numpy()
    bcountry = frame["_rx_country"].astype(STR).fillna("").to_numpy()
    tdate = frame["_rx_date"].astype(STR).fillna("").to_numpy()
    cid = inp.consignee_id

    def message(i: int) -> str:
        return (
            f"Importer BIN {cid[i]} imported HS {inp.hs[i][:6]} (banned or listed goods) and "
            f"{days[i]} days later transferred the same HS-6 to '{buyer[i]}' in "
            f"{bcountry[i]} (document {doc[i]}, {tdate[i]}): re-export to Russia/Belarus."
        )

    def evidence(i: int) -> dict[str, Any]:
        return {
            "document": doc[i],
            "buyer": buyer[i],
            "buyer_country": bcountry[i],
            "days": int(days[i]),
        }

    return RuleResult(mask, np.ones(len(inp)), message, evidence)


@rule("no_russia_clause_missing")
def no_russia_clause_missing(inp: RuleInput, config: Rule) -> RuleResult:
    """An Art. 12g good from an EU exporter without the contract's no-Russia clause."""
    col = inp.country
    clause = inp.frame["_clause"].astype(STR).fillna("").to_numpy()
    exempt = list(config.param("exempt_destinations", sorted(ART12G_PARTNERS | EU27)))
    eu = list(EU27)
    mask = (
        (clause == "no")
        & inp.frame["_art12g"].to_numpy(dtype=bool)
        & (np.isin(col["exporter_country"], eu) | np.isin(col["origin_country"], eu))
        & ~np.isin(col["destination_country"], exempt)
    )

    def message(i: int) -> str:
        return (
            f"HS {inp.hs[i]} is covered by EU Reg. 833/2014 Art. 12g (Annexes XI, XX, XXXV, "
            "XL) but the contract carries no 'no re-export to Russia' clause (exporter "
            f"{col['exporter_country'][i] or '-'}, destination {col['destination_country'][i]})."
        )

    return RuleResult(mask, np.ones(len(inp)), message)
