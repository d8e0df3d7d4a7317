"""The ``/v1`` API routers, one module per resource (yente's ``routers/`` layout).

Adding endpoints: write ``circumspect/api/routers/<name>.py`` with
``router = v1_router(tags=["<name>"])`` and endpoints that declare their role
(``openapi_extra=role("viewer")``) and take injected state (``rt: RuntimeDep``,
``user: UserDep`` from :mod:`circumspect.api.deps`); call a use case in
:mod:`circumspect.services` rather than writing the logic in the endpoint; then add the
router to :data:`ROUTERS` below. ``create_app`` mounts every router listed here, and
``AuthGate`` enforces each endpoint's role before the request is parsed.
"""

from __future__ import annotations

from fastapi import APIRouter

from circumspect.api.routers import (
    audit,
    cases,
    declarations,
    entities,
    goods,
    lists,
    ownership,
    payments,
    routes,
    screening,
    users,
)

#: Every ``/v1`` router, mounted in this order by ``circumspect.server.create_app``.
ROUTERS: tuple[APIRouter, ...] = (
    users.router,
    screening.router,
    goods.router,
    lists.router,
    entities.router,
    ownership.router,
    cases.router,
    audit.router,
    payments.router,
    routes.router,
    declarations.router,
)

__all__ = ["ROUTERS"]
