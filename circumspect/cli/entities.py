"""`circumspect entities ...`: one entity across lists (cross-list resolution).

``xref`` resolves the active lists and prints the merges per rule; ``explain`` shows the
cluster of one entry and why its entries are one entity; ``merge`` and ``split`` record an
analyst's judgement (append-only, the latest judgement of a pair counts). See docs/lists.md.
"""

from __future__ import annotations

import json
from dataclasses import asdict

import typer

entities_app = typer.Typer(
    name="entities",
    help="One entity across lists: cross-reference, explain, merge and split.",
    no_args_is_help=True,
)
DB_OPTION = typer.Option(None, "--db", help="Database URL (default: $CIRCUMSPECT_DB or SQLite).")


def register(app: typer.Typer) -> None:
    app.add_typer(entities_app, name="entities")


@entities_app.command("xref")
def xref_cmd(
    db: str | None = DB_OPTION,
    as_json: bool = typer.Option(False, "--json", help="Print the summary as JSON."),
) -> None:
    """Resolve the active lists: clusters, merges per rule, entries shared across sources."""
    from circumspect.services.entities import resolve_active
    from circumspect.store import open_store

    store = open_store(db)
    try:
        _, _, summary = resolve_active(store)
    finally:
        store.close()
    if as_json:
        typer.echo(json.dumps(asdict(summary), indent=2))
        return
    typer.echo(
        f"{summary.entities} entries: {summary.clusters} entities on several entries "
        f"({summary.clustered_entities} entries) in {summary.seconds:.2f} s"
    )
    for rule, count in summary.by_rule.items():
        typer.echo(f"  merged by {rule}: {count}")
    if summary.blocked:
        typer.echo(
            "  merges not made (judged different, one list's own entries, ambiguous keys): "
            f"{summary.blocked}"
        )
    for source, count in summary.cross_source.items():
        typer.echo(f"  {source}: {count} entries also on another list")


@entities_app.command("explain")
def explain_cmd(
    entity_id: str = typer.Argument(..., help="A listed entity id, e.g. ofac-sdn-19028."),
    db: str | None = DB_OPTION,
) -> None:
    """The entries of the entity's cluster and why they are one entity."""
    from circumspect.services.entities import explain_cluster
    from circumspect.store import open_store

    store = open_store(db)
    try:
        lines = explain_cluster(store, entity_id)
    finally:
        store.close()
    for line in lines:
        typer.echo(line)


def _judge(left: str, right: str, judgement: str, actor: str, reason: str, db: str | None) -> None:
    from circumspect.services.entities import judge_pair
    from circumspect.store import open_store

    store = open_store(db)
    try:
        lines = judge_pair(
            store, left, right, "positive" if judgement == "positive" else "negative", actor, reason
        )
    finally:
        store.close()
    for line in lines:
        typer.echo(line)


@entities_app.command("merge")
def merge_cmd(
    left: str = typer.Argument(..., help="A listed entity id."),
    right: str = typer.Argument(..., help="Another listed entity id."),
    reason: str = typer.Option(..., "--reason", help="Why they are one entity."),
    actor: str = typer.Option("cli", "--actor", help="Who judges."),
    db: str | None = DB_OPTION,
) -> None:
    """Judge two entries one entity (reversed by ``split``)."""
    _judge(left, right, "positive", actor, reason, db)


@entities_app.command("split")
def split_cmd(
    left: str = typer.Argument(..., help="A listed entity id."),
    right: str = typer.Argument(..., help="Another listed entity id."),
    reason: str = typer.Option(..., "--reason", help="Why they are different entities."),
    actor: str = typer.Option("cli", "--actor", help="Who judges."),
    db: str | None = DB_OPTION,
) -> None:
    """Judge two entries different entities: no rule merges them again (reversed by
    ``merge``)."""
    _judge(left, right, "negative", actor, reason, db)
