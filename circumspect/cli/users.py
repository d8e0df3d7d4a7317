"""`circumspect users`: API users and their keys (admin work; keys are shown once)."""

from __future__ import annotations

import typer

users_app = typer.Typer(help="Manage API users and keys.", no_args_is_help=True)

_DB = typer.Option(None, "--db", help="Database URL (default: CIRCUMSPECT_DB or SQLite).")


@users_app.command("add")
def add(
    name: str = typer.Argument(..., help="User name."),
    role: str = typer.Option("viewer", "--role", help="viewer | analyst | admin"),
    db: str | None = _DB,
) -> None:
    """Create a user and print its API key (shown once; only a hash is stored)."""
    from circumspect.cases.service import CaseService
    from circumspect.settings import db_url

    service = CaseService(db_url(db))
    try:
        user, key = service.add_user(name, role, actor="cli")
    finally:
        service.close()
    typer.echo(f"user {user.name} ({user.role}) created; API key (shown once):")
    typer.echo(key)


@users_app.command("list")
def list_users(db: str | None = _DB) -> None:
    """List users (name, role, active, key prefix)."""
    from circumspect.cases.service import CaseService
    from circumspect.settings import db_url

    service = CaseService(db_url(db))
    try:
        rows = service.users()
    finally:
        service.close()
    for row in rows:
        state = "active" if row.active else "disabled"
        typer.echo(f"{row.name}\t{row.role}\t{state}\t{row.key_prefix}...")


@users_app.command("rotate-key")
def rotate(name: str = typer.Argument(...), db: str | None = _DB) -> None:
    """Replace a user's API key; prints the new key once."""
    from circumspect.cases.service import CaseService
    from circumspect.settings import db_url

    service = CaseService(db_url(db))
    try:
        typer.echo(service.rotate_key(name, actor="cli"))
    finally:
        service.close()


@users_app.command("disable")
def disable(name: str = typer.Argument(...), db: str | None = _DB) -> None:
    """Disable a user (its key stops working)."""
    from circumspect.cases.service import CaseService
    from circumspect.settings import db_url

    service = CaseService(db_url(db))
    try:
        service.set_active(name, False, actor="cli")
    finally:
        service.close()
    typer.echo(f"user {name} disabled")


def register(app: typer.Typer) -> None:
    app.add_typer(users_app, name="users")
