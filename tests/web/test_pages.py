"""Web pages through the ASGI client: sign-in, CSRF, screening, decisions, audit."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from tests.api.helpers import Api, make_api


def _csrf(html: str) -> str:
    found = re.search(r'name="csrf" value="([^"]+)"', html)
    assert found, "form without CSRF token"
    return found.group(1)


def sign_in(client: TestClient, key: str) -> str:
    page = client.get("/ui/login")
    r = client.post(
        "/ui/login",
        data={"key": key, "csrf": _csrf(page.text), "next": "/ui/"},
        follow_redirects=False,
    )
    assert r.status_code == 303, r.text
    home = client.get("/ui/")
    assert home.status_code == 200
    return _csrf(home.text)


@pytest.fixture
def web(tmp_path: Path) -> Api:
    return make_api(tmp_path)


def test_pages_need_a_session(web: Api) -> None:
    for path in (
        "/ui/",
        "/ui/screen",
        "/ui/cases",
        "/ui/cases/1",
        "/ui/lists",
        "/ui/audit",
        "/ui/lists/ofac_sdn",
    ):
        r = web.client.get(path, follow_redirects=False)
        assert r.status_code == 303 and r.headers["location"].startswith("/ui/login?next=")
    r = web.client.post("/ui/screen", data={"name": "x", "csrf": "x"}, follow_redirects=False)
    assert r.status_code == 303
    assert web.client.get("/", follow_redirects=False).headers["location"] == "/ui/"


def test_login_rejects_bad_key_and_missing_csrf(web: Api) -> None:
    page = web.client.get("/ui/login")
    r = web.client.post("/ui/login", data={"key": "csk_nope", "csrf": _csrf(page.text)})
    assert r.status_code == 401 and "not valid" in r.text
    r = web.client.post("/ui/login", data={"key": web.keys["viewer"], "csrf": "forged"})
    assert r.status_code == 403
    r = web.client.post(
        "/ui/login",
        data={"key": web.keys["viewer"], "csrf": _csrf(page.text), "next": "https://evil.example/"},
        follow_redirects=False,
    )
    assert r.headers["location"] == "/ui/"


def test_screen_decide_and_audit(web: Api) -> None:
    csrf = sign_in(web.client, web.keys["analyst"])
    r = web.client.post(
        "/ui/screen", data={"csrf": csrf, "name": "Нұрлан Әбенов", "schema": "Person"}
    )
    assert r.status_code == 200
    assert "Нұрлан Әбенов" in r.text and "equals the query" in r.text
    case_id = int(re.search(r"/ui/cases/(\d+)", r.text).group(1))  # type: ignore[union-attr]
    page = web.client.get(f"/ui/cases/{case_id}")
    assert "Record decision" in page.text and "eu_fsf" in page.text
    r = web.client.post(
        f"/ui/cases/{case_id}/decision",
        data={"csrf": "forged", "decision": "true_match", "reason": "x"},
    )
    assert r.status_code == 403
    r = web.client.post(
        f"/ui/cases/{case_id}/decision", data={"csrf": csrf, "decision": "true_match", "reason": ""}
    )
    assert r.status_code == 422 and "reason" in r.text
    r = web.client.post(
        f"/ui/cases/{case_id}/decision",
        data={"csrf": csrf, "decision": "true_match", "reason": "same birth date and passport"},
    )
    assert r.status_code == 200 and "Decision recorded" in r.text
    assert "case.decide" in r.text and "same birth date and passport" in r.text
    audit = web.client.get("/ui/audit")
    assert "chain verified" in audit.text and "case.decide" in audit.text
    queue = web.client.get("/ui/cases?status=closed")
    assert f"#{case_id}" in queue.text


def test_viewer_cannot_decide(web: Api) -> None:
    web.client.post("/v1/screen", json={"name": "Ivan Petrov"}, headers=web.h("viewer"))
    csrf = sign_in(web.client, web.keys["viewer"])
    page = web.client.get("/ui/cases/1")
    assert page.status_code == 200 and "Record decision" not in page.text
    r = web.client.post(
        "/ui/cases/1/decision", data={"csrf": csrf, "decision": "true_match", "reason": "x"}
    )
    assert r.status_code == 403


def test_lists_pages_show_versions_and_diff(web: Api) -> None:
    from tests.cases.helpers import checksum, person

    web.store.load(
        "ofac_sdn",
        [person("ofac_sdn", "1001", "Ivan Petrov"), person("ofac_sdn", "1003", "Серик Ахметов")],
        checksum=checksum("v2"),
    )
    sign_in(web.client, web.keys["viewer"])
    page = web.client.get("/ui/lists/ofac_sdn")
    assert page.status_code == 200
    assert "Серик Ахметов" in page.text and "added 1" in page.text and "removed 1" in page.text
    assert web.client.get("/ui/lists/nothing").status_code == 404


def test_logout_needs_csrf(web: Api) -> None:
    csrf = sign_in(web.client, web.keys["viewer"])
    assert web.client.post("/ui/logout", data={"csrf": "x"}).status_code == 403
    r = web.client.post("/ui/logout", data={"csrf": csrf}, follow_redirects=False)
    assert r.status_code == 303
    web.client.cookies.clear()
    assert web.client.get("/ui/", follow_redirects=False).status_code == 303
