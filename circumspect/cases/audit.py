"""The hash-chained audit log of the case store: append, verify, read."""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, select
from sqlalchemy.orm import Session

from circumspect.cases import rowhash
from circumspect.cases.common import (
    _AUDIT_INSERT,
    _HEAD,
    _HEAD_FOR_UPDATE,
    _HEAD_UPDATE,
    _PARTY_UPSERT,
    GENESIS,
    ServiceBase,
    VerifyResult,
    _notify_events,
    _record_hash,
    canonical,
    now,
)
from circumspect.cases.models import (
    AuditHead,
    AuditRecord,
)
from circumspect.cases.types import AuditRecordView, JsonValue


@dataclass(frozen=True, slots=True)
class AuditEntry:
    """One audit record to append: who did what to which object, with its data."""

    actor: str
    action: str
    obj: str
    data: Mapping[str, JsonValue]


@dataclass(frozen=True, slots=True)
class PartyRow:
    """A screened party remembered in ``case_parties`` (upserted: ``last_screened`` moves)."""

    query_key: str
    query: Mapping[str, JsonValue]
    seen: datetime

    def params(self) -> dict[str, object]:
        return {
            "query_key": self.query_key,
            "query": dict(self.query),
            "first_seen": self.seen,
            "last_screened": self.seen,
        }


@dataclass(frozen=True, slots=True)
class ScreeningWrite:
    """What one screening request writes: its parties and its ``screen`` audit record."""

    parties: Sequence[PartyRow]
    entry: AuditEntry


class AuditLog(ServiceBase):
    """The hash-chained audit log of the case store: append, verify, read."""

    # -- audit -------------------------------------------------------------------------
    def _audit(
        self,
        session: Session | Connection,
        actor: str,
        action: str,
        obj: str,
        data: Mapping[str, Any],
    ) -> int:
        """Append one record in the caller's transaction (head row locked); returns its seq.

        With an ORM session, the covered rows changed in it so far (``rowhash``) are flushed
        and recorded in this record's ``rows``.
        """
        if isinstance(session, Session):
            rows = {**data.get("rows", {}), **rowhash.take(session)}
            if rows:
                data = {**data, "rows": rows}
        conn = session.connection() if isinstance(session, Session) else session
        return self._append(conn, [AuditEntry(actor, action, obj, data)])[0]

    def _append(self, conn: Connection, entries: Sequence[AuditEntry]) -> list[int]:
        """Append records in order in the caller's transaction: the head row is read once
        (locked: ``FOR UPDATE`` on PostgreSQL, the SQLite writer's ``BEGIN IMMEDIATE``),
        each record links to the one before it exactly as when appended one by one, and the
        head is updated once. Returns their seqs."""
        pg = conn.dialect.name == "postgresql"
        row = conn.execute(_HEAD_FOR_UPDATE if pg else _HEAD).one()
        seq, prev = int(row.seq), str(row.hash)
        params: list[dict[str, object]] = []
        seqs: list[int] = []
        for entry in entries:
            seq += 1
            at = now().isoformat()
            body = canonical(dict(entry.data))
            digest = _record_hash(seq, at, entry.actor, entry.action, entry.obj, body, prev)
            params.append(
                {
                    "seq": seq,
                    "at": at,
                    "actor": entry.actor,
                    "action": entry.action,
                    "object": entry.obj,
                    "data": body,
                    "prev": prev,
                    "hash": digest,
                }
            )
            seqs.append(seq)
            prev = digest
        if not params:
            return seqs
        conn.execute(_AUDIT_INSERT, params if len(params) > 1 else params[0])
        conn.execute(_HEAD_UPDATE, {"seq": seq, "hash": prev})
        events = _notify_events()
        for entry, entry_seq in zip(entries, seqs, strict=True):
            event = events.get(entry.action)
            if event is None:
                continue
            from circumspect import notify

            obj = entry.obj
            case_id = obj.split(":", 1)[1] if obj.startswith("case:") else None
            payload = {"case_id": int(case_id) if case_id and case_id.isdigit() else None}
            notify.emit(
                conn,
                event,
                payload | dict(entry.data) | {"actor": entry.actor, "audit_seq": entry_seq},
            )
        return seqs

    def _write_screenings(self, items: Sequence[ScreeningWrite]) -> list[int]:
        """One group of :class:`GroupCommit`: the parties and the audit record of several
        screening requests in ONE transaction (records in submission order)."""
        rows = sorted((r for item in items for r in item.parties), key=lambda r: r.query_key)
        with self.engines.write.begin() as conn:
            if rows:
                conn.execute(_PARTY_UPSERT, [r.params() for r in rows])
            return self._append(conn, [item.entry for item in items])

    def _audit_rows(self, session: Session, rows: dict[str, str | None]) -> None:
        """The catch-all record for covered-row changes no other record took."""
        self._audit(session, "system", "rows.change", "rows", {"rows": rows})

    def _cover_existing_rows(self) -> None:
        """Once, when a database from before row coverage is upgraded: record the hashes of
        the rows it holds, so that later direct edits of them are detected."""
        with self._write.begin() as session:
            rows = {
                rowhash.row_key(obj): rowhash.row_hash(obj)
                for model in rowhash.COVERED
                for obj in session.execute(select(model)).scalars()
            }
            if rows:
                self._audit(session, "system", "audit.cover", "rows", {"rows": rows})

    def audit(self, actor: str, action: str, obj: str, data: Mapping[str, JsonValue]) -> int:
        """Append one audit record on its own; returns its sequence number."""
        with self._write.begin() as session:
            return self._audit(session, actor, action, obj, data)

    def verify_audit(self) -> VerifyResult:
        """Walk the chain: sequence without gaps, each record's hash and link, and the head."""
        records = 0
        prev = GENESIS
        expected = 1
        audited: list[tuple[int, str]] = []
        with self._read.begin() as session:
            head = session.execute(select(AuditHead).where(AuditHead.id == 1)).scalar_one()
            rows = session.execute(select(AuditRecord).order_by(AuditRecord.seq)).scalars()
            for rec in rows:
                if rec.seq != expected:
                    return VerifyResult(False, records, expected, f"record {expected} missing")
                if rec.prev_hash != prev:
                    return VerifyResult(False, records, rec.seq, "link to previous record broken")
                digest = _record_hash(
                    rec.seq, rec.at, rec.actor, rec.action, rec.object, rec.data, rec.prev_hash
                )
                if digest != rec.hash:
                    return VerifyResult(False, records, rec.seq, "record content changed")
                prev = rec.hash
                records += 1
                expected += 1
                audited.append((rec.seq, rec.data))
            if head.seq != records or head.hash != prev:
                return VerifyResult(
                    False,
                    records,
                    records + 1 if head.seq > records else head.seq,
                    "chain head does not match the last record (records deleted at the end?)",
                )
            latest = rowhash.latest_hashes(audited)
            found = rowhash.check_rows(session, latest)
            if found is not None:
                key, problem = found
                seq = latest[key][1] if key in latest else None
                return VerifyResult(False, records, seq, problem, row=key)
        return VerifyResult(True, records, None)

    def audit_records(
        self, *, limit: int = 50, offset: int = 0, obj: str | None = None
    ) -> list[AuditRecordView]:
        stmt = select(AuditRecord).order_by(AuditRecord.seq.desc())
        if obj:
            stmt = stmt.where(AuditRecord.object == obj)
        with self._read.begin() as session:
            rows = session.execute(stmt.limit(limit).offset(offset)).scalars().all()
            return [
                AuditRecordView(
                    r.seq, r.at, r.actor, r.action, r.object, json.loads(r.data), r.hash
                )
                for r in rows
            ]
