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
    """The SQLAlchemy URL of a settings URL, for every database of the package (list store,
    case store, notifications): ``postgresql://``/``postgres://`` use psycopg 3; SQLite as
    given; anything else is a ``ConfigError`` (password hidden)."""
    if url.startswith("postgres://"):
        url = "postgresql://" + url[len("postgres://") :]
    if url.startswith("postgresql://"):
        return "postgresql+psycopg://" + url[len("postgresql://") :]
    if url.startswith(("postgresql+psycopg://", "sqlite://", "sqlite+pysqlite://")):
        return url
    raise ConfigError(
        f"unsupported database URL {safe_url(url)!r}: use sqlite:///PATH or "
        "postgresql://user:password@host/db"
    )


def safe_url(url: str) -> str:
    """The URL with any password hidden, for messages."""
    from sqlalchemy.engine import make_url

    try:
        return make_url(url).render_as_string(hide_password=True)
    except Exception:  # an unparsable URL is shown as it is (it has no parsable password)
        return url


def has_stored_parties(url: str) -> bool:
    """Whether the database at ``url`` holds screened parties (``case_parties``): only then
    is there anything to re-screen after a list or ownership change."""
    from sqlalchemy import inspect, text

    engine = create_engine(normalise_url(url))
    try:
        if not inspect(engine).has_table("case_parties"):
            return False
        with engine.connect() as conn:
            return bool(conn.execute(text("SELECT COUNT(*) FROM case_parties")).scalar_one())
    finally:
        engine.dispose()


SYNCHRONOUS = ("FULL", "NORMAL", "EXTRA")


def sqlite_synchronous() -> str:
    """``CIRCUMSPECT_SQLITE_SYNCHRONOUS`` (default FULL) checked: anything else is a
    ``ConfigError`` naming the setting."""
    from circumspect import settings

    value = settings.get("CIRCUMSPECT_SQLITE_SYNCHRONOUS").strip().upper()
    if value not in SYNCHRONOUS:
        raise ConfigError(
            f"CIRCUMSPECT_SQLITE_SYNCHRONOUS={value!r}: use one of {', '.join(SYNCHRONOUS)}"
        )
    return value


def _sqlite_engine(url: str, begin: str, synchronous: str = "NORMAL") -> Engine:
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
        cursor.execute(f"PRAGMA synchronous={synchronous}")
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
        # the writer's commits are what acknowledges a request: durable by default (FULL)
        writer = _sqlite_engine(sa_url, "BEGIN IMMEDIATE", sqlite_synchronous())
        return DbEngines(url, writer, _sqlite_engine(sa_url, "BEGIN"))
    engine = create_engine(sa_url, pool_size=10, max_overflow=10, pool_pre_ping=True)
    return DbEngines(url, engine, engine)
