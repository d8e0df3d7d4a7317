"""Use case: one listed entity with its record and its history across list snapshots
(``GET /v1/entities/{id}``, the web entity page)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from circumspect.errors import NotFoundError
from circumspect.model.entities import ListedEntity
from circumspect.model.records import listed_record
from circumspect.model.screening import ListedRecord
from circumspect.store.base import Store, VersionStatus


@dataclass(frozen=True, slots=True)
class EntityHistoryItem:
    """The entity in one snapshot of its source."""

    snapshot_id: str
    loaded_at: datetime
    active: bool
    status: VersionStatus
    #: property -> {"old": [...], "new": [...]} against the previous version
    changes: dict[str, dict[str, list[str]]] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class EntityView:
    entity_id: str
    source: str
    source_id: str
    caption: str
    schema: str
    #: listed in the source's active snapshot
    listed: bool
    #: the latest version's record (the last one listed when the entity was removed)
    record: ListedRecord
    #: the latest version as FtM JSON with ``source``, ``source_id`` and ``sanctions``
    entity: ListedEntity
    history: list[EntityHistoryItem]


def entity_view(store: Store, entity_id: str) -> EntityView:
    """The entity, its record and its history; ``NotFoundError`` for an id no snapshot has."""
    versions = store.entity_history(entity_id)
    latest = next((v.entity for v in reversed(versions) if v.entity is not None), None)
    if latest is None:
        raise NotFoundError(f"no listed entity {entity_id!r}", field="entity_id")
    last = versions[-1]
    return EntityView(
        entity_id=latest.id,
        source=latest.source,
        source_id=latest.source_id,
        caption=latest.caption,
        schema=latest.schema,
        listed=last.entity is not None and last.snapshot.active,
        record=listed_record(latest),
        entity=latest,
        history=[
            EntityHistoryItem(
                v.snapshot.id, v.snapshot.loaded_at, v.snapshot.active, v.status, v.changes
            )
            for v in versions
        ],
    )
