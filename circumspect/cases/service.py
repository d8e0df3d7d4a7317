"""The case store: users and API keys, cases and decisions, suppression of reviewed false
positives, re-screening after a new list version, and the hash-chained audit log.

Every change and its audit record are written in one transaction, so the audit chain and the
data it describes can never disagree, even after ``kill -9``.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import secrets
import time
import unicodedata
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any, ClassVar, Literal

from sqlalchemy import JSON, Connection, DateTime, bindparam, func, or_, select, text
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, sessionmaker

from circumspect.cases import rowhash
from circumspect.cases.db import current_revision, migrate
from circumspect.cases.models import (
    AuditHead,
    AuditRecord,
    Case,
    DecisionRecord,
    Party,
    Suppression,
    User,
)
from circumspect.db import DbEngines, make_engines
from circumspect.errors import AuthError, InputError, NotFoundError
from circumspect.matching import Screener

if TYPE_CHECKING:
    from circumspect.model.entities import ListedEntity
    from circumspect.model.screening import Candidate, PartyScreener
    from circumspect.store.base import Store

ROLES: tuple[str, ...] = ("viewer", "analyst", "admin")
ROLE_RANK = {role: rank for rank, role in enumerate(ROLES)}
DECISIONS: tuple[str, ...] = ("true_match", "false_positive", "escalate")
KINDS: tuple[str, ...] = ("party", "declaration", "payment")
STATUSES: tuple[str, ...] = ("open", "escalated", "closed")
GENESIS = "0" * 64
KEY_PREFIX = "csk_"


# Hot-path statements, compiled once (screening audits every request).
_HEAD = text("SELECT seq, hash FROM case_audit_head WHERE id = 1")
_HEAD_FOR_UPDATE = text("SELECT seq, hash FROM case_audit_head WHERE id = 1 FOR UPDATE")
_AUDIT_INSERT = text(
    "INSERT INTO case_audit (seq, at, actor, action, object, data, prev_hash, hash) "
    "VALUES (:seq, :at, :actor, :action, :object, :data, :prev, :hash)"
)
_HEAD_UPDATE = text("UPDATE case_audit_head SET seq = :seq, hash = :hash WHERE id = 1")
_PARTY_UPSERT = text(
    "INSERT INTO case_parties (query_key, query, first_seen, last_screened) "
    "VALUES (:query_key, :query, :first_seen, :last_screened) "
    "ON CONFLICT (query_key) DO UPDATE SET last_screened = excluded.last_screened"
).bindparams(
    bindparam("query", type_=JSON),
    bindparam("first_seen", type_=DateTime(timezone=True)),
    bindparam("last_screened", type_=DateTime(timezone=True)),
)


class CaseStateError(InputError):
    """The case is not in a state that allows the requested change (HTTP 409)."""

    status: ClassVar[int] = 409


def canonical(value: Any) -> str:
    """Canonical JSON (sorted keys, no spaces, UTF-8 kept) used for hashing."""
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False, default=str)


def sha256(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def hash_key(key: str) -> str:
    """How API keys are stored: sha256 (keys are 256-bit random, so no slow KDF is needed)."""
    return sha256(key)


def entity_hash(entity: ListedEntity) -> str:
    """Hash of an entity's list record (its sorted properties and sanctions)."""
    return sha256(canonical(entity.fingerprint()))


def _norm(text: str | None) -> str | None:
    if text is None:
        return None
    text = " ".join(unicodedata.normalize("NFKC", text).casefold().split())
    return text or None


def query_key(query: Mapping[str, Any]) -> str:
    """Identity of a query for suppression: normalised name, schema, country, date, id."""
    fields = {
        "name": _norm(str(query.get("name") or "")),
        "schema": query.get("schema") or "LegalEntity",
        "country": _norm(query.get("country")),
        "birth_date": query.get("birth_date") or None,
        "identifier": _norm(query.get("identifier")),
    }
    extra = {k: v for k, v in query.items() if k not in fields and k not in ("query_id", "id")}
    if extra:
        fields["extra"] = extra
    return sha256(canonical(fields))


def now() -> datetime:
    return datetime.now(UTC)


def iso(value: datetime | None) -> str | None:
    if value is None:
        return None
    if value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    return value.isoformat()


def candidate_dict(candidate: Candidate | Mapping[str, Any]) -> dict[str, Any]:
    if dataclasses.is_dataclass(candidate) and not isinstance(candidate, type):
        return dataclasses.asdict(candidate)
    return dict(candidate)


def candidate_key(candidate: Mapping[str, Any], index: int) -> str:
    for name in ("entity_id", "id", "rule", "flag"):
        value = candidate.get(name)
        if value:
            return str(value)
    return f"#{index}"


def case_priority(candidates: Iterable[Mapping[str, Any]]) -> str:
    """``high`` when a hit's name was disguised (its ``disguise`` feature: invisible
    characters, letters of two scripts in one word), else ``normal``: a party that hides
    its spelling is reviewed first."""
    for cand in candidates:
        for feature in cand.get("features") or ():
            if isinstance(feature, Mapping) and feature.get("feature") == "disguise":
                return "high"
    return "normal"


@dataclass(frozen=True, slots=True)
class UserInfo:
    id: int
    name: str
    role: str

    def can(self, role: str) -> bool:
        return ROLE_RANK[self.role] >= ROLE_RANK[role]


#: What ``open_case`` did with an alert.
CaseOutcomeStatus = Literal["opened", "existing", "reopened", "suppressed", "none"]


@dataclass(slots=True)
class CaseOutcome:
    """What ``open_case`` did: opened, found an existing case, reopened, or suppressed."""

    status: CaseOutcomeStatus
    case_id: int | None
    suppressed: list[str] = field(default_factory=list)
    reopened: list[int] = field(default_factory=list)


@dataclass(slots=True)
class CaseSpec:
    """One alert of a batch for ``CaseService.open_cases``."""

    kind: str
    query: Mapping[str, Any]
    candidates: Sequence[Any]
    summary: str = ""
    idem_key: str | None = None
    entity_hashes: Mapping[str, str] | None = None


@dataclass(slots=True)
class VerifyResult:
    ok: bool
    records: int
    first_bad: int | None
    problem: str | None = None
    #: the covered row (``table:id``) that disagrees with the chain, when that is the problem
    row: str | None = None

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {"ok": self.ok, "records": self.records, "first_bad": self.first_bad}
        if self.row is not None:
            out |= {"problem": self.problem, "row": self.row}
        return out


@dataclass(slots=True)
class RescreenReport:
    sources: list[str]
    changed_entities: int
    removed_entities: int
    parties: int
    hits: int
    opened: int
    reopened: int
    suppressed: int
    seconds: float

    def to_dict(self) -> dict[str, Any]:
        return dataclasses.asdict(self)


def _record_hash(seq: int, at: str, actor: str, action: str, obj: str, data: str, prev: str) -> str:
    return sha256(
        canonical(
            {
                "seq": seq,
                "at": at,
                "actor": actor,
                "action": action,
                "object": obj,
                "data": data,
                "prev": prev,
            }
        )
    )


def _notify_events() -> dict[str, str]:
    from circumspect.notify import AUDIT_EVENTS

    return AUDIT_EVENTS


class CaseService:
    """All case-store operations over one database URL."""

    def __init__(self, url: str, *, migrate_schema: bool = True) -> None:
        self.url = url
        self.engines: DbEngines = make_engines(url)
        before = current_revision(self.engines.write) if migrate_schema else None
        if migrate_schema:
            migrate(self.engines.write)
            from circumspect import notify

            notify.ensure_tables(self.engines.write)
        self._write = sessionmaker(self.engines.write, expire_on_commit=False)
        self._read = sessionmaker(self.engines.read, expire_on_commit=False)
        rowhash.install(self._write, self._audit_rows)
        if before in rowhash.PRE_COVERAGE:
            self._cover_existing_rows()
        #: entity id -> current record hash (None when unknown); set by the API from the store.
        self.entity_hash_lookup: Callable[[str], str | None] | None = None

    def close(self) -> None:
        self.engines.dispose()

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

    # -- users -------------------------------------------------------------------------
    def add_user(self, name: str, role: str, *, actor: str = "cli") -> tuple[UserInfo, str]:
        """Create a user; returns the user and the API key (shown once, stored hashed)."""
        name = name.strip()
        if not name or len(name) > 200:
            raise InputError("user name must be 1-200 characters", field="name")
        if role not in ROLES:
            raise InputError(f"role must be one of {', '.join(ROLES)}", field="role")
        key = KEY_PREFIX + secrets.token_urlsafe(32)
        try:
            with self._write.begin() as session:
                if session.execute(select(User).where(User.name == name)).scalar_one_or_none():
                    raise CaseStateError(f"user {name!r} already exists", field="name")
                user = User(
                    name=name,
                    role=role,
                    key_hash=hash_key(key),
                    key_prefix=key[:10],
                    active=True,
                    created_at=now(),
                )
                session.add(user)
                session.flush()
                self._audit(session, actor, "user.add", f"user:{name}", {"role": role})
                info = UserInfo(user.id, user.name, user.role)
        except IntegrityError as exc:
            raise CaseStateError(f"user {name!r} already exists", field="name") from exc
        return info, key

    def rotate_key(self, name: str, *, actor: str = "cli") -> str:
        key = KEY_PREFIX + secrets.token_urlsafe(32)
        with self._write.begin() as session:
            user = session.execute(select(User).where(User.name == name)).scalar_one_or_none()
            if user is None:
                raise NotFoundError(f"no user {name!r}", field="name")
            user.key_hash = hash_key(key)
            user.key_prefix = key[:10]
            self._audit(session, actor, "user.rotate_key", f"user:{name}", {})
        return key

    def set_active(self, name: str, active: bool, *, actor: str = "cli") -> None:
        with self._write.begin() as session:
            user = session.execute(select(User).where(User.name == name)).scalar_one_or_none()
            if user is None:
                raise NotFoundError(f"no user {name!r}", field="name")
            user.active = active
            action = "user.enable" if active else "user.disable"
            self._audit(session, actor, action, f"user:{name}", {})

    def users(self) -> list[dict[str, Any]]:
        with self._read.begin() as session:
            rows = session.execute(select(User).order_by(User.name)).scalars().all()
            return [
                {
                    "name": u.name,
                    "role": u.role,
                    "active": u.active,
                    "key_prefix": u.key_prefix,
                    "created_at": iso(u.created_at),
                }
                for u in rows
            ]

    def session_user(self, user_id: int, key_hash: str) -> UserInfo | None:
        """The active user with this id whose key hash still matches (web sessions)."""
        with self._read.begin() as session:
            user = session.get(User, user_id)
            if user is None or not user.active or user.key_hash != key_hash:
                return None
            return UserInfo(user.id, user.name, user.role)

    def user_by_key_prefix(self, key: str) -> str | None:
        """The user whose key starts like ``key`` (its shown prefix), for rate limiting a
        targeted guess per user name; None when no user's key starts so."""
        if not key.startswith(KEY_PREFIX) or len(key) < 10 or len(key) > 200:
            return None
        with self._read.begin() as session:
            names = (
                session.execute(select(User.name).where(User.key_prefix == key[:10]))
                .scalars()
                .all()
            )
        return names[0] if len(names) == 1 else None

    def authenticate(self, key: str) -> UserInfo:
        """The active user holding this API key, else ``AuthError``."""
        if not key or not key.startswith(KEY_PREFIX) or len(key) > 200:
            raise AuthError("invalid API key")
        with self._read.begin() as session:
            user = session.execute(
                select(User).where(User.key_hash == hash_key(key))
            ).scalar_one_or_none()
            if user is None or not user.active:
                raise AuthError("invalid API key")
            return UserInfo(user.id, user.name, user.role)

    # -- parties -----------------------------------------------------------------------
    def record_screening(
        self,
        actor: str,
        queries: Sequence[Mapping[str, Any]],
        results: Sequence[Sequence[Candidate | Mapping[str, Any]]],
        snapshot_ids: Mapping[str, str],
        *,
        open_cases: bool = True,
        idem_keys: Sequence[str | None] | None = None,
    ) -> list[CaseOutcome]:
        """Remember screened parties, audit the screening, open cases for alerts.

        One transaction for the audit record and the parties; one per opened case (each with
        its own audit record), so a crash loses no acknowledged case and a retry with the same
        idempotency keys creates none twice.
        """
        keys = [query_key(q) for q in queries]
        scoped = self._scoped_keys(actor, idem_keys, keys)
        alerts = 0
        outcomes: list[CaseOutcome] = []
        for cands in results:
            alerts += sum(1 for c in cands if candidate_dict(c).get("alert"))
        stamp = now()
        rows = {}
        for query, key in zip(queries, keys, strict=True):
            rows[key] = {
                "query_key": key,
                "first_seen": stamp,
                "last_screened": stamp,
                "query": {
                    k: v for k, v in query.items() if k not in ("query_id", "idempotency_key")
                },
            }
        with self.engines.write.begin() as conn:
            conn.execute(_PARTY_UPSERT, list(rows.values()))
            self._audit(
                conn,
                actor,
                "screen",
                "screening",
                {
                    "queries": len(queries),
                    "query_keys": keys[:1000],
                    "alerts": alerts,
                    "snapshots": dict(snapshot_ids),
                },
            )
        if not open_cases:
            return [CaseOutcome("none", None) for _ in queries]
        specs = []
        for i, (query, cands) in enumerate(zip(queries, results, strict=True)):
            alerting = [c for c in map(candidate_dict, cands) if c.get("alert")]
            specs.append(CaseSpec("party", query, alerting, idem_key=scoped[i]))
        outcomes.extend(self.open_cases(specs, snapshot_ids=snapshot_ids, actor=actor))
        return outcomes

    def _scoped_keys(
        self, actor: str, idem_keys: Sequence[str | None] | None, query_keys: Sequence[str]
    ) -> list[str | None]:
        """Per-party idempotency keys scoped to the user, checked before anything is written:
        a key that already names a case of another query is refused (409), never answered."""
        from circumspect.cases.idempotency import conflict, scoped_key

        given = list(idem_keys) if idem_keys else [None] * len(query_keys)
        scoped = [scoped_key(actor, k) if k else None for k in given]
        wanted = {k: q for k, q in zip(scoped, query_keys, strict=True) if k is not None}
        if len(wanted) < sum(1 for k in scoped if k is not None):
            raise conflict("for two parties of this request")
        if wanted:
            with self._read.begin() as session:
                rows = session.execute(
                    select(Case.idem_key, Case.query_key).where(Case.idem_key.in_(list(wanted)))
                ).all()
            for idem, qkey in rows:
                if qkey != wanted[str(idem)]:
                    index = scoped.index(idem)
                    raise conflict(f"for another party (item {index})")
        return scoped

    # -- cases -------------------------------------------------------------------------
    def _hashes_for(self, keys: Iterable[str], given: Mapping[str, str] | None) -> dict[str, str]:
        out: dict[str, str] = {}
        for key in keys:
            value = (given or {}).get(key)
            if value is None and self.entity_hash_lookup is not None:
                value = self.entity_hash_lookup(key)
            out[key] = value or ""
        return out

    def open_case(
        self,
        kind: str,
        query: Mapping[str, Any],
        candidates: Sequence[Candidate | Mapping[str, Any]],
        *,
        snapshot_ids: Mapping[str, str] | None = None,
        actor: str = "system",
        summary: str = "",
        idem_key: str | None = None,
        entity_hashes: Mapping[str, str] | None = None,
    ) -> CaseOutcome:
        """Open (or find, reopen, suppress) the case for an alert.

        ``candidates`` are the alerting candidates (screening ``Candidate`` objects or dicts;
        declaration and payment flags are dicts with an ``id`` or ``rule``). A candidate whose
        (query, entity) pair was reviewed as a false positive stays suppressed while the
        entity's list record hash is unchanged; a changed record reopens that case.
        """
        if kind not in KINDS:
            raise InputError(f"kind must be one of {', '.join(KINDS)}", field="kind")
        cands = [candidate_dict(c) for c in candidates]
        if not cands:
            return CaseOutcome("none", None)
        qkey = query_key(query)
        keys = [candidate_key(c, i) for i, c in enumerate(cands)]
        hashes = self._hashes_for(keys, entity_hashes)
        snaps = dict(snapshot_ids or {})
        try:
            return self._open_case_tx(
                kind, dict(query), cands, keys, hashes, qkey, snaps, actor, summary, idem_key
            )
        except IntegrityError:
            # A concurrent request with the same idempotency key won the race.
            if idem_key is None:
                raise
            with self._read.begin() as session:
                row = session.execute(
                    select(Case.id, Case.query_key).where(Case.idem_key == idem_key)
                ).one()
            return self._existing_by_key(int(row.id), str(row.query_key), qkey)

    def open_cases(
        self,
        specs: Sequence[CaseSpec],
        *,
        snapshot_ids: Mapping[str, str] | None = None,
        actor: str = "system",
        max_cases: int | None = None,
    ) -> list[CaseOutcome]:
        """Open the cases of one request together: all in ONE transaction (every case and
        its audit record commit together, or none), at most ``max_cases`` alerting items
        (``LimitError``, HTTP 413, before anything is written; default
        ``CIRCUMSPECT_BATCH_MAX_CASES``). A spec without candidates gives ``none``."""
        from circumspect import settings
        from circumspect.errors import LimitError

        limit = settings.get_int("CIRCUMSPECT_BATCH_MAX_CASES") if max_cases is None else max_cases
        alerting = sum(1 for spec in specs if spec.candidates)
        if alerting > limit:
            raise LimitError(
                f"this request would open up to {alerting:,} cases, more than the limit of "
                f"{limit:,} per request (CIRCUMSPECT_BATCH_MAX_CASES); nothing was opened, "
                "split the request"
            )
        snaps = dict(snapshot_ids or {})
        prepared: list[tuple[Any, ...] | None] = []
        for spec in specs:
            if spec.kind not in KINDS:
                raise InputError(f"kind must be one of {', '.join(KINDS)}", field="kind")
            cands = [candidate_dict(c) for c in spec.candidates]
            if not cands:
                prepared.append(None)
                continue
            keys = [candidate_key(c, i) for i, c in enumerate(cands)]
            hashes = self._hashes_for(keys, spec.entity_hashes)
            prepared.append(
                (
                    spec.kind,
                    dict(spec.query),
                    cands,
                    keys,
                    hashes,
                    query_key(spec.query),
                    snaps,
                    actor,
                    spec.summary,
                    spec.idem_key,
                )
            )
        try:
            with self._write.begin() as session:
                return [
                    CaseOutcome("none", None)
                    if args is None
                    else self._open_case_in(session, *args)
                    for args in prepared
                ]
        except IntegrityError:
            # A concurrent request with the same idempotency keys committed first: nothing of
            # this transaction was written; resolve each item on its own against that one.
            return [
                CaseOutcome("none", None)
                if args is None
                else self.open_case(
                    spec.kind,
                    spec.query,
                    spec.candidates,
                    snapshot_ids=snaps,
                    actor=actor,
                    summary=spec.summary,
                    idem_key=spec.idem_key,
                    entity_hashes=spec.entity_hashes,
                )
                for spec, args in zip(specs, prepared, strict=True)
            ]

    @staticmethod
    def _existing_by_key(case_id: int, case_query: str, qkey: str) -> CaseOutcome:
        """The case an idempotency key names, only when it is the case of this very query."""
        if case_query != qkey:
            from circumspect.cases.idempotency import conflict

            raise conflict(f"for case {case_id} of another query")
        return CaseOutcome("existing", case_id)

    def _open_case_tx(
        self,
        kind: str,
        query: dict[str, Any],
        cands: list[dict[str, Any]],
        keys: list[str],
        hashes: dict[str, str],
        qkey: str,
        snaps: dict[str, str],
        actor: str,
        summary: str,
        idem_key: str | None,
    ) -> CaseOutcome:
        with self._write.begin() as session:
            return self._open_case_in(
                session, kind, query, cands, keys, hashes, qkey, snaps, actor, summary, idem_key
            )

    def _open_case_in(
        self,
        session: Session,
        kind: str,
        query: dict[str, Any],
        cands: list[dict[str, Any]],
        keys: list[str],
        hashes: dict[str, str],
        qkey: str,
        snaps: dict[str, str],
        actor: str,
        summary: str,
        idem_key: str | None,
    ) -> CaseOutcome:
        if idem_key is not None:
            found = session.execute(
                select(Case.id, Case.query_key).where(Case.idem_key == idem_key)
            ).one_or_none()
            if found is not None:
                return self._existing_by_key(int(found.id), str(found.query_key), qkey)
        suppressed: list[str] = []
        reopened: list[int] = []
        covered: set[str] = set()
        rows = (
            session.execute(
                select(Suppression).where(
                    Suppression.query_key == qkey, Suppression.entity_id.in_(keys)
                )
            )
            .scalars()
            .all()
        )
        for sup in rows:
            if sup.entity_hash == hashes.get(sup.entity_id, ""):
                suppressed.append(sup.entity_id)
                continue
            case = session.get(Case, sup.case_id)
            session.delete(sup)
            if case is None:
                continue
            if case.status == "closed":
                case.status = "open"
                case.decision = None
                case.decision_reason = None
                case.decided_by = None
                case.decided_at = None
                case.candidates = cands
                case.entity_hashes = {**case.entity_hashes, **hashes}
                case.snapshot_ids = snaps or case.snapshot_ids
                case.updated_at = now()
                self._audit(
                    session,
                    actor,
                    "case.reopen",
                    f"case:{case.id}",
                    {
                        "entity_id": sup.entity_id,
                        "old_hash": sup.entity_hash,
                        "new_hash": hashes.get(sup.entity_id, ""),
                        "reason": "list record changed",
                        "snapshots": snaps,
                    },
                )
                reopened.append(case.id)
            covered.update(candidate_key(c, i) for i, c in enumerate(case.candidates))
        remaining = [k for k in keys if k not in suppressed and k not in covered]
        if not remaining:
            if reopened:
                return CaseOutcome("reopened", reopened[0], suppressed, reopened)
            return CaseOutcome("suppressed", None, suppressed, reopened)
        existing = (
            session.execute(
                select(Case).where(
                    Case.query_key == qkey,
                    Case.kind == kind,
                    Case.status.in_(("open", "escalated")),
                )
            )
            .scalars()
            .all()
        )
        for case in existing:
            have = {candidate_key(c, i) for i, c in enumerate(case.candidates)}
            if set(remaining) <= have:
                return CaseOutcome("existing", case.id, suppressed, reopened)
        kept = [c for c, k in zip(cands, keys, strict=True) if k in remaining]
        top = max(kept, key=lambda c: float(c.get("score") or 0.0))
        stamp = now()
        case = Case(
            kind=kind,
            status="open",
            query_key=qkey,
            query=query,
            summary=summary,
            candidates=kept,
            entity_hashes={k: hashes.get(k, "") for k in remaining},
            snapshot_ids=snaps,
            top_score=float(top.get("score") or 0.0),
            top_caption=str(top.get("caption") or top.get("text") or "")[:500],
            idem_key=idem_key,
            created_by=actor,
            created_at=stamp,
            updated_at=stamp,
        )
        session.add(case)
        session.flush()
        self._audit(
            session,
            actor,
            "case.open",
            f"case:{case.id}",
            {
                "kind": kind,
                "query_key": qkey,
                "entities": remaining,
                "snapshots": snaps,
                "top_score": case.top_score,
                "suppressed": suppressed,
            },
        )
        return CaseOutcome("opened", case.id, suppressed, reopened)

    def decide(self, case_id: int, decision: str, reason: str, actor: str) -> dict[str, Any]:
        """Record an analyst's decision (true_match, false_positive, escalate) with a reason."""
        if decision not in DECISIONS:
            raise InputError(f"decision must be one of {', '.join(DECISIONS)}", field="decision")
        reason = reason.strip()
        if not reason:
            raise InputError("a decision needs a reason", field="reason")
        with self._write.begin() as session:
            case = session.get(Case, case_id)
            if case is None:
                raise NotFoundError(f"no case {case_id}", record=str(case_id))
            if case.status == "closed":
                raise CaseStateError(
                    f"case {case_id} is closed ({case.decision}); it reopens when the list "
                    "record changes",
                    record=str(case_id),
                )
            stamp = now()
            case.decision = decision
            case.decision_reason = reason
            case.decided_by = actor
            case.decided_at = stamp
            case.updated_at = stamp
            case.status = "escalated" if decision == "escalate" else "closed"
            session.add(
                DecisionRecord(
                    case_id=case.id, decision=decision, reason=reason, actor=actor, at=stamp
                )
            )
            suppressed: list[str] = []
            if decision == "false_positive":
                for key, digest in case.entity_hashes.items():
                    old = session.execute(
                        select(Suppression).where(
                            Suppression.query_key == case.query_key,
                            Suppression.entity_id == key,
                        )
                    ).scalar_one_or_none()
                    if old is not None:
                        session.delete(old)
                        session.flush()
                    session.add(
                        Suppression(
                            query_key=case.query_key,
                            entity_id=key,
                            entity_hash=digest,
                            case_id=case.id,
                            created_at=stamp,
                        )
                    )
                    suppressed.append(key)
            self._audit(
                session,
                actor,
                "case.decide",
                f"case:{case.id}",
                {
                    "decision": decision,
                    "reason": reason,
                    "status": case.status,
                    "suppressed": suppressed,
                    "snapshots": case.snapshot_ids,
                },
            )
            session.flush()
            return self._case_dict(session, case, history=True)

    def _case_dict(self, session: Session, case: Case, history: bool = False) -> dict[str, Any]:
        out: dict[str, Any] = {
            "id": case.id,
            "kind": case.kind,
            "status": case.status,
            "decision": case.decision,
            "decision_reason": case.decision_reason,
            "decided_by": case.decided_by,
            "decided_at": iso(case.decided_at),
            "query": case.query,
            "summary": case.summary,
            "top_score": case.top_score,
            "top_caption": case.top_caption,
            "created_by": case.created_by,
            "created_at": iso(case.created_at),
            "updated_at": iso(case.updated_at),
            "snapshot_ids": case.snapshot_ids,
            "candidates": case.candidates,
            "entity_hashes": case.entity_hashes,
            "priority": case_priority(case.candidates),
        }
        if history:
            rows = (
                session.execute(
                    select(DecisionRecord)
                    .where(DecisionRecord.case_id == case.id)
                    .order_by(DecisionRecord.id)
                )
                .scalars()
                .all()
            )
            out["history"] = [
                {"decision": r.decision, "reason": r.reason, "actor": r.actor, "at": iso(r.at)}
                for r in rows
            ]
        return out

    def get_case(self, case_id: int) -> dict[str, Any]:
        with self._read.begin() as session:
            case = session.get(Case, case_id)
            if case is None:
                raise NotFoundError(f"no case {case_id}", record=str(case_id))
            return self._case_dict(session, case, history=True)

    def list_cases(
        self,
        *,
        status: str | None = None,
        kind: str | None = None,
        search: str | None = None,
        limit: int = 50,
        offset: int = 0,
    ) -> tuple[list[dict[str, Any]], int]:
        stmt = select(Case)
        if status:
            stmt = stmt.where(Case.status == status)
        if kind:
            stmt = stmt.where(Case.kind == kind)
        if search:
            pattern = f"%{search.strip()}%"
            stmt = stmt.where(or_(Case.top_caption.ilike(pattern), Case.summary.ilike(pattern)))
        with self._read.begin() as session:
            total = session.execute(select(func.count()).select_from(stmt.subquery())).scalar_one()
            rows = (
                session.execute(stmt.order_by(Case.id.desc()).limit(limit).offset(offset))
                .scalars()
                .all()
            )
            items = []
            for case in rows:
                item = self._case_dict(session, case)
                item.pop("candidates")
                item.pop("entity_hashes")
                item["candidate_count"] = len(case.candidates)
                items.append(item)
            return items, int(total)

    def count_cases(self) -> dict[str, int]:
        with self._read.begin() as session:
            rows = session.execute(select(Case.status, func.count()).group_by(Case.status)).all()
            return {str(status): int(n) for status, n in rows}

    def parties(self) -> Iterator[dict[str, Any]]:
        with self._read.begin() as session:
            for party in session.execute(select(Party)).scalars():
                yield dict(party.query)

    # -- re-screening ------------------------------------------------------------------
    def rescreen(
        self,
        store: Store,
        *,
        sources: Sequence[str] | None = None,
        screener_factory: Callable[[list[ListedEntity]], PartyScreener] | None = None,
        actor: str = "system",
        limit: int = 5,
    ) -> RescreenReport:
        """Re-screen every stored party against the entities changed by the newest load.

        Only added and changed entities (the store's diff of previous vs active snapshot) are
        screened; a suppressed false positive whose entity changed reopens its case.
        """
        started = time.perf_counter()
        active = store.active_snapshots()
        wanted = list(sources) if sources else sorted(active)
        changed: dict[str, ListedEntity] = {}
        removed = 0
        for source in wanted:
            if source not in active:
                raise NotFoundError(f"no active snapshot for source {source!r}", field="source")
            diff = store.diff(source)
            for change in diff.changes:
                if change.kind == "removed":
                    removed += 1
                    continue
                entity = store.get_entity(change.entity_id)
                if entity is not None:
                    changed[entity.id] = entity
        snaps = {s: active[s].id for s in wanted}
        hits = opened = reopened = suppressed = parties = 0
        if changed:
            factory = screener_factory or default_screener_factory
            screener = factory(list(changed.values()))
            lookup = {eid: entity_hash(e) for eid, e in changed.items()}
            from circumspect.model.screening import Query

            for party in self.parties():
                parties += 1
                query = Query(
                    name=str(party.get("name") or ""),
                    schema=str(party.get("schema") or "LegalEntity"),
                    country=party.get("country"),
                    birth_date=party.get("birth_date"),
                    identifier=party.get("identifier"),
                )
                found = [c for c in screener.screen(query, limit=limit) if c.alert]
                if query.identifier:
                    seen = {c.entity_id for c in found}
                    found += [
                        c
                        for c in screener.by_identifier(query.identifier)
                        if c.entity_id not in seen
                    ]
                if not found:
                    continue
                hits += 1
                outcome = self.open_case(
                    "party",
                    party,
                    found,
                    snapshot_ids=snaps,
                    actor=actor,
                    summary="re-screening after list update",
                    entity_hashes={c.entity_id: lookup.get(c.entity_id, "") for c in found},
                )
                opened += outcome.status == "opened"
                reopened += len(outcome.reopened)
                suppressed += len(outcome.suppressed)
        else:
            parties = sum(1 for _ in self.parties())
        report = RescreenReport(
            sources=wanted,
            changed_entities=len(changed),
            removed_entities=removed,
            parties=parties,
            hits=hits,
            opened=opened,
            reopened=reopened,
            suppressed=suppressed,
            seconds=round(time.perf_counter() - started, 3),
        )
        self.audit(actor, "rescreen", "lists", report.to_dict() | {"snapshots": snaps})
        return report


def default_screener_factory(entities: list[ListedEntity]) -> PartyScreener:
    """``circumspect.matching.Screener`` over the given entities."""
    return Screener(entities)


_SERVICES: dict[str, CaseService] = {}


def get_service(url: str | None = None) -> CaseService:
    """A cached ``CaseService`` for the URL (default ``settings.db_url()``)."""
    from circumspect import settings

    resolved = settings.db_url(url)
    service = _SERVICES.get(resolved)
    if service is None:
        service = CaseService(resolved)
        _SERVICES[resolved] = service
    return service


def require_role(user: UserInfo, role: str) -> None:
    if not user.can(role):
        raise AuthError(f"role {role} required (you are {user.role})")
