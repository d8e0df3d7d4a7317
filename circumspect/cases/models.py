"""SQLAlchemy 2 tables of the case store (schema managed by Alembic, see ``migrations/``).

Every table name starts with ``case_`` so the case store can share one database with the
list store (``settings.db_url()``) without name clashes.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column


class Base(DeclarativeBase):
    pass


class User(Base):
    __tablename__ = "case_users"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    name: Mapped[str] = mapped_column(String(200), unique=True)
    role: Mapped[str] = mapped_column(String(20))
    #: sha256 of the API key (hex); the key itself is never stored.
    key_hash: Mapped[str] = mapped_column(String(64), unique=True)
    #: First characters of the key, shown in listings so a user can tell keys apart.
    key_prefix: Mapped[str] = mapped_column(String(16))
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class Case(Base):
    __tablename__ = "case_cases"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    kind: Mapped[str] = mapped_column(String(20))  # party | declaration | payment
    status: Mapped[str] = mapped_column(String(20), index=True)  # open | escalated | closed
    decision: Mapped[str | None] = mapped_column(String(20), nullable=True)
    decision_reason: Mapped[str | None] = mapped_column(Text, nullable=True)
    decided_by: Mapped[str | None] = mapped_column(String(200), nullable=True)
    decided_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    query_key: Mapped[str] = mapped_column(String(64), index=True)
    query: Mapped[dict[str, Any]] = mapped_column(JSON)
    summary: Mapped[str] = mapped_column(Text, default="")
    candidates: Mapped[list[dict[str, Any]]] = mapped_column(JSON)
    #: entity id -> sha256 of the entity's list record when the case was opened.
    entity_hashes: Mapped[dict[str, str]] = mapped_column(JSON)
    snapshot_ids: Mapped[dict[str, str]] = mapped_column(JSON)
    top_score: Mapped[float] = mapped_column(default=0.0)
    top_caption: Mapped[str] = mapped_column(String(500), default="")
    idem_key: Mapped[str | None] = mapped_column(String(200), unique=True, nullable=True)
    created_by: Mapped[str] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class DecisionRecord(Base):
    __tablename__ = "case_decisions"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("case_cases.id"), index=True)
    decision: Mapped[str] = mapped_column(String(20))
    reason: Mapped[str] = mapped_column(Text)
    actor: Mapped[str] = mapped_column(String(200))
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class Suppression(Base):
    """A reviewed false positive: (query, entity) stays quiet while the record is unchanged."""

    __tablename__ = "case_suppressions"
    __table_args__ = (UniqueConstraint("query_key", "entity_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    query_key: Mapped[str] = mapped_column(String(64))
    entity_id: Mapped[str] = mapped_column(String(300), index=True)
    entity_hash: Mapped[str] = mapped_column(String(64))
    case_id: Mapped[int] = mapped_column(ForeignKey("case_cases.id"))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class Party(Base):
    """A screened party, kept so that a new list version can re-screen it."""

    __tablename__ = "case_parties"

    query_key: Mapped[str] = mapped_column(String(64), primary_key=True)
    query: Mapped[dict[str, Any]] = mapped_column(JSON)
    first_seen: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    last_screened: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class AuditRecord(Base):
    """One link of the append-only, hash-chained audit log."""

    __tablename__ = "case_audit"

    seq: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    at: Mapped[str] = mapped_column(String(40))
    actor: Mapped[str] = mapped_column(String(200))
    action: Mapped[str] = mapped_column(String(60))
    object: Mapped[str] = mapped_column(String(300))
    data: Mapped[str] = mapped_column(Text)
    prev_hash: Mapped[str] = mapped_column(String(64))
    hash: Mapped[str] = mapped_column(String(64))


class AuditHead(Base):
    """The chain's head (last seq and hash), updated with every append; a single row."""

    __tablename__ = "case_audit_head"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    seq: Mapped[int] = mapped_column(Integer)
    hash: Mapped[str] = mapped_column(String(64))


class IdempotencyRecord(Base):
    """One idempotent API request: the user's key, the hash of the request, the answer.

    The key is scoped to the user (another user's identical key is another record) and bound
    to the request hash: the same key with another request is refused (HTTP 409).
    """

    __tablename__ = "case_idempotency"
    __table_args__ = (UniqueConstraint("user_id", "key_hash"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    user_id: Mapped[int] = mapped_column(Integer)
    #: sha256 of the client's key (keys may be long or hold personal data).
    key_hash: Mapped[str] = mapped_column(String(64))
    #: sha256 of the endpoint and the canonical request body.
    request_hash: Mapped[str] = mapped_column(String(64))
    response: Mapped[dict[str, Any]] = mapped_column(JSON)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


Index("ix_case_cases_query_status", Case.query_key, Case.status)
