"""`circumspect audit`: verify and read the hash-chained audit log."""

from __future__ import annotations

import json

import typer

audit_app = typer.Typer(help="The append-only, hash-chained audit log.", no_args_is_help=True)

_DB = typer.Option(None, "--db", help="Database URL (default: CIRCUMSPECT_DB or SQLite).")


@audit_app.command("verify")
def verify(
    db: str | None = _DB,
    as_json: bool = typer.Option(
        False, "--json", help="Print {ok, records, first_bad, problem, row}."
    ),
) -> None:
    """Check every record's hash and link; exit 1 when the chain was edited or cut."""
    from circumspect.cases.service import CaseService
    from circumspect.settings import db_url

    service = CaseService(db_url(db))
    try:
        result = service.verify_audit()
    finally:
        service.close()
    if as_json:
        typer.echo(json.dumps(result.to_dict()))
    elif result.ok:
        typer.echo(f"audit chain ok: {result.records} records")
    elif result.row is not None:
        typer.echo(f"audit chain BROKEN: {result.problem} ({result.records} records verified)")
    else:
        typer.echo(
            f"audit chain BROKEN at record {result.first_bad}: {result.problem} "
            f"({result.records} records verified before it)"
        )
    if not result.ok:
        raise SystemExit(1)  # typer.Exit codes are dropped by main(standalone_mode=False)


@audit_app.command("show")
def show(
    limit: int = typer.Option(20, "--limit", min=1, max=10000),
    db: str | None = _DB,
) -> None:
    """Print the newest audit records as JSON lines."""
    from circumspect.cases.service import CaseService
    from circumspect.settings import db_url

    service = CaseService(db_url(db))
    try:
        for row in service.audit_records(limit=limit):
            typer.echo(json.dumps(row.to_dict(), ensure_ascii=False))
    finally:
        service.close()


def register(app: typer.Typer) -> None:
    app.add_typer(audit_app, name="audit")
