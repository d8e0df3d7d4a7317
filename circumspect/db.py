"""Database engines for every table on the service database (case store, notifications).

SQLite (default, ``settings.db_url()``) and PostgreSQL (``postgresql://`` URL). On SQLite the
writer engine starts every transaction with ``BEGIN IMMEDIATE`` so that appends to the audit
chain are serialised across processes (several ``serve --workers``); readers use a plain
``BEGIN`` and WAL mode so they never wait for writers. On PostgreSQL one engine serves both
and the audit head row is locked with ``SELECT ... FOR UPDATE``.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, create_engine, event

from circumspect.errors import ConfigError


def normalise_url(url: str) -> str:
    """SQLAlchemy URL for a settings URL (``postgresql://`` -> psycopg 3 driver)."""
    if url.startswith("postgresql://") or url.startswith("postgres://"):
        return "postgresql+psycopg://" + url.split("://", 1)[1]
    if url.startswith("sqlite:///") or url.startswith("postgresql+"):
        return url
    raise ConfigError(f"unsupported database URL {url!r}: use sqlite:///PATH or postgresql://...")


def _sqlite_engine(url: str, begin: str) -> Engine:
    path = url[len("sqlite:///") :]
    if path and path != ":memory:":
        Path(path).expanduser().parent.mkdir(parents=True, exist_ok=True)
    engine = create_engine(
        url, connect_args={"check_same_thread": False, "timeout": 60}, pool_pre_ping=False
    )

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_conn: Any, _record: Any) -> None:
        dbapi_conn.isolation_level = None  # we emit BEGIN ourselves
        cursor = dbapi_conn.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA busy_timeout=60000")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(conn: Any) -> None:
        conn.exec_driver_sql(begin)

    return engine


@dataclass
class DbEngines:
    """The writer and reader SQLAlchemy engines of one database URL."""

    url: str
    write: Engine
    read: Engine

    @property
    def dialect(self) -> str:
        return self.write.dialect.name

    def dispose(self) -> None:
        self.write.dispose()
        if self.read is not self.write:
            self.read.dispose()


def make_engines(url: str) -> DbEngines:
    """Writer and reader engines for a settings URL (one shared engine on PostgreSQL)."""
    sa_url = normalise_url(url)
    if sa_url.startswith("sqlite"):
        writer = _sqlite_engine(sa_url, "BEGIN IMMEDIATE")
        return DbEngines(url, writer, _sqlite_engine(sa_url, "BEGIN"))
    engine = create_engine(sa_url, pool_size=10, max_overflow=10, pool_pre_ping=True)
    return DbEngines(url, engine, engine)
