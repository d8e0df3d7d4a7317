"""Typed values of the case store: the closed vocabularies (kinds, statuses, decisions, roles,
priorities) as ``StrEnum`` and the results the store hands to its callers as dataclasses.

A ``StrEnum`` member equals its string (``CaseStatus.OPEN == "open"``) and serialises as it,
so the HTTP API and the database keep their strings; each result's ``to_dict()`` gives the
exact dictionary the API answered before (docs/decisions/1704-typed-boundaries.md).

JSON documents the store keeps verbatim (a case's query, its candidates, an audit record's
data) are typed :data:`JsonValue`/:data:`JsonObject`, never ``Any``.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from enum import StrEnum
from typing import TypeAlias, TypeVar, Union

from circumspect.errors import InputError

#: A JSON value (what ``json.loads`` returns; arrays and objects as the read-only
#: ``Sequence``/``Mapping`` so that a ``dict[str, int]`` is one too).
JsonValue: TypeAlias = Union[  # noqa: UP007 (a recursive alias needs the runtime Union)
    str, int, float, bool, Sequence["JsonValue"], Mapping[str, "JsonValue"], None
]
#: A JSON object.
JsonObject: TypeAlias = dict[str, JsonValue]


class Role(StrEnum):
    """A user's role; each includes the rights of the ones before it."""

    VIEWER = "viewer"
    ANALYST = "analyst"
    ADMIN = "admin"

    @property
    def rank(self) -> int:
        return _ROLE_ORDER.index(self)


_ROLE_ORDER: tuple[Role, ...] = (Role.VIEWER, Role.ANALYST, Role.ADMIN)


class Decision(StrEnum):
    """An analyst's decision on a case."""

    TRUE_MATCH = "true_match"
    FALSE_POSITIVE = "false_positive"
    ESCALATE = "escalate"


class CaseKind(StrEnum):
    """What a case is about."""

    PARTY = "party"
    DECLARATION = "declaration"
    PAYMENT = "payment"


class CaseStatus(StrEnum):
    """Where a case is in its review."""

    OPEN = "open"
    ESCALATED = "escalated"
    CLOSED = "closed"


class Priority(StrEnum):
    """``high`` when a hit's name was disguised (reviewed first), else ``normal``."""

    HIGH = "high"
    NORMAL = "normal"


_E = TypeVar("_E", bound=StrEnum)


def parse_enum(enum: type[_E], value: str, field: str) -> _E:
    """``value`` as a member of ``enum``; ``InputError`` naming ``field`` and the allowed
    values otherwise (fail closed)."""
    try:
        return enum(value)
    except ValueError:
        allowed = ", ".join(member.value for member in enum)
        raise InputError(f"{field} must be one of {allowed}", field=field) from None


@dataclass(frozen=True, slots=True)
class DecisionEntry:
    """One decision in a case's history."""

    decision: Decision
    reason: str
    actor: str
    at: str | None

    def to_dict(self) -> JsonObject:
        return {
            "decision": self.decision.value,
            "reason": self.reason,
            "actor": self.actor,
            "at": self.at,
        }


@dataclass(frozen=True, slots=True)
class CaseHead:
    """What every view of a case shows."""

    id: int
    kind: CaseKind
    status: CaseStatus
    decision: Decision | None
    decision_reason: str | None
    decided_by: str | None
    decided_at: str | None
    query: JsonObject
    summary: str
    top_score: float
    top_caption: str
    created_by: str
    created_at: str | None
    updated_at: str | None
    snapshot_ids: dict[str, str]
    priority: Priority

    def _head(self) -> JsonObject:
        return {
            "id": self.id,
            "kind": self.kind.value,
            "status": self.status.value,
            "decision": None if self.decision is None else self.decision.value,
            "decision_reason": self.decision_reason,
            "decided_by": self.decided_by,
            "decided_at": self.decided_at,
            "query": self.query,
            "summary": self.summary,
            "top_score": self.top_score,
            "top_caption": self.top_caption,
            "created_by": self.created_by,
            "created_at": self.created_at,
            "updated_at": self.updated_at,
            "snapshot_ids": dict(self.snapshot_ids),
        }


@dataclass(frozen=True, slots=True)
class CaseSummary(CaseHead):
    """A case as the queue lists it (without candidates and hashes)."""

    candidate_count: int

    def to_dict(self) -> JsonObject:
        return self._head() | {
            "priority": self.priority.value,
            "candidate_count": self.candidate_count,
        }


@dataclass(frozen=True, slots=True)
class CaseDetail(CaseHead):
    """One case with its candidates, the entity hashes it was opened on and its history."""

    candidates: list[JsonObject]
    entity_hashes: dict[str, str]
    history: list[DecisionEntry]

    def to_dict(self) -> JsonObject:
        return self._head() | {
            "candidates": list(self.candidates),
            "entity_hashes": dict(self.entity_hashes),
            "priority": self.priority.value,
            "history": [entry.to_dict() for entry in self.history],
        }


@dataclass(frozen=True, slots=True)
class UserRecord:
    """A user as listed (never the key)."""

    name: str
    role: Role
    active: bool
    key_prefix: str
    created_at: str | None

    def to_dict(self) -> JsonObject:
        return {
            "name": self.name,
            "role": self.role.value,
            "active": self.active,
            "key_prefix": self.key_prefix,
            "created_at": self.created_at,
        }


@dataclass(frozen=True, slots=True)
class AuditRecordView:
    """One record of the audit chain as listed."""

    seq: int
    at: str
    actor: str
    action: str
    object: str
    data: JsonValue
    hash: str

    def to_dict(self) -> JsonObject:
        return {
            "seq": self.seq,
            "at": self.at,
            "actor": self.actor,
            "action": self.action,
            "object": self.object,
            "data": self.data,
            "hash": self.hash,
        }
