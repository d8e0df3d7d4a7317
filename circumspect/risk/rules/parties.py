"""Rules on the declaration's parties (screened against the loaded lists)."""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from circumspect.risk.rules.config import Rule
from circumspect.risk.rules.registry import RuleInput, RuleResult, rule

if TYPE_CHECKING:
    from circumspect.risk.pipeline import PartyHit


@rule("party_listed")
def party_listed(inp: RuleInput, config: Rule) -> RuleResult:
    """A party matches a listed entity; strength is the best match score."""
    n = len(inp)
    mask = np.zeros(n, dtype=bool)
    strength = np.zeros(n)
    positions = {label: pos for pos, label in enumerate(inp.frame.index)} if inp.party_hits else {}
    best: dict[int, list[PartyHit]] = {}
    for label, hits in inp.party_hits.items():
        pos = positions[label]
        mask[pos] = True
        strength[pos] = max(h.score for h in hits)
        best[pos] = sorted(hits, key=lambda h: -h.score)

    def message(i: int) -> str:
        return "Listed party: " + "; ".join(h.text() for h in best[i][:3]) + "."

    return RuleResult(
        mask,
        np.clip(strength, 0, 1),
        message,
        lambda i: {"matches": [h.to_dict() for h in best[i]]},
    )
