"""The hash-chained audit log of the case store: append, verify, read."""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from sqlalchemy import Connection, select
from sqlalchemy.orm import Session

from circumspect.cases import rowhash
from circumspect.cases.common import (
    _AUDIT_INSERT,
    _HEAD,
    _HEAD_FOR_UPDATE,
    _HEAD_UPDATE,
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
        pg = conn.dialect.name == "postgresql"
        row = conn.execute(_HEAD_FOR_UPDATE if pg else _HEAD).one()
        seq = int(row.seq) + 1
        at = now().isoformat()
        body = canonical(dict(data))
        digest = _record_hash(seq, at, actor, action, obj, body, row.hash)
        conn.execute(
            _AUDIT_INSERT,
            {
                "seq": seq,
                "at": at,
                "actor": actor,
                "action": action,
                "object": obj,
                "data": body,
                "prev": row.hash,
                "hash": digest,
            },
        )
        conn.execute(_HEAD_UPDATE, {"seq": seq, "hash": digest})
        event = _notify_events().get(action)
        if event is not None:
            from circumspect import notify

            case_id = obj.split(":", 1)[1] if obj.startswith("case:") else None
            payload = {"case_id": int(case_id) if case_id and case_id.isdigit() else None}
            notify.emit(conn, event, payload | dict(data) | {"actor": actor, "audit_seq": seq})
        return seq

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

    def audit(self, actor: str, action: str, obj: str, data: Mapping[str, Any]) -> int:
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
    ) -> list[dict[str, Any]]:
        stmt = select(AuditRecord).order_by(AuditRecord.seq.desc())
        if obj:
            stmt = stmt.where(AuditRecord.object == obj)
        with self._read.begin() as session:
            rows = session.execute(stmt.limit(limit).offset(offset)).scalars().all()
            return [
                {
                    "seq": r.seq,
                    "at": r.at,
                    "actor": r.actor,
                    "action": r.action,
                    "object": r.object,
                    "data": json.loads(r.data),
                    "hash": r.hash,
                }
                for r in rows
            ]
