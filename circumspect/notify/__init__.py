"""Notifications: an outbox of events and webhooks that receive them.

Events (``case.opened``, ``case.reopened``, ``case.decided``, ``list.loaded``,
``fetch.failed``, ``webhook.test``) are rows of ``notify_outbox`` written **in the same
database transaction** as the change they report (the case service's audit append, the list
store's load), so an event exists exactly when its change was committed. The dispatcher
(:mod:`circumspect.services.notify_dispatch`, run by ``serve``) fans each event out to the
registered webhooks that want it (one ``notify_deliveries`` row per event and receiver, with the
idempotency key ``<event id>:<webhook id>``) and POSTs them.

The tables live in the case database beside the audit chain; they are created on first use
(``ensure_tables``), idempotently, by the case service and the webhook commands.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection, Engine

EVENTS: tuple[str, ...] = (
    "case.opened",
    "case.reopened",
    "case.decided",
    "list.loaded",
    "fetch.failed",
)
#: audit action of the case service -> event
AUDIT_EVENTS: dict[str, str] = {
    "case.open": "case.opened",
    "case.reopen": "case.reopened",
    "case.decide": "case.decided",
}

metadata = sa.MetaData()
TZ = sa.DateTime(timezone=True)

webhooks = sa.Table(
    "notify_webhooks",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("url", sa.Text, nullable=False),
    sa.Column("events", sa.Text, nullable=False),
    sa.Column("secret", sa.Text, nullable=False),
    sa.Column("active", sa.Boolean, nullable=False),
    sa.Column("created_at", TZ, nullable=False),
    sqlite_autoincrement=True,
)
outbox = sa.Table(
    "notify_outbox",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("event", sa.String(64), nullable=False),
    sa.Column("created_at", TZ, nullable=False),
    sa.Column("payload", sa.Text, nullable=False),
    #: set when the dispatcher has created the deliveries of this event
    sa.Column("fanned_out", sa.Boolean, nullable=False, default=False),
    #: only this webhook (``webhooks test``); None = every webhook that wants the event
    sa.Column("only_webhook", sa.Integer, nullable=True),
    sqlite_autoincrement=True,
)
sa.Index("ix_notify_outbox_fanned", outbox.c.fanned_out, outbox.c.id)
deliveries = sa.Table(
    "notify_deliveries",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("outbox_id", sa.Integer, nullable=False),
    sa.Column("webhook_id", sa.Integer, nullable=False),
    sa.Column("idem_key", sa.String(64), nullable=False, unique=True),
    sa.Column("status", sa.String(16), nullable=False),
    sa.Column("attempts", sa.Integer, nullable=False),
    sa.Column("next_at", TZ, nullable=False),
    sa.Column("lease_until", TZ, nullable=True),
    sa.Column("last_error", sa.Text, nullable=True),
    sa.Column("response_status", sa.Integer, nullable=True),
    sa.Column("delivered_at", TZ, nullable=True),
    sa.Column("created_at", TZ, nullable=False),
    sqlite_autoincrement=True,
)
sa.Index("ix_notify_deliveries_due", deliveries.c.status, deliveries.c.next_at)
#: leader lease and last run of the built-in schedule (``serve --fetch-every``)
schedule = sa.Table(
    "notify_schedule",
    metadata,
    sa.Column("name", sa.String(64), primary_key=True),
    sa.Column("holder", sa.String(200), nullable=True),
    sa.Column("lease_until", TZ, nullable=True),
    sa.Column("last_run", TZ, nullable=True),
)


def now() -> datetime:
    return datetime.now(UTC)


def ensure_tables(engine: Engine | Connection) -> None:
    """Create the notification tables when absent (idempotent)."""
    metadata.create_all(engine, checkfirst=True)


def has_tables(conn: Connection) -> bool:
    return bool(sa.inspect(conn).has_table("notify_outbox"))


def emit(
    conn: Connection, event: str, data: Mapping[str, Any], *, only_webhook: int | None = None
) -> int:
    """Write one event into the outbox in the caller's transaction; returns its id."""
    created = now()
    result = conn.execute(
        outbox.insert()
        .values(
            event=event,
            created_at=created,
            payload=json.dumps(dict(data), sort_keys=True, ensure_ascii=False, default=str),
            fanned_out=False,
            only_webhook=only_webhook,
        )
        .returning(outbox.c.id)
    )
    return int(result.scalar_one())


def emit_standalone(url: str, event: str, data: Mapping[str, Any]) -> int:
    """Write one event in its own transaction (``fetch.failed``: nothing else is written)."""
    from circumspect.db import make_engines

    engines = make_engines(url)
    try:
        ensure_tables(engines.write)
        with engines.write.begin() as conn:
            return emit(conn, event, data)
    finally:
        engines.dispose()


def parse_events(text: str) -> list[str]:
    """``case.opened,list.loaded`` (or ``*``) -> event names; ValueError for unknown ones."""
    names = [e.strip() for e in text.split(",") if e.strip()]
    if not names or names == ["*"]:
        return list(EVENTS)
    unknown = [n for n in names if n not in EVENTS]
    if unknown:
        raise ValueError(f"unknown event(s) {', '.join(unknown)}; known: {', '.join(EVENTS)}")
    return names
