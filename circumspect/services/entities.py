"""Use case: one listed entity with its record and its history across list snapshots
(``GET /v1/entities/{id}``, the web entity page)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from circumspect.errors import NotFoundError
from circumspect.model.entities import ListedEntity
from circumspect.model.records import listed_record
from circumspect.model.screening import ListedRecord
from circumspect.resolve import Resolution
from circumspect.resolve.resolver import Judgement, JudgementRow
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


# -- one entity across lists (circumspect.resolve) -------------------------------------


@dataclass(frozen=True, slots=True)
class XrefSummary:
    """What cross-list resolution made of the active lists."""

    entities: int
    clusters: int
    clustered_entities: int
    #: merges per rule (``judgement`` for analysts' merges)
    by_rule: dict[str, int]
    #: merges a negative judgement prevented
    blocked: int
    #: entries per source that share a cluster with another source's entry
    cross_source: dict[str, int]
    seconds: float


def resolve_active(store: Store) -> tuple[Resolution, dict[str, ListedEntity], XrefSummary]:
    """Resolve the active lists with the stored judgements."""
    import time

    from circumspect.resolve import build_resolution, entity_keys
    from circumspect.resolve.store import JudgementStore
    from circumspect.store.sql import SqlStore

    started = time.perf_counter()
    entities: dict[str, ListedEntity] = {}
    keys: dict[str, tuple[str, ...]] = {}
    for entity in store.iter_entities():
        entities[entity.id] = entity
        keys[entity.id] = entity_keys(entity)
    if not entities:
        raise NotFoundError(
            "no list is loaded: load one with `circumspect lists load SOURCE FILES...`",
            field="db",
        )
    judgements = [j.row for j in JudgementStore(store).all()] if isinstance(store, SqlStore) else []
    resolution = build_resolution(keys, judgements, {i: e.source for i, e in entities.items()})
    cross: dict[str, int] = {}
    for members in resolution.members.values():
        sources = {entities[m].source for m in members}
        if len(sources) > 1:
            for m in members:
                cross[entities[m].source] = cross.get(entities[m].source, 0) + 1
    summary = XrefSummary(
        entities=len(entities),
        clusters=len(resolution.members),
        clustered_entities=sum(len(m) for m in resolution.members.values()),
        by_rule=dict(sorted(resolution.counts.items())),
        blocked=len(resolution.blocked),
        cross_source=dict(sorted(cross.items())),
        seconds=round(time.perf_counter() - started, 3),
    )
    return resolution, entities, summary


def explain_cluster(store: Store, entity_id: str) -> list[str]:
    """The cluster of ``entity_id``: each entry with its list, and why they are one entity."""
    resolution, entities, _ = resolve_active(store)
    if entity_id not in entities:
        raise NotFoundError(f"no listed entity {entity_id!r} in the active lists", field="id")
    lines: list[str] = []
    for member in resolution.members_of(entity_id):
        entity = entities[member]
        record = listed_record(entity)
        lines.append(f"{member}: {entity.caption} [{entity.source}, {record.list}]")
    return lines + resolution.explain(entity_id)


def judge_pair(
    store: Store, left: str, right: str, judgement: Judgement, actor: str, reason: str
) -> list[str]:
    """Record an analyst's merge (``positive``) or split (``negative``) of two entries and
    explain the cluster afterwards."""
    from circumspect.resolve.store import JudgementStore
    from circumspect.store.sql import SqlStore

    if not isinstance(store, SqlStore):
        raise NotFoundError("judgements need the SQL list store", field="db")
    stored = JudgementStore(store).add(left, right, judgement, actor, reason)
    _audit_judgement(str(store.url), stored.id, stored.row)
    return explain_cluster(store, left)


def _audit_judgement(url: str, judgement_id: int, row: JudgementRow) -> bool:
    """Append the judgement to the case service's audit chain when this database holds one
    (a lists-only database has none and gets none); True when audited."""
    from sqlalchemy import create_engine, inspect

    from circumspect.cases.service import CaseService
    from circumspect.db import normalise_url

    engine = create_engine(normalise_url(url))
    try:
        if not inspect(engine).has_table("case_audit"):
            return False
    finally:
        engine.dispose()
    service = CaseService(url)
    try:
        service.audit(
            row.actor,
            "entities.merge" if row.judgement == "positive" else "entities.split",
            f"{row.left} {row.right}",
            {
                "judgement_id": judgement_id,
                "left": row.left,
                "right": row.right,
                "judgement": row.judgement,
                "reason": row.reason,
            },
        )
    finally:
        service.close()
    return True
