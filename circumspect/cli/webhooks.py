"""`circumspect webhooks ...`: register receivers of event notifications (docs/service.md)."""

from __future__ import annotations

import json
import secrets as _secrets
from typing import Any

import typer

webhooks_app = typer.Typer(
    name="webhooks",
    help="Webhooks: signed JSON POSTs for case.opened, list.loaded, fetch.failed, ...",
    no_args_is_help=True,
)
DB_OPTION = typer.Option(None, "--db", help="Database URL (default: $CIRCUMSPECT_DB or SQLite).")


def register(app: typer.Typer) -> None:
    app.add_typer(webhooks_app, name="webhooks")


def _engine(db: str | None) -> Any:
    from circumspect.cases.service import CaseService
    from circumspect.settings import db_url

    return CaseService(db_url(db))


@webhooks_app.command("add")
def add_cmd(
    url: str = typer.Argument(..., help="Receiver URL (http:// or https://)."),
    events: str = typer.Option(
        "*",
        "--events",
        help="Comma-separated events, or * for all: "
        + ", ".join(
            ["case.opened", "case.reopened", "case.decided", "list.loaded", "fetch.failed"]
        ),
    ),
    secret: str | None = typer.Option(
        None, "--secret", help="HMAC-SHA256 signing secret (default: a new random one, printed)."
    ),
    db: str | None = DB_OPTION,
) -> None:
    """Register a receiver; it gets the chosen events from now on."""
    import httpx

    from circumspect import notify
    from circumspect.errors import InputError

    parsed = httpx.URL(url)
    if parsed.scheme not in ("http", "https") or not parsed.host:
        raise InputError(f"not an http(s) URL: {url!r}", field="url")
    try:
        chosen = notify.parse_events(events)
    except ValueError as exc:
        raise InputError(str(exc), field="events") from None
    key = secret or _secrets.token_urlsafe(32)
    if len(key) < 16:
        raise InputError("the secret must be at least 16 characters", field="secret")
    service = _engine(db)
    try:
        with service.engines.write.begin() as conn:
            webhook_id = conn.execute(
                notify.webhooks.insert()
                .values(
                    url=url,
                    events=json.dumps(chosen),
                    secret=key,
                    active=True,
                    created_at=notify.now(),
                )
                .returning(notify.webhooks.c.id)
            ).scalar_one()
            service._audit(
                conn, "cli", "webhook.add", f"webhook:{webhook_id}", {"url": url, "events": chosen}
            )
    finally:
        service.close()
    typer.echo(f"webhook {webhook_id}: {url} ({', '.join(chosen)})")
    if secret is None:
        typer.echo(f"secret (shown once): {key}")


@webhooks_app.command("list")
def list_cmd(db: str | None = DB_OPTION, as_json: bool = typer.Option(False, "--json")) -> None:
    """Registered receivers (never their secrets)."""
    import sqlalchemy as sa

    from circumspect import notify

    service = _engine(db)
    try:
        with service.engines.read.connect() as conn:
            rows = conn.execute(sa.select(notify.webhooks).order_by(notify.webhooks.c.id)).all()
    finally:
        service.close()
    items = [
        {"id": r.id, "url": r.url, "events": json.loads(r.events), "active": bool(r.active)}
        for r in rows
    ]
    if as_json:
        typer.echo(json.dumps(items, indent=2))
        return
    for item in items:
        typer.echo(f"{item['id']:>4}  {item['url']}  {','.join(item['events'])}")


@webhooks_app.command("test")
def test_cmd(
    webhook_id: int = typer.Argument(..., help="Webhook id (see `webhooks list`)."),
    db: str | None = DB_OPTION,
) -> None:
    """Send a `webhook.test` event to one receiver now and print the outcome."""
    import sqlalchemy as sa

    from circumspect import notify
    from circumspect.errors import FetchError, NotFoundError
    from circumspect.services.notify_dispatch import Dispatcher
    from circumspect.settings import db_url

    url = db_url(db)
    dispatcher = Dispatcher(url)
    try:
        with dispatcher.engine.begin() as conn:
            hook = conn.execute(
                sa.select(notify.webhooks).where(notify.webhooks.c.id == webhook_id)
            ).first()
            if hook is None:
                raise NotFoundError(f"no webhook {webhook_id}", record=str(webhook_id))
            event_id = notify.emit(
                conn, "webhook.test", {"message": "test from circumspect"}, only_webhook=webhook_id
            )
        report = dispatcher.run_once()
        with dispatcher.engine.connect() as conn:
            row = conn.execute(
                sa.select(notify.deliveries).where(notify.deliveries.c.outbox_id == event_id)
            ).first()
    finally:
        dispatcher.close()
    if row is None or row.status != "delivered":
        error = None if row is None else row.last_error
        raise FetchError(f"webhook {webhook_id} test not delivered: {error} ({report})")
    typer.echo(f"webhook {webhook_id}: test delivered (HTTP {row.response_status})")


@webhooks_app.command("deliveries")
def deliveries_cmd(
    limit: int = typer.Option(50, "--limit", min=1, max=10000),
    db: str | None = DB_OPTION,
    as_json: bool = typer.Option(False, "--json"),
) -> None:
    """Recent deliveries, newest first: event, receiver, status, attempts, last error."""
    import sqlalchemy as sa

    from circumspect import notify

    service = _engine(db)
    d, o = notify.deliveries, notify.outbox
    try:
        with service.engines.read.connect() as conn:
            rows = conn.execute(
                sa.select(d, o.c.event)
                .join(o, o.c.id == d.c.outbox_id)
                .order_by(d.c.id.desc())
                .limit(limit)
            ).all()
    finally:
        service.close()
    items = [
        {
            "id": r.id,
            "event": r.event,
            "event_id": r.outbox_id,
            "webhook_id": r.webhook_id,
            "idempotency_key": r.idem_key,
            "status": r.status,
            "attempts": r.attempts,
            "response_status": r.response_status,
            "last_error": r.last_error,
            "next_at": str(r.next_at),
            "delivered_at": None if r.delivered_at is None else str(r.delivered_at),
        }
        for r in rows
    ]
    if as_json:
        typer.echo(json.dumps(items, indent=2))
        return
    for i in items:
        typer.echo(
            f"{i['id']:>5} {i['event']:<14} webhook {i['webhook_id']:>3} {i['status']:<9} "
            f"attempts {i['attempts']} {i['last_error'] or ''}"
        )
