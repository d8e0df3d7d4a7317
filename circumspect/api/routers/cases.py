"""``/v1/cases``: the case queue, one case, and review decisions."""

from __future__ import annotations

from typing import Any

from fastapi import Query

from circumspect.api import schemas as s
from circumspect.api.deps import RuntimeDep, UserDep, role, v1_router
from circumspect.errors import InputError, NotFoundError

router = v1_router(tags=["cases"])


@router.get("/cases", response_model=s.CaseList, openapi_extra=role("viewer"))
def cases(
    rt: RuntimeDep,
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
    return {
        "items": [item.to_dict() for item in items],
        "total": total,
        "limit": limit,
        "offset": offset,
    }


@router.get("/cases/{case_id}", response_model=s.CaseOut, openapi_extra=role("viewer"))
def case(case_id: int, rt: RuntimeDep) -> dict[str, Any]:
    """One case with its candidates, explanations, list snapshots and history."""
    check_case_id(case_id)
    return rt.cases.get_case(case_id).to_dict()


@router.post(
    "/cases/{case_id}/decision",
    response_model=s.CaseOut,
    openapi_extra=role("analyst"),
    responses={409: {"model": s.ErrorEnvelope, "description": "Case closed"}},
)
def decide(case_id: int, body: s.DecisionIn, rt: RuntimeDep, user: UserDep) -> dict[str, Any]:
    """Record a decision (true_match, false_positive, escalate) with a reason."""
    check_case_id(case_id)
    return rt.cases.decide(case_id, body.decision, body.reason, user.name).to_dict()


def check_case_id(case_id: int) -> None:
    if case_id < 1 or case_id > 2**31 - 1:
        raise NotFoundError(f"no case {case_id}", field="case_id")
