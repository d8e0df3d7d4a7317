"""Parse list files and store them as a new snapshot (used by the CLI, fetch and the demo)."""

from __future__ import annotations

import time
from collections import Counter
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from circumspect.model.entities import ListedEntity
from circumspect.store.base import Snapshot, Store


@dataclass
class LoadReport:
    source: str
    format: str
    snapshot: Snapshot
    seconds: float
    schemata: dict[str, int] = field(default_factory=dict)
    #: changes against the previous snapshot of the source (added/removed/changed)
    changes: dict[str, int] = field(default_factory=dict)
    previous: str | None = None
    #: entities in the previous snapshot (for the share removed)
    previous_count: int = 0
    #: the largest share of the active list a load may remove and still become active
    max_shrink: float | None = None

    @property
    def staged(self) -> bool:
        """Held back by the shrink check: stored, not active (see ``lists activate``)."""
        return self.snapshot.staged

    @property
    def removed_share(self) -> float:
        """Share of the previous snapshot's entities this load removes (0..1)."""
        removed = self.changes.get("removed", 0)
        return removed / self.previous_count if self.previous_count else 0.0

    def held_back(self) -> str:
        """Why a staged snapshot was not activated, and how to accept it."""
        limit = "" if self.max_shrink is None else f" (more than {self.max_shrink:.0%})"
        return (
            f"{self.source}: snapshot {self.snapshot.id} is STAGED, not active: it removes "
            f"{self.changes.get('removed', 0):,} of the {self.previous_count:,} entities of "
            f"active snapshot {self.previous} ({self.removed_share:.1%}){limit}. Check the "
            f"file; `circumspect lists activate {self.snapshot.id}` accepts it, or load "
            "again with --accept-shrink."
        )

    def summary(self) -> str:
        kinds = ", ".join(f"{n} {s}" for s, n in sorted(self.schemata.items()))
        text = (
            f"{self.source}: {self.snapshot.entity_count} entities"
            + (f" ({kinds})" if kinds else "")
            + f" from {len(self.snapshot.files)} file(s) [{self.format}] -> snapshot "
            f"{self.snapshot.id} in {self.seconds:.1f} s"
        )
        if self.staged:
            text = text.replace(
                f"-> snapshot {self.snapshot.id}", f"-> STAGED snapshot {self.snapshot.id}"
            )
        if self.previous is None:
            return text + "; first snapshot of this source"
        c = self.changes
        return (
            text + f"; vs snapshot {self.previous}: {c['added']} added, {c['removed']} removed, "
            f"{c['changed']} changed"
        )


def load_paths(
    store: Store,
    source: str,
    paths: Sequence[Path | str],
    *,
    files: Sequence[str] | None = None,
    progress: Callable[[int], None] | None = None,
    mapping: dict[str, str] | None = None,
    accept_shrink: bool = False,
) -> LoadReport:
    """Parse ``paths`` as ``source`` and load them; the active snapshot changes only on success.

    ``files`` overrides the file names recorded in the snapshot (fetch records the cache
    paths, not the staging ones); ``progress`` is called with the running entity count.
    A load that removes more than ``CIRCUMSPECT_LIST_MAX_SHRINK`` of the active list is
    stored staged, not active (``LoadReport.staged``), unless ``accept_shrink``.
    """
    from circumspect import settings
    from circumspect.sources import parse_source

    max_shrink = None if accept_shrink else settings.get_float("CIRCUMSPECT_LIST_MAX_SHRINK")

    started = time.perf_counter()
    parsed = parse_source(source, list(paths), mapping)
    schemata: Counter[str] = Counter()

    def counted() -> Iterator[ListedEntity]:
        for number, entity in enumerate(parsed.entities(), start=1):
            schemata[entity.schema] += 1
            if progress is not None and number % 500 == 0:
                progress(number)
            yield entity

    snapshot = store.load(
        source,
        counted(),
        checksum=parsed.checksum,
        files=tuple(files) if files is not None else parsed.files,
        max_removed_share=max_shrink,
    )
    if progress is not None:
        progress(snapshot.entity_count)
    seconds = time.perf_counter() - started
    diff = store.diff(source, to_id=snapshot.id)
    return LoadReport(
        source=source,
        format=parsed.format,
        snapshot=snapshot,
        seconds=seconds,
        schemata=dict(schemata),
        changes=diff.counts(),
        previous=diff.from_snapshot,
        previous_count=next(
            (x.entity_count for x in store.snapshots(source) if x.id == diff.from_snapshot), 0
        ),
        max_shrink=max_shrink,
    )
