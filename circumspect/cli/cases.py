"""`circumspect cases`: the case queue and re-screening after a list update."""

from __future__ import annotations

import json

import typer

cases_app = typer.Typer(help="Alert cases: list, decide, re-screen.", no_args_is_help=True)

_DB = typer.Option(None, "--db", help="Database URL (default: CIRCUMSPECT_DB or SQLite).")


@cases_app.command("list")
def list_cases(
    status: str | None = typer.Option(None, "--status", help="open | escalated | closed"),
    limit: int = typer.Option(50, "--limit", min=1, max=10000),
    db: str | None = _DB,
) -> None:
    """Print cases, newest first, as JSON lines."""
    from circumspect.cases.service import CaseService
    from circumspect.settings import db_url

    service = CaseService(db_url(db))
    try:
        items, _total = service.list_cases(status=status, limit=limit)
    finally:
        service.close()
    for item in items:
        typer.echo(json.dumps(item.to_dict(), ensure_ascii=False))


@cases_app.command("rescreen")
def rescreen(
    source: list[str] = typer.Option(None, "--source", help="Only these sources (repeatable)."),
    db: str | None = _DB,
) -> None:
    """Re-screen stored parties against entities changed by the newest list load."""
    from circumspect.cases.service import CaseService
    from circumspect.settings import db_url
    from circumspect.store import open_store  # type: ignore[attr-defined,unused-ignore]

    url = db_url(db)
    service = CaseService(url)
    store = open_store(url)
    try:
        report = service.rescreen(store, sources=source or None, actor="cli")
    finally:
        store.close()
        service.close()
    typer.echo(
        f"re-screened {report.parties} parties against {report.changed_entities} changed "
        f"entities in {report.seconds:.2f} s: {report.hits} hits, {report.opened} new cases, "
        f"{report.reopened} reopened, {report.suppressed} still suppressed"
    )


def register(app: typer.Typer) -> None:
    app.add_typer(cases_app, name="cases")
