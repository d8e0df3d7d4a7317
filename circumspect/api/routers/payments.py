"""``POST /v1/payments/screen``: screen one raw payment message; hold/reject opens a case."""

from __future__ import annotations

from typing import Any

import anyio
from fastapi import Request

from circumspect.api.deps import RuntimeDep, UserDep, role, v1_router
from circumspect.errors import InputError
from circumspect.services.payments import screen_payment

router = v1_router(tags=["payments"])

RAW_BODY = {
    "requestBody": {
        "required": True,
        "content": {
            "application/xml": {"schema": {"type": "string"}},
            "text/plain": {"schema": {"type": "string"}},
        },
    }
}


@router.post("/payments/screen", openapi_extra=role("viewer") | RAW_BODY)
async def payments_screen(request: Request, rt: RuntimeDep, user: UserDep) -> dict[str, Any]:
    """Screen one raw payment message (ISO 20022 pacs.008/pacs.009/pain.001 XML or SWIFT
    MT103/MT202); ``hold``/``reject`` decisions open a payment case."""
    raw = await request.body()
    if not raw.strip():
        raise InputError("the request body must hold one payment message", field="body")
    result = await anyio.to_thread.run_sync(screen_payment, rt, user.name, raw)
    out: dict[str, Any] = dict(result.decision.to_dict())
    out["snapshots"] = result.snapshots
    out["case"] = (
        None
        if result.case is None
        else {"status": result.case.status, "case_id": result.case.case_id}
    )
    return out
