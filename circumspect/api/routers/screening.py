"""``POST /v1/screen``: screen one party or a batch; alerts open cases."""

from __future__ import annotations

from fastapi import Header

from circumspect.api import schemas as s
from circumspect.api.deps import RuntimeDep, UserDep, role, v1_router
from circumspect.services.screening import PartyQuery, ScreeningBatch, screen_parties

router = v1_router(tags=["screening"])


@router.post(
    "/screen",
    response_model=s.ScreenResponse,
    openapi_extra=role("viewer"),
    response_model_by_alias=True,
)
def screen(
    body: s.ScreenRequest,
    rt: RuntimeDep,
    user: UserDep,
    idempotency_key: str | None = Header(
        None,
        alias="Idempotency-Key",
        max_length=200,
        description="Batch key; item i uses KEY:i unless it has its own key.",
    ),
) -> ScreeningBatch:
    """Screen one party or up to 1,000; alerts open cases (suppression applies)."""
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
    return screen_parties(
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
