"""The case store: users and API keys, cases and decisions, suppression of reviewed false
positives, re-screening after a new list version, and the hash-chained audit log.

Every change and its audit record are written in one transaction, so the audit chain and the
data it describes can never disagree, even after ``kill -9``.

The operations live in one module per concern, chained as mixins: ``cases.audit``
(:class:`AuditLog`), ``cases.users`` (:class:`Users`), ``cases.workflow``
(:class:`CaseWorkflow`: screenings, parties, cases, decisions) and ``cases.rescreen``
(:class:`Rescreening`); values and helpers are in ``cases.common``.
"""

from __future__ import annotations

from collections.abc import Callable

from sqlalchemy.orm import sessionmaker

from circumspect.cases import rowhash
from circumspect.cases.audit import ScreeningWrite
from circumspect.cases.common import (
    DECISIONS,
    GENESIS,
    KEY_PREFIX,
    KINDS,
    ROLE_RANK,
    ROLES,
    STATUSES,
    CaseOutcome,
    CaseOutcomeStatus,
    CaseSpec,
    CaseStateError,
    RescreenReport,
    ServiceBase,
    UserInfo,
    VerifyResult,
    _record_hash,
    candidate_dict,
    candidate_key,
    canonical,
    case_priority,
    default_screener_factory,
    entity_hash,
    hash_key,
    iso,
    now,
    query_key,
    sha256,
)
from circumspect.cases.db import current_revision, migrate
from circumspect.cases.groupcommit import GroupCommit
from circumspect.cases.rescreen import Rescreening
from circumspect.cases.types import Role
from circumspect.db import DbEngines, make_engines
from circumspect.errors import AuthError

__all__ = [
    "DECISIONS",
    "GENESIS",
    "KEY_PREFIX",
    "KINDS",
    "ROLES",
    "ROLE_RANK",
    "STATUSES",
    "CaseOutcome",
    "CaseOutcomeStatus",
    "CaseService",
    "CaseSpec",
    "CaseStateError",
    "RescreenReport",
    "ServiceBase",
    "UserInfo",
    "VerifyResult",
    "_record_hash",
    "candidate_dict",
    "candidate_key",
    "canonical",
    "case_priority",
    "default_screener_factory",
    "entity_hash",
    "get_service",
    "hash_key",
    "iso",
    "now",
    "query_key",
    "require_role",
    "sha256",
]


class CaseService(Rescreening):
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
        #: every screening request's parties and audit record, committed in groups
        self._screenings: GroupCommit[ScreeningWrite, int] = GroupCommit(self._write_screenings)
        if before in rowhash.PRE_COVERAGE:
            self._cover_existing_rows()
        #: entity id -> current record hash (None when unknown); set by the API from the store.
        self.entity_hash_lookup: Callable[[str], str | None] | None = None

    def close(self) -> None:
        self.engines.dispose()


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


def require_role(user: UserInfo, role: Role | str) -> None:
    if not user.can(role):
        raise AuthError(f"role {role} required (you are {user.role})")
