"""`circumspect ownership ...`: load ownership data, see its versions, explain a party.

Every command takes ``--db URL`` (else ``$CIRCUMSPECT_DB``, else SQLite under
``$CIRCUMSPECT_HOME``). See ``docs/ownership.md``.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING, Any

import typer

from circumspect.cli._store import opened_store

if TYPE_CHECKING:
    from circumspect.store.sql import SqlStore

ownership_app = typer.Typer(
    name="ownership",
    help="Ownership and control: load ownership data, versions, diffs, explain a party.",
    no_args_is_help=True,
)

DB_OPTION = typer.Option(None, "--db", help="Database URL (default: $CIRCUMSPECT_DB or SQLite).")


def register(app: typer.Typer) -> None:
    app.add_typer(ownership_app, name="ownership")


def _echo_json(data: Any) -> None:
    typer.echo(json.dumps(data, indent=2, ensure_ascii=False, default=str))


@ownership_app.command("load")
def load_cmd(
    path: Path = typer.Argument(
        ...,
        help="CSV (owner_name,owner_id,owned_name,owned_id,share,"
        "source,date[,control]) or FtM JSON lines with Ownership entities.",
    ),
    dataset: str = typer.Option(..., "--dataset", "-d", help="Name of the dataset, e.g. registry."),
    fmt: str | None = typer.Option(None, "--format", help="csv | ftm (default: by extension)."),
    db: str | None = DB_OPTION,
    as_json: bool = typer.Option(False, "--json", help="Print the result as JSON."),
    rescreen: bool = typer.Option(
        True,
        "--rescreen/--no-rescreen",
        help="After a load that changed stakes, re-screen the stored parties it touches.",
    ),
) -> None:
    """Check an ownership file and store it as a new, active snapshot of DATASET.

    Bad rows (shares above 100 % for one owned party, negative shares, unknown ids,
    self-ownership, conflicting rows) are rejected with the reason; the rest loads.
    """
    from rich.console import Console

    from circumspect.ownership.loader import read_file
    from circumspect.ownership.service import open_view
    from circumspect.ownership.store import OwnershipStore
    from circumspect.services.ownership import rescreen_touched

    console = Console(stderr=True)
    with opened_store(db) as store:
        with console.status(f"checking {path.name}"):
            listed = _listed_ids(store)
            data = read_file(path, listed.__contains__, fmt)
        with console.status(f"storing {len(data.edges):,} stakes"):
            owners = OwnershipStore(store)
            snap = owners.load(dataset, data)
            diff = owners.diff(dataset, to_id=snap.id)
        rescreened = None
        if rescreen and diff.changes:
            with console.status("re-screening stored parties"):
                rescreened = rescreen_touched(
                    store, open_view(store), diff.touched(), dataset=dataset
                )
    counts = data.counts()
    if as_json:
        _echo_json(
            {
                "snapshot": snap.id,
                "dataset": dataset,
                "format": data.format,
                "counts": counts,
                "previous": diff.from_snapshot,
                "changes": diff.counts(),
                "rejected": [
                    {"line": o.line, "reason": o.reason, "row": o.raw} for o in data.rejected()
                ],
                "rescreen": None if rescreened is None else rescreened.to_dict(),
            }
        )
        return
    for outcome in data.rejected()[:20]:
        typer.echo(f"rejected {path}:{outcome.line}: {outcome.reason}", err=True)
    if counts["rejected"] > 20:
        typer.echo(
            f"... {counts['rejected'] - 20} more rejected rows (`ownership rejects {dataset}`)",
            err=True,
        )
    text = (
        f"{dataset}: {counts['rows']} rows -> {counts['loaded']} loaded, "
        f"{counts['duplicate']} duplicates, {counts['rejected']} rejected; snapshot {snap.id}"
    )
    if diff.from_snapshot is None:
        text += "; first snapshot of this dataset"
    else:
        c = diff.counts()
        text += (
            f"; vs snapshot {diff.from_snapshot}: {c['added']} added, {c['removed']} removed, "
            f"{c['changed']} changed"
        )
    typer.echo(text)
    if rescreened is not None:
        typer.echo(
            f"re-screened {rescreened.parties} stored parties ({rescreened.touched_parties} "
            f"parties touched): {rescreened.hits} hits, {rescreened.opened} new cases, "
            f"{rescreened.reopened} reopened"
        )


def _listed_ids(store: SqlStore) -> set[str]:
    from circumspect.ownership.service import cached_list_context

    return set(cached_list_context(store).listed)


@ownership_app.command("status")
def status_cmd(
    db: str | None = DB_OPTION,
    as_json: bool = typer.Option(False, "--json", help="Print JSON."),
) -> None:
    """Active ownership datasets, the rules, and how many parties each rule blocks."""
    from circumspect.ownership.service import open_view
    from circumspect.ownership.store import OwnershipStore

    with opened_store(db) as store:
        active = OwnershipStore(store).active()
        view = open_view(store)
    derived = {
        rule.name: sum(1 for s in view.results[rule.name].status.values() if s != "listed")
        for rule in view.rules
    }
    linked = len(view.context.relations)
    resolved = sum(1 for r in view.context.relations if r.target)
    if as_json:
        _echo_json(
            {
                "datasets": {
                    name: {
                        "snapshot": s.id,
                        "loaded_at": s.loaded_at.isoformat(),
                        "format": s.format,
                        "rows": s.row_count,
                        "edges": s.edge_count,
                        "rejected": s.rejected_count,
                        "files": list(s.files),
                    }
                    for name, s in active.items()
                },
                "rules": {r.name: r.describe() for r in view.rules},
                "blocked_by_ownership": derived,
                "list_relations": {"total": linked, "resolved": resolved},
                "conflicts": view.conflicts,
            }
        )
        return
    if not active:
        typer.echo("no ownership dataset loaded (`circumspect ownership load FILE -d NAME`)")
    for name, s in sorted(active.items()):
        typer.echo(
            f"{name}: snapshot {s.id} loaded {s.loaded_at:%Y-%m-%d %H:%M} UTC [{s.format}] "
            f"{s.edge_count} stakes from {s.row_count} rows ({s.rejected_count} rejected)"
        )
    for rule in view.rules:
        typer.echo(f"rule {rule.describe()}: {derived[rule.name]} parties blocked by ownership")
    typer.echo(f"relationships stated by the lists: {linked} ({resolved} resolved to an entry)")
    for conflict in view.conflicts:
        typer.echo(f"conflict: {conflict}", err=True)


@ownership_app.command("diff")
def diff_cmd(
    dataset: str = typer.Argument(..., help="Dataset name."),
    from_id: str | None = typer.Option(None, "--from", help="Older snapshot (default: previous)."),
    to_id: str | None = typer.Option(None, "--to", help="Newer snapshot (default: active)."),
    db: str | None = DB_OPTION,
    as_json: bool = typer.Option(False, "--json", help="Print JSON."),
) -> None:
    """Stakes added, removed or changed between two snapshots of DATASET."""
    from circumspect.ownership.graph import pct
    from circumspect.ownership.store import OwnershipStore

    with opened_store(db) as store:
        diff = OwnershipStore(store).diff(dataset, from_id, to_id)

    def show(edge: Any) -> str:
        if edge is None:
            return "-"
        return (pct(edge.share) if edge.share is not None else "?") + (
            " control" if edge.control else ""
        )

    if as_json:
        _echo_json(
            {
                "dataset": dataset,
                "from": diff.from_snapshot,
                "to": diff.to_snapshot,
                "counts": diff.counts(),
                "changes": [
                    {
                        "owner": c.owner,
                        "owned": c.owned,
                        "kind": c.kind,
                        "old": show(c.old),
                        "new": show(c.new),
                    }
                    for c in diff.changes
                ],
            }
        )
        return
    c = diff.counts()
    typer.echo(
        f"{dataset}: snapshot {diff.from_snapshot or '-'} -> {diff.to_snapshot}: "
        f"{c['added']} added, {c['removed']} removed, {c['changed']} changed"
    )
    for change in diff.changes:
        typer.echo(
            f"  {change.kind:8} {change.owner} -> {change.owned}: {show(change.old)} -> "
            f"{show(change.new)}"
        )


@ownership_app.command("rejects")
def rejects_cmd(
    dataset: str = typer.Argument(..., help="Dataset name."),
    snapshot: str | None = typer.Option(None, "--snapshot", help="Snapshot (default: active)."),
    db: str | None = DB_OPTION,
) -> None:
    """The rows a load of DATASET rejected, with the reasons."""
    from circumspect.errors import NotFoundError
    from circumspect.ownership.store import OwnershipStore

    with opened_store(db) as store:
        owners = OwnershipStore(store)
        snap_id = snapshot
        if snap_id is None:
            active = owners.active().get(dataset)
            if active is None:
                raise NotFoundError(f"ownership dataset {dataset} has no active snapshot")
            snap_id = active.id
        rows = owners.rejects(snap_id)
    for line, reason, raw in rows:
        typer.echo(f"line {line}: {reason}: {raw}")
    typer.echo(f"{len(rows)} rejected rows in snapshot {snap_id}")


@ownership_app.command("explain")
def explain_cmd(
    party: str = typer.Argument(
        ..., help="A listed id (ofac-sdn-16807), an identifier (BIN/IIN, INN, OGRN, LEI) or a name."
    ),
    db: str | None = DB_OPTION,
    as_json: bool = typer.Option(False, "--json", help="Print JSON (nodes, edges, findings)."),
) -> None:
    """The graph around a party: owners, holdings, each rule's finding with its proof, and the
    relationships the lists state."""
    from circumspect.errors import NotFoundError
    from circumspect.ownership.service import open_view

    with opened_store(db) as store:
        view = open_view(store)
    nodes = view.resolve(party)
    if not nodes:
        raise NotFoundError(
            f"{party!r} is in no ownership dataset and is no listed entity id", record=party
        )
    if as_json:
        _echo_json([view.explain_data(node) for node in nodes])
        return
    typer.echo("\n\n".join(view.explain_text(node) for node in nodes))
