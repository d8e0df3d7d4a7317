"""Values, helpers and shared state of the case store (split out of ``service.py``)."""

from __future__ import annotations

import dataclasses
import hashlib
import json
import unicodedata
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import TYPE_CHECKING, ClassVar, Literal, TypeAlias

from sqlalchemy import JSON, DateTime, bindparam, text
from sqlalchemy.orm import Session, sessionmaker

from circumspect.cases.types import (
    CaseKind,
    CaseStatus,
    Decision,
    JsonObject,
    JsonValue,
    Priority,
    Role,
)
from circumspect.db import DbEngines
from circumspect.errors import InputError
from circumspect.matching import Screener
from circumspect.model.records import candidate_json

if TYPE_CHECKING:
    from circumspect.cases.audit import ScreeningWrite
    from circumspect.cases.groupcommit import GroupCommit
    from circumspect.model.entities import ListedEntity
    from circumspect.model.screening import Candidate, PartyScreener, Query


ROLES: tuple[str, ...] = tuple(role.value for role in Role)
ROLE_RANK: dict[str, int] = {role.value: role.rank for role in Role}
DECISIONS: tuple[str, ...] = tuple(decision.value for decision in Decision)
KINDS: tuple[str, ...] = tuple(kind.value for kind in CaseKind)
STATUSES: tuple[str, ...] = tuple(status.value for status in CaseStatus)
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


def canonical(value: object) -> str:
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


def text_field(query: Mapping[str, JsonValue], name: str) -> str | None:
    """A text field of a stored query (None when absent); ``InputError`` naming the field
    when it holds anything but text."""
    value = query.get(name)
    if value is None or isinstance(value, str):
        return value
    raise InputError(f"{name} must be a string, not {type(value).__name__}", field=name)


def query_key(query: Mapping[str, JsonValue]) -> str:
    """Identity of a query for suppression: normalised name, schema, country, date, id."""
    fields: dict[str, JsonValue] = {
        "name": _norm(str(query.get("name") or "")),
        "schema": query.get("schema") or "LegalEntity",
        "country": _norm(text_field(query, "country")),
        "birth_date": query.get("birth_date") or None,
        "identifier": _norm(text_field(query, "identifier")),
    }
    extra = {k: v for k, v in query.items() if k not in fields and k not in ("query_id", "id")}
    if extra:
        fields["extra"] = extra
    return sha256(canonical(fields))


def party_query(party: Mapping[str, JsonValue]) -> Query:
    """The screening ``Query`` of a stored party (``CaseService.parties``)."""
    from circumspect.model.screening import Query

    return Query(
        name=str(party.get("name") or ""),
        schema=str(party.get("schema") or "LegalEntity"),
        country=text_field(party, "country"),
        birth_date=text_field(party, "birth_date"),
        identifier=text_field(party, "identifier"),
    )


def now() -> datetime:
    return datetime.now(UTC)


def iso(value: datetime | None) -> str | None:
    if value is None:
        return None
    if value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    return value.isoformat()


#: An alerting hit or flag as callers hand it to the case store: a screening ``Candidate`` or
#: a JSON object (declaration and payment flags, stored candidates) with ``entity_id``/``id``/
#: ``rule``, ``score`` and an explanation.
CandidateLike: TypeAlias = "Candidate | Mapping[str, JsonValue]"


def candidate_dict(candidate: CandidateLike) -> JsonObject:
    """What the case keeps of a hit: a ``Candidate`` in the one JSON form of a candidate
    (:func:`circumspect.model.records.candidate_json`, with its listed record as it is at
    alert time), a JSON object as given."""
    if isinstance(candidate, Mapping):
        return dict(candidate)
    return dict(candidate_json(candidate))


def is_alert(candidate: CandidateLike) -> bool:
    """Whether a candidate (a ``Candidate`` or its dict) alerts, without converting it: a
    candidate carries its whole listed record, and ``dataclasses.asdict`` of it just to read
    one flag cost 1.5 ms per screening request (docs/service.md, "Where the time goes")."""
    if isinstance(candidate, Mapping):
        return bool(candidate.get("alert"))
    return bool(getattr(candidate, "alert", False))


def candidate_key(candidate: Mapping[str, JsonValue], index: int) -> str:
    for name in ("entity_id", "id", "rule", "flag"):
        value = candidate.get(name)
        if value:
            return str(value)
    return f"#{index}"


def case_priority(candidates: Iterable[Mapping[str, JsonValue]]) -> Priority:
    """``high`` when a hit's name was disguised (its ``disguise`` feature: invisible
    characters, letters of two scripts in one word), else ``normal``: a party that hides
    its spelling is reviewed first."""
    for cand in candidates:
        features = cand.get("features")
        if not isinstance(features, list | tuple):
            continue
        for feature in features:
            if isinstance(feature, Mapping) and feature.get("feature") == "disguise":
                return Priority.HIGH
    return Priority.NORMAL


@dataclass(frozen=True, slots=True)
class UserInfo:
    id: int
    name: str
    role: Role

    def can(self, role: Role | str) -> bool:
        return self.role.rank >= Role(role).rank


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

    kind: CaseKind | str
    query: Mapping[str, JsonValue]
    candidates: Sequence[CandidateLike]
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

    def to_dict(self) -> JsonObject:
        out: JsonObject = {"ok": self.ok, "records": self.records, "first_bad": self.first_bad}
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

    def to_dict(self) -> JsonObject:
        out: JsonObject = dataclasses.asdict(self)
        return out


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


class ServiceBase:
    """The state every part of :class:`~circumspect.cases.service.CaseService` shares (set
    by its ``__init__``)."""

    url: str
    engines: DbEngines
    _write: sessionmaker[Session]
    _read: sessionmaker[Session]
    #: entity id -> current record hash (None when unknown); set by the API from the store.
    entity_hash_lookup: Callable[[str], str | None] | None
    #: the group commit of screening records (``cases.groupcommit``; set by ``__init__``)
    _screenings: GroupCommit[ScreeningWrite, int]


def default_screener_factory(entities: list[ListedEntity]) -> PartyScreener:
    """``circumspect.matching.Screener`` over the given entities."""
    return Screener(entities)
