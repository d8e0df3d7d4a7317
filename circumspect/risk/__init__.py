"""Customs declaration circumvention risk (see ``docs/declarations.md``).

``score_declarations(IN, OUT, errors_path, screener=...)`` scores a file;
``score_frame(df, screener)`` scores an in-memory frame; rules live in ``rules.yaml``.
"""

from __future__ import annotations

from circumspect.risk.rules import RuleSet, load_rules
from circumspect.risk.score import ScoreReport, score_declarations, score_frame

__all__ = ["RuleSet", "ScoreReport", "load_rules", "score_declarations", "score_frame"]
