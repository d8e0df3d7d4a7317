"""The list store for a command: opened from ``--db`` (else ``$CIRCUMSPECT_DB``, else
SQLite under ``$CIRCUMSPECT_HOME``) and closed when the block ends. The store module is
imported on first use, so ``circumspect --help`` stays fast."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from circumspect.store.sql import SqlStore


@contextmanager
def opened_store(db: str | None) -> Iterator[SqlStore]:
    from circumspect.store import open_store

    store = open_store(db)
    try:
        yield store
    finally:
        store.close()
