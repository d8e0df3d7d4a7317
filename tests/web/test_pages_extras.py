"""Declarations upload and route pages over the real store, matcher, rules and network."""

from __future__ import annotations

from pathlib import Path

from fastapi.testclient import TestClient

from circumspect.demo import DATA_DIR, DemoContext
from circumspect.demo import store as store_demo
from circumspect.server import create_app
from circumspect.services.runtime import ApiConfig
from tests.web.test_pages import _csrf, sign_in


def test_declarations_and_route_pages(tmp_path: Path) -> None:
    ctx = DemoContext(out=tmp_path / "out")
    store_demo.run(ctx)
    app = create_app(ApiConfig(db_url=ctx.shared["db_url"], secret_key="t"))
    _, key = app.state.runtime.cases.add_user("Әлия", "analyst")
    with TestClient(app) as client:
        csrf = sign_in(client, key)
        page = client.get("/ui/declarations")
        assert page.status_code == 200 and _csrf(page.text) == csrf
        data = (DATA_DIR / "declarations" / "declarations.csv").read_bytes()
        r = client.post(
            "/ui/declarations",
            data={"csrf": csrf, "show": "risky"},
            files={"file": ("declarations.csv", data, "text/csv")},
        )
        assert r.status_code == 200, r.text[:500]
        assert "rows read" in r.text and "badge alert" in r.text and "/ui/cases/" in r.text
        r = client.post(
            "/ui/declarations", data={"csrf": "forged"}, files={"file": ("d.csv", data, "text/csv")}
        )
        assert r.status_code == 403
        r = client.get(
            "/ui/route", params={"origin": "Almaty", "destination": "Duisburg", "avoid": "RU,BY"}
        )
        assert r.status_code == 200 and "data:image/png;base64," in r.text
        r = client.get("/ui/route", params={"origin": "Nowhere-X", "destination": "Duisburg"})
        assert r.status_code == 422


def test_flows_page(tmp_path: Path) -> None:
    import shutil

    from circumspect import settings
    from circumspect.demo import flows as flows_demo

    ctx = DemoContext(out=tmp_path / "out")
    flows_demo.run(ctx)
    app = create_app(ApiConfig(db_url=f"sqlite:///{tmp_path / 'f.sqlite'}", secret_key="t"))
    _, key = app.state.runtime.cases.add_user("viewer", "viewer")
    with TestClient(app) as client:
        sign_in(client, key)
        empty = client.get("/ui/flows")
        assert empty.status_code == 200 and "No trade-flow data loaded" in empty.text
        shutil.copy(ctx.shared["flows_db"], settings.home() / "flows.duckdb")
        page = client.get("/ui/flows")
        assert page.status_code == 200
        assert page.text.count("data:image/png;base64,") >= 1
