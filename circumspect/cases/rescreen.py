"""Re-screening stored parties after a new list or ownership version."""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING

from circumspect.errors import NotFoundError

if TYPE_CHECKING:
    from circumspect.model.entities import ListedEntity
    from circumspect.model.screening import PartyScreener
    from circumspect.store.base import Store
from circumspect.cases.common import (
    RescreenReport,
    default_screener_factory,
    entity_hash,
    party_query,
)
from circumspect.cases.types import CaseKind
from circumspect.cases.workflow import CaseWorkflow


class Rescreening(CaseWorkflow):
    """Re-screening stored parties after a new list or ownership version."""

    # -- re-screening ------------------------------------------------------------------
    def rescreen(
        self,
        store: Store,
        *,
        sources: Sequence[str] | None = None,
        screener_factory: Callable[[list[ListedEntity]], PartyScreener] | None = None,
        actor: str = "system",
        limit: int = 5,
    ) -> RescreenReport:
        """Re-screen every stored party against the entities changed by the newest load.

        Only added and changed entities (the store's diff of previous vs active snapshot) are
        screened; a suppressed false positive whose entity changed reopens its case.
        """
        started = time.perf_counter()
        active = store.active_snapshots()
        wanted = list(sources) if sources else sorted(active)
        changed: dict[str, ListedEntity] = {}
        removed = 0
        for source in wanted:
            if source not in active:
                raise NotFoundError(f"no active snapshot for source {source!r}", field="source")
            diff = store.diff(source)
            for change in diff.changes:
                if change.kind == "removed":
                    removed += 1
                    continue
                entity = store.get_entity(change.entity_id)
                if entity is not None:
                    changed[entity.id] = entity
        snaps = {s: active[s].id for s in wanted}
        hits = opened = reopened = suppressed = parties = 0
        if changed:
            factory = screener_factory or default_screener_factory
            screener = factory(list(changed.values()))
            lookup = {eid: entity_hash(e) for eid, e in changed.items()}

            for party in self.parties():
                parties += 1
                query = party_query(party)
                found = [c for c in screener.screen(query, limit=limit) if c.alert]
                if query.identifier:
                    seen = {c.entity_id for c in found}
                    found += [
                        c
                        for c in screener.by_identifier(query.identifier)
                        if c.entity_id not in seen
                    ]
                if not found:
                    continue
                hits += 1
                outcome = self.open_case(
                    CaseKind.PARTY,
                    party,
                    found,
                    snapshot_ids=snaps,
                    actor=actor,
                    summary="re-screening after list update",
                    entity_hashes={c.entity_id: lookup.get(c.entity_id, "") for c in found},
                )
                opened += outcome.status == "opened"
                reopened += len(outcome.reopened)
                suppressed += len(outcome.suppressed)
        else:
            parties = sum(1 for _ in self.parties())
        report = RescreenReport(
            sources=wanted,
            changed_entities=len(changed),
            removed_entities=removed,
            parties=parties,
            hits=hits,
            opened=opened,
            reopened=reopened,
            suppressed=suppressed,
            seconds=round(time.perf_counter() - started, 3),
        )
        self.audit(actor, "rescreen", "lists", report.to_dict() | {"snapshots": snaps})
        return report
