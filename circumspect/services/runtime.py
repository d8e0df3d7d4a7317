"""What the service holds while it runs: the case service, the list store and the screener.

One :class:`Runtime` is built by the composition root (``circumspect.server.create_app``)
and injected into the API and web routers (``circumspect.api.deps.RuntimeDep``); the use
cases in :mod:`circumspect.services` take it as their first argument. The screener is built
from the store's active snapshots and rebuilt (at most every few seconds a cheap check) when
a new list version becomes active.
"""

from __future__ import annotations

import gc
import hashlib
import os
import threading
import time
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, cast

from circumspect import settings
from circumspect.cases.idempotency import IdempotencyStore
from circumspect.cases.service import CaseService, UserInfo, entity_hash
from circumspect.matching import Screener
from circumspect.model.screening import PartyScreener
from circumspect.services.ratelimit import RateLimiter
from circumspect.store import open_store
from circumspect.store.base import Store

if TYPE_CHECKING:
    from circumspect.ownership.service import OwnershipView


@dataclass
class ApiConfig:
    """Service configuration; ``screener``/``store`` fixed only by tests and embedders."""

    db_url: str | None = None
    max_request_bytes: int | None = None
    screener: PartyScreener | None = None
    store: Store | None = None
    #: seconds a verified API key is cached (disabling a user takes effect within this)
    auth_ttl: float = 5.0
    #: seconds between checks for a new active list version
    reload_interval: float = 5.0
    web: bool = True
    secret_key: str | None = None
    #: run the webhook dispatcher (``serve`` sets CIRCUMSPECT_DISPATCH=1)
    dispatch: bool = field(default_factory=lambda: os.environ.get("CIRCUMSPECT_DISPATCH") == "1")
    #: seconds between scheduled fetches (``serve --fetch-every`` sets CIRCUMSPECT_FETCH_EVERY)
    fetch_every: float | None = field(
        default_factory=lambda: (
            float(os.environ["CIRCUMSPECT_FETCH_EVERY"])
            if os.environ.get("CIRCUMSPECT_FETCH_EVERY")
            else None
        )
    )
    #: mount the yente-compatible API (``serve --yente-compat`` sets CIRCUMSPECT_YENTE_COMPAT)
    yente: bool = field(default_factory=lambda: os.environ.get("CIRCUMSPECT_YENTE_COMPAT") == "1")


def settle_heap() -> None:
    """After the matching index is (re)built: collect once and move every object alive now
    (the index: ~700,000 objects) to the garbage collector's permanent generation, so that
    the full collections a request's allocations trigger no longer walk it. Measured
    (docs/service.md): a full collection took 400-680 ms with the SDN index in the heap, a
    stall of every request in flight and the p99 of the service. The previous index's
    objects are unfrozen first, so a reload frees them."""
    gc.unfreeze()
    gc.collect()
    gc.freeze()


class Runtime:
    def __init__(self, config: ApiConfig) -> None:
        self.config = config
        self.db_url = settings.db_url(config.db_url)
        self.max_request_bytes = config.max_request_bytes or int(
            settings.get("CIRCUMSPECT_MAX_REQUEST_BYTES")
        )
        self.cases = CaseService(self.db_url)
        self.cases.entity_hash_lookup = self._entity_hash
        self.idempotency = IdempotencyStore(self.cases)
        self.login_limiter = RateLimiter(
            settings.get_int("CIRCUMSPECT_LOGIN_MAX_FAILURES"),
            settings.get_float("CIRCUMSPECT_LOGIN_WINDOW"),
        )
        self._store: Store | None = config.store
        self._screener: PartyScreener | None = config.screener
        self._snapshot_ids: dict[str, str] | None = None
        self._checked = 0.0
        self._judged = 0
        self._lock = threading.RLock()
        self._auth: dict[str, tuple[UserInfo, float]] = {}

    # -- auth ----------------------------------------------------------------------------
    def authenticate(self, key: str) -> UserInfo:
        digest = hashlib.sha256(key.encode("utf-8", "replace")).hexdigest()
        hit = self._auth.get(digest)
        now = time.monotonic()
        if hit is not None and hit[1] > now:
            return hit[0]
        user = self.cases.authenticate(key)  # AuthError when unknown
        if len(self._auth) > 10000:
            self._auth.clear()
        self._auth[digest] = (user, now + self.config.auth_ttl)
        return user

    def forget_keys(self) -> None:
        self._auth.clear()

    # -- store and screener --------------------------------------------------------------
    def store(self) -> Store:
        if self._store is None:
            with self._lock:
                if self._store is None:
                    self._store = open_store(self.db_url)
        return self._store

    def snapshot_ids(self) -> dict[str, str]:
        return {src: snap.id for src, snap in self.store().active_snapshots().items()}

    def screener(self) -> tuple[PartyScreener, dict[str, str]]:
        now = time.monotonic()
        if self._snapshot_ids is not None and now - self._checked < self.config.reload_interval:
            assert self._screener is not None
            return self._screener, self._snapshot_ids
        with self._lock:
            ids = self.snapshot_ids() | self._ownership_ids()
            judged = self._judgements_version()
            self._checked = time.monotonic()
            if self._screener is None or (
                (ids != self._snapshot_ids or judged != self._judged)
                and self.config.screener is None
            ):
                self._screener = Screener.from_store(self.store())
                settle_heap()
            self._snapshot_ids = ids
            self._judged = judged
            return self._screener, ids

    def _judgements_version(self) -> int:
        """The latest cross-list judgement (``entities merge/split``): a new one reloads the
        screener, so results are grouped by the analysts' latest word."""
        from circumspect.store.sql import SqlStore

        store = self.store()
        if not isinstance(store, SqlStore):
            return 0
        from circumspect.resolve.store import JudgementStore

        return JudgementStore(store).version()

    def _ownership_ids(self) -> dict[str, str]:
        """Active ownership snapshots (``ownership:DATASET``): a new one reloads the screener."""
        from circumspect.store.sql import SqlStore

        store = self.store()
        if not isinstance(store, SqlStore):
            return {}
        from circumspect.ownership.store import OwnershipStore

        return {f"ownership:{k}": s.id for k, s in OwnershipStore(store).active().items()}

    def ownership_view(self) -> OwnershipView:
        """The ownership view of the current screener, or a fresh one over the store when
        the screener carries none (a fixed test screener)."""
        view = getattr(self.screener()[0], "ownership", None)
        if view is None:
            from circumspect.ownership.service import open_view

            view = open_view(self.store())
        return cast("OwnershipView", view)

    def _entity_hash(self, entity_id: str) -> str | None:
        entity = self.store().get_entity(entity_id)
        return None if entity is None else entity_hash(entity)

    def close(self) -> None:
        self.cases.close()
        if self._store is not None and self.config.store is None:
            self._store.close()
