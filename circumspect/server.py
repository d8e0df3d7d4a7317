"""The composition root: ``create_app(config)`` builds the one FastAPI application.

It builds the :class:`~circumspect.services.runtime.Runtime` (case service, list store,
screener) once, puts it on ``app.state`` for the routers' dependencies
(``circumspect.api.deps.RuntimeDep``), and mounts the sibling routers: the ``/v1`` API
(:data:`circumspect.api.routers.ROUTERS`), the public ``/health``, and the ``/ui`` web pages
(:mod:`circumspect.web.pages`). Nothing imports this module except the CLI's ``serve`` and
tests: the dependency direction is server -> api | web -> services -> domain packages.
"""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator
from typing import Any

from fastapi import FastAPI
from fastapi.routing import APIRoute

from circumspect import __version__
from circumspect.api import schemas as s
from circumspect.api import yente
from circumspect.api.auth import AuthGate
from circumspect.api.errors import BodyLimit, install
from circumspect.api.routers import ROUTERS
from circumspect.api.routers import health as health_router
from circumspect.api.security import SecurityHeaders
from circumspect.services.runtime import ApiConfig, Runtime
from circumspect.web import pages as web_pages


def create_app(config: ApiConfig | None = None) -> FastAPI:
    config = config or ApiConfig()
    rt = Runtime(config)

    @contextlib.asynccontextmanager
    async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
        background = _background(config, rt)
        for task in background:
            task.start()
        yield
        for task in background:
            task.stop()
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
    app.include_router(health_router.router)
    for router in ROUTERS:
        app.include_router(router)
    #: the /v1 routes with their roles, for AuthGate and the route-table test
    app.state.yente = bool(config.yente)
    if config.yente:
        app.include_router(yente.router)
    app.state.api_routes = [
        r for router in ROUTERS for r in router.routes if isinstance(r, APIRoute)
    ]
    if config.web:
        web_pages.install(app, rt)
    app.add_middleware(AuthGate, fastapi_app=app)
    app.add_middleware(BodyLimit, limit=rt.max_request_bytes)
    app.add_middleware(SecurityHeaders)  # outermost: every answer, refusals included
    return app


def _background(config: ApiConfig, rt: Runtime) -> list[Any]:
    """Threads ``serve`` runs beside the API: the webhook dispatcher and the fetch schedule
    (docs/service.md)."""
    import os

    tasks: list[Any] = []
    if config.dispatch:
        from circumspect.services.notify_dispatch import DispatcherThread

        interval = float(os.environ.get("CIRCUMSPECT_DISPATCH_INTERVAL", "1"))
        tasks.append(DispatcherThread(rt.cases.url, interval=interval))
    if config.fetch_every:
        from circumspect.services.schedule import SchedulerThread

        tasks.append(SchedulerThread(rt.cases.url, config.fetch_every))
    return tasks


def app_factory() -> FastAPI:
    """For ``uvicorn --factory circumspect.server:app_factory`` (used by ``serve``)."""
    return create_app()
