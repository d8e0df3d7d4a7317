"""The webhook dispatcher: outbox -> deliveries -> signed HTTP POSTs, with retries.

One pass (:meth:`Dispatcher.run_once`):

1. **fan out**: each outbox event not yet fanned out gets one ``notify_deliveries`` row per
   active webhook that wants it (``idem_key = "<event id>:<webhook id>"``, unique), in one
   transaction with marking the event fanned out;
2. **claim**: due deliveries (``pending``, ``next_at <= now``, no live lease) are claimed with
   a lease (an ``UPDATE ... WHERE`` that only one process can win), so several ``serve``
   processes never send the same delivery at the same time;
3. **send**: ``POST`` the JSON body with ``Content-Type: application/json``,
   ``Idempotency-Key``, ``X-Circumspect-Event``, ``X-Circumspect-Timestamp`` and
   ``X-Circumspect-Signature: sha256=<hex HMAC-SHA256 of "<timestamp>.<body>" with the
   webhook's secret>``; a 2xx marks it ``delivered``, anything else (an error status, a
   timeout, a refused connection) schedules a retry after ``BACKOFF * 2**(attempts-1)``
   seconds (capped at ``MAX_BACKOFF``) until ``MAX_ATTEMPTS``, then ``failed``.
   Every attempt's outcome is appended to the audit chain (``webhook.delivered``,
   ``webhook.retry``, ``webhook.failed``) in the transaction that records it.

Delivery is at-least-once on the wire and exactly-once per receiver with the idempotency key:
a process killed after the receiver got a POST but before it recorded the 2xx sends the same
key again after restart (the lease expires), and the receiver drops the repeat.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import os
import socket
import threading
import time
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import sqlalchemy as sa

from circumspect.notify import deliveries, ensure_tables, now, outbox, webhooks

BACKOFF = 2.0
MAX_BACKOFF = 600.0
MAX_ATTEMPTS = 10
TIMEOUT = 10.0
#: Replaced by tests; None means the real network.
TRANSPORT: httpx.BaseTransport | None = None


def lease_seconds() -> float:
    return float(os.environ.get("CIRCUMSPECT_DISPATCH_LEASE", "60"))


def signature(secret: str, timestamp: str, body: bytes) -> str:
    """``sha256=<hex>`` of HMAC-SHA256(secret, ``timestamp + "." + body``)."""
    mac = hmac.new(secret.encode("utf-8"), timestamp.encode("ascii") + b"." + body, hashlib.sha256)
    return "sha256=" + mac.hexdigest()


def verify(secret: str, timestamp: str, body: bytes, header: str) -> bool:
    """What a receiver does: compare the signature in constant time."""
    return hmac.compare_digest(signature(secret, timestamp, body), header)


@dataclass
class PassReport:
    fanned_out: int = 0
    delivered: int = 0
    retried: int = 0
    failed: int = 0


def _aware(value: Any) -> datetime:
    """SQLite returns naive datetimes (stored as UTC): make them comparable."""
    stamp: datetime = datetime.fromisoformat(value) if isinstance(value, str) else value
    return stamp if stamp.tzinfo is not None else stamp.replace(tzinfo=UTC)


@dataclass(frozen=True, slots=True)
class OutboxEvent:
    """One event of the outbox, as a delivery sends it."""

    id: int
    event: str
    #: a ``datetime`` (a database may hand back its text form; sent as given then)
    created_at: datetime | str
    #: the event's data, JSON text
    payload: str


class Dispatcher:
    def __init__(self, url: str, *, worker: str | None = None) -> None:
        from circumspect.cases.service import CaseService

        self.cases = CaseService(url)
        self.engine = self.cases.engines.write
        ensure_tables(self.engine)
        self.worker = worker or f"{socket.gethostname()}:{os.getpid()}"

    def close(self) -> None:
        self.cases.close()

    # -- fan out ----------------------------------------------------------------------------
    def fan_out(self) -> int:
        created = 0
        with self.engine.begin() as conn:
            events = conn.execute(
                sa.select(outbox)
                .where(outbox.c.fanned_out == sa.false())
                .order_by(outbox.c.id)
                .limit(500)
            ).all()
            if not events:
                return 0
            hooks = conn.execute(sa.select(webhooks).where(webhooks.c.active == sa.true())).all()
            stamp = now()
            for event in events:
                for hook in hooks:
                    wanted = json.loads(hook.events)
                    if event.only_webhook is not None:
                        if event.only_webhook != hook.id:
                            continue
                    elif event.event not in wanted or _aware(hook.created_at) > _aware(
                        event.created_at
                    ):
                        continue  # not wanted, or the event is older than the receiver
                    conn.execute(
                        deliveries.insert().values(
                            outbox_id=event.id,
                            webhook_id=hook.id,
                            idem_key=f"{event.id}:{hook.id}",
                            status="pending",
                            attempts=0,
                            next_at=stamp,
                            created_at=stamp,
                        )
                    )
                    created += 1
                conn.execute(outbox.update().where(outbox.c.id == event.id).values(fanned_out=True))
        return created

    # -- claim and send ---------------------------------------------------------------------
    def _claim(self, limit: int) -> list[int]:
        stamp = now()
        lease = stamp + timedelta(seconds=lease_seconds())
        with self.engine.begin() as conn:
            due = conn.execute(
                sa.select(deliveries.c.id)
                .where(deliveries.c.status == "pending")
                .where(deliveries.c.next_at <= stamp)
                .where(sa.or_(deliveries.c.lease_until.is_(None), deliveries.c.lease_until < stamp))
                .order_by(deliveries.c.id)
                .limit(limit)
            ).all()
            claimed: list[int] = []
            for (delivery_id,) in due:
                won = conn.execute(
                    deliveries.update()
                    .where(deliveries.c.id == delivery_id)
                    .where(deliveries.c.status == "pending")
                    .where(
                        sa.or_(deliveries.c.lease_until.is_(None), deliveries.c.lease_until < stamp)
                    )
                    .values(lease_until=lease)
                )
                if won.rowcount == 1:
                    claimed.append(int(delivery_id))
        return claimed

    def _load(self, delivery_id: int) -> tuple[Any, OutboxEvent, Any]:
        with self.engine.connect() as conn:
            row = conn.execute(sa.select(deliveries).where(deliveries.c.id == delivery_id)).one()
            event = conn.execute(sa.select(outbox).where(outbox.c.id == row.outbox_id)).one()
            hook = conn.execute(sa.select(webhooks).where(webhooks.c.id == row.webhook_id)).one()
        stored = OutboxEvent(int(event.id), str(event.event), event.created_at, str(event.payload))
        return row, stored, hook

    def body(self, event: OutboxEvent, idem_key: str) -> bytes:
        document = {
            "id": idem_key,
            "event": event.event,
            "event_id": event.id,
            "created_at": event.created_at.isoformat()
            if isinstance(event.created_at, datetime)
            else str(event.created_at),
            "data": json.loads(event.payload),
        }
        return json.dumps(document, sort_keys=True, ensure_ascii=False).encode("utf-8")

    def send(self, http: httpx.Client, delivery_id: int) -> str:
        row, event, hook = self._load(delivery_id)
        payload = self.body(event, row.idem_key)
        timestamp = str(int(time.time()))
        headers = {
            "Content-Type": "application/json",
            "Idempotency-Key": row.idem_key,
            "X-Circumspect-Event": event.event,
            "X-Circumspect-Timestamp": timestamp,
            "X-Circumspect-Signature": signature(hook.secret, timestamp, payload),
        }
        status: int | None = None
        error: str | None = None
        try:
            response = http.post(hook.url, content=payload, headers=headers)
            status = response.status_code
            if not 200 <= status < 300:
                error = f"HTTP {status}"
        except httpx.HTTPError as exc:
            error = f"{type(exc).__name__}: {exc}"
        return self._record(row, event, hook, status, error)

    def _record(
        self, row: Any, event: OutboxEvent, hook: Any, status: int | None, error: str | None
    ) -> str:
        attempts = int(row.attempts) + 1
        stamp = now()
        data = {
            "delivery_id": int(row.id),
            "idempotency_key": row.idem_key,
            "event": event.event,
            "event_id": int(event.id),
            "url": hook.url,
            "attempt": attempts,
            "response_status": status,
        }
        with self.engine.begin() as conn:
            if error is None:
                outcome, values = (
                    "delivered",
                    {"status": "delivered", "delivered_at": stamp, "last_error": None},
                )
            elif attempts >= MAX_ATTEMPTS:
                outcome, values = "failed", {"status": "failed", "last_error": error}
            else:
                delay = min(MAX_BACKOFF, BACKOFF * 2 ** (attempts - 1))
                outcome = "retry"
                values = {
                    "last_error": error,
                    "next_at": stamp + timedelta(seconds=delay),
                }
                data["retry_in_seconds"] = delay
            conn.execute(
                deliveries.update()
                .where(deliveries.c.id == row.id)
                .values(attempts=attempts, response_status=status, lease_until=None, **values)
            )
            if error:
                data["error"] = error
            self.cases._audit(conn, "dispatcher", f"webhook.{outcome}", f"webhook:{hook.id}", data)
        return outcome

    def run_once(self, limit: int = 100) -> PassReport:
        report = PassReport(fanned_out=self.fan_out())
        claimed = self._claim(limit)
        if not claimed:
            return report
        with httpx.Client(timeout=TIMEOUT, transport=TRANSPORT, follow_redirects=False) as http:
            for delivery_id in claimed:
                outcome = self.send(http, delivery_id)
                if outcome == "delivered":
                    report.delivered += 1
                elif outcome == "retry":
                    report.retried += 1
                else:
                    report.failed += 1
        return report


class DispatcherThread:
    """``serve``'s background dispatcher: a pass every ``interval`` seconds until stopped."""

    def __init__(self, url: str, interval: float = 1.0) -> None:
        self.url = url
        self.interval = interval
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="circumspect-dispatch", daemon=True)

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        self._thread.join(timeout=15)

    def _run(self) -> None:
        import logging

        log = logging.getLogger("circumspect.notify")
        dispatcher = Dispatcher(self.url)
        try:
            while not self._stop.is_set():
                try:
                    dispatcher.run_once()
                except Exception:  # keep dispatching; the next pass retries
                    log.exception("webhook dispatch pass failed")
                self._stop.wait(self.interval)
        finally:
            dispatcher.close()
