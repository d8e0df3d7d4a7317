"""Migrations of the case store (Alembic, ``cases/migrations``).

The engines come from :mod:`circumspect.db` (``make_engines``, ``DbEngines``), re-exported
here for existing callers.
"""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import Engine

from circumspect.db import DbEngines, make_engines, normalise_url

MIGRATIONS = Path(__file__).resolve().parent / "migrations"

#: the former name of :class:`circumspect.db.DbEngines`
Engines = DbEngines

__all__ = [
    "MIGRATIONS",
    "DbEngines",
    "Engines",
    "current_revision",
    "make_engines",
    "migrate",
    "normalise_url",
]


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
