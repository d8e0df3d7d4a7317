"""``GET /v1/route``: the k best freight routes, avoiding countries and modes."""

from __future__ import annotations

from typing import Any

from fastapi import Query

from circumspect.api.deps import role, v1_router
from circumspect.errors import InputError
from circumspect.routes import plan_routes

router = v1_router(tags=["routes"])


@router.get("/route", openapi_extra=role("viewer"))
def route(
    origin: str = Query(..., min_length=1, max_length=100),
    destination: str = Query(..., min_length=1, max_length=100),
    avoid: str | None = Query(
        "RU,BY", max_length=200, description="Countries to avoid (ISO codes or names)"
    ),
    avoid_modes: str | None = Query(None, max_length=100),
    optimize: str = Query("cost", pattern="^(cost|time|distance)$"),
    k: int = Query(3, ge=1, le=10),
    cargo: str = Query("feu", max_length=20),
    month: int | None = Query(None, ge=1, le=12),
) -> dict[str, Any]:
    """The k best freight routes, optionally avoiding countries and modes."""
    for name, value in (("origin", origin), ("destination", destination)):
        if any(ord(ch) < 32 for ch in value):
            raise InputError("must not contain control characters", field=name)
    plan = plan_routes(
        origin,
        destination,
        avoid=avoid or None,
        avoid_modes=avoid_modes or None,
        optimize=optimize,
        k=k,
        cargo=cargo,
        month=month,
    )
    return plan.to_dict()
