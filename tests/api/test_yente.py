"""The yente-compatible API, validated against pydantic models written from yente's published
request/response schema (opensanctions/yente, yente/data/common.py), and used by a client
script written as a yente user would (examples/yente_client.py)."""

from __future__ import annotations

import importlib.util
import time
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from pydantic import BaseModel, Field

from circumspect.server import create_app
from circumspect.services.runtime import ApiConfig
from circumspect.sources import demo_lists
from circumspect.store import open_store
from circumspect.store.loading import load_paths
from tests.sources.helpers import FIXTURES

ROOT = Path(__file__).resolve().parents[2]


# -- yente's published models, written from its schema ----------------------------------


class YError(BaseModel):
    detail: str


class YEntity(BaseModel):
    id: str
    caption: str
    schema_: str = Field(alias="schema")
    properties: dict[str, list[Any]]
    datasets: list[str] = []
    referents: list[str] = []
    target: bool = False
    first_seen: datetime | None = None
    last_seen: datetime | None = None
    last_change: datetime | None = None


class YScored(YEntity):
    score: float
    features: dict[str, float]
    match: bool = False


class YTotal(BaseModel):
    value: int
    relation: str = "eq"


class YExample(BaseModel):
    id: str | None = None
    schema_: str = Field(alias="schema")
    properties: dict[str, str | list[Any]]


class YMatches(BaseModel):
    status: int = 200
    results: list[YScored]
    total: YTotal
    query: YExample


class YFeatureDoc(BaseModel):
    description: str
    coefficient: float
    url: str


class YMatchResponse(BaseModel):
    responses: dict[str, YMatches]
    matcher: dict[str, YFeatureDoc]
    limit: int


class YFacetItem(BaseModel):
    name: str
    label: str
    count: int = 1


class YFacet(BaseModel):
    label: str
    values: list[YFacetItem]


class YSearch(BaseModel):
    limit: int
    offset: int = 0
    total: YTotal
    results: list[YEntity]
    facets: dict[str, YFacet]


class YDataset(BaseModel):
    name: str
    title: str
    summary: str | None = None
    url: str | None = None
    load: bool
    entities_url: str | None = None
    version: str
    index_version: str | None = None
    index_current: bool = False
    children: list[str]


class YCatalog(BaseModel):
    datasets: list[YDataset]
    current: list[str]
    outdated: list[str]
    index_stale: bool = False


class YAlgorithm(BaseModel):
    name: str
    description: str | None = None
    features: dict[str, YFeatureDoc]


class YAlgorithms(BaseModel):
    algorithms: list[YAlgorithm]
    default: str
    best: str


# -- the service ------------------------------------------------------------------------


class Service:
    def __init__(self, client: TestClient, key: str) -> None:
        self.client = client
        self.headers = {"Authorization": f"ApiKey {key}"}

    def match(self, queries: dict[str, Any], dataset: str = "default", **params: Any) -> Any:
        return self.client.post(
            f"/match/{dataset}", json={"queries": queries}, params=params, headers=self.headers
        )

    def get(self, path: str, **params: Any) -> Any:
        return self.client.get(path, params=params, headers=self.headers)


@pytest.fixture
def service(tmp_path: Path) -> Iterator[Service]:
    url = f"sqlite:///{tmp_path / 'yente.sqlite'}"
    store = open_store(url)
    try:
        for source, files in demo_lists():
            load_paths(store, source, files)
        load_paths(store, "kz_afm", sorted((FIXTURES / "kz_afm").glob("*.xml")))
    finally:
        store.close()
    app = create_app(ApiConfig(db_url=url, yente=True, web=False))
    key = app.state.runtime.cases.add_user("yente-user", "viewer")[1]
    with TestClient(app, raise_server_exceptions=False) as client:
        yield Service(client, key)


PERSON = {"schema": "Person", "properties": {"name": ["ТЕСТОВ Арман Болатович"]}}


def test_match_shapes_and_scores(service: Service) -> None:
    queries = {
        "afm": {
            "schema": "Person",
            "properties": {"name": ["Testov Arman"], "idNumber": ["850315300128"]},
        },
        "nobody": {"schema": "Company", "properties": {"name": ["Plain Bakery of Nowhere"]}},
    }
    response = service.match(queries)
    assert response.status_code == 200, response.text
    body = YMatchResponse.model_validate(response.json())
    assert response.headers["x-batch-size"] == "2"
    afm = body.responses["afm"]
    assert afm.results[0].id == "kz-afm-iin-850315300128" and afm.results[0].match
    assert afm.results[0].datasets == ["kz_afm"]
    assert "sanction" in afm.results[0].properties["topics"]
    assert afm.query.schema_ == "Person"
    assert not any(r.match for r in body.responses["nobody"].results)


def test_dataset_filters_threshold_and_exclusions(service: Service) -> None:
    query = {"q": {"schema": "Person", "properties": {"name": ["Testov Arman"]}}}
    hit = "kz-afm-iin-850315300128"
    assert service.match(query, "kz_afm").json()["responses"]["q"]["results"][0]["id"] == hit
    assert service.match(query, "ofac_sdn").json()["responses"]["q"]["results"] == []
    assert service.match(query, exclude_dataset="kz_afm").json()["responses"]["q"]["results"] == []
    assert service.match(query, include_dataset="un_sc").json()["responses"]["q"]["results"] == []
    assert service.match(query, exclude_entity_ids=hit).json()["responses"]["q"]["results"] == []
    assert service.match(query, topics="debarment").json()["responses"]["q"]["results"] == []
    strict = service.match(query, threshold=1.0).json()["responses"]["q"]["results"]
    assert strict and not strict[0]["match"]
    # cutoff drops results below it (a cutoff above the threshold is lowered to it, as yente)
    assert not service.match(query, cutoff=0.99, threshold=0.99).json()["responses"]["q"]["results"]
    sanctions = service.match(query, "sanctions").json()["responses"]["q"]["results"]
    assert sanctions[0]["id"] == hit


def test_bad_input_is_a_yente_error_never_a_500(service: Service) -> None:
    cases = [
        (service.match({"q": PERSON}, "no_such_dataset"), 404),
        (service.match({"q": {"properties": {"name": ["X"]}}}), 400),
        (service.match({"q": {"schema": "Spaceship", "properties": {"name": ["X"]}}}), 400),
        (service.match({"q": {"schema": "Person", "properties": {"wingspan": ["3"]}}}), 400),
        (service.match({"q": {"schema": "Person", "properties": {"name": [{"a": 1}]}}}), 400),
        (service.match({"q": PERSON}, threshold="high"), 400),
        (service.match({"q": PERSON}, limit=100000), 400),
        (service.match({"q": PERSON}, algorithm="no-such-algo"), 400),
        (service.match({}), 400),
        (service.client.post("/match/default", content=b"{", headers=service.headers), 400),
        (service.get("/entities/no-such-id"), 404),
        (service.get("/search/nope", q="x"), 404),
        (service.get("/search/default", q="x", limit="many"), 400),
    ]
    for response, status in cases:
        assert response.status_code == status, response.text
        YError.model_validate(response.json())
    unknown = service.match({"q": {"schema": "Person", "properties": {"wingspan": ["3"]}}})
    assert "wingspan" in unknown.json()["detail"]


def test_same_api_keys(service: Service) -> None:
    assert service.client.post("/match/default", json={"queries": {"q": PERSON}}).status_code == 401
    bearer = {"Authorization": service.headers["Authorization"].replace("ApiKey", "Bearer")}
    ok = service.client.post("/match/default", json={"queries": {"q": PERSON}}, headers=bearer)
    assert ok.status_code == 200
    bad = service.client.get("/catalog", headers={"Authorization": "ApiKey wrong"})
    assert bad.status_code == 401 and YError.model_validate(bad.json())
    assert service.client.get("/healthz").json() == {"status": "ok"}


def test_search_entities_catalog_algorithms(service: Service) -> None:
    found = service.get("/search/default", q="Arlan Trade", limit=5)
    assert found.status_code == 200, found.text
    search = YSearch.model_validate(found.json())
    assert search.results and search.results[0].caption == "ARLAN TRADE LLP"
    assert "countries" in search.facets
    entity = service.get(f"/entities/{search.results[0].id}")
    assert entity.status_code == 200
    parsed = YEntity.model_validate(entity.json())
    sanctions = parsed.properties["sanctions"]
    assert sanctions and YEntity.model_validate(sanctions[0]).schema_ == "Sanction"
    catalog = YCatalog.model_validate(service.get("/catalog").json())
    names = {d.name for d in catalog.datasets}
    assert {"default", "sanctions", "ofac_sdn", "kz_afm"} <= names
    algorithms = YAlgorithms.model_validate(service.get("/algorithms").json())
    assert algorithms.best in {a.name for a in algorithms.algorithms}


def test_yente_paths_absent_without_the_flag(tmp_path: Path) -> None:
    app = create_app(ApiConfig(db_url=f"sqlite:///{tmp_path / 'x.sqlite'}", web=False))
    with TestClient(app, raise_server_exceptions=False) as client:
        assert client.post("/match/default", json={}).status_code == 404


def test_client_script_written_as_a_yente_user(service: Service) -> None:
    spec = importlib.util.spec_from_file_location(
        "yente_client", ROOT / "examples" / "yente_client.py"
    )
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    service.client.headers.update(service.headers)
    hits = module.match_parties(
        service.client,
        {
            "a": {
                "schema": "Company",
                "properties": {"name": ["Arlan Trade LLP"], "country": ["kz"]},
            }
        },
    )
    assert hits["a"] and {h["caption"].casefold() for h in hits["a"]} == {"arlan trade llp"}
    assert len({d for h in hits["a"] for d in h["datasets"]}) >= 2  # listed on several lists


def test_batch_of_100_is_answered(service: Service) -> None:
    """Functional check of a 100-query batch (the timing is in benchmarks/, not here)."""
    queries = {
        f"q{i}": {"schema": "LegalEntity", "properties": {"name": [f"Party {i} Trading"]}}
        for i in range(100)
    }
    started = time.perf_counter()
    response = service.match(queries)
    assert response.status_code == 200
    assert len(YMatchResponse.model_validate(response.json()).responses) == 100
    assert time.perf_counter() - started < 60
