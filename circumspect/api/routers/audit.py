"""``/v1/audit``: the hash-chained audit log and its verification."""

from __future__ import annotations

from typing import Any

from fastapi import Query

from circumspect.api import schemas as s
from circumspect.api.deps import RuntimeDep, role, v1_router
from circumspect.errors import InputError

router = v1_router(tags=["audit"])


@router.get(
    "/audit/verify",
    response_model=s.AuditVerify,
    response_model_exclude_unset=True,
    openapi_extra=role("viewer"),
)
def audit_verify(rt: RuntimeDep) -> dict[str, Any]:
    """Verify the hash chain: ``{"ok", "records", "first_bad"}``."""
    return rt.cases.verify_audit().to_dict()


@router.get("/audit", response_model=list[s.AuditRecordOut], openapi_extra=role("viewer"))
def audit(
    rt: RuntimeDep,
    limit: int = Query(50, ge=1, le=1000),
    offset: int = Query(0, ge=0, le=10_000_000),
    object: str | None = Query(None, max_length=300, description="e.g. case:12"),
) -> list[dict[str, Any]]:
    """Newest audit records first."""
    if object is not None and "\x00" in object:
        raise InputError("must not contain NUL characters", field="object")
    return [r.to_dict() for r in rt.cases.audit_records(limit=limit, offset=offset, obj=object)]
