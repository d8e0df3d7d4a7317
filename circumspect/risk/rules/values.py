"""Rules on declared values and quantities (against the HS-6 and the consignee's history)."""

from __future__ import annotations

import math

import numpy as np

from circumspect.names.identifiers import validate
from circumspect.risk.columns import STR
from circumspect.risk.rules.config import Rule
from circumspect.risk.rules.registry import RuleInput, RuleResult, rule


@rule("unit_value_high")
def unit_value_high(inp: RuleInput, config: Rule) -> RuleResult:
    """Unit value at least ``ratio`` times the HS-6 median (``min_samples`` declarations)."""
    r = float(config.param("ratio", 5.0))
    ratio = inp.unit_value_ratio
    mask = (inp.unit_value_samples >= int(config.param("min_samples", 8))) & (ratio >= r)
    if config.param("controlled_only", False):
        mask &= inp.controlled
    strength = np.clip(np.log(np.where(mask, ratio, 1.0)) / math.log(r * r), 0.5, 1.0)
    uv, med, uvn, unit = (
        inp.unit_value,
        inp.unit_value_median,
        inp.unit_value_samples,
        inp.value_unit,
    )

    def message(i: int) -> str:
        return (
            f"Unit value {uv[i]:,.2f} USD/{unit[i]} is {ratio[i]:.1f}x the median "
            f"{med[i]:,.2f} USD/{unit[i]} of {uvn[i]} declarations of HS {inp.hs[i][:6]}: "
            "overpayment can hide payment for something else."
        )

    return RuleResult(mask, strength, message)


@rule("unit_value_low")
def unit_value_low(inp: RuleInput, config: Rule) -> RuleResult:
    """Unit value at most 1/``ratio`` of the HS-6 median (``min_samples`` declarations)."""
    r = float(config.param("ratio", 5.0))
    ratio = inp.unit_value_ratio
    mask = (inp.unit_value_samples >= int(config.param("min_samples", 8))) & (ratio <= 1.0 / r)
    inv = np.where(mask & (ratio > 0), 1.0 / np.where(ratio > 0, ratio, 1.0), 1.0)
    strength = np.clip(np.log(inv) / math.log(r * r), 0.5, 1.0)
    uv, med, unit = inp.unit_value, inp.unit_value_median, inp.value_unit

    def message(i: int) -> str:
        return (
            f"Unit value {uv[i]:,.2f} USD/{unit[i]} is 1/{1 / ratio[i]:.1f} of the "
            f"median {med[i]:,.2f} USD/{unit[i]} for HS {inp.hs[i][:6]}: undervaluation "
            "or goods declared under the wrong code."
        )

    return RuleResult(mask, strength, message)


@rule("quantity_implausible")
def quantity_implausible(inp: RuleInput, config: Rule) -> RuleResult:
    """Value ``ratio`` times the consignee's median, or a private person (IIN) buying
    controlled goods worth more than ``person_usd``."""
    frame = inp.frame
    r = float(config.param("ratio", 20.0))
    min_hist = int(config.param("min_history", 3))
    usd = frame["_usd"].to_numpy(dtype="float64")
    cmed = frame["_c_usd_median"].to_numpy(dtype="float64")
    cn = frame["_c_n"].to_numpy()
    with np.errstate(divide="ignore", invalid="ignore"):
        cratio = usd / cmed
    big = (cn > min_hist) & (cratio >= r)
    person_usd = float(config.param("person_usd", 10000))
    cid = inp.consignee_id
    cand = inp.controlled & (usd > person_usd) & (cid != "")
    iin_cache = {v: bool(v) and validate("kz_iin", v) for v in set(cid[cand])}
    person = np.array(
        [bool(c) and iin_cache.get(v, False) for v, c in zip(cid, cand, strict=True)],
        dtype=bool,
    )
    mask = big | person
    qty = frame["_qty"].to_numpy(dtype="float64")
    units = frame["unit"].astype(STR).fillna("").to_numpy()

    def message(i: int) -> str:
        if person[i]:
            return (
                f"Consignee '{inp.consignee_name[i]}' is a private person "
                f"(IIN {cid[i]}) declaring {qty[i]:,.0f} {units[i]} of controlled goods "
                f"{inp.goods(i)} worth {usd[i]:,.0f} USD."
            )
        return (
            f"Shipment of {qty[i]:,.0f} {units[i]} worth {usd[i]:,.0f} USD is "
            f"{cratio[i]:.0f}x the median value of consignee "
            f"'{inp.consignee_name[i]}''s {cn[i]} declarations."
        )

    return RuleResult(mask, np.ones(len(inp)), message)
