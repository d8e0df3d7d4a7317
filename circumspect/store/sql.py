"""The list store on SQLAlchemy Core: SQLite (default) and PostgreSQL (psycopg 3).

Two tables hold the data (see ``docs/decisions/0150-store-schema.md``):

* ``list_snapshots``: one row per load of one source (id, source, loaded_at, checksum,
  entity_count, files, status, active). At most one complete snapshot per source is active
  (a partial unique index enforces it).
* ``list_entities``: the entities of each snapshot (snapshot_id, entity_id, source_id,
  schema, caption, fingerprint, data). ``data`` is the entity's JSON (``ListedEntity.to_dict``),
  ``fingerprint`` a SHA-256 over its sorted property values, so diffs compare hashes first.

Atomicity: a load runs in ONE database transaction: it inserts the snapshot row, streams the
entities in batches, then flips the active flag and marks the snapshot complete, and only then
commits. A load interrupted at any point (an exception, a parse error, ``kill -9``, a lost
connection) rolls back, so the previous snapshot stays active and nothing of the partial load
is visible. Readers only ever see ``status = 'complete'`` snapshots; rows left in any other
status (none are expected, the column is a second line of defence) are deleted on open.
"""

from __future__ import annotations

import hashlib
import zlib
from collections.abc import Iterable, Iterator, Sequence
from datetime import UTC, datetime
from typing import Any

import orjson
import sqlalchemy as sa
from sqlalchemy import event
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.exc import SQLAlchemyError

from circumspect.db import normalise_url, safe_url
from circumspect.errors import InputError, NotFoundError, StoreError
from circumspect.model.entities import ListedEntity, is_source, unknown_source_message
from circumspect.store.base import Diff, EntityChange, EntityVersion, Snapshot, Store

#: Version of the store's own tables; bump it and add a step to ``_MIGRATIONS`` on change.
SCHEMA_VERSION = 1

#: Rows per ``executemany`` batch during a load.
BATCH_SIZE = 1000

COMPLETE = "complete"
LOADING = "loading"
#: complete but held back (it removes too much of the active list); see ``activate``
STAGED = "staged"
READABLE = (COMPLETE, STAGED)

metadata = sa.MetaData()

snapshots_table = sa.Table(
    "list_snapshots",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("source", sa.String(64), nullable=False),
    sa.Column("loaded_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("checksum", sa.String(128), nullable=False),
    sa.Column("entity_count", sa.Integer, nullable=False),
    sa.Column("files", sa.Text, nullable=False),
    sa.Column("status", sa.String(16), nullable=False),
    sa.Column("active", sa.Boolean, nullable=False),
    sqlite_autoincrement=True,
)
sa.Index("ix_list_snapshots_source", snapshots_table.c.source, snapshots_table.c.id)
sa.Index(
    "uq_list_snapshots_active",
    snapshots_table.c.source,
    unique=True,
    sqlite_where=snapshots_table.c.active == sa.true(),
    postgresql_where=snapshots_table.c.active == sa.true(),
)

entities_table = sa.Table(
    "list_entities",
    metadata,
    sa.Column(
        "snapshot_id",
        sa.Integer,
        sa.ForeignKey("list_snapshots.id", ondelete="CASCADE"),
        primary_key=True,
    ),
    sa.Column("entity_id", sa.String(255), primary_key=True),
    sa.Column("source_id", sa.String(255), nullable=False),
    sa.Column("schema", sa.String(64), nullable=False),
    sa.Column("caption", sa.Text, nullable=False),
    sa.Column("fingerprint", sa.String(64), nullable=False),
    sa.Column("data", sa.Text, nullable=False),
)
sa.Index("ix_list_entities_entity_id", entities_table.c.entity_id)

version_table = sa.Table(
    "list_store_version",
    metadata,
    sa.Column("version", sa.Integer, nullable=False),
)

#: version -> function upgrading the tables from ``version - 1`` (none yet).
_MIGRATIONS: dict[int, Any] = {}


#: One URL normaliser for every database (``circumspect.db``).
normalize_url = normalise_url


def fingerprint_hash(entity: ListedEntity) -> str:
    """SHA-256 of the entity's sorted property values (schema included)."""
    data = orjson.dumps(entity.fingerprint(), option=orjson.OPT_SORT_KEYS)
    return hashlib.sha256(data).hexdigest()


def _utc(value: datetime) -> datetime:
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


class SqlStore(Store):
    """The ``Store`` on SQLite or PostgreSQL."""

    def __init__(self, url: str) -> None:
        self.url = normalize_url(url)
        self.dialect = "postgresql" if self.url.startswith("postgresql") else "sqlite"
        self._engine = self._make_engine()
        try:
            self._prepare()
        except SQLAlchemyError as exc:
            self._engine.dispose()
            raise StoreError(f"cannot open store {safe_url(url)}: {_reason(exc)}") from exc

    # -- engine and schema ---------------------------------------------------------------

    def _make_engine(self) -> Engine:
        if self.dialect == "postgresql":
            return sa.create_engine(self.url, pool_pre_ping=True)
        url = sa.engine.make_url(self.url)
        database = url.database or ""
        memory = database in ("", ":memory:")
        if not memory:
            from pathlib import Path

            Path(database).expanduser().parent.mkdir(parents=True, exist_ok=True)
        kwargs: dict[str, Any] = {}
        if memory:
            kwargs["poolclass"] = sa.pool.StaticPool
            kwargs["connect_args"] = {"check_same_thread": False}
        engine = sa.create_engine(self.url, **kwargs)

        @event.listens_for(engine, "connect")
        def _on_connect(dbapi_conn: Any, _record: Any) -> None:
            # Let SQLAlchemy (not the sqlite3 module) decide where transactions begin.
            dbapi_conn.isolation_level = None
            cursor = dbapi_conn.cursor()
            if not memory:
                cursor.execute("PRAGMA journal_mode=WAL")
                cursor.execute("PRAGMA synchronous=NORMAL")
            cursor.execute("PRAGMA busy_timeout=60000")
            cursor.execute("PRAGMA foreign_keys=ON")
            cursor.close()

        @event.listens_for(engine, "begin")
        def _on_begin(conn: Connection) -> None:
            # Writers take the write lock up front (and wait for it) instead of failing
            # with SQLITE_BUSY when upgrading a read transaction.
            if conn.get_execution_options().get("write"):
                conn.exec_driver_sql("BEGIN IMMEDIATE")
            else:
                conn.exec_driver_sql("BEGIN")

        return engine

    def _write(self) -> Any:
        """A context manager: one write transaction (committed on success)."""
        return self._engine.connect().execution_options(write=True)

    def _lock(self, conn: Connection, key: str) -> None:
        """Serialise writers on ``key`` (PostgreSQL advisory lock; SQLite has one writer)."""
        if self.dialect == "postgresql":
            lock_id = zlib.crc32(f"circumspect.store:{key}".encode())
            conn.execute(sa.text("SELECT pg_advisory_xact_lock(:k)"), {"k": lock_id})

    def _prepare(self) -> None:
        with self._write() as conn, conn.begin():
            self._lock(conn, "schema")
            metadata.create_all(conn, checkfirst=True)
            row = conn.execute(sa.select(version_table.c.version)).first()
            version = None if row is None else int(row[0])
            if version is None:
                conn.execute(version_table.insert().values(version=SCHEMA_VERSION))
            elif version > SCHEMA_VERSION:
                raise StoreError(
                    f"the store at {safe_url(self.url)} has schema version {version}, newer "
                    f"than this circumspect understands ({SCHEMA_VERSION}); upgrade circumspect"
                )
            elif version < SCHEMA_VERSION:
                for step in range(version + 1, SCHEMA_VERSION + 1):
                    _MIGRATIONS[step](conn)
                conn.execute(version_table.update().values(version=SCHEMA_VERSION))
            # Second line of defence: no snapshot other than complete ones may linger.
            unfinished = snapshots_table.c.status.not_in(READABLE)
            stale = sa.select(snapshots_table.c.id).where(unfinished)
            conn.execute(entities_table.delete().where(entities_table.c.snapshot_id.in_(stale)))
            conn.execute(snapshots_table.delete().where(unfinished))

    def schema_version(self) -> int:
        with self._engine.connect() as conn:
            return int(conn.execute(sa.select(version_table.c.version)).scalar_one())

    # -- writes -----------------------------------------------------------------------------

    def load(
        self,
        source: str,
        entities: Iterable[ListedEntity],
        *,
        checksum: str,
        files: Sequence[str] = (),
        max_removed_share: float | None = None,
    ) -> Snapshot:
        if not is_source(source):
            raise InputError(unknown_source_message(source))
        try:
            with self._write() as conn, conn.begin():
                self._lock(conn, f"load:{source}")
                snapshot_id = self._insert_snapshot(conn, source, checksum, files)
                count = self._insert_entities(conn, snapshot_id, source, entities)
                loaded_at = datetime.now(UTC)
                if max_removed_share is not None and self._shrinks(
                    conn, source, snapshot_id, max_removed_share
                ):
                    conn.execute(
                        snapshots_table.update()
                        .where(snapshots_table.c.id == snapshot_id)
                        .values(status=STAGED, entity_count=count, loaded_at=loaded_at)
                    )
                    staged = True
                else:
                    self._activate(conn, source, snapshot_id, count, loaded_at)
                    staged = False
        except SQLAlchemyError as exc:
            raise StoreError(f"loading {source} failed: {_reason(exc)}") from exc
        return Snapshot(
            id=str(snapshot_id),
            source=source,
            loaded_at=loaded_at,
            checksum=checksum,
            entity_count=count,
            active=not staged,
            files=tuple(files),
            staged=staged,
        )

    def _notify_loaded(
        self, conn: Connection, source: str, snapshot_id: int, previous: int | None, count: int
    ) -> None:
        """The ``list.loaded`` event with its diff counts, in the load's own transaction
        (only when the notification tables exist in this database)."""
        from circumspect import notify

        if not notify.has_tables(conn):
            return
        new = self._fingerprints_on(conn, snapshot_id)
        old = {} if previous is None else self._fingerprints_on(conn, int(previous))
        counts = {
            "added": len(set(new) - set(old)),
            "removed": len(set(old) - set(new)),
            "changed": sum(1 for k in set(new) & set(old) if new[k] != old[k]),
        }
        notify.emit(
            conn,
            "list.loaded",
            {
                "source": source,
                "snapshot_id": str(snapshot_id),
                "previous_snapshot_id": None if previous is None else str(previous),
                "entity_count": count,
                "changes": counts,
            },
        )

    @staticmethod
    def _fingerprints_on(conn: Connection, snapshot_id: int) -> dict[str, str]:
        query = sa.select(entities_table.c.entity_id, entities_table.c.fingerprint).where(
            entities_table.c.snapshot_id == snapshot_id
        )
        return {str(r[0]): str(r[1]) for r in conn.execute(query)}

    def _shrinks(self, conn: Connection, source: str, snapshot_id: int, limit: float) -> bool:
        """Whether the new snapshot removes more than ``limit`` of the active one's entities."""
        active = conn.execute(
            sa.select(snapshots_table.c.id, snapshots_table.c.entity_count)
            .where(snapshots_table.c.source == source)
            .where(snapshots_table.c.active == sa.true())
        ).first()
        if active is None or not active.entity_count:
            return False
        return self._removed(conn, int(active.id), snapshot_id) > limit * int(active.entity_count)

    @staticmethod
    def _removed(conn: Connection, old_id: int, new_id: int) -> int:
        """Entities of snapshot ``old_id`` that snapshot ``new_id`` does not hold."""
        old = entities_table.alias("old")
        new = entities_table.alias("new")
        kept = (
            sa.select(new.c.entity_id)
            .where(new.c.snapshot_id == new_id)
            .where(new.c.entity_id == old.c.entity_id)
        )
        query = (
            sa.select(sa.func.count())
            .select_from(old)
            .where(old.c.snapshot_id == old_id)
            .where(~kept.exists())
        )
        return int(conn.execute(query).scalar_one())

    def _activate(
        self, conn: Connection, source: str, snapshot_id: int, count: int, loaded_at: datetime
    ) -> None:
        previous = conn.execute(
            sa.select(snapshots_table.c.id)
            .where(snapshots_table.c.source == source)
            .where(snapshots_table.c.active == sa.true())
        ).scalar()
        conn.execute(
            snapshots_table.update()
            .where(snapshots_table.c.source == source)
            .where(snapshots_table.c.active == sa.true())
            .values(active=False)
        )
        conn.execute(
            snapshots_table.update()
            .where(snapshots_table.c.id == snapshot_id)
            .values(active=True, status=COMPLETE, entity_count=count, loaded_at=loaded_at)
        )
        self._notify_loaded(conn, source, snapshot_id, previous, count)

    def activate(self, snapshot_id: str) -> Snapshot:
        """Make a staged snapshot the active one of its source (``lists activate``).

        Refused (``InputError``) for a snapshot that is not staged, and for a staged snapshot
        older than the source's active one (a newer list was accepted since).
        """
        snap = self.snapshot(snapshot_id)
        if not snap.staged:
            state = "active" if snap.active else "not staged (it was active before)"
            raise InputError(f"snapshot {snap.id} of {snap.source} is {state}", field="snapshot")
        try:
            with self._write() as conn, conn.begin():
                self._lock(conn, f"load:{snap.source}")
                current = conn.execute(
                    sa.select(snapshots_table.c.id)
                    .where(snapshots_table.c.source == snap.source)
                    .where(snapshots_table.c.active == sa.true())
                ).scalar()
                if current is not None and int(current) > int(snap.id):
                    raise InputError(
                        f"snapshot {current} of {snap.source}, newer than staged snapshot "
                        f"{snap.id}, is active; load the list again instead",
                        field="snapshot",
                    )
                self._activate(conn, snap.source, int(snap.id), snap.entity_count, snap.loaded_at)
        except SQLAlchemyError as exc:
            raise StoreError(f"activating snapshot {snap.id} failed: {_reason(exc)}") from exc
        return self.snapshot(snap.id)

    def _insert_snapshot(
        self, conn: Connection, source: str, checksum: str, files: Sequence[str]
    ) -> int:
        result = conn.execute(
            snapshots_table.insert()
            .values(
                source=source,
                loaded_at=datetime.now(UTC),
                checksum=checksum,
                entity_count=0,
                files=orjson.dumps(list(files)).decode(),
                status=LOADING,
                active=False,
            )
            .returning(snapshots_table.c.id)
        )
        return int(result.scalar_one())

    def _insert_entities(
        self, conn: Connection, snapshot_id: int, source: str, entities: Iterable[ListedEntity]
    ) -> int:
        seen: set[str] = set()
        batch: list[dict[str, Any]] = []
        insert = entities_table.insert()
        for entity in entities:
            if entity.source != source:
                raise InputError(
                    f"entity {entity.id} belongs to source {entity.source!r}, not {source!r}",
                    record=entity.source_id,
                )
            entity_id = entity.id
            if entity_id in seen:
                raise InputError(
                    f"duplicate entity id {entity_id} in one load of {source}",
                    record=entity.source_id,
                )
            seen.add(entity_id)
            batch.append(
                {
                    "snapshot_id": snapshot_id,
                    "entity_id": entity_id,
                    "source_id": entity.source_id,
                    "schema": entity.schema,
                    "caption": entity.caption,
                    "fingerprint": fingerprint_hash(entity),
                    "data": orjson.dumps(entity.to_dict()).decode(),
                }
            )
            if len(batch) >= BATCH_SIZE:
                conn.execute(insert, batch)
                batch = []
        if batch:
            conn.execute(insert, batch)
        return len(seen)

    def prune(self, source: str, keep: int) -> int:
        """Delete all but the newest ``keep`` snapshots of ``source`` (never the active one).

        Returns the number of snapshots deleted.
        """
        if keep < 1:
            raise InputError("keep must be at least 1")
        try:
            with self._write() as conn, conn.begin():
                self._lock(conn, f"load:{source}")
                rows = conn.execute(
                    sa.select(snapshots_table.c.id, snapshots_table.c.active)
                    .where(snapshots_table.c.source == source)
                    .where(snapshots_table.c.status == COMPLETE)
                    .order_by(snapshots_table.c.id.desc())
                ).all()
                doomed = [int(r.id) for r in rows[keep:] if not r.active]
                if doomed:
                    conn.execute(
                        entities_table.delete().where(entities_table.c.snapshot_id.in_(doomed))
                    )
                    conn.execute(snapshots_table.delete().where(snapshots_table.c.id.in_(doomed)))
        except SQLAlchemyError as exc:
            raise StoreError(f"pruning {source} failed: {_reason(exc)}") from exc
        return len(doomed)

    def remove_source(self, source: str) -> int:
        """Delete every snapshot of ``source`` (and its entities) in one transaction;
        returns the number of snapshots removed (0 when the source was never loaded)."""
        try:
            with self._write() as conn, conn.begin():
                self._lock(conn, f"load:{source}")
                ids = [
                    int(r[0])
                    for r in conn.execute(
                        sa.select(snapshots_table.c.id).where(snapshots_table.c.source == source)
                    )
                ]
                if ids:
                    conn.execute(
                        entities_table.delete().where(entities_table.c.snapshot_id.in_(ids))
                    )
                    conn.execute(snapshots_table.delete().where(snapshots_table.c.id.in_(ids)))
        except SQLAlchemyError as exc:
            raise StoreError(f"removing {source} failed: {_reason(exc)}") from exc
        return len(ids)

    # -- reads ------------------------------------------------------------------------------

    def _snapshot_query(self, *, staged: bool = True) -> sa.Select[Any]:
        """Readable snapshots: complete ones, and staged ones unless ``staged`` is False."""
        wanted = READABLE if staged else (COMPLETE,)
        return sa.select(snapshots_table).where(snapshots_table.c.status.in_(wanted))

    @staticmethod
    def _to_snapshot(row: Any) -> Snapshot:
        return Snapshot(
            id=str(row.id),
            source=str(row.source),
            loaded_at=_utc(row.loaded_at),
            checksum=str(row.checksum),
            entity_count=int(row.entity_count),
            active=bool(row.active),
            files=tuple(orjson.loads(row.files)),
            staged=str(row.status) == STAGED,
        )

    def snapshots(self, source: str | None = None) -> list[Snapshot]:
        query = self._snapshot_query().order_by(snapshots_table.c.id.desc())
        if source is not None:
            query = query.where(snapshots_table.c.source == source)
        with self._read() as conn:
            return [self._to_snapshot(r) for r in conn.execute(query)]

    def active_snapshots(self) -> dict[str, Snapshot]:
        query = (
            self._snapshot_query()
            .where(snapshots_table.c.active == sa.true())
            .order_by(snapshots_table.c.source)
        )
        with self._read() as conn:
            return {str(r.source): self._to_snapshot(r) for r in conn.execute(query)}

    def snapshot(self, snapshot_id: str) -> Snapshot:
        """One complete snapshot by id; ``NotFoundError`` when there is none."""
        number = _snapshot_number(snapshot_id)
        with self._read() as conn:
            row = conn.execute(self._snapshot_query().where(snapshots_table.c.id == number)).first()
        if row is None:
            raise NotFoundError(f"no snapshot {snapshot_id}", record=str(snapshot_id))
        return self._to_snapshot(row)

    def _read(self) -> Any:
        return self._engine.connect()

    def iter_entities(
        self,
        *,
        snapshot_id: str | None = None,
        sources: Sequence[str] | None = None,
    ) -> Iterator[ListedEntity]:
        query = (
            sa.select(entities_table.c.data)
            .join(snapshots_table, snapshots_table.c.id == entities_table.c.snapshot_id)
            .where(snapshots_table.c.status.in_(READABLE))
        )
        if snapshot_id is not None:
            snap = self.snapshot(snapshot_id)
            query = query.where(entities_table.c.snapshot_id == int(snap.id))
        else:
            query = query.where(snapshots_table.c.active == sa.true())
        if sources is not None:
            query = query.where(snapshots_table.c.source.in_(list(sources)))
        query = query.order_by(entities_table.c.snapshot_id, entities_table.c.entity_id)
        return self._stream(query)

    def _stream(self, query: sa.Select[Any]) -> Iterator[ListedEntity]:
        with self._read() as conn:
            result = conn.execution_options(stream_results=True, yield_per=BATCH_SIZE).execute(
                query
            )
            for (data,) in result:
                yield ListedEntity.from_dict(orjson.loads(data))

    def count_entities(self, snapshot_id: str) -> int:
        """Rows actually stored for one snapshot (a check used by tests and status)."""
        number = _snapshot_number(snapshot_id)
        with self._read() as conn:
            return int(
                conn.execute(
                    sa.select(sa.func.count()).where(entities_table.c.snapshot_id == number)
                ).scalar_one()
            )

    def get_entity(self, entity_id: str) -> ListedEntity | None:
        query = (
            sa.select(entities_table.c.data)
            .join(snapshots_table, snapshots_table.c.id == entities_table.c.snapshot_id)
            .where(snapshots_table.c.active == sa.true())
            .where(snapshots_table.c.status == COMPLETE)
            .where(entities_table.c.entity_id == entity_id)
            .limit(1)
        )
        with self._read() as conn:
            data = conn.execute(query).scalar()
        return None if data is None else ListedEntity.from_dict(orjson.loads(data))

    def get_entities(self, entity_ids: Sequence[str]) -> dict[str, ListedEntity]:
        """Active entities by id, in one query per 500 ids (absent ids are left out)."""
        out: dict[str, ListedEntity] = {}
        ids = sorted(set(entity_ids))
        with self._read() as conn:
            for start in range(0, len(ids), 500):
                query = (
                    sa.select(entities_table.c.entity_id, entities_table.c.data)
                    .join(snapshots_table, snapshots_table.c.id == entities_table.c.snapshot_id)
                    .where(snapshots_table.c.active == sa.true())
                    .where(snapshots_table.c.status == COMPLETE)
                    .where(entities_table.c.entity_id.in_(ids[start : start + 500]))
                )
                for entity_id, data in conn.execute(query):
                    out.setdefault(str(entity_id), ListedEntity.from_dict(orjson.loads(data)))
        return out

    # -- diff -------------------------------------------------------------------------------

    def entity_history(self, entity_id: str) -> list[EntityVersion]:
        query = (
            sa.select(entities_table.c.snapshot_id, entities_table.c.data, snapshots_table.c.source)
            .join(snapshots_table, snapshots_table.c.id == entities_table.c.snapshot_id)
            .where(snapshots_table.c.status.in_(READABLE))
            .where(entities_table.c.entity_id == entity_id)
        )
        with self._read() as conn:
            rows = conn.execute(query).all()
        if not rows:
            return []
        data = {int(r.snapshot_id): str(r.data) for r in rows}
        sources = {str(r.source) for r in rows}
        snaps = sorted(
            (s for source in sources for s in self.snapshots(source)),
            key=lambda s: _snapshot_number(s.id),
        )
        out: list[EntityVersion] = []
        previous: ListedEntity | None = None
        for snap in snaps:
            found = data.get(_snapshot_number(snap.id))
            if found is None:
                if previous is not None:
                    out.append(EntityVersion(snap, "removed", None))
                previous = None
                continue
            entity = ListedEntity.from_dict(orjson.loads(found))
            if previous is None:
                out.append(EntityVersion(snap, "added", entity))
            else:
                changes = property_changes(previous, entity)
                if changes:
                    out.append(EntityVersion(snap, "changed", entity, changes))
                else:
                    out.append(EntityVersion(snap, "unchanged", entity))
            previous = entity
        return out

    def diff(self, source: str, from_id: str | None = None, to_id: str | None = None) -> Diff:
        to_snap = self._diff_target(source, to_id)
        from_snap = self._diff_base(source, to_snap, from_id)
        new = self._fingerprints(int(to_snap.id))
        old = {} if from_snap is None else self._fingerprints(int(from_snap.id))
        added = sorted(set(new) - set(old))
        removed = sorted(set(old) - set(new))
        changed = sorted(k for k in set(new) & set(old) if new[k][0] != old[k][0])
        changes: list[EntityChange] = []
        changes += [EntityChange(k, "added", new[k][1]) for k in added]
        changes += [EntityChange(k, "removed", old[k][1]) for k in removed]
        if changed and from_snap is not None:
            old_data = self._entity_data(int(from_snap.id), changed)
            new_data = self._entity_data(int(to_snap.id), changed)
            for key in changed:
                props = property_changes(old_data[key], new_data[key])
                changes.append(EntityChange(key, "changed", new[key][1], props))
        return Diff(
            source=source,
            from_snapshot=None if from_snap is None else from_snap.id,
            to_snapshot=to_snap.id,
            changes=changes,
        )

    def _diff_target(self, source: str, to_id: str | None) -> Snapshot:
        if to_id is None:
            active = self.active_snapshots().get(source)
            if active is None:
                raise NotFoundError(f"source {source} has no active snapshot; load it first")
            return active
        snap = self.snapshot(to_id)
        if snap.source != source:
            raise InputError(f"snapshot {to_id} is of source {snap.source}, not {source}")
        return snap

    def _diff_base(self, source: str, to_snap: Snapshot, from_id: str | None) -> Snapshot | None:
        if from_id is not None:
            snap = self.snapshot(from_id)
            if snap.source != source:
                raise InputError(f"snapshot {from_id} is of source {snap.source}, not {source}")
            return snap
        with self._read() as conn:
            # the previous snapshot that was accepted (staged ones never were)
            row = conn.execute(
                self._snapshot_query(staged=False)
                .where(snapshots_table.c.source == source)
                .where(snapshots_table.c.id < int(to_snap.id))
                .order_by(snapshots_table.c.id.desc())
                .limit(1)
            ).first()
        return None if row is None else self._to_snapshot(row)

    def _fingerprints(self, snapshot_id: int) -> dict[str, tuple[str, str]]:
        query = sa.select(
            entities_table.c.entity_id, entities_table.c.fingerprint, entities_table.c.caption
        ).where(entities_table.c.snapshot_id == snapshot_id)
        with self._read() as conn:
            return {str(r[0]): (str(r[1]), str(r[2])) for r in conn.execute(query)}

    def _entity_data(self, snapshot_id: int, ids: list[str]) -> dict[str, ListedEntity]:
        out: dict[str, ListedEntity] = {}
        with self._read() as conn:
            for start in range(0, len(ids), 500):
                chunk = ids[start : start + 500]
                query = sa.select(entities_table.c.entity_id, entities_table.c.data).where(
                    entities_table.c.snapshot_id == snapshot_id,
                    entities_table.c.entity_id.in_(chunk),
                )
                for entity_id, data in conn.execute(query):
                    out[str(entity_id)] = ListedEntity.from_dict(orjson.loads(data))
        return out

    def close(self) -> None:
        self._engine.dispose()


def property_changes(old: ListedEntity, new: ListedEntity) -> dict[str, dict[str, list[str]]]:
    """Per changed property (``sanction.*`` for the sanction), the old and new values."""
    before = old.fingerprint()
    after = new.fingerprint()
    out: dict[str, dict[str, list[str]]] = {}
    for prop in sorted(set(before) | set(after)):
        old_values = before.get(prop, [])
        new_values = after.get(prop, [])
        if old_values != new_values:
            out[prop] = {"old": old_values, "new": new_values}
    return out


def _snapshot_number(snapshot_id: str) -> int:
    try:
        return int(str(snapshot_id).strip())
    except ValueError:
        raise NotFoundError(
            f"no snapshot {snapshot_id!r} (snapshot ids are numbers; see `lists status`)",
            record=str(snapshot_id),
        ) from None


def _reason(exc: SQLAlchemyError) -> str:
    """The database's own message without SQLAlchemy's SQL/parameter dump."""
    orig = getattr(exc, "orig", None)
    text = str(orig) if orig is not None else str(exc)
    return text.strip().splitlines()[0] if text.strip() else type(exc).__name__
