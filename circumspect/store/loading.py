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

    def summary(self) -> str:
        kinds = ", ".join(f"{n} {s}" for s, n in sorted(self.schemata.items()))
        text = (
            f"{self.source}: {self.snapshot.entity_count} entities"
            + (f" ({kinds})" if kinds else "")
            + f" from {len(self.snapshot.files)} file(s) [{self.format}] -> snapshot "
            f"{self.snapshot.id} in {self.seconds:.1f} s"
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
) -> LoadReport:
    """Parse ``paths`` as ``source`` and load them; the active snapshot changes only on success.

    ``files`` overrides the file names recorded in the snapshot (fetch records the cache
    paths, not the staging ones); ``progress`` is called with the running entity count.
    """
    from circumspect.sources import parse_source

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
    )
