"""What the API holds while it runs: the case service, the list store and the screener.

The screener is built from the store's active snapshots and rebuilt (at most every few
seconds a cheap check) when a new list version becomes active.
"""

from __future__ import annotations

import dataclasses
import hashlib
import importlib
import os
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, cast

from circumspect.cases.service import CaseService, UserInfo, entity_hash
from circumspect.errors import AuthError, DependencyError

if TYPE_CHECKING:
    from circumspect.model.screening import PartyScreener
    from circumspect.store.base import Store


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
    #: mount the yente-compatible API (``serve --yente-compat`` sets CIRCUMSPECT_YENTE_COMPAT)
    yente: bool = field(default_factory=lambda: os.environ.get("CIRCUMSPECT_YENTE_COMPAT") == "1")


def module_available(name: str, attr: str | None = None) -> bool:
    """Whether an optional capability module (and attribute) is present in this tree."""
    try:
        module = importlib.import_module(name)
    except ImportError:
        return False
    return attr is None or hasattr(module, attr)


class Runtime:
    def __init__(self, config: ApiConfig) -> None:
        from circumspect import settings

        self.config = config
        self.db_url = settings.db_url(config.db_url)
        self.max_request_bytes = config.max_request_bytes or int(
            settings.get("CIRCUMSPECT_MAX_REQUEST_BYTES")
        )
        self.cases = CaseService(self.db_url)
        self.cases.entity_hash_lookup = self._entity_hash
        self._store: Store | None = config.store
        self._screener: PartyScreener | None = config.screener
        self._snapshot_ids: dict[str, str] | None = None
        self._checked = 0.0
        self._lock = threading.RLock()
        self._auth: dict[str, tuple[UserInfo, float]] = {}
        #: set when the optional endpoints are mounted (the web pages follow them)
        self.routes_enabled = False
        self.declarations_enabled = False
        self.flows_enabled = module_available("circumspect.flows.report", "build")

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
                    try:
                        module = importlib.import_module("circumspect.store")
                    except ImportError as exc:  # pragma: no cover - store is part of the tree
                        raise DependencyError("the list store is not installed") from exc
                    self._store = cast("Store", module.open_store(self.db_url))
        return self._store

    def snapshot_ids(self) -> dict[str, str]:
        return {src: snap.id for src, snap in self.store().active_snapshots().items()}

    def screener(self) -> tuple[PartyScreener, dict[str, str]]:
        now = time.monotonic()
        if self._snapshot_ids is not None and now - self._checked < self.config.reload_interval:
            assert self._screener is not None
            return self._screener, self._snapshot_ids
        with self._lock:
            ids = self.snapshot_ids()
            self._checked = time.monotonic()
            if self._screener is None or (
                ids != self._snapshot_ids and self.config.screener is None
            ):
                try:
                    module = importlib.import_module("circumspect.matching")
                    factory: Any = module.Screener
                except (ImportError, AttributeError) as exc:
                    raise DependencyError(
                        "party screening (circumspect.matching) is absent"
                    ) from exc
                self._screener = cast("PartyScreener", factory.from_store(self.store()))
            self._snapshot_ids = ids
            return self._screener, ids

    def screen_parties(
        self,
        actor: str,
        parties: list[dict[str, Any]],
        *,
        limit: int = 5,
        open_cases: bool = True,
        threshold: float | None = None,
        include_sources: list[str] | None = None,
        exclude_sources: list[str] | None = None,
        exclude_ids: list[str] | None = None,
    ) -> dict[str, Any]:
        """Screen parties (dicts: name, schema, country, birth_date, identifier, id,
        idempotency_key), remember them, audit the screening and open cases for alerts.

        ``threshold`` overrides the alert threshold for this call; ``include_sources`` (source
        names, ``sanctions`` = every official list, ``default`` = all) and ``exclude_sources``
        restrict the lists; ``exclude_ids`` drops those listed entities (ids or source ids).
        """
        from circumspect.model.screening import Query

        started = time.perf_counter()
        screener, snaps = self.screener()
        keep = self._candidate_filter(snaps, include_sources, exclude_sources, exclude_ids)
        cut = screener.threshold if threshold is None else float(threshold)
        wanted = limit if keep is None else max(limit * 4, 20)
        queries: list[dict[str, Any]] = []
        results: list[list[dict[str, Any]]] = []
        for party in parties:
            query = Query(
                name=party["name"],
                schema=party.get("schema") or "LegalEntity",
                country=party.get("country"),
                birth_date=party.get("birth_date"),
                identifier=party.get("identifier"),
                query_id=party.get("id"),
            )
            found = [_as_dict(c) for c in screener.screen(query, limit=wanted)]
            if query.identifier:
                seen = {c["entity_id"] for c in found}
                found += [
                    _as_dict(c)
                    for c in screener.by_identifier(query.identifier)
                    if c.entity_id not in seen
                ]
            if keep is not None:
                found = [c for c in found if keep(c)][:limit]
            if threshold is not None:
                for c in found:
                    c["alert"] = bool(c.get("score", 0.0) >= cut)
            queries.append(
                {k: party[k] for k in QUERY_FIELDS if party.get(k) is not None}
                | {"schema": query.schema}
            )
            results.append(found)
        outcomes = self.cases.record_screening(
            actor,
            queries,
            results,
            snaps,
            open_cases=open_cases,
            idem_keys=[p.get("idempotency_key") for p in parties],
        )
        out = []
        for party, query_out, found, outcome in zip(
            parties, queries, results, outcomes, strict=True
        ):
            echo = dict(query_out) | ({"id": party["id"]} if party.get("id") else {})
            case = None
            if outcome.status != "none":
                case = {
                    "status": outcome.status,
                    "case_id": outcome.case_id,
                    "suppressed": outcome.suppressed,
                }
            out.append(
                {
                    "query": echo,
                    "candidates": found,
                    "alert": any(c.get("alert") for c in found),
                    "case": case,
                }
            )
        return {
            "results": out,
            "snapshots": snaps,
            "threshold": cut,
            "elapsed_ms": round((time.perf_counter() - started) * 1000, 2),
        }

    @staticmethod
    def _candidate_filter(
        snaps: dict[str, str],
        include: list[str] | None,
        exclude: list[str] | None,
        exclude_ids: list[str] | None,
    ) -> Callable[[dict[str, Any]], bool] | None:
        """A predicate on candidates for the dataset/id options, or None when none is set."""
        if not include and not exclude and not exclude_ids:
            return None

        def expand(names: list[str]) -> set[str]:
            out: set[str] = set()
            for name in names:
                if name == "default":
                    out |= set(snaps)
                elif name == "sanctions":
                    out |= {s for s in snaps if not s.startswith("custom:")}
                else:
                    out.add(name)
            return out

        sources = expand(include) if include else set(snaps)
        sources -= expand(exclude or [])
        dropped = set(exclude_ids or [])

        def keep(candidate: dict[str, Any]) -> bool:
            return (
                candidate.get("source") in sources
                and candidate.get("entity_id") not in dropped
                and candidate.get("source_id") not in dropped
            )

        return keep

    def _entity_hash(self, entity_id: str) -> str | None:
        entity = self.store().get_entity(entity_id)
        return None if entity is None else entity_hash(entity)

    def close(self) -> None:
        self.cases.close()
        if self._store is not None and self.config.store is None:
            self._store.close()


QUERY_FIELDS = ("name", "schema", "country", "birth_date", "identifier")


def _as_dict(candidate: Any) -> dict[str, Any]:
    return candidate if isinstance(candidate, dict) else dataclasses.asdict(candidate)


def auth_error(message: str = "invalid API key") -> AuthError:
    return AuthError(message)
