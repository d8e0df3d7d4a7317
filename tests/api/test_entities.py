"""``GET /v1/entities/{id}`` and the web entity page: the record and the history of a listed
entity across snapshots of a real SQL store (added, changed, removed, listed again)."""

from __future__ import annotations

from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from circumspect.server import create_app
from circumspect.services.runtime import ApiConfig
from circumspect.store import open_store
from circumspect.store.sql import SqlStore
from tests.cases.helpers import ExactScreener, checksum, company
from tests.web.test_pages import sign_in


def _load(store: SqlStore, tag: str, *entities: object) -> None:
    store.load("ofac_sdn", list(entities), checksum=checksum(tag))  # type: ignore[arg-type]


@pytest.fixture
def history(tmp_path: Path) -> tuple[TestClient, dict[str, str], SqlStore]:
    store = open_store(f"sqlite:///{tmp_path / 'lists.sqlite'}")
    plant = "Volga Tractor Plant JSC"
    _load(store, "v1", company("ofac_sdn", "501", plant, ("address", "Samara")))
    _load(
        store,
        "v2",
        company("ofac_sdn", "501", plant, ("address", "Togliatti"), ("innCode", "7707083893")),
    )
    _load(store, "v3", company("ofac_sdn", "502", "Other LLC"))
    _load(
        store,
        "v4",
        company("ofac_sdn", "501", plant, ("address", "Togliatti"), ("innCode", "7707083893")),
        company("ofac_sdn", "502", "Other LLC"),
    )
    snaps = {src: snap.id for src, snap in store.active_snapshots().items()}
    screener = ExactScreener(store.iter_entities(), snapshot_ids=snaps)
    config = ApiConfig(
        db_url=f"sqlite:///{tmp_path / 'api.sqlite'}", screener=screener, store=store
    )  # type: ignore[arg-type]
    app = create_app(config)
    keys = {"viewer": app.state.runtime.cases.add_user("v", "viewer")[1]}
    return TestClient(app, raise_server_exceptions=False), keys, store


def test_store_history_of_an_entity(
    history: tuple[TestClient, dict[str, str], SqlStore],
) -> None:
    _, _, store = history
    versions = store.entity_history("ofac-sdn-501")
    assert [v.status for v in versions] == ["added", "changed", "removed", "added"]
    assert versions[1].changes["address"] == {"old": ["Samara"], "new": ["Togliatti"]}
    assert versions[1].changes["innCode"] == {"old": [], "new": ["7707083893"]}
    assert versions[2].entity is None and versions[-1].snapshot.active
    assert store.entity_history("ofac-sdn-999") == []


def test_api_entity_with_record_and_history(
    history: tuple[TestClient, dict[str, str], SqlStore],
) -> None:
    client, keys, _ = history
    auth = {"Authorization": f"Bearer {keys['viewer']}"}
    r = client.get("/v1/entities/ofac-sdn-501", headers=auth)
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["listed"] is True and body["schema"] == "Company"
    assert body["record"]["list"] == "SDN"
    assert body["record"]["identifiers"] == [{"kind": "innCode", "value": "7707083893"}]
    assert [h["status"] for h in body["history"]] == ["added", "changed", "removed", "added"]
    assert body["history"][1]["changes"]["address"]["new"] == ["Togliatti"]
    assert body["entity"]["properties"]["name"] == ["Volga Tractor Plant JSC"]
    assert client.get("/v1/entities/ofac-sdn-999", headers=auth).status_code == 404
    assert client.get("/v1/entities/ofac-sdn-501").status_code == 401


def test_web_entity_page(history: tuple[TestClient, dict[str, str], SqlStore]) -> None:
    client, keys, _ = history
    assert client.get("/ui/entities/ofac-sdn-501", follow_redirects=False).status_code == 303
    sign_in(client, keys["viewer"])
    page = client.get("/ui/entities/ofac-sdn-501")
    assert page.status_code == 200
    for text in ("Volga Tractor Plant JSC", "SDN", "7707083893", "Samara", "Togliatti", "removed"):
        assert text in page.text
    assert client.get("/ui/entities/nope").status_code == 404


def test_a_case_keeps_the_record_as_it_was_at_alert_time(
    history: tuple[TestClient, dict[str, str], SqlStore],
) -> None:
    client, keys, store = history
    auth = {"Authorization": f"Bearer {keys['viewer']}"}
    r = client.post(
        "/v1/screen", json={"name": "Volga Tractor Plant JSC", "schema": "Company"}, headers=auth
    )
    assert r.status_code == 200, r.text
    result = r.json()["results"][0]
    assert result["candidates"][0]["record"]["addresses"] == ["Togliatti"]
    case_id = result["case"]["case_id"]
    _load(
        store,
        "v5",
        company("ofac_sdn", "501", "Volga Tractor Plant JSC", ("address", "Kazan")),
        company("ofac_sdn", "502", "Other LLC"),
    )
    now = client.get("/v1/entities/ofac-sdn-501", headers=auth).json()
    assert now["record"]["addresses"] == ["Kazan"]
    case = client.get(f"/v1/cases/{case_id}", headers=auth).json()
    assert case["candidates"][0]["record"]["addresses"] == ["Togliatti"]


def test_the_case_page_shows_the_record_of_alert_time_and_links_the_entity(
    history: tuple[TestClient, dict[str, str], SqlStore],
) -> None:
    client, keys, store = history
    auth = {"Authorization": f"Bearer {keys['viewer']}"}
    body = {"name": "Volga Tractor Plant JSC", "schema": "Company"}
    case_id = client.post("/v1/screen", json=body, headers=auth).json()["results"][0]["case"][
        "case_id"
    ]
    _load(
        store,
        "v5",
        company("ofac_sdn", "501", "Volga Tractor Plant JSC", ("address", "Kazan")),
        company("ofac_sdn", "502", "Other LLC"),
    )
    sign_in(client, keys["viewer"])
    page = client.get(f"/ui/cases/{case_id}")
    assert page.status_code == 200, page.text
    assert "Togliatti" in page.text and "Kazan" not in page.text
    assert "innCode 7707083893" in page.text
    assert '/ui/entities/ofac-sdn-501"' in page.text
    entity = client.get("/ui/entities/ofac-sdn-501")
    assert "Kazan" in entity.text and "Togliatti" in entity.text
