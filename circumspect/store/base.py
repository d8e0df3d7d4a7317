"""The ``Store`` interface. Every backend passes the same conformance tests.

A load writes a new snapshot for one source and makes it active only when every entity is
written, in one transaction: an interrupted load (even ``kill -9``) leaves the previous
snapshot active and no partial snapshot visible.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Literal

from circumspect.model.entities import ListedEntity


@dataclass(frozen=True, slots=True)
class Snapshot:
    id: str
    source: str
    loaded_at: datetime
    checksum: str
    entity_count: int
    active: bool
    files: tuple[str, ...] = ()
    #: held back by the shrink check: complete, never active until ``activate``
    staged: bool = False


@dataclass(slots=True)
class EntityChange:
    entity_id: str
    kind: str  # "added" | "removed" | "changed"
    caption: str
    #: property -> {"old": [...], "new": [...]} for "changed"
    properties: dict[str, dict[str, list[str]]] = field(default_factory=dict)


@dataclass(slots=True)
class Diff:
    source: str
    from_snapshot: str | None
    to_snapshot: str
    changes: list[EntityChange]

    def counts(self) -> dict[str, int]:
        out = {"added": 0, "removed": 0, "changed": 0}
        for change in self.changes:
            out[change.kind] += 1
        return out


#: What happened to an entity in a snapshot of its source.
VersionStatus = Literal["added", "changed", "unchanged", "removed"]


@dataclass(frozen=True, slots=True)
class EntityVersion:
    """One snapshot of an entity's source, as the entity was in it."""

    snapshot: Snapshot
    #: "added" (first seen or listed again), "changed", "unchanged" or "removed"
    status: VersionStatus
    #: the entity in this snapshot (None when removed)
    entity: ListedEntity | None
    #: property -> {"old": [...], "new": [...]} against the previous version, for "changed"
    changes: dict[str, dict[str, list[str]]] = field(default_factory=dict)


class Store(ABC):
    """Snapshots per source, the active version, entity reads and diffs."""

    @abstractmethod
    def load(
        self,
        source: str,
        entities: Iterable[ListedEntity],
        *,
        checksum: str,
        files: Sequence[str] = (),
        max_removed_share: float | None = None,
    ) -> Snapshot:
        """Write a snapshot of ``source`` and activate it atomically.

        With ``max_removed_share`` (0..1), a snapshot that removes more than that share of
        the active snapshot's entities is stored *staged* (``Snapshot.staged``), not active.
        """

    @abstractmethod
    def snapshots(self, source: str | None = None) -> list[Snapshot]:
        """All snapshots, newest first."""

    @abstractmethod
    def active_snapshots(self) -> dict[str, Snapshot]:
        """The active snapshot per source."""

    @abstractmethod
    def iter_entities(
        self,
        *,
        snapshot_id: str | None = None,
        sources: Sequence[str] | None = None,
    ) -> Iterator[ListedEntity]:
        """Entities of one snapshot, or of the active snapshots (optionally some sources)."""

    @abstractmethod
    def get_entity(self, entity_id: str) -> ListedEntity | None:
        """One entity from the active snapshots."""

    def entity_history(self, entity_id: str) -> list[EntityVersion]:
        """The entity in every complete snapshot of its source, oldest first, from its first
        appearance ([] for an id no snapshot has). Backends that keep every snapshot override
        this; the default knows only the active version."""
        entity = self.get_entity(entity_id)
        if entity is None:
            return []
        snap = self.active_snapshots().get(entity.source)
        return [] if snap is None else [EntityVersion(snap, "added", entity)]

    @abstractmethod
    def diff(self, source: str, from_id: str | None = None, to_id: str | None = None) -> Diff:
        """Changes between two snapshots of a source (default: previous vs active)."""

    @abstractmethod
    def close(self) -> None:
        """Release connections."""
