"""The FastAPI application: ``create_app(config)``.

Every ``/v1`` endpoint declares the role it needs (``x-role`` in its OpenAPI entry); the
``AuthGate`` middleware checks the bearer key and the role *before* the request is parsed, so
an unauthenticated caller learns nothing from validation errors. ``/health`` and the
OpenAPI document are public. Endpoints whose capability module is absent are not mounted.
"""

from __future__ import annotations

import contextlib
import dataclasses
from collections.abc import AsyncIterator, Callable
from typing import Any

import anyio
from fastapi import APIRouter, FastAPI, Header, Query, Request, Security
from fastapi.routing import APIRoute
from fastapi.security import HTTPBearer
from starlette.routing import Match

from circumspect import __version__
from circumspect.api import schemas as s
from circumspect.api.errors import BodyLimit, envelope, install
from circumspect.api.runtime import ApiConfig, Runtime, module_available
from circumspect.cases.service import ROLE_RANK, UserInfo
from circumspect.errors import AuthError, InputError

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


def role(name: str) -> dict[str, Any]:
    return {"x-role": name}


def runtime(request: Request) -> Runtime:
    rt: Runtime = request.app.state.runtime
    return rt


def user_of(request: Request) -> UserInfo:
    user: UserInfo = request.scope["state"]["user"]
    return user


class AuthGate:
    """Bearer-key authentication and role check for every ``/v1`` path."""

    def __init__(self, app: Any, fastapi_app: FastAPI) -> None:
        self.app = app
        self.fastapi_app = fastapi_app

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        if scope["type"] == "http" and self.fastapi_app.state.yente and _yente_path(scope["path"]):
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
        from fastapi.responses import JSONResponse

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


def _yente_path(path: str) -> bool:
    from circumspect.api.yente import is_yente_path

    return is_yente_path(path)


def build_router(rt: Runtime) -> APIRouter:
    router = APIRouter(prefix="/v1", responses=ERRORS, dependencies=[Security(bearer)])
    screening = rt.config.screener is not None or module_available(
        "circumspect.matching", "Screener"
    )

    @router.get("/me", response_model=s.Me, openapi_extra=role("viewer"), tags=["users"])
    def me(request: Request) -> dict[str, Any]:
        """The user holding this key."""
        user = user_of(request)
        return {"name": user.name, "role": user.role}

    if screening:

        @router.post(
            "/screen",
            response_model=s.ScreenResponse,
            openapi_extra=role("viewer"),
            tags=["screening"],
            response_model_by_alias=True,
        )
        def screen(
            body: s.ScreenRequest,
            request: Request,
            idempotency_key: str | None = Header(
                None,
                alias="Idempotency-Key",
                max_length=200,
                description="Batch key; item i uses KEY:i unless it has its own key.",
            ),
        ) -> dict[str, Any]:
            """Screen one party or up to 1,000; alerts open cases (suppression applies)."""
            parties = [p.model_dump(by_alias=True, exclude_none=True) for p in body.parties()]
            for i, party in enumerate(parties):
                if "idempotency_key" not in party and idempotency_key:
                    party["idempotency_key"] = f"{idempotency_key}:{i}"
            return rt.screen_parties(
                user_of(request).name,
                parties,
                limit=body.limit,
                open_cases=body.open_cases,
                threshold=body.threshold,
                include_sources=body.include_dataset,
                exclude_sources=body.exclude_dataset,
                exclude_ids=body.exclude_entity_ids,
            )

    if module_available("circumspect.goods", "control_status"):

        @router.get("/goods/{code}", openapi_extra=role("viewer"), tags=["goods"])
        def goods(code: str) -> dict[str, Any]:
            """A goods code: its level, HS description and controlled-list status."""
            from circumspect import goods as g

            hs = g.normalize_code(code)
            out: dict[str, Any] = {"code": hs.digits, "level": hs.level, "hs6": hs.hs6}
            try:
                from circumspect.goods.nomenclature import default_nomenclature

                out["description"] = default_nomenclature().describe(hs)
            except (ImportError, KeyError, LookupError):
                out["description"] = None
            out["control"] = g.control_status(hs).to_dict()
            return out

    @router.get("/lists", response_model=s.ListsOut, openapi_extra=role("viewer"), tags=["lists"])
    def lists() -> dict[str, Any]:
        """Active list versions (one snapshot per source)."""
        snaps = sorted(rt.store().active_snapshots().values(), key=lambda x: x.source)
        return {"active": [_snapshot(x) for x in snaps]}

    @router.get(
        "/lists/{source}/snapshots",
        response_model=list[s.SnapshotOut],
        openapi_extra=role("viewer"),
        tags=["lists"],
    )
    def list_snapshots(source: str) -> list[dict[str, Any]]:
        """Every snapshot of a source, newest first."""
        return [_snapshot(x) for x in rt.store().snapshots(source)]

    @router.get(
        "/lists/{source}/diff",
        response_model=s.DiffOut,
        openapi_extra=role("viewer"),
        tags=["lists"],
    )
    def list_diff(
        source: str,
        from_id: str | None = Query(None, alias="from", max_length=200),
        to_id: str | None = Query(None, alias="to", max_length=200),
        limit: int = Query(500, ge=1, le=10000),
    ) -> dict[str, Any]:
        """Changes between two snapshots of a source (default: previous vs active)."""
        from circumspect.errors import NotFoundError

        store = rt.store()
        known = {x.id for x in store.snapshots(source)}
        if not known:
            raise NotFoundError(f"no snapshots of source {source!r}", field="source")
        for name, value in (("from", from_id), ("to", to_id)):
            if value is not None and value not in known:
                raise NotFoundError(f"no snapshot {value!r} of {source}", field=name)
        diff = store.diff(source, from_id, to_id)
        return {
            "source": diff.source,
            "from_snapshot": diff.from_snapshot,
            "to_snapshot": diff.to_snapshot,
            "counts": diff.counts(),
            "changes": [dataclasses.asdict(c) for c in diff.changes[:limit]],
        }

    @router.post("/lists/rescreen", openapi_extra=role("admin"), tags=["lists"])
    def rescreen(body: s.RescreenIn, request: Request) -> dict[str, Any]:
        """Re-screen stored parties against the entities changed by the newest load."""
        user = user_of(request)
        factory = None
        if rt.config.screener is not None:
            fixed = type(rt.config.screener)

            def factory(entities: list[Any]) -> Any:
                return fixed(entities)  # type: ignore[call-arg]

        report = rt.cases.rescreen(
            rt.store(), sources=body.sources, actor=user.name, screener_factory=factory
        )
        return report.to_dict()

    @router.get("/cases", response_model=s.CaseList, openapi_extra=role("viewer"), tags=["cases"])
    def cases(
        status: str | None = Query(None, pattern="^(open|escalated|closed)$"),
        kind: str | None = Query(None, pattern="^(party|declaration|payment)$"),
        q: str | None = Query(None, max_length=200, description="Search caption/summary."),
        limit: int = Query(50, ge=1, le=500),
        offset: int = Query(0, ge=0, le=10_000_000),
    ) -> dict[str, Any]:
        """The case queue, newest first, with filters."""
        if q is not None and "\x00" in q:
            raise InputError("must not contain NUL characters", field="q")
        items, total = rt.cases.list_cases(
            status=status, kind=kind, search=q, limit=limit, offset=offset
        )
        return {"items": items, "total": total, "limit": limit, "offset": offset}

    @router.get(
        "/cases/{case_id}", response_model=s.CaseOut, openapi_extra=role("viewer"), tags=["cases"]
    )
    def case(case_id: int) -> dict[str, Any]:
        """One case with its candidates, explanations, list snapshots and history."""
        _check_id(case_id)
        return rt.cases.get_case(case_id)

    @router.post(
        "/cases/{case_id}/decision",
        response_model=s.CaseOut,
        openapi_extra=role("analyst"),
        tags=["cases"],
        responses={409: {"model": s.ErrorEnvelope, "description": "Case closed"}},
    )
    def decide(case_id: int, body: s.DecisionIn, request: Request) -> dict[str, Any]:
        """Record a decision (true_match, false_positive, escalate) with a reason."""
        _check_id(case_id)
        return rt.cases.decide(case_id, body.decision, body.reason, user_of(request).name)

    @router.get(
        "/audit/verify", response_model=s.AuditVerify, openapi_extra=role("viewer"), tags=["audit"]
    )
    def audit_verify() -> dict[str, Any]:
        """Verify the hash chain: ``{"ok", "records", "first_bad"}``."""
        return rt.cases.verify_audit().to_dict()

    @router.get(
        "/audit",
        response_model=list[s.AuditRecordOut],
        openapi_extra=role("viewer"),
        tags=["audit"],
    )
    def audit(
        limit: int = Query(50, ge=1, le=1000),
        offset: int = Query(0, ge=0, le=10_000_000),
        object: str | None = Query(None, max_length=300, description="e.g. case:12"),
    ) -> list[dict[str, Any]]:
        """Newest audit records first."""
        if object is not None and "\x00" in object:
            raise InputError("must not contain NUL characters", field="object")
        return rt.cases.audit_records(limit=limit, offset=offset, obj=object)

    @router.get(
        "/users", response_model=list[s.UserOut], openapi_extra=role("admin"), tags=["users"]
    )
    def users() -> list[dict[str, Any]]:
        """All users (never their keys)."""
        return rt.cases.users()

    @router.post(
        "/users",
        response_model=s.UserCreated,
        status_code=201,
        openapi_extra=role("admin"),
        tags=["users"],
        responses={409: {"model": s.ErrorEnvelope, "description": "Name taken"}},
    )
    def add_user(body: s.UserIn, request: Request) -> dict[str, Any]:
        """Create a user; the API key is in this response only."""
        user, key = rt.cases.add_user(body.name, body.role, actor=user_of(request).name)
        return {"name": user.name, "role": user.role, "api_key": key}

    _optional_routes(router, rt)
    return router


def _optional_routes(router: APIRouter, rt: Runtime) -> None:
    """Endpoints backed by capabilities that may be absent from this tree."""
    from circumspect.api import extras

    screening = rt.config.screener is not None or module_available(
        "circumspect.matching", "Screener"
    )
    if screening and module_available("circumspect.payments", "screen_message"):
        extras.mount_payments(router, rt, role, user_of)
    if module_available("circumspect.routes", "plan_routes"):
        extras.mount_routes(router, rt, role)
        rt.routes_enabled = True
    if screening and module_available("circumspect.risk.score", "score_declarations"):
        extras.mount_declarations(router, rt, role, user_of)
        rt.declarations_enabled = True


def _check_id(case_id: int) -> None:
    if case_id < 1 or case_id > 2**31 - 1:
        from circumspect.errors import NotFoundError

        raise NotFoundError(f"no case {case_id}", field="case_id")


def _snapshot(x: Any) -> dict[str, Any]:
    return {
        "id": x.id,
        "source": x.source,
        "loaded_at": x.loaded_at.isoformat(),
        "checksum": x.checksum,
        "entity_count": x.entity_count,
        "active": x.active,
        "files": list(x.files),
    }


def create_app(config: ApiConfig | None = None) -> FastAPI:
    config = config or ApiConfig()
    rt = Runtime(config)

    @contextlib.asynccontextmanager
    async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
        yield
        rt.close()

    app = FastAPI(
        lifespan=lifespan,
        title="circumspect",
        version=__version__,
        description="Sanctions-circumvention screening service. Authenticate with "
        "`Authorization: Bearer KEY` (keys from `circumspect users add`). Every error has "
        'the shape `{"error": {status, code, message, field, details}}`.',
        responses={422: {"model": s.ErrorEnvelope, "description": "Invalid request"}},
    )
    app.state.runtime = rt
    install(app)

    @app.get("/health", response_model=s.Health, tags=["service"])
    def health() -> dict[str, Any]:
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

    router = build_router(rt)
    #: the /v1 routes with their roles, for AuthGate and the route-table test
    app.state.api_routes = [r for r in router.routes if isinstance(r, APIRoute)]
    app.include_router(router)
    app.state.yente = bool(config.yente)
    if config.yente:
        from circumspect.api.yente import router as yente_router

        app.include_router(yente_router)
    if config.web and module_available("circumspect.web.pages"):
        from circumspect.web.pages import mount as mount_web

        mount_web(app, rt)
    app.add_middleware(AuthGate, fastapi_app=app)
    app.add_middleware(BodyLimit, limit=rt.max_request_bytes)
    return app


def app_factory() -> FastAPI:
    """For ``uvicorn --factory circumspect.api.app:app_factory`` (used by ``serve``)."""
    return create_app()


Cb = Callable[..., Any]
