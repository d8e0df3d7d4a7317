"""The built-in schedule: ``serve --fetch-every 4h`` fetches the official lists, loads what
changed, re-screens the stored parties and lets the webhooks know, with no cron job.

Several ``serve`` processes (workers, hosts) share one database: exactly one of them is the
**leader** at a time, by a lease row in ``notify_schedule`` (taken with an ``UPDATE ... WHERE
lease expired or mine``, the database's row lock deciding between racers, renewed on every
tick). Only the leader runs a cycle, and only when ``last_run + every`` has passed, so a
restart does not fetch again early and a leader that dies is replaced once its lease expires.
"""

from __future__ import annotations

import logging
import os
import re
import socket
import threading
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any

import sqlalchemy as sa

from circumspect.errors import InputError

if TYPE_CHECKING:
    from circumspect.services.fetching import FetchCycleReport

NAME = "fetch"
_DURATION = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*([smhd])\s*$", re.IGNORECASE)
_UNITS = {"s": 1, "m": 60, "h": 3600, "d": 86400}
log = logging.getLogger("circumspect.schedule")


def parse_every(text: str) -> float:
    """``90s``, ``30m``, ``4h``, ``1d`` -> seconds (at least 60 s)."""
    match = _DURATION.match(text)
    if not match:
        raise InputError(
            f"--fetch-every {text!r}: use a number and a unit s, m, h or d, e.g. 4h",
            field="fetch_every",
        )
    seconds = float(match.group(1)) * _UNITS[match.group(2).lower()]
    if seconds < 60:
        raise InputError("--fetch-every must be at least 60 s", field="fetch_every")
    return seconds


def _aware(value: Any) -> datetime | None:
    if value is None:
        return None
    stamp: datetime = datetime.fromisoformat(value) if isinstance(value, str) else value
    return stamp if stamp.tzinfo is not None else stamp.replace(tzinfo=UTC)


class Scheduler:
    """One process's view of the schedule; :meth:`tick` is called periodically."""

    def __init__(
        self, url: str, every: float, *, holder: str | None = None, lease: float | None = None
    ) -> None:
        from circumspect.db import make_engines
        from circumspect.notify import ensure_tables

        self.url = url
        self.every = every
        self.holder = holder or f"{socket.gethostname()}:{os.getpid()}:{id(self):x}"
        self.lease = lease if lease is not None else max(30.0, min(300.0, every / 4))
        self.engines = make_engines(url)
        ensure_tables(self.engines.write)

    def close(self) -> None:
        self.engines.dispose()

    def acquire(self) -> bool:
        """Take or renew the leader lease; True when this process is the leader."""
        from circumspect.notify import now, schedule

        stamp = now()
        until = stamp + timedelta(seconds=self.lease)
        with self.engines.write.begin() as conn:
            row = conn.execute(sa.select(schedule).where(schedule.c.name == NAME)).first()
            if row is None:
                try:
                    with conn.begin_nested():
                        conn.execute(
                            schedule.insert().values(
                                name=NAME, holder=self.holder, lease_until=until
                            )
                        )
                except sa.exc.IntegrityError:
                    return False  # another process created the row first: it leads
                return True
            expired = (_aware(row.lease_until) or stamp) <= stamp
            if row.holder != self.holder and not expired:
                return False
            won = conn.execute(
                schedule.update()
                .where(schedule.c.name == NAME)
                .where(sa.or_(schedule.c.holder == row.holder, schedule.c.holder.is_(None)))
                .where(schedule.c.lease_until == row.lease_until)
                .values(holder=self.holder, lease_until=until)
            )
            return won.rowcount == 1

    def release(self) -> None:
        from circumspect.notify import schedule

        with self.engines.write.begin() as conn:
            conn.execute(
                schedule.update()
                .where(schedule.c.name == NAME)
                .where(schedule.c.holder == self.holder)
                .values(holder=None, lease_until=None)
            )

    def due(self) -> bool:
        from circumspect.notify import now, schedule

        with self.engines.read.connect() as conn:
            last = conn.execute(
                sa.select(schedule.c.last_run).where(schedule.c.name == NAME)
            ).scalar()
        last_run = _aware(last)
        return last_run is None or last_run + timedelta(seconds=self.every) <= now()

    def _mark_run(self) -> None:
        from circumspect.notify import now, schedule

        with self.engines.write.begin() as conn:
            conn.execute(
                schedule.update()
                .where(schedule.c.name == NAME)
                .where(schedule.c.holder == self.holder)
                .values(last_run=now())
            )

    def tick(self) -> FetchCycleReport | None:
        """Renew leadership; as leader, run a cycle when one is due. Returns what the cycle
        did (None when this process is not the leader or nothing was due)."""
        if not self.acquire() or not self.due():
            return None
        return self.run_cycle()

    def run_cycle(self) -> FetchCycleReport:
        from circumspect.services.fetching import fetch_and_load
        from circumspect.store import open_store

        store = open_store(self.url)
        try:
            report = fetch_and_load(store, None, actor="schedule", case_db=self.url, rescreen=True)
        finally:
            store.close()
        self._mark_run()
        for line in report.lines:
            log.warning("scheduled fetch: %s", line)
        return report


class SchedulerThread:
    """``serve``'s schedule: a tick every ``tick`` seconds until stopped."""

    def __init__(self, url: str, every: float, tick: float | None = None) -> None:
        self.scheduler_args = (url, every)
        self.tick_seconds = tick if tick is not None else min(30.0, every / 10)
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="circumspect-schedule", daemon=True)

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        self._thread.join(timeout=30)

    def _run(self) -> None:
        scheduler = Scheduler(*self.scheduler_args)
        try:
            while not self._stop.is_set():
                try:
                    scheduler.tick()
                except Exception:  # the next tick tries again
                    log.exception("scheduled fetch failed")
                self._stop.wait(self.tick_seconds)
            scheduler.release()
        finally:
            scheduler.close()
