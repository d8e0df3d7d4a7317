"""Test doubles shared by the case, API and web tests: an in-memory ``Store`` and a small,
deterministic ``PartyScreener`` (exact normalised-name and identifier matching), so these
tests exercise the service, not the matcher."""

from __future__ import annotations

import hashlib
import unicodedata
from collections.abc import Iterable, Iterator, Sequence
from datetime import UTC, datetime

from circumspect.model.entities import ListedEntity, make_entity_id, new_proxy
from circumspect.model.records import listed_record
from circumspect.model.screening import Candidate, FeatureScore, Query
from circumspect.store.base import Diff, EntityChange, Snapshot, Store


def person(source: str, source_id: str, name: str, *props: tuple[str, str]) -> ListedEntity:
    eid = make_entity_id(source, source_id)
    return ListedEntity(new_proxy("Person", eid, [("name", name), *props]), source, source_id)


def company(source: str, source_id: str, name: str, *props: tuple[str, str]) -> ListedEntity:
    eid = make_entity_id(source, source_id)
    return ListedEntity(new_proxy("Company", eid, [("name", name), *props]), source, source_id)


class MemoryStore(Store):
    def __init__(self) -> None:
        self._snaps: list[Snapshot] = []
        self._data: dict[str, dict[str, ListedEntity]] = {}

    def load(
        self,
        source: str,
        entities: Iterable[ListedEntity],
        *,
        checksum: str,
        files: Sequence[str] = (),
        max_removed_share: float | None = None,
    ) -> Snapshot:
        ents = {e.id: e for e in entities}
        sid = f"{source}-{len(self._snaps) + 1}"
        self._snaps = [
            Snapshot(
                s.id,
                s.source,
                s.loaded_at,
                s.checksum,
                s.entity_count,
                False if s.source == source else s.active,
                s.files,
            )
            for s in self._snaps
        ]
        snap = Snapshot(sid, source, datetime.now(UTC), checksum, len(ents), True, tuple(files))
        self._snaps.insert(0, snap)
        self._data[sid] = ents
        return snap

    def snapshots(self, source: str | None = None) -> list[Snapshot]:
        return [s for s in self._snaps if source is None or s.source == source]

    def active_snapshots(self) -> dict[str, Snapshot]:
        return {s.source: s for s in self._snaps if s.active}

    def iter_entities(
        self, *, snapshot_id: str | None = None, sources: Sequence[str] | None = None
    ) -> Iterator[ListedEntity]:
        if snapshot_id:
            yield from self._data[snapshot_id].values()
            return
        for source, snap in self.active_snapshots().items():
            if sources is None or source in sources:
                yield from self._data[snap.id].values()

    def get_entity(self, entity_id: str) -> ListedEntity | None:
        for snap in self.active_snapshots().values():
            if entity_id in self._data[snap.id]:
                return self._data[snap.id][entity_id]
        return None

    def diff(self, source: str, from_id: str | None = None, to_id: str | None = None) -> Diff:
        snaps = self.snapshots(source)
        to = to_id or snaps[0].id
        frm = from_id or (snaps[1].id if len(snaps) > 1 else None)
        old = self._data[frm] if frm else {}
        new = self._data[to]
        changes = [EntityChange(i, "added", e.caption) for i, e in new.items() if i not in old]
        changes += [EntityChange(i, "removed", e.caption) for i, e in old.items() if i not in new]
        changes += [
            EntityChange(i, "changed", e.caption)
            for i, e in new.items()
            if i in old and old[i].fingerprint() != e.fingerprint()
        ]
        return Diff(source, frm, to, changes)

    def close(self) -> None:
        pass


def _norm(text: str) -> str:
    return " ".join(unicodedata.normalize("NFKC", text).casefold().split())


class ExactScreener:
    """Exact normalised-name matching: score 1.0 and an alert on equal names."""

    def __init__(
        self,
        entities: Iterable[ListedEntity],
        threshold: float = 0.7,
        snapshot_ids: dict[str, str] | None = None,
    ) -> None:
        self.entities = list(entities)
        self._by_name: dict[str, list[tuple[ListedEntity, str]]] = {}
        for e in self.entities:
            for name in e.names():
                self._by_name.setdefault(_norm(name), []).append((e, name))
        self._threshold = threshold
        self.snapshot_ids = snapshot_ids or {}

    @property
    def threshold(self) -> float:
        return self._threshold

    def _cand(self, e: ListedEntity, name: str, text: str) -> Candidate:
        return Candidate(
            entity_id=e.id,
            source=e.source,
            source_id=e.source_id,
            caption=e.caption,
            schema=e.schema,
            score=1.0,
            alert=True,
            explanation=text,
            matched_name=name,
            features=[FeatureScore("name_exact", 1.0, 1.0, text)],
            snapshot_id=self.snapshot_ids.get(e.source),
            record=listed_record(e),
        )

    def screen(self, query: Query, limit: int = 5) -> list[Candidate]:
        out = []
        seen: set[str] = set()
        for e, name in self._by_name.get(_norm(query.name), []):
            if e.id not in seen:
                seen.add(e.id)
                out.append(self._cand(e, name, f"name {name!r} equals the query"))
        return out[:limit]

    def by_identifier(self, value: str) -> list[Candidate]:
        out = []
        for e in self.entities:
            for prop in ("innCode", "swiftBic", "imoNumber", "registrationNumber", "taxNumber"):
                if value in e.get(prop):
                    out.append(self._cand(e, e.caption, f"{prop} {value} matches"))
        return out


def checksum(*parts: str) -> str:
    return hashlib.sha256("|".join(parts).encode()).hexdigest()
