"""Payments, routes and declarations endpoints over the real store and matcher (demo data)."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from circumspect.demo import DATA_DIR, DemoContext
from circumspect.demo import store as store_demo
from circumspect.server import create_app
from circumspect.services.runtime import ApiConfig

MESSAGES = DATA_DIR / "payments" / "messages"


@pytest.fixture(scope="module")
def real(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[TestClient, dict[str, str]]]:
    import os

    home = tmp_path_factory.mktemp("home")
    old = os.environ.get("CIRCUMSPECT_HOME")
    os.environ["CIRCUMSPECT_HOME"] = str(home)
    try:
        ctx = DemoContext(out=home / "out")
        store_demo.run(ctx)
        app = create_app(ApiConfig(db_url=ctx.shared["db_url"], secret_key="t"))
        _, key = app.state.runtime.cases.add_user("analyst", "analyst")
        with TestClient(app) as client:
            yield client, {"Authorization": f"Bearer {key}"}
    finally:
        if old is None:
            os.environ.pop("CIRCUMSPECT_HOME", None)
        else:
            os.environ["CIRCUMSPECT_HOME"] = old


def test_payment_reject_opens_a_case(real: tuple[TestClient, dict[str, str]]) -> None:
    client, auth = real
    raw = (MESSAGES / "04_reject_mt103_sberbank_bic.fin").read_bytes()
    r = client.post(
        "/v1/payments/screen", content=raw, headers=auth | {"Content-Type": "text/plain"}
    )
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["decision"] == "reject" and body["case"]["status"] == "opened"
    again = client.post("/v1/payments/screen", content=raw, headers=auth).json()
    assert again["case"] == {"status": "existing", "case_id": body["case"]["case_id"]}
    clean = (MESSAGES / "01_clean_pacs008_kz_to_de.xml").read_bytes()
    r = client.post("/v1/payments/screen", content=clean, headers=auth)
    assert r.json()["decision"] == "pass" and r.json()["case"] is None
    r = client.post("/v1/payments/screen", content=b"  ", headers=auth)
    assert r.status_code == 422 and r.json()["error"]["field"] == "body"
    r = client.post("/v1/payments/screen", content=b"garbage", headers=auth)
    assert r.status_code == 200 and r.json()["decision"] == "error"


def test_route_avoiding_russia(real: tuple[TestClient, dict[str, str]]) -> None:
    client, auth = real
    r = client.get(
        "/v1/route",
        params={"origin": "Almaty", "destination": "Duisburg", "avoid": "RU,BY", "k": 2},
        headers=auth,
    )
    assert r.status_code == 200, r.text
    assert r.json()["routes"]
    r = client.get(
        "/v1/route", params={"origin": "Nowhere-Town-X", "destination": "Duisburg"}, headers=auth
    )
    assert r.status_code in (404, 422) and "error" in r.json()


def test_declarations_rows_and_upload(real: tuple[TestClient, dict[str, str]]) -> None:
    client, auth = real
    path = DATA_DIR / "declarations" / "declarations.csv"
    with path.open(encoding="utf-8", newline="") as fh:
        rows = list(csv.DictReader(fh))[:30]
    r = client.post("/v1/declarations/score", json={"rows": rows}, headers=auth)
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["read"] == 30 and body["scored"] + body["rejected"] == 30
    risky = [x for x in body["rows"] if x["decision"] in ("block", "review")]
    assert len(body["cases"]) == len(risky)
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=list(rows[0]))
    writer.writeheader()
    writer.writerows(rows[:5])
    r = client.post(
        "/v1/declarations/score",
        headers=auth,
        files={"file": ("five.csv", buffer.getvalue().encode(), "text/csv")},
    )
    assert r.status_code == 200, r.text
    assert r.json()["read"] == 5
    r = client.post("/v1/declarations/score", json={"rows": []}, headers=auth)
    assert r.status_code == 422 and r.json()["error"]["field"] == "rows"


def test_optional_endpoints_are_in_the_route_table(
    real: tuple[TestClient, dict[str, str]], tmp_path: Path
) -> None:
    client, _ = real
    paths = client.get("/openapi.json").json()["paths"]
    for path in ("/v1/payments/screen", "/v1/route", "/v1/declarations/score", "/v1/goods/{code}"):
        assert path in paths


def test_goods_endpoint(real: tuple[TestClient, dict[str, str]]) -> None:
    client, auth = real
    r = client.get("/v1/goods/8542.31.000.0", headers=auth)
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["code"] == "8542310000" and body["hs6"] == "854231"
    assert body["control"]["controlled"] is True
    r = client.get("/v1/goods/12ab", headers=auth)
    assert r.status_code == 422 and r.json()["error"]["code"] == "validation_error"


def test_declaration_and_payment_cases_keep_the_listed_records(
    real: tuple[TestClient, dict[str, str]],
) -> None:
    """A case opened from a payment or a declaration stores the listed record of every
    entity it names, as the list had it when the case was opened (issue 12)."""
    client, auth = real
    raw = (MESSAGES / "04_reject_mt103_sberbank_bic.fin").read_bytes()
    body = client.post("/v1/payments/screen", content=raw, headers=auth).json()
    case = client.get(f"/v1/cases/{body['case']['case_id']}", headers=auth).json()
    listed = [c for c in case["candidates"] if c.get("record")]
    assert listed, case["candidates"]
    assert all(c["record"]["list"] and c["record"]["authority"] for c in listed)
    path = DATA_DIR / "declarations" / "declarations.csv"
    with path.open(encoding="utf-8", newline="") as fh:
        rows = list(csv.DictReader(fh))
    scored = client.post("/v1/declarations/score", json={"rows": rows[:2000]}, headers=auth)
    assert scored.status_code == 200, scored.text
    party_cases = [
        c["case_id"]
        for c, row in zip(
            scored.json()["cases"],
            [x for x in scored.json()["rows"] if x["decision"] in ("block", "review")],
            strict=True,
        )
        if "party_listed" in (row.get("flags") or "") and c.get("case_id")
    ]
    assert party_cases, "the demo declarations have listed parties"
    case = client.get(f"/v1/cases/{party_cases[0]}", headers=auth).json()
    rule = next(c for c in case["candidates"] if c.get("rule") == "party_listed")
    assert rule["matches"] and all(
        m.get("record") for m in rule["matches"] if "ownership:" not in m["entity_id"]
    )
