"""Use case: screen parties, remember them, audit the screening and open cases for alerts.

Called by the API (``POST /v1/screen``), the web screening page and the demo; each gives
typed :class:`PartyQuery` values and gets a typed :class:`ScreeningBatch` back.
"""

from __future__ import annotations

import dataclasses
import time
from collections.abc import Callable
from dataclasses import dataclass, field

from circumspect.cases.service import CaseOutcome, CaseOutcomeStatus
from circumspect.model.screening import Candidate, EntryFilter, PartyScreener, Query
from circumspect.services.runtime import Runtime

#: The query fields remembered for a screened party (and echoed back).
QUERY_FIELDS = ("name", "schema", "country", "birth_date", "identifier")


@dataclass(frozen=True, slots=True)
class PartyQuery:
    """One party to screen, as a caller gives it."""

    name: str
    schema: str = "LegalEntity"
    country: str | None = None
    birth_date: str | None = None
    identifier: str | None = None
    #: the caller's reference, echoed back
    id: str | None = None
    #: retrying with the same key never opens a case twice
    idempotency_key: str | None = None

    def fields(self) -> dict[str, str]:
        """The query fields that are set (what is remembered and echoed)."""
        values = {
            "name": self.name,
            "schema": self.schema,
            "country": self.country,
            "birth_date": self.birth_date,
            "identifier": self.identifier,
        }
        return {k: v for k, v in values.items() if v is not None}


@dataclass(frozen=True, slots=True)
class CaseRef:
    """The case an alert opened or found (``status`` as in :class:`CaseOutcome`)."""

    status: CaseOutcomeStatus
    case_id: int | None
    suppressed: list[str] = field(default_factory=list)


@dataclass(frozen=True, slots=True)
class PartyScreening:
    """One party's result: the echoed query, its candidates, and the case it opened."""

    query: dict[str, str]
    candidates: list[Candidate]
    alert: bool
    case: CaseRef | None


@dataclass(frozen=True, slots=True)
class ScreeningBatch:
    results: list[PartyScreening]
    #: active list snapshot per source used for this screening
    snapshots: dict[str, str]
    threshold: float
    elapsed_ms: float


def screen_parties(
    rt: Runtime,
    actor: str,
    parties: list[PartyQuery],
    *,
    limit: int = 5,
    open_cases: bool = True,
    threshold: float | None = None,
    include_sources: list[str] | None = None,
    exclude_sources: list[str] | None = None,
    exclude_ids: list[str] | None = None,
) -> ScreeningBatch:
    """Screen parties against the active lists, remember them, audit the screening and
    open (or find) a case for each alert, suppression applying.

    ``threshold`` overrides the alert threshold for this call; ``include_sources`` (source
    names, ``sanctions`` = every official list, ``default`` = all) and ``exclude_sources``
    restrict the lists; ``exclude_ids`` drops those listed entities (ids or source ids).
    """
    started = time.perf_counter()
    screener, snaps = rt.screener()
    entries = entry_filter(snaps, include_sources, exclude_sources, exclude_ids)
    keep = _on_candidates(entries)
    cut = screener.threshold if threshold is None else float(threshold)
    wanted = limit if keep is None else max(limit * 4, 20)
    queries: list[dict[str, str]] = []
    results: list[list[Candidate]] = []
    # each distinct party is screened once per batch (a payment file repeats its parties)
    screened: dict[Query, list[Candidate]] = {}
    for party in parties:
        query = Query(
            name=party.name,
            schema=party.schema or "LegalEntity",
            country=party.country,
            birth_date=party.birth_date,
            identifier=party.identifier,
        )
        if query not in screened:
            screened[query] = _screen_one(screener, query, wanted, limit, entries, threshold, cut)
        queries.append(party.fields() | {"schema": query.schema})
        results.append([dataclasses.replace(c) for c in screened[query]])
    outcomes = rt.cases.record_screening(
        actor,
        queries,
        results,
        snaps,
        open_cases=open_cases,
        idem_keys=[p.idempotency_key for p in parties],
    )
    out = []
    for party, query_out, found, outcome in zip(parties, queries, results, outcomes, strict=True):
        echo = dict(query_out) | ({"id": party.id} if party.id else {})
        out.append(
            PartyScreening(
                query=echo,
                candidates=found,
                alert=any(c.alert for c in found),
                case=case_ref(outcome),
            )
        )
    return ScreeningBatch(
        results=out,
        snapshots=snaps,
        threshold=cut,
        elapsed_ms=round((time.perf_counter() - started) * 1000, 2),
    )


def _screen_one(
    screener: PartyScreener,
    query: Query,
    wanted: int,
    limit: int,
    entries: EntryFilter | None,
    threshold: float | None,
    cut: float,
) -> list[Candidate]:
    """One distinct party's candidates, filtered and with this call's threshold.

    The real screener filters the entries before it groups an entity's entries across lists
    (so a filter never hides the entry of a list it keeps); other screeners are filtered on
    their results."""
    from circumspect.matching.screener import Screener

    keep = _on_candidates(entries)
    if entries is not None and isinstance(screener, Screener):
        found = list(screener.screen(query, limit=wanted, keep=entries))
    else:
        found = list(screener.screen(query, limit=wanted))
    if query.identifier:
        # an entry already shown, alone or among a grouped result's sources, is not repeated
        seen = {c.entity_id for c in found} | {r.entity_id for c in found for r in c.sources}
        found += [c for c in screener.by_identifier(query.identifier) if c.entity_id not in seen]
    if keep is not None:
        found = [c for c in found if keep(c)][:limit]
    if threshold is not None:  # ownership findings alert by their rules (docs/ownership.md)
        found = [
            c if c.source == "ownership" else dataclasses.replace(c, alert=bool(c.score >= cut))
            for c in found
        ]
    return found


def _on_candidates(entries: EntryFilter | None) -> Callable[[Candidate], bool] | None:
    if entries is None:
        return None

    def keep(candidate: Candidate) -> bool:
        return entries(candidate.entity_id, candidate.source, candidate.source_id)

    return keep


def entry_filter(
    snaps: dict[str, str],
    include: list[str] | None,
    exclude: list[str] | None,
    exclude_ids: list[str] | None,
) -> EntryFilter | None:
    """A predicate on listed entries (``entity_id, source, source_id``) for the dataset/id
    options, or None when none is set."""
    if not include and not exclude and not exclude_ids:
        return None

    def expand(names: list[str]) -> set[str]:
        out: set[str] = set()
        for name in names:
            if name == "default":
                out |= set(snaps)
            elif name == "sanctions":
                out |= {s for s in snaps if not s.startswith("custom:")}
            else:
                out.add(name)
        return out

    sources = expand(include) if include else set(snaps)
    sources -= expand(exclude or [])
    if "ownership" not in (exclude or []):
        sources.add("ownership")  # ownership findings stay unless excluded by name
    dropped = set(exclude_ids or [])

    def keep(entity_id: str, source: str, source_id: str) -> bool:
        return source in sources and entity_id not in dropped and source_id not in dropped

    return keep


def case_ref(outcome: CaseOutcome) -> CaseRef | None:
    """The case reference of an outcome (None when no case was involved)."""
    if outcome.status == "none":
        return None
    return CaseRef(outcome.status, outcome.case_id, list(outcome.suppressed))
