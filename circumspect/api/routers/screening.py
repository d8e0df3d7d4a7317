"""``POST /v1/screen``: screen one party or a batch; alerts open cases."""

from __future__ import annotations

from fastapi import Header
from fastapi.encoders import jsonable_encoder
from fastapi.responses import JSONResponse

from circumspect.api import schemas as s
from circumspect.api.deps import RuntimeDep, UserDep, role, v1_router
from circumspect.cases.idempotency import request_hash
from circumspect.services.screening import PartyQuery, ScreeningBatch, screen_parties

router = v1_router(tags=["screening"])


@router.post(
    "/screen/batch",
    response_model=s.ScreenResponse,
    openapi_extra=role("viewer"),
    response_model_by_alias=True,
    responses={409: {"model": s.ErrorEnvelope, "description": "Key used for another request"}},
    summary="Screen a batch of up to 1,000 parties",
)
@router.post(
    "/screen",
    response_model=s.ScreenResponse,
    openapi_extra=role("viewer"),
    response_model_by_alias=True,
    responses={409: {"model": s.ErrorEnvelope, "description": "Key used for another request"}},
)
def screen(
    body: s.ScreenRequest,
    rt: RuntimeDep,
    user: UserDep,
    idempotency_key: str | None = Header(
        None,
        alias="Idempotency-Key",
        max_length=200,
        description="Request key, scoped to you and bound to this request body: a retry "
        "with the same body returns the original answer, another body is 409. Item i uses "
        "KEY:i unless it has its own key.",
    ),
) -> ScreeningBatch | JSONResponse:
    """Screen one party or up to 1,000; alerts open cases (suppression applies)."""
    digest = ""
    if idempotency_key:
        digest = request_hash("screen", body.model_dump(mode="json", by_alias=True))
        stored = rt.idempotency.lookup(user.id, idempotency_key, digest)
        if stored is not None:
            return JSONResponse(stored)
    parties = [
        PartyQuery(
            name=p.name,
            schema=p.schema_,
            country=p.country,
            birth_date=p.birth_date,
            identifier=p.identifier,
            id=p.id,
            idempotency_key=p.idempotency_key
            or (f"{idempotency_key}:{i}" if idempotency_key else None),
        )
        for i, p in enumerate(body.parties())
    ]
    result = screen_parties(
        rt,
        user.name,
        parties,
        limit=body.limit,
        open_cases=body.open_cases,
        threshold=body.threshold,
        include_sources=body.include_dataset,
        exclude_sources=body.exclude_dataset,
        exclude_ids=body.exclude_entity_ids,
    )
    if not idempotency_key:
        return result
    answer = s.ScreenResponse.model_validate(jsonable_encoder(result))
    first = answer.model_dump(mode="json", by_alias=True)
    return JSONResponse(rt.idempotency.remember(user.id, idempotency_key, digest, first))
