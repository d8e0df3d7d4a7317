"""Ownership datasets in the list store's database: versioned, diffed, transactional.

The same pattern as ``list_snapshots``/``list_entities`` (``docs/decisions/0150``): a load of
one named dataset writes a new snapshot, its edges and its rejected rows in ONE transaction
and only then makes it the dataset's active snapshot; an interrupted load leaves the previous
snapshot active and nothing partial visible. Tables:

* ``ownership_snapshots``: id, dataset, loaded_at, checksum, format, files, row/edge/rejected
  counts, status, active (at most one active per dataset, a partial unique index);
* ``ownership_edges``: snapshot_id, owner, owned, share, control, source, date, names, line;
* ``ownership_rejects``: snapshot_id, line, reason, raw (every rejected row is kept).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import orjson
import sqlalchemy as sa
from sqlalchemy.exc import SQLAlchemyError

from circumspect.errors import InputError, NotFoundError, StoreError
from circumspect.ownership.graph import Edge
from circumspect.ownership.loader import OwnershipData
from circumspect.store.sql import BATCH_SIZE, COMPLETE, LOADING, SqlStore, _reason

metadata = sa.MetaData()

snapshots = sa.Table(
    "ownership_snapshots",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("dataset", sa.String(64), nullable=False),
    sa.Column("loaded_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("checksum", sa.String(128), nullable=False),
    sa.Column("format", sa.String(32), nullable=False),
    sa.Column("files", sa.Text, nullable=False),
    sa.Column("row_count", sa.Integer, nullable=False),
    sa.Column("edge_count", sa.Integer, nullable=False),
    sa.Column("rejected_count", sa.Integer, nullable=False),
    sa.Column("status", sa.String(16), nullable=False),
    sa.Column("active", sa.Boolean, nullable=False),
    sqlite_autoincrement=True,
)
sa.Index(
    "uq_ownership_snapshots_active",
    snapshots.c.dataset,
    unique=True,
    sqlite_where=snapshots.c.active == sa.true(),
    postgresql_where=snapshots.c.active == sa.true(),
)

edges_table = sa.Table(
    "ownership_edges",
    metadata,
    sa.Column(
        "snapshot_id",
        sa.Integer,
        sa.ForeignKey("ownership_snapshots.id", ondelete="CASCADE"),
        primary_key=True,
    ),
    sa.Column("owner", sa.String(255), primary_key=True),
    sa.Column("owned", sa.String(255), primary_key=True),
    sa.Column("share", sa.Float, nullable=True),
    sa.Column("control", sa.Boolean, nullable=False),
    sa.Column("source", sa.Text, nullable=False),
    sa.Column("date", sa.String(10), nullable=False),
    sa.Column("owner_name", sa.Text, nullable=False),
    sa.Column("owned_name", sa.Text, nullable=False),
    sa.Column("line", sa.Integer, nullable=False),
)
sa.Index("ix_ownership_edges_owned", edges_table.c.owned)

rejects_table = sa.Table(
    "ownership_rejects",
    metadata,
    sa.Column(
        "snapshot_id",
        sa.Integer,
        sa.ForeignKey("ownership_snapshots.id", ondelete="CASCADE"),
        nullable=False,
    ),
    sa.Column("line", sa.Integer, nullable=False),
    sa.Column("reason", sa.Text, nullable=False),
    sa.Column("raw", sa.Text, nullable=False),
)
sa.Index("ix_ownership_rejects_snapshot", rejects_table.c.snapshot_id)


@dataclass(frozen=True, slots=True)
class OwnershipSnapshot:
    id: str
    dataset: str
    loaded_at: datetime
    checksum: str
    format: str
    files: tuple[str, ...]
    row_count: int
    edge_count: int
    rejected_count: int
    active: bool


@dataclass(slots=True)
class StoredEdge:
    edge: Edge
    owner_name: str
    owned_name: str
    line: int
    dataset: str = ""
    snapshot_id: str = ""


@dataclass(slots=True)
class EdgeChange:
    owner: str
    owned: str
    kind: str  # "added" | "removed" | "changed"
    old: Edge | None = None
    new: Edge | None = None


@dataclass(slots=True)
class OwnershipDiff:
    dataset: str
    from_snapshot: str | None
    to_snapshot: str
    changes: list[EdgeChange] = field(default_factory=list)

    def counts(self) -> dict[str, int]:
        out = {"added": 0, "removed": 0, "changed": 0}
        for change in self.changes:
            out[change.kind] += 1
        return out

    def touched(self) -> set[str]:
        """Parties whose ownership changed (the owned side of every changed edge)."""
        return {c.owned for c in self.changes}


def check_dataset(name: str) -> str:
    name = name.strip()
    if not name or len(name) > 64 or not all(c.isalnum() or c in "_-." for c in name):
        raise InputError(f"dataset name {name!r}: use 1-64 letters, digits, _ - .", field="dataset")
    return name


class OwnershipStore:
    """Ownership snapshots on the list store's engine (SQLite or PostgreSQL)."""

    def __init__(self, store: SqlStore) -> None:
        self.store = store
        if getattr(store, "_ownership_ready", False):
            return
        try:
            with store._write() as conn, conn.begin():
                store._lock(conn, "ownership-schema")
                metadata.create_all(conn, checkfirst=True)
                stale = sa.select(snapshots.c.id).where(snapshots.c.status != COMPLETE)
                conn.execute(edges_table.delete().where(edges_table.c.snapshot_id.in_(stale)))
                conn.execute(rejects_table.delete().where(rejects_table.c.snapshot_id.in_(stale)))
                conn.execute(snapshots.delete().where(snapshots.c.status != COMPLETE))
        except SQLAlchemyError as exc:
            raise StoreError(f"cannot prepare the ownership tables: {_reason(exc)}") from exc
        setattr(store, "_ownership_ready", True)  # noqa: B010 - prepared once per store object

    def load(self, dataset: str, data: OwnershipData) -> OwnershipSnapshot:
        """Write ``data`` as a new snapshot of ``dataset`` and activate it atomically."""
        dataset = check_dataset(dataset)
        counts = data.counts()
        lines = {o.edge: o.line for o in data.outcomes if o.edge is not None}
        first_name = {k: v[0] for k, v in data.names.items() if v}
        try:
            with self.store._write() as conn, conn.begin():
                self.store._lock(conn, f"ownership:{dataset}")
                snap_id = int(
                    conn.execute(
                        snapshots.insert()
                        .values(
                            dataset=dataset,
                            loaded_at=datetime.now(UTC),
                            checksum=data.checksum,
                            format=data.format,
                            files=orjson.dumps(list(data.files)).decode(),
                            row_count=counts["rows"],
                            edge_count=len(data.edges),
                            rejected_count=counts["rejected"],
                            status=LOADING,
                            active=False,
                        )
                        .returning(snapshots.c.id)
                    ).scalar_one()
                )
                batch: list[dict[str, Any]] = []
                for edge in data.edges:
                    batch.append(
                        {
                            "snapshot_id": snap_id,
                            "owner": edge.owner,
                            "owned": edge.owned,
                            "share": edge.share,
                            "control": edge.control,
                            "source": edge.source,
                            "date": edge.date,
                            "owner_name": first_name.get(edge.owner, ""),
                            "owned_name": first_name.get(edge.owned, ""),
                            "line": lines.get(edge, 0),
                        }
                    )
                    if len(batch) >= BATCH_SIZE:
                        conn.execute(edges_table.insert(), batch)
                        batch = []
                if batch:
                    conn.execute(edges_table.insert(), batch)
                rejects = [
                    {"snapshot_id": snap_id, "line": o.line, "reason": o.reason, "raw": o.raw}
                    for o in data.rejected()
                ]
                for start in range(0, len(rejects), BATCH_SIZE):
                    conn.execute(rejects_table.insert(), rejects[start : start + BATCH_SIZE])
                loaded_at = datetime.now(UTC)
                conn.execute(
                    snapshots.update()
                    .where(snapshots.c.dataset == dataset)
                    .where(snapshots.c.active == sa.true())
                    .values(active=False)
                )
                conn.execute(
                    snapshots.update()
                    .where(snapshots.c.id == snap_id)
                    .values(active=True, status=COMPLETE, loaded_at=loaded_at)
                )
        except SQLAlchemyError as exc:
            raise StoreError(f"loading ownership dataset {dataset} failed: {_reason(exc)}") from exc
        return self.snapshot(str(snap_id))

    # -- reads ---------------------------------------------------------------------------

    @staticmethod
    def _to_snapshot(row: Any) -> OwnershipSnapshot:
        loaded = row.loaded_at
        loaded = loaded.replace(tzinfo=UTC) if loaded.tzinfo is None else loaded
        return OwnershipSnapshot(
            id=str(row.id),
            dataset=str(row.dataset),
            loaded_at=loaded,
            checksum=str(row.checksum),
            format=str(row.format),
            files=tuple(orjson.loads(row.files)),
            row_count=int(row.row_count),
            edge_count=int(row.edge_count),
            rejected_count=int(row.rejected_count),
            active=bool(row.active),
        )

    def snapshots(self, dataset: str | None = None) -> list[OwnershipSnapshot]:
        query = sa.select(snapshots).where(snapshots.c.status == COMPLETE)
        if dataset is not None:
            query = query.where(snapshots.c.dataset == dataset)
        with self.store._read() as conn:
            rows = conn.execute(query.order_by(snapshots.c.id.desc())).all()
        return [self._to_snapshot(r) for r in rows]

    def active(self) -> dict[str, OwnershipSnapshot]:
        return {s.dataset: s for s in self.snapshots() if s.active}

    def snapshot(self, snapshot_id: str) -> OwnershipSnapshot:
        try:
            number = int(snapshot_id)
        except ValueError:
            raise NotFoundError(f"no ownership snapshot {snapshot_id!r}") from None
        query = sa.select(snapshots).where(snapshots.c.id == number, snapshots.c.status == COMPLETE)
        with self.store._read() as conn:
            row = conn.execute(query).first()
        if row is None:
            raise NotFoundError(f"no ownership snapshot {snapshot_id}")
        return self._to_snapshot(row)

    def edges(self, snapshot_ids: Iterable[str] | None = None) -> list[StoredEdge]:
        """Edges of some snapshots, or of every dataset's active snapshot."""
        query = sa.select(edges_table, snapshots.c.dataset).join(
            snapshots, snapshots.c.id == edges_table.c.snapshot_id
        )
        if snapshot_ids is None:
            query = query.where(snapshots.c.active == sa.true(), snapshots.c.status == COMPLETE)
        else:
            query = query.where(snapshots.c.id.in_([int(s) for s in snapshot_ids]))
        query = query.order_by(snapshots.c.id, edges_table.c.owner, edges_table.c.owned)
        with self.store._read() as conn:
            rows = conn.execute(query).all()
        return [
            StoredEdge(
                edge=Edge(
                    str(r.owner),
                    str(r.owned),
                    None if r.share is None else float(r.share),
                    bool(r.control),
                    str(r.source),
                    str(r.date),
                ),
                owner_name=str(r.owner_name),
                owned_name=str(r.owned_name),
                line=int(r.line),
                dataset=str(r.dataset),
                snapshot_id=str(r.snapshot_id),
            )
            for r in rows
        ]

    def rejects(self, snapshot_id: str) -> list[tuple[int, str, str]]:
        query = (
            sa.select(rejects_table.c.line, rejects_table.c.reason, rejects_table.c.raw)
            .where(rejects_table.c.snapshot_id == int(snapshot_id))
            .order_by(rejects_table.c.line)
        )
        with self.store._read() as conn:
            return [(int(r[0]), str(r[1]), str(r[2])) for r in conn.execute(query)]

    def diff(
        self, dataset: str, from_id: str | None = None, to_id: str | None = None
    ) -> OwnershipDiff:
        """Edge changes between two snapshots of a dataset (default: previous vs active)."""
        history = self.snapshots(dataset)
        if not history:
            raise NotFoundError(f"ownership dataset {dataset} has no snapshot; load it first")
        if to_id is None:
            to_snap = next((s for s in history if s.active), history[0])
        else:
            to_snap = self.snapshot(to_id)
        if from_id is None:
            older = [s for s in history if int(s.id) < int(to_snap.id)]
            from_snap = older[0] if older else None
        else:
            from_snap = self.snapshot(from_id)
        new = {(e.edge.owner, e.edge.owned): e.edge for e in self.edges([to_snap.id])}
        old = (
            {}
            if from_snap is None
            else {(e.edge.owner, e.edge.owned): e.edge for e in self.edges([from_snap.id])}
        )
        changes: list[EdgeChange] = []
        for pair in sorted(set(new) | set(old)):
            before, after = old.get(pair), new.get(pair)
            if before is None:
                changes.append(EdgeChange(pair[0], pair[1], "added", None, after))
            elif after is None:
                changes.append(EdgeChange(pair[0], pair[1], "removed", before, None))
            elif (before.share, before.control) != (after.share, after.control):
                changes.append(EdgeChange(pair[0], pair[1], "changed", before, after))
        return OwnershipDiff(
            dataset=dataset,
            from_snapshot=None if from_snap is None else from_snap.id,
            to_snapshot=to_snap.id,
            changes=changes,
        )
