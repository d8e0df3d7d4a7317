"""What every API router shares: injected state, the caller, roles and error responses.

The model is yente's ``routers/util.py``: a router module declares
``router = v1_router()`` at module level and its endpoints take what they need as
annotated parameters (``rt: RuntimeDep``, ``user: UserDep``); the composition root
(``circumspect.server.create_app``) puts the one :class:`Runtime` on ``app.state``.
"""

from __future__ import annotations

from enum import Enum
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request, Security
from fastapi.security import HTTPBearer

from circumspect.api import schemas as s
from circumspect.cases.service import UserInfo
from circumspect.services.runtime import Runtime

bearer = HTTPBearer(auto_error=False, description="An API key from `circumspect users add`.")

ERRORS: dict[int | str, dict[str, Any]] = {
    status: {"model": s.ErrorEnvelope, "description": desc}
    for status, desc in (
        (401, "Missing or invalid API key"),
        (403, "Role too low"),
        (404, "Not found"),
        (413, "Request body too large"),
        (422, "Invalid request (the field is named)"),
        (500, "Internal error"),
        (503, "A capability or the database is unavailable"),
    )
}


def role(name: str) -> dict[str, str]:
    """``openapi_extra`` of an endpoint that needs role ``name`` (checked by ``AuthGate``)."""
    return {"x-role": name}


def v1_router(*, tags: list[str | Enum] | None = None) -> APIRouter:
    """A ``/v1`` router: bearer-key security, the common error responses."""
    return APIRouter(prefix="/v1", responses=ERRORS, dependencies=[Security(bearer)], tags=tags)


def get_runtime(request: Request) -> Runtime:
    """The service's runtime (case service, store, screener), from the composition root."""
    rt: Runtime = request.app.state.runtime
    return rt


def get_user(request: Request) -> UserInfo:
    """The caller, authenticated by ``AuthGate`` before the request reached the router."""
    user: UserInfo = request.scope["state"]["user"]
    return user


RuntimeDep = Annotated[Runtime, Depends(get_runtime)]
UserDep = Annotated[UserInfo, Depends(get_user)]
