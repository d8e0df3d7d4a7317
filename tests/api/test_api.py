"""The HTTP API: screening, cases, audit, lists, users, errors, limits."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.api.helpers import Api, make_api


def test_health_is_public(api: Api) -> None:
    r = api.client.get("/health")
    assert r.status_code == 200 and r.json()["database"] == "ok"


def test_screen_one_party_opens_a_case(api: Api) -> None:
    r = api.client.post(
        "/v1/screen", json={"name": "Иван Петров", "schema": "Person"}, headers=api.h("viewer")
    )
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["snapshots"] == {"ofac_sdn": "ofac_sdn-1", "eu_fsf": "eu_fsf-2"}
    result = body["results"][0]
    assert result["alert"] is True
    cand = result["candidates"][0]
    assert cand["caption"] == "Ivan Petrov" and cand["explanation"]
    assert cand["features"][0]["text"]
    assert result["case"]["status"] == "opened"
    case_id = result["case"]["case_id"]
    case = api.client.get(f"/v1/cases/{case_id}", headers=api.h("viewer")).json()
    assert case["snapshot_ids"]["ofac_sdn"] == "ofac_sdn-1"
    assert case["candidates"][0]["explanation"] == cand["explanation"]
    # the listed record, in the hit and as the case stored it at alert time
    assert cand["record"]["list"] == "SDN" and cand["record"]["authority"]
    assert case["candidates"][0]["record"]["list"] == cand["record"]["list"]
    # same party again: no second case
    again = api.client.post(
        "/v1/screen", json={"name": "иван  петров", "schema": "Person"}, headers=api.h("viewer")
    ).json()
    assert again["results"][0]["case"] == {
        "status": "existing",
        "case_id": case_id,
        "suppressed": [],
    }


def test_screen_batch_and_identifier(api: Api) -> None:
    queries = [
        {"name": "Nobody Known", "id": "row-1"},
        {"name": "Some Bank", "identifier": "ARCTRUMM", "id": "row-2"},
        {"name": "Нұрлан Әбенов", "schema": "Person", "id": "row-3"},
    ]
    r = api.client.post("/v1/screen", json={"queries": queries}, headers=api.h("viewer"))
    assert r.status_code == 200, r.text
    results = r.json()["results"]
    assert [x["query"]["id"] for x in results] == ["row-1", "row-2", "row-3"]
    assert [x["alert"] for x in results] == [False, True, True]
    assert results[1]["candidates"][0]["caption"] == "Arctic Shipping LLC"
    assert results[0]["case"] is None


def test_screen_batch_endpoint_screens_each_distinct_party_once(
    api: Api, monkeypatch: pytest.MonkeyPatch
) -> None:
    screener = api.app.state.runtime.screener()[0]
    calls: list[str] = []
    original = screener.screen

    def counting(query: object, limit: int = 5) -> object:
        calls.append(query.name)  # type: ignore[attr-defined]
        return original(query, limit)  # type: ignore[arg-type]

    monkeypatch.setattr(screener, "screen", counting)
    queries = [
        {"name": "Ivan Petrov", "schema": "Person", "id": "a"},
        {"name": "Nobody Known", "id": "b"},
        {"name": "Ivan Petrov", "schema": "Person", "id": "c"},
    ]
    r = api.client.post("/v1/screen/batch", json={"queries": queries}, headers=api.h("viewer"))
    assert r.status_code == 200, r.text
    results = r.json()["results"]
    assert [x["query"]["id"] for x in results] == ["a", "b", "c"]
    assert [x["alert"] for x in results] == [True, False, True]
    assert results[0]["candidates"] == results[2]["candidates"]
    assert sorted(calls) == ["Ivan Petrov", "Nobody Known"]
    assert results[0]["case"]["case_id"] == results[2]["case"]["case_id"]
    too_many = {"queries": [{"name": f"n{i}"} for i in range(1001)]}
    r = api.client.post("/v1/screen/batch", json=too_many, headers=api.h("viewer"))
    assert r.status_code == 422


def test_batch_limit_and_field_named_errors(api: Api) -> None:
    too_many = {"queries": [{"name": f"n{i}"} for i in range(1001)]}
    r = api.client.post("/v1/screen", json=too_many, headers=api.h("viewer"))
    assert r.status_code == 422 and r.json()["error"]["field"] == "queries"
    r = api.client.post(
        "/v1/screen",
        json={"queries": [{"name": "ok"}, {"schema": "Person"}]},
        headers=api.h("viewer"),
    )
    err = r.json()["error"]
    assert r.status_code == 422 and err["field"] == "queries.1.name"
    assert err["code"] == "validation_error" and "queries.1.name" in err["message"]
    r = api.client.post(
        "/v1/screen", json={"name": "x", "birth_date": "12/04/1965"}, headers=api.h("viewer")
    )
    assert r.json()["error"]["field"] == "birth_date"
    r = api.client.post(
        "/v1/screen",
        content=b"{not json",
        headers=api.h("viewer") | {"Content-Type": "application/json"},
    )
    assert r.status_code == 422 and "error" in r.json()


def test_error_envelope_everywhere(api: Api) -> None:
    for method, path, status in (
        ("get", "/v1/nope", 404),
        ("get", "/v1/cases/999", 404),
        ("delete", "/v1/cases", 405),
        ("get", "/nope", 404),
    ):
        r = api.client.request(method.upper(), path, headers=api.h("admin"))
        assert r.status_code == status, (path, r.text)
        assert set(r.json()["error"]) == {"status", "code", "message", "field", "details"}
        assert r.json()["error"]["status"] == status


def test_request_size_limit(tmp_path: Path) -> None:
    api = make_api(tmp_path, max_request_bytes=2000)
    with api.client:
        r = api.client.post("/v1/screen", json={"name": "x" * 3000}, headers=api.h("viewer"))
        assert r.status_code == 413 and r.json()["error"]["code"] == "request_too_large"

        def chunks():  # type: ignore[no-untyped-def]
            yield b'{"name": "'
            yield b"y" * 3000
            yield b'"}'

        r = api.client.post(
            "/v1/screen",
            content=chunks(),
            headers=api.h("viewer") | {"Content-Type": "application/json"},
        )
        assert r.status_code == 413


def test_decision_flow_and_audit(api: Api) -> None:
    r = api.client.post("/v1/screen", json={"name": "Ivan Petrov"}, headers=api.h("viewer"))
    case_id = r.json()["results"][0]["case"]["case_id"]
    path = f"/v1/cases/{case_id}/decision"
    body = {"decision": "false_positive", "reason": "different birth date (1990)"}
    assert api.client.post(path, json=body, headers=api.h("viewer")).status_code == 403
    r = api.client.post(path, json={"decision": "maybe", "reason": "x"}, headers=api.h("analyst"))
    assert r.status_code == 422 and r.json()["error"]["field"] == "decision"
    r = api.client.post(path, json=body, headers=api.h("analyst"))
    assert r.status_code == 200 and r.json()["status"] == "closed"
    assert r.json()["decided_by"] == "user-analyst"
    r = api.client.post(path, json=body, headers=api.h("analyst"))
    assert r.status_code == 409 and r.json()["error"]["code"] == "conflict"
    # suppressed now
    r = api.client.post("/v1/screen", json={"name": "Ivan Petrov"}, headers=api.h("viewer"))
    assert r.json()["results"][0]["case"]["status"] == "suppressed"
    listing = api.client.get("/v1/cases?status=closed", headers=api.h("viewer")).json()
    assert listing["total"] == 1 and listing["items"][0]["id"] == case_id
    audit = api.client.get(f"/v1/audit?object=case:{case_id}", headers=api.h("viewer")).json()
    assert [a["action"] for a in audit] == ["case.decide", "case.open"]
    assert audit[0]["actor"] == "user-analyst"
    verify = api.client.get("/v1/audit/verify", headers=api.h("viewer")).json()
    assert verify["ok"] is True and verify["first_bad"] is None and verify["records"] >= 6


def test_audit_verify_reports_tampering(api: Api) -> None:
    from sqlalchemy import text

    api.client.post("/v1/screen", json={"name": "Ivan Petrov"}, headers=api.h("viewer"))
    rt = api.app.state.runtime
    with rt.cases.engines.write.begin() as conn:
        conn.execute(text("UPDATE case_audit SET actor='someone' WHERE seq=2"))
    verify = api.client.get("/v1/audit/verify", headers=api.h("viewer")).json()
    assert verify == {"ok": False, "records": 1, "first_bad": 2}


def test_users_admin_only(api: Api) -> None:
    r = api.client.post(
        "/v1/users", json={"name": "Ержан", "role": "analyst"}, headers=api.h("admin")
    )
    assert r.status_code == 201
    key = r.json()["api_key"]
    me = api.client.get("/v1/me", headers={"Authorization": f"Bearer {key}"}).json()
    assert me == {"name": "Ержан", "role": "analyst"}
    assert api.client.get("/v1/users", headers=api.h("analyst")).status_code == 403
    names = [u["name"] for u in api.client.get("/v1/users", headers=api.h("admin")).json()]
    assert "Ержан" in names
    r = api.client.post(
        "/v1/users", json={"name": "Ержан", "role": "viewer"}, headers=api.h("admin")
    )
    assert r.status_code == 409


def test_lists_and_diff(api: Api) -> None:
    from tests.cases.helpers import checksum, person

    lists = api.client.get("/v1/lists", headers=api.h("viewer")).json()["active"]
    assert {x["source"] for x in lists} == {"ofac_sdn", "eu_fsf"}
    api.store.load(
        "ofac_sdn",
        [person("ofac_sdn", "1001", "Ivan Petrov"), person("ofac_sdn", "1003", "Serik Akhmetov")],
        checksum=checksum("v2"),
    )
    diff = api.client.get("/v1/lists/ofac_sdn/diff", headers=api.h("viewer")).json()
    assert diff["counts"] == {"added": 1, "removed": 1, "changed": 1}
    r = api.client.get("/v1/lists/ofac_sdn/diff?from=nope", headers=api.h("viewer"))
    assert r.status_code == 404 and r.json()["error"]["field"] == "from"
    r = api.client.get("/v1/lists/zzz/diff", headers=api.h("viewer"))
    assert r.status_code == 404


def test_rescreen_endpoint(api: Api) -> None:
    from tests.cases.helpers import checksum, person

    api.client.post("/v1/screen", json={"name": "Serik Akhmetov"}, headers=api.h("viewer"))
    api.store.load(
        "ofac_sdn", [person("ofac_sdn", "1003", "Serik Akhmetov")], checksum=checksum("v2")
    )
    assert (
        api.client.post("/v1/lists/rescreen", json={}, headers=api.h("analyst")).status_code == 403
    )
    r = api.client.post(
        "/v1/lists/rescreen", json={"sources": ["ofac_sdn"]}, headers=api.h("admin")
    )
    assert r.status_code == 200, r.text
    report = r.json()
    assert report["changed_entities"] == 1 and report["opened"] == 1 and report["parties"] == 1


@pytest.mark.postgres
def test_api_on_postgres(tmp_path: Path, pg_url: str) -> None:
    api = make_api(tmp_path, db_url=pg_url)
    with api.client:
        r = api.client.post("/v1/screen", json={"name": "Иван Петров"}, headers=api.h("viewer"))
        assert r.json()["results"][0]["case"]["status"] == "opened"
        assert api.client.get("/v1/audit/verify", headers=api.h("viewer")).json()["ok"]


def test_screen_threshold_dataset_filters_and_excluded_ids(api: Api) -> None:
    def screen(**options: object) -> dict[str, object]:
        body = {"name": "Иван Петров", "schema": "Person", "open_cases": False} | options
        r = api.client.post("/v1/screen", json=body, headers=api.h("viewer"))
        assert r.status_code == 200, r.text
        result: dict[str, object] = r.json()["results"][0]
        return result

    base = screen()
    cands = base["candidates"]
    assert isinstance(cands, list) and cands and cands[0]["source"] == "ofac_sdn"
    assert screen(include_dataset=["eu_fsf"])["candidates"] == []
    assert screen(exclude_dataset=["ofac_sdn"])["candidates"] == []
    assert screen(include_dataset=["sanctions"])["candidates"] == cands
    assert screen(exclude_entity_ids=[cands[0]["entity_id"]])["candidates"] == []
    high = screen(threshold=1.0)
    assert high["alert"] is (cands[0]["score"] >= 1.0)
    low = screen(threshold=0.0)
    assert low["alert"] is True
    r = api.client.post("/v1/screen", json={"name": "X", "threshold": 2}, headers=api.h("viewer"))
    assert r.status_code == 422 and r.json()["error"]["field"] == "threshold"
