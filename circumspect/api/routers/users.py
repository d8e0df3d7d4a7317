"""``/v1/me`` and ``/v1/users``: who holds this key; user administration (admin)."""

from __future__ import annotations

from typing import Any

from circumspect.api import schemas as s
from circumspect.api.deps import RuntimeDep, UserDep, role, v1_router

router = v1_router(tags=["users"])


@router.get("/me", response_model=s.Me, openapi_extra=role("viewer"))
def me(user: UserDep) -> dict[str, Any]:
    """The user holding this key."""
    return {"name": user.name, "role": user.role}


@router.get("/users", response_model=list[s.UserOut], openapi_extra=role("admin"))
def users(rt: RuntimeDep) -> list[dict[str, Any]]:
    """All users (never their keys)."""
    return [record.to_dict() for record in rt.cases.users()]


@router.post(
    "/users",
    response_model=s.UserCreated,
    status_code=201,
    openapi_extra=role("admin"),
    responses={409: {"model": s.ErrorEnvelope, "description": "Name taken"}},
)
def add_user(body: s.UserIn, rt: RuntimeDep, user: UserDep) -> dict[str, Any]:
    """Create a user; the API key is in this response only."""
    created, key = rt.cases.add_user(body.name, body.role, actor=user.name)
    return {"name": created.name, "role": created.role, "api_key": key}
