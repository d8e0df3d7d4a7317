"""Analysts' judgements (``merge`` = positive, ``split`` = negative) in the list store's
database, table ``resolver_judgements``: append-only, the latest judgement of a pair counts,
so every merge and split can be reversed and its history read back."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

import sqlalchemy as sa
from sqlalchemy.exc import SQLAlchemyError

from circumspect.errors import InputError, StoreError
from circumspect.resolve.resolver import Judgement, JudgementRow
from circumspect.store.sql import SqlStore, _reason

metadata = sa.MetaData()
judgements_table = sa.Table(
    "resolver_judgements",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("left_id", sa.String(255), nullable=False),
    sa.Column("right_id", sa.String(255), nullable=False),
    sa.Column("judgement", sa.String(16), nullable=False),
    sa.Column("actor", sa.String(255), nullable=False),
    sa.Column("reason", sa.Text, nullable=False),
    sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    sqlite_autoincrement=True,
)


@dataclass(frozen=True, slots=True)
class StoredJudgement:
    id: int
    row: JudgementRow
    created_at: datetime


class JudgementStore:
    """Judgements on the list store's engine (SQLite or PostgreSQL)."""

    def __init__(self, store: SqlStore) -> None:
        self.store = store
        if getattr(store, "_resolver_ready", False):
            return
        try:
            with store._write() as conn, conn.begin():
                store._lock(conn, "resolver-schema")
                metadata.create_all(conn, checkfirst=True)
        except SQLAlchemyError as exc:
            raise StoreError(f"cannot prepare the resolver tables: {_reason(exc)}") from exc
        setattr(store, "_resolver_ready", True)  # noqa: B010 - prepared once per store object

    def add(
        self, left: str, right: str, judgement: Judgement, actor: str, reason: str
    ) -> StoredJudgement:
        """Record a judgement on two listed entity ids (both must be in the active lists)."""
        if left == right:
            raise InputError("a judgement needs two different entity ids", field="entity_id")
        if not reason.strip():
            raise InputError("a judgement needs a reason", field="reason")
        for entity_id in (left, right):
            if self.store.get_entity(entity_id) is None:
                raise InputError(f"no listed entity {entity_id!r}", field="entity_id")
        left, right = sorted((left, right))
        now = datetime.now(UTC)
        try:
            with self.store._write() as conn, conn.begin():
                result = conn.execute(
                    judgements_table.insert().values(
                        left_id=left,
                        right_id=right,
                        judgement=judgement,
                        actor=actor,
                        reason=reason.strip(),
                        created_at=now,
                    )
                )
                new_id = int(result.inserted_primary_key[0])
        except SQLAlchemyError as exc:
            raise StoreError(f"cannot record the judgement: {_reason(exc)}") from exc
        return StoredJudgement(new_id, JudgementRow(left, right, judgement, actor, reason), now)

    def all(self) -> list[StoredJudgement]:
        """Every judgement, oldest first."""
        query = sa.select(judgements_table).order_by(judgements_table.c.id)
        with self.store._read() as conn:
            rows = conn.execute(query).all()
        out: list[StoredJudgement] = []
        for r in rows:
            if r.judgement not in ("positive", "negative"):
                raise StoreError(f"resolver_judgements row {r.id}: judgement {r.judgement!r}")
            judgement: Judgement = "positive" if r.judgement == "positive" else "negative"
            out.append(
                StoredJudgement(
                    int(r.id),
                    JudgementRow(str(r.left_id), str(r.right_id), judgement, r.actor, r.reason),
                    r.created_at,
                )
            )
        return out

    def version(self) -> int:
        """The id of the latest judgement (0 without any): part of the resolution's cache key."""
        with self.store._read() as conn:
            value = conn.execute(sa.select(sa.func.max(judgements_table.c.id))).scalar()
        return int(value or 0)
