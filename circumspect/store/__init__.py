"""Versioned storage of list snapshots (SQLite by default, PostgreSQL by URL)."""

from circumspect.store.base import Diff, EntityChange, Snapshot, Store

__all__ = ["Diff", "EntityChange", "Snapshot", "Store"]
