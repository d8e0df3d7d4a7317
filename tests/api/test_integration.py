"""The service over the real list store and the real matcher, on the bundled demo lists."""

from __future__ import annotations

from pathlib import Path

from fastapi.testclient import TestClient

from circumspect.demo import DATA_DIR
from circumspect.demo.store import previous_ofac
from circumspect.server import create_app
from circumspect.services.runtime import ApiConfig
from circumspect.store import open_store
from circumspect.store.loading import load_paths

LISTS = DATA_DIR / "lists"


def test_real_store_and_matcher(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'real.sqlite'}"
    store = open_store(url)
    older = previous_ofac(LISTS / "ofac_sdn", tmp_path / "ofac-prev")
    load_paths(store, "ofac_sdn", sorted(older.iterdir()))
    app = create_app(ApiConfig(db_url=url, secret_key="t"))
    rt = app.state.runtime
    _, admin = rt.cases.add_user("admin", "admin")
    auth = {"Authorization": f"Bearer {admin}"}
    with TestClient(app) as client:
        r = client.post(
            "/v1/screen", json={"name": "Оспанов Данияр Серікұлы", "schema": "Person"}, headers=auth
        )
        assert r.status_code == 200, r.text
        result = r.json()["results"][0]
        assert result["alert"] and result["candidates"][0]["entity_id"] == "ofac-sdn-90002"
        assert result["candidates"][0]["explanation"]
        assert result["case"]["status"] == "opened"
        assert r.json()["snapshots"]["ofac_sdn"] == store.active_snapshots()["ofac_sdn"].id
        # ARLAN TRADE LLP is not in the previous publication yet
        r = client.post(
            "/v1/screen", json={"name": "Arlan Trade LLP", "schema": "Company"}, headers=auth
        )
        assert not [
            c for c in r.json()["results"][0]["candidates"] if c["entity_id"] == "ofac-sdn-90001"
        ]
        # the new publication lists it; re-screening finds it and opens a case
        load_paths(store, "ofac_sdn", sorted((LISTS / "ofac_sdn").iterdir()))
        r = client.post("/v1/lists/rescreen", json={"sources": ["ofac_sdn"]}, headers=auth)
        assert r.status_code == 200, r.text
        report = r.json()
        assert report["changed_entities"] >= 2 and report["parties"] == 2
        assert report["opened"] >= 1
        cases = client.get("/v1/cases?q=ARLAN", headers=auth).json()
        assert cases["total"] == 1
        assert client.get("/v1/audit/verify", headers=auth).json()["ok"]
        lists = client.get("/v1/lists", headers=auth).json()["active"]
        assert [x["source"] for x in lists] == ["ofac_sdn"]
        diff = client.get("/v1/lists/ofac_sdn/diff", headers=auth).json()
        assert diff["counts"]["added"] == 1
    store.close()
