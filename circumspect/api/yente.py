"""A yente-compatible API (``serve --yente-compat``): clients written against OpenSanctions'
yente (``POST /match/{dataset}``, ``GET /search/{dataset}``, ``GET /entities/{id}``,
``GET /catalog``, ``GET /algorithms``, ``/healthz``) work against circumspect unchanged.

The request and response shapes follow yente's published models (``yente/data/common.py``):
``EntityMatchQuery`` in, ``EntityMatchResponse`` out (``responses`` per query key with
``results`` of scored FtM entities, ``total``, ``query``; ``matcher`` feature docs; ``limit``);
errors are ``{"detail": "..."}`` with a 4xx status, never a 500 for bad input. The API keys are
circumspect's own (``Authorization: Bearer KEY`` or yente/OpenSanctions style
``Authorization: ApiKey KEY``); every path but ``/healthz`` needs the viewer role.

Datasets: ``default`` (every active list), ``sanctions`` (every active official list, not the
``custom:`` ones) and each active source by name (``ofac_sdn``, ``us_csl``, ``custom:bank``...).
Scoring is circumspect's (``algorithm``: a circumspect scorer name, or ``best``/``default``);
``threshold`` decides ``match``, ``cutoff`` drops weaker results, ``include_dataset`` /
``exclude_dataset`` / ``exclude_schema`` / ``exclude_entity_ids`` / ``topics`` filter them.
This module only reads: it opens no cases (use ``/v1/screen`` for that).
"""

from __future__ import annotations

import math
from collections.abc import Awaitable, Callable, Iterable
from functools import wraps
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse
from followthemoney import model
from followthemoney.exc import InvalidData
from followthemoney.types import registry

from circumspect import __version__
from circumspect.cases.types import JsonObject, JsonValue
from circumspect.errors import CircumspectError
from circumspect.model.entities import CUSTOM_PREFIX, ListedEntity
from circumspect.model.screening import Candidate, EntryFilter, PartyScreener, Query
from circumspect.services.runtime import Runtime

#: Paths of this API (the auth gate checks keys on them).
PREFIXES = ("/match", "/search", "/entities", "/catalog", "/algorithms")
MAX_BATCH = 500
MAX_LIMIT = 500
DEFAULT_LIMIT = 5
DEFAULT_CUTOFF = 0.5
#: property -> Query field it feeds
_ID_PROPS = (
    "idNumber",
    "registrationNumber",
    "taxNumber",
    "innCode",
    "ogrnCode",
    "swiftBic",
    "leiCode",
    "imoNumber",
    "passportNumber",
    "vatCode",
)
_SEARCH_SCHEMATA = ("Person", "Company", "Organization", "Vessel", "Airplane")

router = APIRouter(tags=["yente-compatible"])


class YenteError(Exception):
    def __init__(self, status: int, detail: str) -> None:
        super().__init__(detail)
        self.status = status
        self.detail = detail


Handler = Callable[..., Awaitable[Any]]


def _yente_errors(func: Handler) -> Handler:
    """Every failure as yente's ``{"detail": ...}``: 4xx for bad input, 503 when a store
    or screener is unavailable; never circumspect's own envelope on these paths."""

    @wraps(func)
    async def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return await func(*args, **kwargs)
        except YenteError as exc:
            return JSONResponse({"detail": exc.detail}, status_code=exc.status)
        except CircumspectError as exc:
            status = 404 if type(exc).__name__ == "NotFoundError" else 400
            if type(exc).__name__ in ("DependencyError", "StoreError"):
                status = 503
            return JSONResponse({"detail": exc.message}, status_code=status)

    return wrapper


# -- parameters -------------------------------------------------------------------------------


def _float(request: Request, name: str, default: float) -> float:
    raw = request.query_params.get(name)
    if raw is None or raw == "":
        return default
    try:
        value = float(raw)
    except ValueError:
        raise YenteError(400, f"Invalid value for {name}: {raw!r} is not a number") from None
    if not math.isfinite(value) or not 0.0 <= value <= 1.0:
        raise YenteError(400, f"Invalid value for {name}: {raw!r} is not between 0 and 1")
    return value


def _int(request: Request, name: str, default: int, low: int, high: int) -> int:
    raw = request.query_params.get(name)
    if raw is None or raw == "":
        return default
    try:
        value = int(raw)
    except ValueError:
        raise YenteError(400, f"Invalid value for {name}: {raw!r} is not an integer") from None
    if not low <= value <= high:
        raise YenteError(400, f"Invalid value for {name}: must be between {low} and {high}")
    return value


def _list(request: Request, name: str) -> list[str]:
    return [v for v in request.query_params.getlist(name) if v.strip()]


# -- datasets ---------------------------------------------------------------------------------


def dataset_sources(rt: Runtime, dataset: str) -> set[str]:
    """Sources of a dataset name; 404 (yente's ``No such dataset``) when unknown."""
    active = set(rt.store().active_snapshots())
    if dataset == "default":
        return active
    if dataset == "sanctions":
        return {s for s in active if not s.startswith(CUSTOM_PREFIX)}
    if dataset in active:
        return {dataset}
    raise YenteError(404, f"No such dataset: {dataset}")


def _filter_sources(
    rt: Runtime, scope: set[str], include: list[str], exclude: list[str]
) -> set[str]:
    def expand(names: list[str]) -> set[str]:
        out: set[str] = set()
        for name in names:
            try:
                out |= dataset_sources(rt, name)
            except YenteError:
                out.add(name)  # yente ignores unknown names in these filters
        return out

    if include:
        scope = scope & expand(include)
    return scope - expand(exclude)


# -- entities ---------------------------------------------------------------------------------


def entity_topics(entity: ListedEntity) -> list[str]:
    """FtM topics of a listed entity: its own, else ``sanction`` for an official list."""
    topics = entity.get("topics")
    if topics:
        return topics
    return [] if entity.source.startswith(CUSTOM_PREFIX) else ["sanction"]


def entity_response(
    entity: ListedEntity, last_seen: str | None = None, nested: bool = False
) -> JsonObject:
    """yente's ``EntityResponse`` of a listed entity (``sanctions`` nested when ``nested``)."""
    properties: JsonObject = {
        str(k): [str(v) for v in vs] for k, vs in entity.proxy.properties.items()
    }
    properties["topics"] = entity_topics(entity)
    if nested and entity.sanctions:
        properties["sanctions"] = [
            {
                "id": str(s.id),
                "caption": str(s.caption),
                "schema": "Sanction",
                "properties": {str(k): [str(v) for v in vs] for k, vs in s.properties.items()},
                "datasets": [entity.source],
                "referents": [],
                "target": False,
                "first_seen": None,
                "last_seen": last_seen,
                "last_change": None,
            }
            for s in entity.sanctions
        ]
    return {
        "id": entity.id,
        "caption": entity.caption,
        "schema": entity.schema,
        "properties": properties,
        "datasets": [entity.source],
        "referents": [],
        "target": True,
        "first_seen": None,
        "last_seen": last_seen,
        "last_change": None,
    }


# -- queries ----------------------------------------------------------------------------------


def parse_example(example: JsonValue) -> tuple[JsonObject, list[Query]]:
    """(the FtM example as yente echoes it, the circumspect queries to run): one query per
    name, carrying the first country, birth date and identifier. 400 for a missing or
    unknown schema, an unknown property or a value of the wrong shape."""
    if not isinstance(example, dict):
        raise YenteError(400, "Cannot parse example entity: an object is required")
    schema_name = example.get("schema")
    if not isinstance(schema_name, str) or not schema_name:
        raise YenteError(400, "Cannot parse example entity: missing schema")
    schema = model.get(schema_name)
    if schema is None:
        raise YenteError(400, f"Cannot parse example entity: unknown schema {schema_name!r}")
    props = example.get("properties")
    if not isinstance(props, dict):
        raise YenteError(400, "Cannot parse example entity: properties must be an object")
    proxy = model.make_entity(schema.name)
    proxy.id = str(example.get("id") or "query")
    for prop, raw in props.items():
        if prop not in schema.properties:
            raise YenteError(
                400,
                f"Cannot parse example entity: unknown property {prop!r} for schema {schema.name}",
            )
        values = raw if isinstance(raw, list) else [raw]
        for value in values:
            if not isinstance(value, str | int | float) or isinstance(value, bool):
                raise YenteError(
                    400, f"Cannot parse example entity: property {prop!r} takes text values"
                )
            try:
                proxy.add(prop, str(value), cleaned=False, quiet=True)
            except InvalidData as exc:
                raise YenteError(400, f"Cannot parse example entity: {exc}") from None
    names = [str(n) for n in proxy.get_type_values(registry.name) if str(n).strip()]
    if not names:
        raise YenteError(400, "Cannot parse example entity: no name property")
    query_schema = "LegalEntity"
    for candidate in _SEARCH_SCHEMATA:
        if schema.is_a(candidate):
            query_schema = candidate
            break
    countries = [str(c) for c in proxy.get_type_values(registry.country)]
    births = [str(d) for d in proxy.get("birthDate", quiet=True)] if schema.is_a("Person") else []
    identifier = next(
        (str(v) for p in _ID_PROPS for v in proxy.get(p, quiet=True) if str(v).strip()), None
    )
    queries = [
        Query(
            name=name[:500],
            schema=query_schema,
            country=countries[0] if countries else None,
            birth_date=births[0][:10] if births else None,
            identifier=identifier,
        )
        for name in names[:20]
    ]
    echo = {
        "id": example.get("id"),
        "schema": schema.name,
        "properties": proxy.to_dict()["properties"],
    }
    return echo, queries


def _screen(
    screener: Any,
    queries: list[Query],
    wanted: int,
    sources: set[str] | None = None,
    exclude_ids: set[str] | None = None,
) -> list[Candidate]:
    """Best candidate per entity over every name of the example (identifier hits too).

    An entity on several lists is one result (``Candidate.sources``), whichever of its
    entries each name found; ``sources``/``exclude_ids`` restrict the entries before they are
    grouped, so a dataset filter never hides the entry of a list it keeps."""
    from circumspect.matching.screener import Screener

    keep: EntryFilter | None = None
    if isinstance(screener, Screener) and (sources is not None or exclude_ids):
        allowed, dropped = sources, exclude_ids or set()

        def keep(entity_id: str, source: str, source_id: str) -> bool:
            return (allowed is None or source in allowed) and not {entity_id, source_id} & dropped

    def cluster_of(entity_id: str) -> str:
        if isinstance(screener, Screener) and screener.group:
            return screener.resolution.cluster_of(entity_id)
        return entity_id

    best: dict[str, Candidate] = {}
    for query in queries:
        found: list[Candidate] = list(
            screener.screen(query, limit=wanted)
            if keep is None
            else screener.screen(query, limit=wanted, keep=keep)
        )
        if query.identifier:
            found += list(screener.by_identifier(query.identifier))
        for cand in found:
            key = cluster_of(cand.entity_id)
            old = best.get(key)
            if old is None or cand.score > old.score:
                best[key] = cand
    return sorted(best.values(), key=lambda c: (-c.score, c.entity_id))


def _scorer_for(rt: Runtime, algorithm: str) -> tuple[PartyScreener, str]:
    from circumspect.matching.scoring import DEFAULT_SCORER, SCORERS
    from circumspect.matching.screener import Screener

    screener, _ = rt.screener()
    name = DEFAULT_SCORER if algorithm in ("", "best", "default") else algorithm
    if name not in SCORERS:
        raise YenteError(
            400,
            f"Invalid algorithm: {algorithm!r}; available: {', '.join(sorted(SCORERS))}, best",
        )
    current = getattr(getattr(screener, "scorer", None), "NAME", DEFAULT_SCORER)
    if name == current or not isinstance(screener, Screener):
        return screener, name
    return Screener(
        index=screener.index,
        scorer=name,
        threshold=screener.threshold,
        records=screener.records,
        match_keys=screener.match_keys,
        judgements=screener.judgements,
    ), name


class _Lookup:
    """Listed entities by id for one request (the store is read once per id)."""

    def __init__(self, rt: Runtime) -> None:
        self.store = rt.store()
        self.active = self.store.active_snapshots()
        self.cache: dict[str, ListedEntity | None] = {}

    def prefetch(self, entity_ids: Iterable[str]) -> None:
        """Read many entities in one query (stores that can), before ``get``."""
        missing = [i for i in entity_ids if i not in self.cache]
        batch = getattr(self.store, "get_entities", None)
        if not missing or batch is None:
            return
        found = batch(missing)
        for entity_id in missing:
            self.cache[entity_id] = found.get(entity_id)

    def get(self, entity_id: str) -> ListedEntity | None:
        if entity_id not in self.cache:
            self.cache[entity_id] = self.store.get_entity(entity_id)
        return self.cache[entity_id]

    def last_seen(self, source: str) -> str | None:
        snap = self.active.get(source)
        return None if snap is None else str(snap.loaded_at.isoformat())


def _with_sources(data: JsonObject, cand: Candidate) -> JsonObject:
    """An entity on several lists as OpenSanctions shows a merged entity: every list in
    ``datasets``, the other entries' ids in ``referents`` (``Candidate.sources``)."""
    if cand.sources:
        data["datasets"] = sorted({ref.source for ref in cand.sources})
        data["referents"] = [
            ref.entity_id for ref in cand.sources if ref.entity_id != cand.entity_id
        ]
    return data


def _passes(
    cand: Candidate,
    entity: ListedEntity | None,
    sources: set[str],
    topics: list[str],
    exclude_ids: set[str],
    exclude_schema: set[str],
) -> bool:
    if entity is None or cand.source not in sources or cand.entity_id in exclude_ids:
        return False
    if entity.source_id in exclude_ids or entity.schema in exclude_schema:
        return False
    return not topics or bool(set(topics) & set(entity_topics(entity)))


def _feature_docs(results: Iterable[Candidate]) -> dict[str, dict[str, Any]]:
    docs: dict[str, dict[str, Any]] = {}
    for cand in results:
        for feature in cand.features:
            docs.setdefault(
                feature.feature,
                {
                    "description": f"circumspect feature {feature.feature}",
                    "coefficient": float(feature.weight),
                    "url": "https://github.com/circumspect/circumspect/blob/main/docs/screening.md",
                },
            )
    return docs


# -- routes -----------------------------------------------------------------------------------


def _rt(request: Request) -> Runtime:
    rt: Runtime = request.app.state.runtime
    return rt


@router.get("/healthz", summary="Health check")
async def healthz() -> dict[str, str]:
    """yente's liveness check (no key needed)."""
    return {"status": "ok"}


@router.post("/match/{dataset}", summary="Query by example matcher")
@_yente_errors
async def match(dataset: str, request: Request) -> Any:
    """yente's ``POST /match/{dataset}``: a batch of FtM example entities, scored results
    per query key (see the module docstring for the options)."""
    try:
        body = await request.json()
    except ValueError:
        raise YenteError(400, "Invalid JSON body") from None
    if not isinstance(body, dict) or not isinstance(body.get("queries"), dict):
        raise YenteError(400, "The body needs a `queries` object of example entities")
    rt = _rt(request)
    sources = dataset_sources(rt, dataset)
    limit = _int(request, "limit", DEFAULT_LIMIT, 1, MAX_LIMIT)
    threshold = _float(request, "threshold", float(rt.screener()[0].threshold))
    cutoff = min(_float(request, "cutoff", DEFAULT_CUTOFF), threshold)
    screener, algorithm = _scorer_for(rt, request.query_params.get("algorithm", ""))
    sources = _filter_sources(
        rt, sources, _list(request, "include_dataset"), _list(request, "exclude_dataset")
    )
    topics = _list(request, "topics")
    exclude_ids = set(_list(request, "exclude_entity_ids"))
    exclude_schema = set(_list(request, "exclude_schema"))
    queries: dict[str, Any] = body["queries"]
    if not queries:
        raise YenteError(400, "No queries provided.")
    if len(queries) > MAX_BATCH:
        raise YenteError(400, f"Too many queries in one batch (limit: {MAX_BATCH})")
    parsed = {key: parse_example(example) for key, example in queries.items()}
    lookup = _Lookup(rt)
    responses: dict[str, Any] = {}
    seen: list[Candidate] = []
    everything = sources == set(lookup.active)
    filtered = not everything or topics or exclude_ids or exclude_schema
    # candidates scored per query: more when filters may drop some of the best ones
    wanted = max(limit * 4, 20) if filtered else limit
    screened = {
        key: _screen(screener, subqueries, wanted, sources, exclude_ids)
        for key, (_, subqueries) in parsed.items()
    }
    lookup.prefetch(c.entity_id for found in screened.values() for c in found if c.score >= cutoff)
    for key, (echo, _) in parsed.items():
        kept = []
        for cand in screened[key]:
            if cand.score < cutoff:
                continue
            entity = lookup.get(cand.entity_id)
            if not _passes(cand, entity, sources, topics, exclude_ids, exclude_schema):
                continue
            assert entity is not None
            data = _with_sources(entity_response(entity, lookup.last_seen(entity.source)), cand)
            data["score"] = float(cand.score)
            data["features"] = {f.feature: float(f.score) for f in cand.features}
            data["match"] = bool(cand.score >= threshold)
            data["explanation"] = cand.explanation
            kept.append(data)
            seen.append(cand)
        responses[str(key)] = {
            "status": 200,
            "results": kept[:limit],
            "total": {"value": len(kept), "relation": "eq"},
            "query": echo,
        }
    result = {"responses": responses, "matcher": _feature_docs(seen), "limit": limit}
    return JSONResponse(
        result, headers={"x-batch-size": str(len(responses)), "x-algorithm": algorithm}
    )


@router.get("/search/{dataset}", summary="Simple entity search")
@_yente_errors
async def search(dataset: str, request: Request) -> Any:
    """yente's ``GET /search/{dataset}?q=...``: entities whose names match ``q`` (by
    circumspect's scorer), with ``schema``, ``countries``, ``topics``, ``datasets`` and
    ``exclude_dataset`` filters, ``limit``/``offset`` and facets."""
    rt = _rt(request)
    sources = dataset_sources(rt, dataset)
    sources = _filter_sources(
        rt, sources, _list(request, "datasets"), _list(request, "exclude_dataset")
    )
    text = (request.query_params.get("q") or "").strip()
    limit = _int(request, "limit", 10, 0, MAX_LIMIT)
    offset = _int(request, "offset", 0, 0, 10_000)
    schema_name = request.query_params.get("schema") or "Thing"
    schema = model.get(schema_name)
    if schema is None:
        raise YenteError(400, f"Invalid schema: {schema_name!r}")
    if "\x00" in text or len(text) > 500:
        raise YenteError(400, "Invalid query text")
    countries = set(_list(request, "countries"))
    topics = _list(request, "topics")
    results: list[dict[str, Any]] = []
    if text:
        query_schema = next((s for s in _SEARCH_SCHEMATA if schema.is_a(s)), "LegalEntity")
        screener, _ = rt.screener()
        found = _screen(
            screener, [Query(name=text, schema=query_schema)], offset + limit + 50, sources
        )
        lookup = _Lookup(rt)
        lookup.prefetch(c.entity_id for c in found if c.score >= 0.3)
        for cand in found:
            entity = lookup.get(cand.entity_id)
            if not _passes(cand, entity, sources, topics, set(), set()) or cand.score < 0.3:
                continue
            assert entity is not None
            if not entity.proxy.schema.is_a(schema.name):
                continue
            if countries and not countries & set(entity.get("country") + entity.get("nationality")):
                continue
            results.append(
                _with_sources(entity_response(entity, lookup.last_seen(entity.source)), cand)
            )
    facets: dict[str, Any] = {}
    for facet, label, prop in (
        ("countries", "Countries", "country"),
        ("topics", "Topics", "topics"),
        ("datasets", "Data sources", None),
    ):
        counts: dict[str, int] = {}
        for item in results:
            values = item["datasets"] if prop is None else item["properties"].get(prop, [])
            for value in values:
                counts[value] = counts.get(value, 0) + 1
        facets[facet] = {
            "label": label,
            "values": [{"name": k, "label": k, "count": v} for k, v in sorted(counts.items())],
        }
    return {
        "limit": limit,
        "offset": offset,
        "total": {"value": len(results), "relation": "eq"},
        "results": results[offset : offset + limit],
        "facets": facets,
    }


@router.get("/entities/{entity_id}", summary="Retrieve an entity from the index")
@_yente_errors
async def fetch_entity(entity_id: str, request: Request) -> Any:
    """yente's ``GET /entities/{id}``: the entity with its sanctions nested."""
    lookup = _Lookup(_rt(request))
    entity = lookup.get(entity_id)
    if entity is None:
        raise YenteError(404, f"No such entity: {entity_id}")
    return entity_response(entity, lookup.last_seen(entity.source), nested=True)


@router.get("/catalog", summary="Data catalog")
@_yente_errors
async def catalog(request: Request) -> Any:
    """yente's ``GET /catalog``: ``default``, ``sanctions`` and every active source."""
    active = _rt(request).store().active_snapshots()
    official = sorted(s for s in active if not s.startswith(CUSTOM_PREFIX))
    version = max((snap.loaded_at for snap in active.values()), default=None)
    stamp = version.strftime("%Y%m%d%H%M%S") if version else __version__

    def dataset(name: str, title: str, children: list[str], version_id: str) -> dict[str, Any]:
        return {
            "name": name,
            "title": title,
            "summary": None,
            "url": None,
            "load": True,
            "entities_url": None,
            "version": version_id,
            "index_version": version_id,
            "index_current": True,
            "children": children,
        }

    datasets = [
        dataset("default", "All lists loaded in circumspect", sorted(active), stamp),
        dataset("sanctions", "Official sanctions and export-control lists", official, stamp),
    ]
    for source, snap in sorted(active.items()):
        datasets.append(dataset(source, source, [], f"snapshot-{snap.id}"))
    names = [d["name"] for d in datasets]
    return {"datasets": datasets, "current": names, "outdated": [], "index_stale": False}


@router.get("/algorithms", summary="Get the available scoring algorithms")
@_yente_errors
async def algorithms(request: Request) -> Any:
    """yente's ``GET /algorithms``: circumspect's scorers (``best`` = the default)."""
    from circumspect.matching.scoring import DEFAULT_SCORER, SCORERS

    out = [
        {"name": name, "description": (cls.__doc__ or name).strip().splitlines()[0], "features": {}}
        for name, cls in sorted(SCORERS.items())
    ]
    return {"algorithms": out, "default": DEFAULT_SCORER, "best": DEFAULT_SCORER}


def is_yente_path(path: str) -> bool:
    return any(path == p or path.startswith(p + "/") for p in PREFIXES)
