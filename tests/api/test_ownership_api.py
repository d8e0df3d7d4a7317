"""Ownership through the service: /v1/screen alerts on a party owned by SDN persons,
/v1/ownership/{party} explains it, the web page draws the graph, and a new ownership
snapshot reaches a running service."""

from __future__ import annotations

from pathlib import Path

from fastapi.testclient import TestClient

from circumspect.ownership.loader import read_file
from circumspect.ownership.store import OwnershipStore
from circumspect.server import create_app
from circumspect.services.runtime import ApiConfig
from circumspect.store.loading import load_paths
from circumspect.store.sql import SqlStore
from tests.cli.lists_helpers import write_sdn
from tests.web.test_pages import sign_in

SDN_ROWS = [
    '1001,"IVANOV, Ivan",individual,"RUSSIA-EO14024",-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,-0- ',
    '1002,"PETROV, Petr",individual,"RUSSIA-EO14024",-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,-0- ',
]
HEADER = "owner_name,owner_id,owned_name,owned_id,share,source,date\n"
BIN = "971240001315"
INN = "7707083893"


def _own(store: SqlStore, tmp_path: Path, name: str, rows: list[str]) -> None:
    path = tmp_path / name
    path.write_text(HEADER + "\n".join(rows) + "\n", encoding="utf-8")
    OwnershipStore(store).load("registry", read_file(path, lambda v: v.startswith("ofac-sdn-")))


def test_screen_explain_and_draw(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'svc.sqlite'}"
    store = SqlStore(url)
    load_paths(store, "ofac_sdn", [write_sdn(tmp_path / "sdn", SDN_ROWS)])
    _own(store, tmp_path, "a.csv", [f"Ivanov,ofac-sdn-1001,Steppe Trade LLP,{BIN},30,r,"])
    app = create_app(ApiConfig(db_url=url, reload_interval=0.0))
    rt = app.state.runtime
    keys = {r: rt.cases.add_user(f"user-{r}", r)[1] for r in ("viewer", "analyst")}
    headers = {"Authorization": f"Bearer {keys['viewer']}"}
    with TestClient(app, raise_server_exceptions=False) as client:
        r = client.post("/v1/screen", json={"name": "Steppe Trade LLP"}, headers=headers)
        assert r.status_code == 200, r.text
        result = r.json()["results"][0]
        owned = [c for c in result["candidates"] if c["source"] == "ownership"]
        assert len(owned) == 1 and owned[0]["alert"] is False  # 30 %: reported, no alert

        # a new ownership snapshot reaches the running service
        _own(
            store,
            tmp_path,
            "b.csv",
            [
                f"Ivanov,ofac-sdn-1001,Steppe Trade LLP,{BIN},30,r,",
                f"Petrov,ofac-sdn-1002,Zeta Holding,{INN},100,r,",
                f"Zeta Holding,{INN},Steppe Trade LLP,{BIN},25,r,",
            ],
        )
        r = client.post(
            "/v1/screen", json={"name": "x", "identifier": BIN, "threshold": 0.99}, headers=headers
        )
        body = r.json()
        assert body["snapshots"]["ownership:registry"] == "2"
        first = body["results"][0]["candidates"][0]
        assert first["source"] == "ownership" and first["alert"] is True  # rule, not threshold
        assert body["results"][0]["alert"] is True
        feature = next(f for f in first["features"] if f["feature"] == "owned_by_listed")
        assert "owned 55 % in aggregate" in feature["text"]

        r = client.get(f"/v1/ownership/{BIN}", headers=headers)
        assert r.status_code == 200, r.text
        (graph,) = r.json()
        ofac = next(f for f in graph["findings"] if f["rule"] == "ofac")
        assert ofac["blocked"] and abs(ofac["aggregate"] - 0.55) < 1e-9
        assert {tuple(p["path"]) for p in ofac["paths"]} == {
            ("ofac-sdn-1001", BIN),
            (INN, BIN),
        }
        assert client.get("/v1/ownership/nobody", headers=headers).status_code == 404

        sign_in(client, keys["analyst"])
        page = client.get("/ui/ownership", params={"party": BIN})
        assert page.status_code == 200
        assert "<svg" in page.text and "Steppe Trade LLP" in page.text
        assert "owned 55 % in aggregate" in page.text
        assert client.get("/ui/ownership", params={"party": "<script>"}).status_code == 404
    store.close()
