"""``GET /v1/goods/{code}``: a goods code's level, description and controlled-list status."""

from __future__ import annotations

from typing import Any

from circumspect import goods as g
from circumspect.api.deps import role, v1_router
from circumspect.goods.nomenclature import default_nomenclature

router = v1_router(tags=["goods"])


@router.get("/goods/{code}", openapi_extra=role("viewer"))
def goods(code: str) -> dict[str, Any]:
    """A goods code: its level, HS description and controlled-list status."""
    hs = g.normalize_code(code)
    out: dict[str, Any] = {"code": hs.digits, "level": hs.level, "hs6": hs.hs6}
    try:
        out["description"] = default_nomenclature().describe(hs)
    except (KeyError, LookupError):
        out["description"] = None
    out["control"] = g.control_status(hs).to_dict()
    return out
