"""``Screener``: the party-screening Python API (implements ``PartyScreener``)."""

from __future__ import annotations

import hashlib
import pickle
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from circumspect import settings
from circumspect.errors import InputError
from circumspect.fsutil import atomic_path
from circumspect.matching.arrayindex import ArrayIndex
from circumspect.matching.compare import compile_name
from circumspect.matching.index import CandidateIndex, _no_gc
from circumspect.matching.prepare import (
    IndexedEntity,
    check_name,
    identifier_keys,
    index_entity,
    prepare_query,
)
from circumspect.matching.scoring import Scorer, ScoreResult, disguise_features, get_scorer
from circumspect.model.entities import ListedEntity
from circumspect.model.records import listed_record, record_layout
from circumspect.model.screening import (
    QUERY_SCHEMATA,
    Candidate,
    EntryFilter,
    FeatureScore,
    ListedRecord,
    Query,
    SourceRef,
)
from circumspect.names.confusables import disguises
from circumspect.names.identifiers import compact
from circumspect.resolve import Resolution, build_resolution, entity_keys
from circumspect.resolve.resolver import JudgementRow
from circumspect.resolve.rules import KEYS_VERSION

if TYPE_CHECKING:
    from circumspect.ownership.service import OwnershipView
    from circumspect.store.base import Store

#: Bump when the compiled index format or the compilation rules change.
INDEX_VERSION = "9"
#: Entities scored per query (from the candidate index).
DEFAULT_CANDIDATES = 40


class Screener:
    """Screen parties against listed entities.

    ``Screener(entities)`` indexes an iterable of :class:`ListedEntity`;
    ``Screener.from_store(store)`` uses the store's active snapshots and keeps the index
    under ``$CIRCUMSPECT_HOME/index/``, rebuilt when the active snapshots change.
    """

    def __init__(
        self,
        entities: Iterable[ListedEntity] = (),
        threshold: float | None = None,
        scorer: str | Scorer | None = None,
        candidates: int = DEFAULT_CANDIDATES,
        *,
        index: CandidateIndex | ArrayIndex | None = None,
        snapshot_ids: dict[str, str] | None = None,
        records: dict[str, ListedRecord] | None = None,
        match_keys: dict[str, tuple[str, ...]] | None = None,
        judgements: Sequence[JudgementRow] = (),
    ) -> None:
        self._threshold = settings.alert_threshold() if threshold is None else float(threshold)
        if not 0.0 <= self._threshold <= 1.0:
            raise InputError(f"threshold {self._threshold} is outside [0, 1]")
        self.scorer: Scorer = scorer if isinstance(scorer, Scorer) else get_scorer(scorer)
        self.candidates = candidates
        if index is None:
            index, built, built_keys = _index_and_records(entities)
            records = built if records is None else records
            match_keys = built_keys if match_keys is None else match_keys
        self.index = index
        #: the listed record of each entity, shown with its hits (``Candidate.record``)
        self.records: dict[str, ListedRecord] = records if records is not None else {}
        #: cross-list match keys (``circumspect.resolve``) and the clusters they make
        self.match_keys: dict[str, tuple[str, ...]] = match_keys or {}
        self.judgements: list[JudgementRow] = list(judgements)
        self.resolution: Resolution = build_resolution(
            self.match_keys,
            self.judgements,
            {e.id: e.source for e in self.index.entities} if self.match_keys else None,
        )
        #: show one result per cluster, with every entry in ``Candidate.sources``
        self.group = True
        self._positions: dict[str, int] | None = None
        self.snapshot_ids: dict[str, str] = dict(snapshot_ids or {})
        #: ownership and list links (``circumspect.ownership``), set by ``from_store``
        self.ownership: OwnershipView | None = None

    # -- construction from the store -------------------------------------------------

    @staticmethod
    def index_path(snapshot_ids: dict[str, str]) -> Path:
        """Where the index for this set of active snapshots is kept."""
        key = ",".join(f"{s}={i}" for s, i in sorted(snapshot_ids.items()))
        digest = hashlib.sha256(f"v{INDEX_VERSION}|{key}".encode()).hexdigest()[:20]
        return settings.home() / "index" / f"matching-{digest}.pickle"

    @classmethod
    def from_store(
        cls,
        store: Store,
        threshold: float | None = None,
        scorer: str | Scorer | None = None,
        candidates: int = DEFAULT_CANDIDATES,
    ) -> Screener:
        """A screener over the store's active snapshots (index cached on disk; in
        memory-mapped arrays from ``CIRCUMSPECT_ARRAY_INDEX_MIN`` entities on)."""
        snapshots = store.active_snapshots()
        active = {source: snap.id for source, snap in snapshots.items()}
        path = cls.index_path(active)
        total = sum(snap.entity_count for snap in snapshots.values())
        if total and total >= settings.get_int("CIRCUMSPECT_ARRAY_INDEX_MIN"):
            return cls._from_array_index(store, path, active, threshold, scorer, candidates)
        index: CandidateIndex | None = None
        if path.exists():
            try:
                with path.open("rb") as fh:
                    loaded = pickle.load(fh)
                if isinstance(loaded, CandidateIndex):
                    index = loaded
            except Exception:  # a corrupt or stale cache is rebuilt, never fatal
                index = None
        records_path = path.with_name(
            path.name.replace("matching-", f"records-{record_layout()}-k{KEYS_VERSION}-", 1)
        )
        records: dict[str, ListedRecord] | None = None
        keys: dict[str, tuple[str, ...]] | None = None
        if index is not None and records_path.exists():
            try:
                with records_path.open("rb") as fh:
                    loaded_records = pickle.load(fh)
                if isinstance(loaded_records, tuple) and len(loaded_records) == 2:
                    records, keys = loaded_records
            except Exception:  # a corrupt or stale cache is rebuilt, never fatal
                records = keys = None
        if index is None or records is None or keys is None:
            index, records, keys = _index_and_records(store.iter_entities())
            _atomic_pickle(index, path)
            _atomic_pickle((records, keys), records_path)
        judgements: list[JudgementRow] = []
        from circumspect.store.sql import SqlStore

        if isinstance(store, SqlStore):
            from circumspect.resolve.store import JudgementStore

            judgements = [j.row for j in JudgementStore(store).all()]
        screener = cls(
            threshold=threshold,
            scorer=scorer,
            candidates=candidates,
            index=index,
            snapshot_ids=active,
            records=records,
            match_keys=keys,
            judgements=judgements,
        )
        from circumspect.ownership.service import open_view

        screener.ownership = open_view(store)
        return screener

    @classmethod
    def _from_array_index(
        cls,
        store: Store,
        path: Path,
        active: dict[str, str],
        threshold: float | None,
        scorer: str | Scorer | None,
        candidates: int,
    ) -> Screener:
        """The screener over the array index of the active snapshots, built once (by the
        first process that needs it) and memory-mapped by every process."""
        import os

        from circumspect.matching.arrayindex import ARRAY_INDEX_VERSION, build_array_index
        from circumspect.ownership.service import open_view

        folder = path.with_name(
            path.name.replace("matching-", f"array{ARRAY_INDEX_VERSION}-", 1).removesuffix(
                ".pickle"
            )
        )
        if not (folder / "meta.json").exists():
            build_array_index(store.iter_entities(), folder, workers=os.cpu_count() or 1)
        screener = cls(
            threshold=threshold,
            scorer=scorer,
            candidates=candidates,
            index=ArrayIndex(folder),
            snapshot_ids=active,
        )
        screener.ownership = open_view(store)
        return screener

    # -- PartyScreener -------------------------------------------------------------------

    @property
    def threshold(self) -> float:
        return self._threshold

    def __len__(self) -> int:
        return len(self.index)

    def _candidate(self, entity: IndexedEntity, result: ScoreResult) -> Candidate:
        score = round(result.score, 4)
        return Candidate(
            entity_id=entity.id,
            source=entity.source,
            source_id=entity.source_id,
            caption=entity.caption,
            schema=entity.schema,
            score=score,
            alert=score >= self._threshold,
            explanation=result.explanation,
            matched_name=result.matched_name,
            features=result.features,
            snapshot_id=self.snapshot_ids.get(entity.source),
            record=self.records.get(entity.id),
        )

    def screen(
        self, query: Query, limit: int = 5, *, keep: EntryFilter | None = None
    ) -> list[Candidate]:
        """Candidates for one party, best first (``InputError`` for a bad query).

        ``keep(entity_id, source, source_id)`` restricts the entries before they are grouped,
        so an entity on two lists is still found through the list a filter keeps (with
        ``exclude_dataset=ofac_sdn``, the UN entry of a person OFAC lists too)."""
        if limit < 1:
            raise InputError(f"limit must be at least 1, got {limit}", field="limit")
        prepared = prepare_query(query)
        positions = set(self.index.candidates(prepared.name, self.candidates))
        if prepared.ids:
            positions.update(self.index.lookup_ids("i:" + k for k in prepared.ids))
        if prepared.raw_id:
            positions.update(self.index.lookup_ids(["r:" + prepared.raw_id]))
        ranked: list[tuple[float, str, int]] = []
        entities = self.index.entities
        score = self.scorer.score
        results: dict[int, ScoreResult] = {}
        for pos in positions:
            entity = entities[pos]
            if keep is not None and not keep(entity.id, entity.source, entity.source_id):
                continue
            result = results[pos] = score(prepared, entity, explain=False)
            ranked.append((-round(result.score, 4), entities[pos].id, pos))
        ranked.sort()
        chosen, scored = self._grouped(ranked, limit)
        # Only the returned candidates are explained, reusing their scoring work.
        found = [
            self._candidate(
                entities[pos], self.scorer.explained(prepared, entities[pos], results[pos])
            )
            for pos in chosen
        ]
        for cand in found:
            cand.sources = self._sources(cand.entity_id, scored)
        if self.ownership is not None:
            from circumspect.ownership.screening import enrich

            found = enrich(self.ownership, query, found)
        return found

    def _grouped(
        self, ranked: list[tuple[float, str, int]], limit: int
    ) -> tuple[list[int], dict[str, float]]:
        """The positions to return (one per cluster when grouping) and every ranked
        entry's score by entity id."""
        scored = {entity_id: -neg for neg, entity_id, _ in ranked}
        if not self.group or not self.resolution.members:
            return [pos for _, _, pos in ranked[:limit]], scored
        seen: set[str] = set()
        chosen: list[int] = []
        for _, entity_id, pos in ranked:
            cluster = self.resolution.cluster_of(entity_id)
            if cluster in seen:
                continue
            seen.add(cluster)
            chosen.append(pos)
            if len(chosen) >= limit:
                break
        return chosen, scored

    def _sources(self, entity_id: str, scored: dict[str, float]) -> list[SourceRef]:
        """Every entry of ``entity_id``'s cluster, itself first ([] for a lone entry)."""
        members = self.resolution.members_of(entity_id)
        if len(members) < 2 or not self.group:
            return []
        if self._positions is None:
            self._positions = {e.id: i for i, e in enumerate(self.index.entities)}
        out: list[SourceRef] = []
        for member in sorted(members, key=lambda m: (m != entity_id, m)):
            pos = self._positions.get(member)
            if pos is None:
                continue
            entity = self.index.entities[pos]
            record = self.records.get(member)
            out.append(
                SourceRef(
                    member,
                    entity.source,
                    entity.source_id,
                    record.list if record is not None else entity.source,
                    scored.get(member),
                )
            )
        return out

    def by_identifier(self, value: str) -> list[Candidate]:
        """Listed entities carrying this identifier (valid kinds normalised: BIC 8 = 11 with
        XXX, ``IMO 1234567`` = ``1234567``), else an exact compact match."""
        if value is None or not str(value).strip():
            raise InputError("identifier is empty", field="identifier")
        keys = identifier_keys(value)
        positions = self.index.lookup_ids("i:" + k for k in keys)
        if not positions:
            raw = compact(value)
            positions = self.index.lookup_ids(["r:" + raw]) if len(raw) >= 5 else []
        out: list[Candidate] = []
        for pos in positions:
            entity = self.index.entities[pos]
            text = f"identifier: {value.strip()} is listed on this entity" + (
                " (valid " + ", ".join(sorted(k.split(":")[0] for k in keys)) + ")" if keys else ""
            )
            result = ScoreResult(1.0, [FeatureScore("identifier", 1.0, 1.0, text)], None)
            out.append(self._candidate(entity, result))
        out.sort(key=lambda c: c.entity_id)
        if self.ownership is not None:
            # a party blocked by ownership or control is found by its identifier too
            from circumspect.ownership.screening import ownership_candidates

            query = Query(name="", identifier=value)
            listed = [c.entity_id for c in out]
            out += [c for c in ownership_candidates(self.ownership, query, listed) if c.alert]
        return out

    # -- pairs -------------------------------------------------------------------------

    def compare(self, name1: str, name2: str, schema: str = "LegalEntity") -> ScoreResult:
        """Score two names of one schema (``InputError`` for a bad name or schema)."""
        if schema not in QUERY_SCHEMATA:
            raise InputError(
                f"unknown schema {schema!r}; use one of {', '.join(QUERY_SCHEMATA)}",
                field="schema",
            )
        a = compile_name(check_name(name1), schema)
        b = compile_name(check_name(name2), schema)
        result = self.scorer.compare(a, b, schema)
        result.features.extend(disguise_features(disguises(name1)))
        return result


def compare_names(
    name1: str, name2: str, schema: str = "LegalEntity", scorer: str | None = None
) -> ScoreResult:
    """Score two names without any list (module-level convenience)."""
    if schema not in QUERY_SCHEMATA:
        raise InputError(
            f"unknown schema {schema!r}; use one of {', '.join(QUERY_SCHEMATA)}", field="schema"
        )
    a = compile_name(check_name(name1), schema)
    b = compile_name(check_name(name2), schema)
    result = get_scorer(scorer).compare(a, b, schema)
    result.features.extend(disguise_features(disguises(name1)))
    return result


def _index_and_records(
    entities: Iterable[ListedEntity],
) -> tuple[CandidateIndex, dict[str, ListedRecord], dict[str, tuple[str, ...]]]:
    """The candidate index, the listed records and the cross-list match keys of
    ``entities``, in one pass."""
    records: dict[str, ListedRecord] = {}
    keys: dict[str, tuple[str, ...]] = {}

    def compiled() -> Iterable[IndexedEntity]:
        for entity in entities:
            records[entity.id] = listed_record(entity)
            keys[entity.id] = entity_keys(entity)
            yield index_entity(entity)

    with _no_gc():
        index = CandidateIndex(compiled())
    return index, records, keys


def _atomic_pickle(obj: object, path: Path) -> None:
    with atomic_path(path) as tmp, open(tmp, "wb") as fh:
        pickle.dump(obj, fh, protocol=pickle.HIGHEST_PROTOCOL)
