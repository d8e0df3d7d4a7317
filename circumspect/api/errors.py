"""One error envelope for every error the service returns (404, 405, 413, 422, 500 ...).

``{"error": {"status", "code", "message", "field", "details"}}``; validation errors name the
field (dotted path, e.g. ``queries.3.name``). A domain error's HTTP status is its class's
``status`` (``circumspect.errors``).
"""

from __future__ import annotations

import logging
from collections.abc import Mapping, Sequence
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException

from circumspect.errors import CircumspectError, scrub

log = logging.getLogger("circumspect.api")

CODES = {
    400: "bad_request",
    401: "unauthorized",
    403: "forbidden",
    404: "not_found",
    405: "method_not_allowed",
    409: "conflict",
    413: "request_too_large",
    415: "unsupported_media_type",
    422: "validation_error",
    429: "too_many_requests",
    500: "internal_error",
    502: "bad_gateway",
    503: "unavailable",
}


class ApiError(Exception):
    def __init__(
        self,
        status: int,
        message: str,
        *,
        field: str | None = None,
        headers: dict[str, str] | None = None,
    ) -> None:
        super().__init__(message)
        self.status = status
        self.message = message
        self.field = field
        self.headers = headers


def envelope(
    status: int,
    message: str,
    *,
    field: str | None = None,
    details: Sequence[Mapping[str, object]] | None = None,
    headers: dict[str, str] | None = None,
) -> JSONResponse:
    body = {
        "error": {
            "status": status,
            "code": CODES.get(status, "error"),
            "message": message,
            "field": field,
            "details": details or [],
        }
    }
    return JSONResponse(body, status_code=status, headers=headers)


def _loc(loc: tuple[Any, ...] | list[Any]) -> str:
    parts = [str(p) for p in loc]
    if parts and parts[0] in ("body", "query", "path", "header", "cookie"):
        parts = parts[1:]
    return ".".join(parts) or "body"


def install(app: FastAPI) -> None:
    @app.exception_handler(ApiError)
    async def _api_error(_request: Request, exc: ApiError) -> JSONResponse:
        return envelope(exc.status, exc.message, field=exc.field, headers=exc.headers)

    @app.exception_handler(RequestValidationError)
    async def _validation(_request: Request, exc: RequestValidationError) -> JSONResponse:
        details = []
        for err in exc.errors():
            field = _loc(err.get("loc", ()))
            msg = str(err.get("msg", "invalid"))
            if err.get("type") == "model_attributes_type" or (field == "body" and not msg):
                msg = "a JSON object is required"
            details.append({"field": field, "message": msg, "type": str(err.get("type", ""))})
        first = details[0] if details else {"field": "body", "message": "invalid request"}
        return envelope(
            422,
            f"{first['field']}: {first['message']}",
            field=str(first["field"]),
            details=details,
        )

    @app.exception_handler(StarletteHTTPException)
    async def _http(_request: Request, exc: StarletteHTTPException) -> JSONResponse:
        message = str(exc.detail) if exc.detail else CODES.get(exc.status_code, "error")
        if exc.status_code == 404 and message == "Not Found":
            message = "no such endpoint"
        headers = dict(exc.headers) if exc.headers else None
        return envelope(exc.status_code, message, headers=headers)

    @app.exception_handler(CircumspectError)
    async def _domain(_request: Request, exc: CircumspectError) -> JSONResponse:
        details = {k: scrub(v) for k, v in exc.to_dict().items() if v is not None}
        return envelope(exc.status, str(scrub(exc.message)), field=exc.field, details=[details])

    @app.exception_handler(Exception)
    async def _unexpected(_request: Request, exc: Exception) -> JSONResponse:
        log.exception("unhandled error", exc_info=exc)
        return envelope(500, "internal error; see the server log")


class BodyLimit:
    """Pure ASGI middleware refusing request bodies over ``limit`` bytes with 413."""

    def __init__(self, app: Any, limit: int) -> None:
        self.app = app
        self.limit = limit

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        for name, value in scope.get("headers", ()):
            if name == b"content-length":
                try:
                    size = int(value)
                except ValueError:
                    size = -1
                if size < 0 or size > self.limit:
                    await self._refuse(scope, receive, send)
                    return
        if any(name == b"content-length" for name, _ in scope.get("headers", ())) or scope[
            "method"
        ] in ("GET", "HEAD", "OPTIONS"):
            await self.app(scope, receive, send)
            return
        # No declared length (chunked upload): read up to the limit before the app sees it.
        chunks: list[bytes] = []
        seen = 0
        while True:
            message = await receive()
            if message["type"] != "http.request":
                break
            body = message.get("body", b"")
            seen += len(body)
            if seen > self.limit:
                await self._refuse(scope, receive, send)
                return
            chunks.append(body)
            if not message.get("more_body", False):
                break
        replayed = False

        async def replay() -> Any:
            nonlocal replayed
            if not replayed:
                replayed = True
                return {"type": "http.request", "body": b"".join(chunks), "more_body": False}
            return await receive()

        await self.app(scope, replay, send)

    async def _refuse(self, scope: Any, receive: Any, send: Any) -> None:
        response = envelope(
            413, f"request body larger than {self.limit} bytes", headers={"Connection": "close"}
        )
        await response(scope, receive, send)
