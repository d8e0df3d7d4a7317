"""Re-screen the stored parties an ownership change touches (as ``lists load`` does for a
list change): the parties whose stakes changed and every party below them in the graph.
A touched party that a rule now blocks opens (or reopens) a case; the audit log records
the run."""

from __future__ import annotations

import hashlib
import time
from collections.abc import Iterable
from dataclasses import asdict, dataclass

from circumspect.cases.common import party_query
from circumspect.cases.service import CaseService
from circumspect.cases.types import CaseKind, JsonObject
from circumspect.db import has_stored_parties
from circumspect.ownership.screening import ownership_candidates
from circumspect.ownership.service import OwnershipView
from circumspect.store.sql import SqlStore


@dataclass(frozen=True, slots=True)
class OwnershipRescreen:
    """What re-screening after an ownership update did."""

    dataset: str
    #: parties (graph nodes) downstream of the changed stakes
    touched_parties: int
    #: stored parties read
    parties: int
    hits: int
    opened: int
    reopened: int
    seconds: float

    def to_dict(self) -> JsonObject:
        out: JsonObject = asdict(self)
        return out


def rescreen_touched(
    store: SqlStore,
    view: OwnershipView,
    touched: Iterable[str],
    *,
    dataset: str,
    actor: str = "ownership load",
) -> OwnershipRescreen | None:
    """Re-screen stored parties below ``touched``; None when no case service holds any."""
    url = str(getattr(store, "url", ""))
    if not url or not has_stored_parties(url):
        return None
    started = time.perf_counter()
    affected = view.downstream(touched)
    service = CaseService(url)
    parties = hits = opened = reopened = 0
    try:
        for party in service.parties():
            parties += 1
            query = party_query(party)
            nodes = set(view.nodes_for(query.name, query.identifier))
            if not nodes & affected:
                continue
            found = [c for c in ownership_candidates(view, query, []) if c.alert]
            if not found:
                continue
            hits += 1
            outcome = service.open_case(
                CaseKind.PARTY,
                party,
                found,
                actor=actor,
                summary=f"re-screening after ownership update ({dataset})",
                entity_hashes={
                    c.entity_id: hashlib.sha256(c.explanation.encode()).hexdigest() for c in found
                },
            )
            opened += outcome.status == "opened"
            reopened += len(outcome.reopened)
        report = OwnershipRescreen(
            dataset=dataset,
            touched_parties=len(affected),
            parties=parties,
            hits=hits,
            opened=opened,
            reopened=reopened,
            seconds=round(time.perf_counter() - started, 3),
        )
        service.audit(actor, "rescreen", "ownership", report.to_dict())
        return report
    finally:
        service.close()
