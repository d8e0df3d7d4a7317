"""The audit chain covers the rows that decide an outcome (issue 13).

Cases, decisions, suppressions and users (with their API-key hashes) are *covered tables*.
Every change to a covered row made through the case service is recorded, with the sha256 of
the row's content, in an audit record of the same transaction (``data["rows"]``:
``{"case_decisions:3": "<hash>"}``, ``null`` for a deleted row). Session events collect the
changes automatically, so no write path can forget them: ``CaseService._audit`` puts the
changes flushed so far into its record, and a transaction that changed covered rows without
writing an audit record gets one (``rows.change``) before it commits.

``audit verify`` replays the chain to the last recorded hash of every row and compares it with
the table: a row edited, inserted or deleted directly in the database (SQL, a restored backup)
breaks verification, naming the row (``case_decisions:3``).
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Iterable, Mapping
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import event, inspect, select
from sqlalchemy.orm import Session, sessionmaker

from circumspect.cases.models import Base, Case, DecisionRecord, Suppression, User

#: The tables whose rows decide an outcome, and their models.
COVERED: tuple[type[Base], ...] = (Case, DecisionRecord, Suppression, User)

_PENDING = "circumspect.rows"

#: Case-store revisions from before row coverage: a database upgraded from one of them gets
#: one ``audit.cover`` record with the hashes of the rows it already holds.
PRE_COVERAGE = frozenset({"c0001"})


def _plain(value: Any) -> Any:
    if isinstance(value, datetime):
        value = value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)
        return value.isoformat()
    return value


def row_key(obj: object) -> str:
    """``table:primary key`` of a covered row."""
    mapper = inspect(obj).mapper
    ident = ",".join(str(getattr(obj, c.key)) for c in mapper.primary_key)
    return f"{mapper.local_table.name}:{ident}"


def row_hash(obj: object) -> str:
    """sha256 over every column of the row (canonical JSON, datetimes in UTC)."""
    mapper = inspect(obj).mapper
    values = {
        col.name: _plain(getattr(obj, prop.key))
        for prop in mapper.column_attrs
        for col in prop.columns
    }
    text = json.dumps(
        values, sort_keys=True, separators=(",", ":"), ensure_ascii=False, default=str
    )
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def pending(session: Session) -> dict[str, str | None]:
    """Covered-row changes flushed in this transaction and not yet in an audit record."""
    rows: dict[str, str | None] = session.info.setdefault(_PENDING, {})
    return rows


def take(session: Session) -> dict[str, str | None]:
    """The pending changes (after a flush), cleared: they go into the next audit record."""
    session.flush()
    rows = dict(pending(session))
    pending(session).clear()
    return rows


def install(
    factory: sessionmaker[Session], append: Callable[[Session, dict[str, str | None]], object]
) -> None:
    """Track covered rows in sessions of ``factory``; ``append(session, rows)`` writes the
    catch-all audit record for changes no record took."""

    @event.listens_for(factory, "after_flush")
    def _collect(session: Session, _context: Any) -> None:
        rows = pending(session)
        for obj in list(session.new) + list(session.dirty):
            if isinstance(obj, COVERED) and (obj in session.new or session.is_modified(obj)):
                rows[row_key(obj)] = row_hash(obj)
        for obj in session.deleted:
            if isinstance(obj, COVERED):
                rows[row_key(obj)] = None

    @event.listens_for(factory, "before_commit")
    def _close(session: Session) -> None:
        session.flush()
        rows = pending(session)
        if rows:
            left = dict(rows)
            rows.clear()
            append(session, left)

    @event.listens_for(factory, "after_rollback")
    def _forget(session: Session) -> None:
        pending(session).clear()


def latest_hashes(records: Iterable[tuple[int, str]]) -> dict[str, tuple[str | None, int]]:
    """Row key -> (last recorded hash, audit seq) from (seq, data JSON) pairs in order."""
    out: dict[str, tuple[str | None, int]] = {}
    for seq, data in records:
        if '"rows"' not in data:
            continue
        rows = json.loads(data).get("rows")
        if isinstance(rows, Mapping):
            for key, digest in rows.items():
                out[str(key)] = (digest if digest is None else str(digest), seq)
    return out


def check_rows(
    session: Session, audited: Mapping[str, tuple[str | None, int]]
) -> tuple[str, str] | None:
    """The first covered row that disagrees with the chain, as (row key, message); None when
    every row agrees."""
    seen: set[str] = set()
    for model in COVERED:
        pk = inspect(model).primary_key
        for obj in session.execute(select(model).order_by(*pk)).scalars():
            key = row_key(obj)
            seen.add(key)
            recorded = audited.get(key)
            if recorded is None:
                return key, f"row {key} is not in the audit chain (inserted outside circumspect)"
            digest, seq = recorded
            if digest is None:
                return key, f"row {key} was deleted in audit record {seq} but is present again"
            if digest != row_hash(obj):
                return key, (
                    f"row {key} was changed outside circumspect (its content differs from "
                    f"audit record {seq})"
                )
    for key, (digest, seq) in audited.items():
        if digest is not None and key not in seen:
            return key, (
                f"row {key} was deleted outside circumspect (last recorded in audit record {seq})"
            )
    return None
