"""Bearer-key authentication and role check for every ``/v1`` path (ASGI middleware).

It runs *before* the request is parsed, so an unauthenticated caller learns nothing from
validation errors. Each endpoint's role is its ``openapi_extra`` ``x-role``
(:func:`circumspect.api.deps.role`); the routes come from ``app.state.api_routes``.
"""

from __future__ import annotations

from typing import Any

import anyio
from fastapi import FastAPI
from fastapi.responses import JSONResponse
from starlette.routing import Match

from circumspect.api.errors import envelope
from circumspect.api.yente import is_yente_path
from circumspect.cases.service import ROLE_RANK
from circumspect.errors import AuthError
from circumspect.services.runtime import Runtime


class AuthGate:
    """Bearer-key authentication and role check for every ``/v1`` path."""

    def __init__(self, app: Any, fastapi_app: FastAPI) -> None:
        self.app = app
        self.fastapi_app = fastapi_app

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        if (
            scope["type"] == "http"
            and self.fastapi_app.state.yente
            and is_yente_path(scope["path"])
        ):
            await self._yente(scope, receive, send)
            return
        if scope["type"] != "http" or not scope["path"].startswith("/v1"):
            await self.app(scope, receive, send)
            return
        needed = "viewer"
        for route in self.fastapi_app.state.api_routes:
            match, _ = route.matches(scope)
            if match == Match.FULL:
                extra = route.openapi_extra or {}
                needed = str(extra.get("x-role", "admin"))
                break
        header = ""
        for name, value in scope.get("headers", ()):
            if name == b"authorization":
                header = value.decode("latin-1")
                break
        scheme, _, key = header.partition(" ")
        challenge = {"WWW-Authenticate": "Bearer"}
        if scheme.lower() != "bearer" or not key.strip():
            response = envelope(
                401, "missing API key: send `Authorization: Bearer KEY`", headers=challenge
            )
            await response(scope, receive, send)
            return
        rt: Runtime = self.fastapi_app.state.runtime
        try:
            user = await anyio.to_thread.run_sync(rt.authenticate, key.strip())
        except AuthError:
            await envelope(401, "invalid API key", headers=challenge)(scope, receive, send)
            return
        if ROLE_RANK[user.role] < ROLE_RANK[needed]:
            response = envelope(403, f"this needs the {needed} role; you are {user.role}")
            await response(scope, receive, send)
            return
        scope.setdefault("state", {})["user"] = user
        await self.app(scope, receive, send)

    async def _yente(self, scope: Any, receive: Any, send: Any) -> None:
        """The yente-compatible paths: the same API keys (``Bearer`` or yente's ``ApiKey``
        scheme), viewer role, errors in yente's ``{"detail": ...}`` shape."""
        header = ""
        for name, value in scope.get("headers", ()):
            if name == b"authorization":
                header = value.decode("latin-1")
                break
        scheme, _, key = header.partition(" ")
        if scheme.lower() not in ("bearer", "apikey") or not key.strip():
            response = JSONResponse(
                {"detail": "missing API key: send `Authorization: ApiKey KEY` (or Bearer)"},
                status_code=401,
                headers={"WWW-Authenticate": "Bearer"},
            )
            await response(scope, receive, send)
            return
        rt: Runtime = self.fastapi_app.state.runtime
        try:
            user = await anyio.to_thread.run_sync(rt.authenticate, key.strip())
        except AuthError:
            await JSONResponse({"detail": "invalid API key"}, status_code=401)(scope, receive, send)
            return
        if ROLE_RANK[user.role] < ROLE_RANK["viewer"]:
            response = JSONResponse({"detail": "this needs the viewer role"}, status_code=403)
            await response(scope, receive, send)
            return
        scope.setdefault("state", {})["user"] = user
        await self.app(scope, receive, send)
