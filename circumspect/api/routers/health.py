"""``GET /health``: liveness and database reachability (public, no key)."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter

from circumspect import __version__
from circumspect.api import schemas as s
from circumspect.api.deps import RuntimeDep

router = APIRouter(tags=["service"])


@router.get("/health", response_model=s.Health)
def health(rt: RuntimeDep) -> dict[str, Any]:
    """Liveness and database reachability (no key needed)."""
    try:
        rt.cases.count_cases()
        database = "ok"
    except Exception:
        database = "unavailable"
    return {
        "status": "ok" if database == "ok" else "degraded",
        "version": __version__,
        "database": database,
    }
