"""Rules on how a declaration is paid."""

from __future__ import annotations

import numpy as np

from circumspect.risk.columns import STR
from circumspect.risk.rules.config import Rule
from circumspect.risk.rules.registry import RuleInput, RuleResult, rule


@rule("third_country_payment")
def third_country_payment(inp: RuleInput, config: Rule) -> RuleResult:
    """Paid from a country (else the BIC's) that is neither the seller's nor the buyer's."""
    col = inp.country
    pay = col["payment_country"].copy()
    bic_country = inp.frame["_bic"].astype(STR).fillna("").str.slice(4, 6).to_numpy()
    pay = np.where(pay == "", bic_country, pay)
    seller = col["exporter_country"]
    buyer = col["consignee_country"]
    mask = (pay != "") & (seller != "") & (buyer != "") & (pay != seller) & (pay != buyer)
    strength = np.where(inp.controlled, 1.0, float(config.param("other_strength", 0.6)))

    def message(i: int) -> str:
        return (
            f"Paid from {pay[i]}, which is neither the seller's country "
            f"({seller[i]}) nor the buyer's ({buyer[i]})."
        )

    return RuleResult(mask, strength, message)
