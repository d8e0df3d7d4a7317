"""``/v1/entities/{id}``: a listed entity, its record and its history across snapshots."""

from __future__ import annotations

from circumspect.api import schemas as s
from circumspect.api.deps import RuntimeDep, role, v1_router
from circumspect.model.records import record_json
from circumspect.services.entities import entity_view

router = v1_router(tags=["entities"])


@router.get(
    "/entities/{entity_id}",
    response_model=s.EntityOut,
    response_model_by_alias=True,
    openapi_extra=role("viewer"),
)
def get_entity(entity_id: str, rt: RuntimeDep) -> s.EntityOut:
    """The entity as its latest snapshot has it (FtM JSON), what the list says about it
    (``record``), whether it is listed now, and every snapshot of its source since it first
    appeared with what changed; 404 for an id no snapshot has."""
    view = entity_view(rt.store(), entity_id)
    return s.EntityOut(
        entity_id=view.entity_id,
        source=view.source,
        source_id=view.source_id,
        caption=view.caption,
        schema=view.schema,
        listed=view.listed,
        record=s.RecordOut.model_validate(record_json(view.record)),
        entity=view.entity.to_dict(),
        history=[
            s.EntityHistoryOut(
                snapshot_id=h.snapshot_id,
                loaded_at=h.loaded_at,
                active=h.active,
                status=h.status,
                changes=h.changes,
            )
            for h in view.history
        ],
    )
