"""Engines and migrations of the case store.

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

MIGRATIONS = Path(__file__).resolve().parent / "migrations"


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
class Engines:
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


def make_engines(url: str) -> Engines:
    sa_url = normalise_url(url)
    if sa_url.startswith("sqlite"):
        writer = _sqlite_engine(sa_url, "BEGIN IMMEDIATE")
        return Engines(url, writer, _sqlite_engine(sa_url, "BEGIN"))
    engine = create_engine(sa_url, pool_size=10, max_overflow=10, pool_pre_ping=True)
    return Engines(url, engine, engine)


def migrate(engine: Engine) -> None:
    """Bring the case tables to the newest Alembic revision (idempotent)."""
    from alembic import command
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    with engine.begin() as conn:
        config.attributes["connection"] = conn
        command.upgrade(config, "head")


def current_revision(engine: Engine) -> str | None:
    from alembic.migration import MigrationContext

    with engine.connect() as conn:
        ctx = MigrationContext.configure(conn, opts={"version_table": "alembic_version_cases"})
        return ctx.get_current_revision()
