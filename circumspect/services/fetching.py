"""Use case: fetch the official lists, load what changed, re-screen stored parties, and tell
someone (``list.loaded`` / ``case.opened`` events come from the load and the re-screen;
``fetch.failed`` is emitted here). Used by ``lists fetch`` and by ``serve --fetch-every``.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from contextlib import AbstractContextManager, nullcontext
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from circumspect.errors import CircumspectError
from circumspect.store.base import Store

if TYPE_CHECKING:
    from circumspect.cases.common import RescreenReport

if TYPE_CHECKING:
    from circumspect.cases.common import RescreenReport

Progress = Callable[[str], AbstractContextManager[Callable[[int], None] | None]]


@dataclass
class FetchCycleReport:
    sources: list[str]
    lines: list[str] = field(default_factory=list)
    failures: list[str] = field(default_factory=list)
    loaded: list[str] = field(default_factory=list)
    rescreens: dict[str, RescreenReport | None] = field(default_factory=dict)
    #: why each staged snapshot was held back (it removes too much of the active list)
    staged: list[str] = field(default_factory=list)


def rescreen_after_load(
    store: Store, source: str, actor: str = "lists load"
) -> RescreenReport | None:
    """Re-screen stored parties when the case service holds any (a new snapshot re-screens
    against the changed entities only). Nothing happens in a database without case tables or
    stored parties, so a lists-only installation is unaffected."""
    from circumspect.cases.service import CaseService
    from circumspect.db import has_stored_parties

    url = str(getattr(store, "url", ""))
    if not url or not has_stored_parties(url):
        return None
    service = CaseService(url)
    try:
        return service.rescreen(store, sources=[source], actor=actor)
    finally:
        service.close()


def _no_progress(_label: str) -> AbstractContextManager[Callable[[int], None] | None]:
    return nullcontext(None)


def fetch_and_load(
    store: Store,
    sources: Sequence[str] | None = None,
    *,
    token: str | None = None,
    retries: int | None = None,
    force: bool = False,
    rescreen: bool = True,
    actor: str = "lists fetch",
    progress: Progress = _no_progress,
    case_db: str | None = None,
    accept_shrink: bool = False,
) -> FetchCycleReport:
    """Fetch each source (conditional requests), load the changed ones, re-screen stored
    parties against the changes; a failed source keeps its active snapshot and is reported
    (and emitted as ``fetch.failed`` into ``case_db``'s outbox when given). A download that
    removes more than CIRCUMSPECT_LIST_MAX_SHRINK of the active list is staged, not
    activated, unless ``accept_shrink`` (``report.staged``)."""
    from circumspect.store import fetch
    from circumspect.store.loading import load_paths

    chosen = list(sources) if sources else fetch.default_sources()
    report = FetchCycleReport(sources=chosen)
    with fetch.client() as http:
        for source in chosen:
            try:
                fetched = fetch.fetch(source, http, token=token, retries=retries)
            except CircumspectError as exc:
                report.failures.append(f"{source}: {exc}")
                report.lines.append(f"{source}: fetch failed: {exc}")
                continue
            try:
                active = store.active_snapshots().get(source)
                if not fetched.modified and active is not None and not force:
                    fetch.commit(fetched)
                    report.lines.append(
                        f"{source}: not modified since the last fetch; snapshot "
                        f"{active.id} stays active"
                    )
                    continue
                with progress(f"loading {source}") as update:
                    loaded = load_paths(
                        store,
                        source,
                        list(fetched.paths.values()),
                        files=[str(p) for p in fetched.final_paths()],
                        progress=update,
                        accept_shrink=accept_shrink,
                    )
                fetch.commit(fetched)
                report.lines.append(loaded.summary())
                if loaded.staged:
                    report.staged.append(loaded.held_back())
                    continue
                report.loaded.append(source)
            except CircumspectError as exc:
                fetch.discard(fetched)
                report.failures.append(f"{source}: {exc}")
                report.lines.append(f"{source}: load failed: {exc}")
                continue
            if rescreen and any(loaded.changes.values()):
                report.rescreens[source] = rescreen_after_load(store, source, actor)
    if report.failures and case_db:
        emit_fetch_failed(case_db, report.failures)
    return report


def emit_fetch_failed(url: str, failures: list[str]) -> str | None:
    """Write ``fetch.failed``; returns why it could not be written, or None."""
    from sqlalchemy.exc import SQLAlchemyError

    from circumspect.notify import emit_standalone

    try:
        emit_standalone(url, "fetch.failed", {"failures": failures})
    except (CircumspectError, OSError, SQLAlchemyError) as exc:
        return str(exc)
    return None
