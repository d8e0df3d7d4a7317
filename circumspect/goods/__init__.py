"""Goods: HS 2022 nomenclature, code normalisation, controlled lists, description search.

Public API (see ``docs/goods.md``)::

    normalize_code("8542.31.000.0") -> HsCode("8542310000")
    control_status("848210") -> ControlStatus(controlled=True, chpl_tier="3.B", ...)
    suggest("подшипник шариковый") -> [Suggestion(code="848210", ...), ...]
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from circumspect.goods.codes import HsCode, normalize_code
from circumspect.goods.lists import (
    ControlIndex,
    ControlStatus,
    build_index,
    control_status,
    default_index,
    load_list,
)

if TYPE_CHECKING:
    from circumspect.goods.suggest import Suggestion

__all__ = [
    "ControlIndex",
    "ControlStatus",
    "HsCode",
    "build_index",
    "control_status",
    "default_index",
    "load_list",
    "normalize_code",
    "suggest",
]


def suggest(text: str, limit: int = 5) -> list[Suggestion]:
    """Top HS-6 candidates with control status for a goods description."""
    from circumspect.goods.suggest import suggest as _suggest

    return _suggest(text, limit)


def __getattr__(name: str) -> Any:  # pragma: no cover - convenience
    if name == "Suggestion":
        from circumspect.goods.suggest import Suggestion

        return Suggestion
    raise AttributeError(name)
