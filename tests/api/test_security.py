"""Security headers, sign-in rate limit, error paths and unknown lists (issue 13)."""

from __future__ import annotations

import pytest

from circumspect.services.ratelimit import RateLimiter
from tests.api.helpers import Api, make_api
from tests.web.test_pages import _csrf, sign_in

HEADERS = ("content-security-policy", "x-content-type-options", "referrer-policy")


def assert_secure(response: object, path: str) -> None:
    headers = response.headers  # type: ignore[attr-defined]
    for name in HEADERS:
        assert name in headers, f"{path}: no {name}"
    assert headers["x-content-type-options"] == "nosniff"
    assert "frame-ancestors 'none'" in headers["content-security-policy"]
    assert headers["x-frame-options"] == "DENY"


def test_every_kind_of_response_carries_the_headers(api: Api) -> None:
    sign_in(api.client, api.keys["viewer"])
    answers = {
        "/health": api.client.get("/health"),
        "/v1/me": api.client.get("/v1/me", headers=api.h("viewer")),
        "/v1/me (401)": api.client.get("/v1/me"),
        "/v1/users (403)": api.client.get("/v1/users", headers=api.h("viewer")),
        "/v1/nosuch (404)": api.client.get("/v1/nosuch", headers=api.h("viewer")),
        "/v1/screen (422)": api.client.post("/v1/screen", json={}, headers=api.h("viewer")),
        "/ui/": api.client.get("/ui/"),
        "/ui/login": api.client.get("/ui/login"),
        "/ui/static/app.css": api.client.get("/ui/static/app.css"),
        "/openapi.json": api.client.get("/openapi.json"),
        "/docs": api.client.get("/docs"),
    }
    for path, response in answers.items():
        assert_secure(response, path)
    page = answers["/ui/"].headers["content-security-policy"]
    assert "script-src 'self'" in page and "unsafe-eval" not in page
    assert answers["/v1/me"].headers["content-security-policy"].startswith("default-src 'none'")
    assert "cdn.jsdelivr.net" in answers["/docs"].headers["content-security-policy"]


def test_oversized_body_refusal_carries_the_headers(tmp_path: object) -> None:
    from pathlib import Path

    assert isinstance(tmp_path, Path)
    small = make_api(tmp_path, max_request_bytes=100)
    with small.client:
        r = small.client.post("/v1/screen", content=b"x" * 500, headers=small.h("viewer"))
    assert r.status_code == 413
    assert_secure(r, "413")


def test_unknown_list_is_404(api: Api) -> None:
    r = api.client.get("/v1/lists/nosuch/snapshots", headers=api.h("viewer"))
    assert r.status_code == 404
    assert r.json()["error"]["code"] == "not_found" and "nosuch" in r.json()["error"]["message"]
    known = api.client.get("/v1/lists/ofac_sdn/snapshots", headers=api.h("viewer"))
    assert known.status_code == 200 and known.json()
    empty = api.client.get("/v1/lists/un_sc/snapshots", headers=api.h("viewer"))
    assert empty.status_code == 200 and empty.json() == []


def test_422_details_name_no_server_path(api: Api) -> None:
    """A malformed upload is reported with the upload's name, never the temporary path."""
    files = {"file": ("decl.xlsx", b"PK\x03\x04 this is not a workbook", "application/zip")}
    r = api.client.post("/v1/declarations/score", files=files, headers=api.h("viewer"))
    assert r.status_code == 422, r.text
    text = r.text
    assert "/tmp" not in text and "cs-decl-" not in text and "input.xlsx" not in text
    assert "decl.xlsx" in text


def test_scrub_removes_folders_keeps_names() -> None:
    from circumspect.errors import scrub

    assert scrub("cannot read /tmp/cs-decl-x/input.csv line 3") == "cannot read input.csv line 3"
    assert scrub("C:\\Users\\me\\a.csv") == "a.csv"
    assert scrub("HS 8471/30, 2024/01/02, https://x.org/a/b") == (
        "HS 8471/30, 2024/01/02, https://x.org/a/b"
    )


def test_login_rate_limited_per_address_with_address_audited(
    api: Api, monkeypatch: pytest.MonkeyPatch
) -> None:
    rt = api.app.state.runtime
    limit = rt.login_limiter.max_failures
    page = api.client.get("/ui/login")
    token = _csrf(page.text)
    for _ in range(limit):
        r = api.client.post("/ui/login", data={"key": "csk_guess", "csrf": token})
        assert r.status_code == 401
    blocked = api.client.post("/ui/login", data={"key": "csk_guess", "csrf": token})
    assert blocked.status_code == 429 and int(blocked.headers["retry-after"]) > 0
    # even the right key waits: the limit is checked before the key
    right = api.client.post("/ui/login", data={"key": api.keys["viewer"], "csrf": token})
    assert right.status_code == 429
    failed = [r for r in rt.cases.audit_records(limit=100) if r.action == "web.login_failed"]
    assert len(failed) == limit  # the flood stops at the limit
    assert all(isinstance(r.data, dict) and r.data["client"] == "testclient" for r in failed)


def test_login_rate_limited_per_user_name(api: Api) -> None:
    """Guesses at one user's key (its shown prefix) from many addresses count against the
    user: the user's own address is then limited too."""
    rt = api.app.state.runtime
    key = api.keys["analyst"]
    for i in range(rt.login_limiter.max_failures):
        rt.login_limiter.fail([f"addr:10.0.0.{i}", "user:user-analyst"])
    page = api.client.get("/ui/login")
    r = api.client.post("/ui/login", data={"key": key[:10] + "x" * 30, "csrf": _csrf(page.text)})
    assert r.status_code == 429
    assert rt.cases.user_by_key_prefix(key) == "user-analyst"


def test_rate_limiter_window_slides() -> None:
    now = [0.0]
    limiter = RateLimiter(3, 60, clock=lambda: now[0])
    for _ in range(3):
        limiter.fail(["addr:a"])
    assert limiter.blocked(["addr:a"]) == pytest.approx(60)
    assert limiter.blocked(["addr:b"]) == 0
    now[0] = 61
    assert limiter.blocked(["addr:a"]) == 0
