"""Party screening: candidate index, scorers and the ``Screener`` API.

See ``docs/screening.md``.
"""

from circumspect.matching.scoring import SCORERS, Scorer, get_scorer, register
from circumspect.matching.screener import Screener, compare_names

__all__ = ["SCORERS", "Scorer", "Screener", "compare_names", "get_scorer", "register"]
