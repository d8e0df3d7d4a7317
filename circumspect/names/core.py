"""Which implementation of the name hot path runs: the compiled core or the Python reference.

The compiled core (``circumspect/names/_core.pyx``, Cython, built by ``make bootstrap`` /
``pip install -e .``) is used when it was built; ``CIRCUMSPECT_PURE_PYTHON=1`` selects the
pure-Python reference (read at import). Both give the same results
(``tests/matching/test_core_equivalence.py``; docs/decisions/1800-compiled-core.md).
"""

from __future__ import annotations

import os
from types import ModuleType


def _load() -> ModuleType | None:
    if os.environ.get("CIRCUMSPECT_PURE_PYTHON", "").strip() not in ("", "0"):
        return None
    try:
        from circumspect.names import _core  # type: ignore[attr-defined]
    except ImportError:
        return None
    return _core  # type: ignore[no-any-return]


#: The compiled module, or ``None`` on the pure-Python path.
CORE: ModuleType | None = _load()


def implementation() -> str:
    """``compiled`` or ``python`` (shown by ``circumspect version``-style reports)."""
    return "compiled" if CORE is not None else "python"
