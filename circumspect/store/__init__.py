"""Versioned storage of list snapshots (SQLite by default, PostgreSQL by URL)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from circumspect.store.base import Diff, EntityChange, Snapshot, Store

if TYPE_CHECKING:
    from circumspect.store.sql import SqlStore

__all__ = ["Diff", "EntityChange", "Snapshot", "Store", "open_store"]


def open_store(url: str | None = None) -> SqlStore:
    """The store at ``url``, else ``$CIRCUMSPECT_DB``, else SQLite under ``$CIRCUMSPECT_HOME``.

    ``postgresql://`` (or ``postgres://``) URLs use psycopg 3. Tables are created on first
    use; opening is idempotent and safe from several processes at once.
    """
    from circumspect import settings
    from circumspect.store.sql import SqlStore

    return SqlStore(settings.db_url(url))
