"""`circumspect lists ...`: load, inspect, compare, fetch and export sanctions lists.

Every command takes ``--db URL`` (else ``$CIRCUMSPECT_DB``, else SQLite under
``$CIRCUMSPECT_HOME``). Errors are ``CircumspectError``s: ``cli.main`` prints them as one
line and exits with status 2; the active snapshots are then as they were.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING, Any

import typer

from circumspect.cli._progress import progress_count
from circumspect.cli._store import opened_store

if TYPE_CHECKING:
    from circumspect.store.base import Diff, Snapshot
    from circumspect.store.sql import SqlStore

lists_app = typer.Typer(
    name="lists",
    help="Sanctions lists: load files, show versions, diff, fetch official lists, export.",
    no_args_is_help=True,
)

DB_OPTION = typer.Option(None, "--db", help="Database URL (default: $CIRCUMSPECT_DB or SQLite).")
ACCEPT_SHRINK = typer.Option(
    False,
    "--accept-shrink",
    help="Activate the new snapshot even when it removes more than CIRCUMSPECT_LIST_MAX_SHRINK "
    "of the active list (otherwise it is staged).",
)
#: exit status of a load whose snapshot was staged (held back), not activated
STAGED_EXIT = 3


def register(app: typer.Typer) -> None:
    app.add_typer(lists_app, name="lists")


def _snapshot_dict(snap: Snapshot) -> dict[str, Any]:
    return {
        "id": snap.id,
        "source": snap.source,
        "loaded_at": snap.loaded_at.isoformat(),
        "entity_count": snap.entity_count,
        "checksum": snap.checksum,
        "files": list(snap.files),
        "active": snap.active,
        "staged": snap.staged,
    }


def _echo_json(data: Any) -> None:
    typer.echo(json.dumps(data, indent=2, ensure_ascii=False))


@lists_app.command("load")
def load_cmd(
    paths: list[Path] = typer.Argument(..., help="The list's files (all files of one source)."),
    source: str = typer.Option(..., "--source", "-s", help="Source short name, e.g. ofac_sdn."),
    db: str | None = DB_OPTION,
    as_json: bool = typer.Option(False, "--json", help="Print the result as JSON."),
    rescreen: bool = typer.Option(
        True,
        "--rescreen/--no-rescreen",
        help="After a load that changed entities, re-screen the parties stored by the case "
        "service against the changed entities only (opens cases for new hits).",
    ),
    column_map: str | None = typer.Option(
        None,
        "--map",
        help="Custom lists (--source custom:NAME) from CSV/XLSX: FIELD=Column pairs, e.g. "
        "name=Company,country=Country,inn=INN (see docs/lists.md).",
    ),
    accept_shrink: bool = ACCEPT_SHRINK,
) -> None:
    """Parse list files and store them as a new, active snapshot of SOURCE.

    A snapshot removing more than CIRCUMSPECT_LIST_MAX_SHRINK (default 10 %) of the active
    list is staged, not activated, and the command exits with status 3.
    """
    from circumspect.sources.custom import parse_mapping
    from circumspect.store.loading import load_paths

    mapping = parse_mapping(column_map)
    with opened_store(db) as store, progress_count(f"loading {source}", "entities") as update:
        report = load_paths(
            store, source, paths, progress=update, mapping=mapping, accept_shrink=accept_shrink
        )
        rescreened = (
            _rescreen_after_load(store, source)
            if rescreen and any(report.changes.values()) and not report.staged
            else None
        )
    if as_json:
        _echo_json(
            {
                "snapshot": _snapshot_dict(report.snapshot),
                "format": report.format,
                "seconds": round(report.seconds, 3),
                "schemata": report.schemata,
                "previous": report.previous,
                "changes": report.changes,
                "staged": report.staged,
                "removed_share": round(report.removed_share, 6),
                "rescreen": rescreened,
            }
        )
    else:
        typer.echo(report.summary())
        if rescreened is not None:
            typer.echo(
                f"re-screened {rescreened['parties']} stored parties against "
                f"{rescreened['changed_entities']} changed entities in "
                f"{rescreened['seconds']:.2f} s: {rescreened['hits']} hits, "
                f"{rescreened['opened']} new cases, {rescreened['reopened']} reopened"
            )
    if report.staged:
        typer.echo(report.held_back(), err=True)
        raise SystemExit(STAGED_EXIT)


def _rescreen_after_load(store: SqlStore, source: str) -> dict[str, Any] | None:
    from circumspect.services.fetching import rescreen_after_load

    report = rescreen_after_load(store, source)
    return None if report is None else report.to_dict()


@lists_app.command("remove")
def remove_cmd(
    source: str = typer.Argument(..., help="A custom list, custom:NAME."),
    db: str | None = DB_OPTION,
) -> None:
    """Delete a custom list: every snapshot of custom:NAME (screening stops using it)."""
    from circumspect.errors import InputError, NotFoundError
    from circumspect.model.entities import CUSTOM_PREFIX

    if not source.startswith(CUSTOM_PREFIX):
        raise InputError(
            f"only custom lists can be removed ({source!r} is not custom:NAME); "
            "use `lists prune` for official lists",
            field="source",
        )
    with opened_store(db) as store:
        removed = store.remove_source(source)
    if not removed:
        raise NotFoundError(f"no custom list {source} in the store", record=source)
    typer.echo(f"{source}: removed {removed} snapshot(s)")


@lists_app.command("status")
def status_cmd(
    db: str | None = DB_OPTION,
    as_json: bool = typer.Option(False, "--json", help="Print JSON."),
) -> None:
    """Per source: the active snapshot, when it was loaded, its size and checksum."""
    from circumspect.db import safe_url
    from circumspect.model.entities import SOURCES

    with opened_store(db) as store:
        active = store.active_snapshots()
        every = store.snapshots()
        history = {s: sum(1 for x in every if x.source == s) for s in active}
        url = safe_url(store.url)
    shown = list(SOURCES) + sorted(s for s in active if s not in SOURCES)
    staged = [
        x
        for x in every
        if x.staged and (x.source not in active or int(x.id) > int(active[x.source].id))
    ]
    if as_json:
        _echo_json(
            {
                "db": url,
                "sources": {
                    source: (
                        dict(_snapshot_dict(active[source]), snapshots=history[source])
                        if source in active
                        else None
                    )
                    for source in shown
                },
                "staged": [_snapshot_dict(x) for x in staged],
            }
        )
        return
    typer.echo(f"store: {url}")
    for source in shown:
        snap = active.get(source)
        if snap is None:
            typer.echo(f"  {source:<14} not loaded")
            continue
        typer.echo(
            f"  {source:<14} snapshot {snap.id:>4}  {snap.loaded_at:%Y-%m-%d %H:%M:%S} UTC  "
            f"{snap.entity_count:>8,} entities  sha256 {snap.checksum[:12]}  "
            f"({history[source]} version(s))"
        )
    for snap in staged:
        typer.echo(
            f"  {snap.source:<14} STAGED snapshot {snap.id} ({snap.entity_count:,} entities, "
            f"{snap.loaded_at:%Y-%m-%d %H:%M:%S} UTC) held back: it removes too much of the "
            f"active list; `circumspect lists activate {snap.id}` accepts it"
        )


@lists_app.command("snapshots")
def snapshots_cmd(
    source: str | None = typer.Argument(None, help="Only this source."),
    db: str | None = DB_OPTION,
    as_json: bool = typer.Option(False, "--json", help="Print JSON."),
) -> None:
    """Every stored snapshot, newest first (ids for `lists diff --from/--to`)."""
    with opened_store(db) as store:
        snaps = store.snapshots(source)
    if as_json:
        _echo_json([_snapshot_dict(s) for s in snaps])
        return
    for snap in snaps:
        mark = "*" if snap.active else ("s" if snap.staged else " ")
        typer.echo(
            f"{mark} {snap.id:>4}  {snap.source:<14} {snap.loaded_at:%Y-%m-%d %H:%M:%S} UTC  "
            f"{snap.entity_count:>8,} entities  sha256 {snap.checksum[:12]}"
        )


def _diff_dict(diff: Diff) -> dict[str, Any]:
    return {
        "source": diff.source,
        "from": diff.from_snapshot,
        "to": diff.to_snapshot,
        "counts": diff.counts(),
        "changes": [
            {
                "entity_id": c.entity_id,
                "kind": c.kind,
                "caption": c.caption,
                "properties": c.properties,
            }
            for c in diff.changes
        ],
    }


@lists_app.command("diff")
def diff_cmd(
    source: str = typer.Argument(..., help="Source short name."),
    from_id: str | None = typer.Option(None, "--from", help="Older snapshot id."),
    to_id: str | None = typer.Option(None, "--to", help="Newer snapshot id (default: active)."),
    db: str | None = DB_OPTION,
    as_json: bool = typer.Option(False, "--json", help="Print every change as JSON."),
    limit: int = typer.Option(50, "--limit", help="Changes to print in text mode (0: all)."),
) -> None:
    """Entities added, removed and changed between two snapshots (default: previous vs active)."""
    with opened_store(db) as store:
        diff = store.diff(source, from_id, to_id)
    if as_json:
        _echo_json(_diff_dict(diff))
        return
    counts = diff.counts()
    start = diff.from_snapshot or "(nothing)"
    typer.echo(
        f"{source}: snapshot {start} -> {diff.to_snapshot}: {counts['added']} added, "
        f"{counts['removed']} removed, {counts['changed']} changed"
    )
    shown = diff.changes if limit <= 0 else diff.changes[:limit]
    sign = {"added": "+", "removed": "-", "changed": "~"}
    for change in shown:
        typer.echo(f"{sign[change.kind]} {change.entity_id}  {change.caption}")
        for prop, values in change.properties.items():
            typer.echo(f"    {prop}: {values['old']} -> {values['new']}")
    if len(shown) < len(diff.changes):
        typer.echo(f"... and {len(diff.changes) - len(shown)} more (--limit 0 or --json)")


@lists_app.command("fetch")
def fetch_cmd(
    sources: list[str] | None = typer.Argument(
        None, help="Sources to fetch (default: all official lists; eu_fsf needs a token)."
    ),
    db: str | None = DB_OPTION,
    eu_token: str | None = typer.Option(
        None, "--eu-token", help="EU FSF token (default: $CIRCUMSPECT_EU_FSF_TOKEN)."
    ),
    retries: int = typer.Option(3, "--retries", min=0, help="Retries per file after a failure."),
    force: bool = typer.Option(False, "--force", help="Load even when nothing changed."),
    accept_shrink: bool = ACCEPT_SHRINK,
) -> None:
    """Download the official lists (conditional, with retries), load what changed and
    re-screen the stored parties against the changes (webhooks are told, docs/service.md).

    A download removing more than CIRCUMSPECT_LIST_MAX_SHRINK of the active list is staged,
    not activated (exit status 3 unless another source failed).
    """
    from circumspect.errors import FetchError
    from circumspect.services.fetching import fetch_and_load
    from circumspect.settings import db_url

    with opened_store(db) as store:
        report = fetch_and_load(
            store,
            list(sources) if sources else None,
            token=eu_token,
            retries=retries,
            force=force,
            progress=lambda label: progress_count(label, "entities"),
            case_db=db_url(db),
            accept_shrink=accept_shrink,
        )
    for line in report.lines:
        failed = line.split(": ", 1)[-1].startswith(("fetch failed", "load failed"))
        typer.echo(line, err=failed)
    for message in report.staged:
        typer.echo(message, err=True)
    for source, rescreen_report in report.rescreens.items():
        if rescreen_report is not None:
            typer.echo(
                f"{source}: re-screened {rescreen_report.parties} stored parties: "
                f"{rescreen_report.hits} hits, {rescreen_report.opened} new cases, "
                f"{rescreen_report.reopened} reopened"
            )
    if report.failures:
        raise FetchError(
            f"{len(report.failures)} of {len(report.sources)} source(s) failed, their active "
            "snapshots are unchanged: " + " | ".join(report.failures)
        )
    if report.staged:
        raise SystemExit(STAGED_EXIT)


@lists_app.command("activate")
def activate_cmd(
    snapshot: str = typer.Argument(..., help="Id of a staged snapshot (see `lists status`)."),
    db: str | None = DB_OPTION,
    rescreen: bool = typer.Option(
        True, "--rescreen/--no-rescreen", help="Re-screen stored parties against the changes."
    ),
) -> None:
    """Activate a staged snapshot (one held back because it removes much of the list)."""
    with opened_store(db) as store:
        snap = store.activate(snapshot)
        diff = store.diff(snap.source, to_id=snap.id)
        rescreened = (
            _rescreen_after_load(store, snap.source)
            if rescreen and any(diff.counts().values())
            else None
        )
    counts = diff.counts()
    typer.echo(
        f"{snap.source}: snapshot {snap.id} is now active ({snap.entity_count:,} entities; vs "
        f"snapshot {diff.from_snapshot}: {counts['added']} added, {counts['removed']} removed, "
        f"{counts['changed']} changed)"
    )
    if rescreened is not None:
        typer.echo(
            f"re-screened {rescreened['parties']} stored parties: {rescreened['hits']} hits, "
            f"{rescreened['opened']} new cases"
        )


@lists_app.command("prune")
def prune_cmd(
    source: str = typer.Argument(..., help="Source short name."),
    keep: int = typer.Option(..., "--keep", min=1, help="Newest snapshots to keep."),
    db: str | None = DB_OPTION,
) -> None:
    """Delete old snapshots of SOURCE, keeping the newest KEEP (the active one always)."""
    with opened_store(db) as store:
        removed = store.prune(source, keep)
        left = len(store.snapshots(source))
    typer.echo(f"{source}: removed {removed} old snapshot(s), {left} kept")


@lists_app.command("export")
def export_cmd(
    output: Path = typer.Option(..., "--output", "-o", help="File to write."),
    fmt: str = typer.Option("ftm", "--format", help="Output format (ftm: FtM JSON lines)."),
    sources: list[str] | None = typer.Option(
        None, "--source", "-s", help="Only these sources (repeatable)."
    ),
    snapshot: str | None = typer.Option(None, "--snapshot", help="One snapshot id instead."),
    db: str | None = DB_OPTION,
) -> None:
    """Write the active entities (or one snapshot) as FollowTheMoney JSON lines."""
    from circumspect import fsutil
    from circumspect.errors import InputError
    from circumspect.ownership.relations import write_relations
    from circumspect.sources.ftm import write_entities

    if fmt != "ftm":
        raise InputError(f"unsupported export format {fmt!r}; supported: ftm", field="format")
    fsutil.check_writable(output, example="lists.ftm.json")
    try:
        with (
            opened_store(db) as store,
            fsutil.atomic_path(output) as tmp,
            open(tmp, "w", encoding="utf-8") as fh,
        ):
            entities = list(
                store.iter_entities(
                    snapshot_id=snapshot, sources=list(sources) if sources else None
                )
            )
            count = write_entities(entities, fh)
            links = write_relations(entities, fh)
    except OSError as exc:
        raise fsutil.unwritable(output, exc) from exc
    typer.echo(f"exported {count} entities and {links} relationships to {output}")
