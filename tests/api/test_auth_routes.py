"""Walk the whole /v1 route table: no key, wrong key, role too low -> 401/403 everywhere."""

from __future__ import annotations

import re

from fastapi.routing import APIRoute

from circumspect.cases.service import ROLES
from tests.api.helpers import Api


def _routes(api: Api) -> list[tuple[str, str, str]]:
    out = []
    routes: list[APIRoute] = api.app.state.api_routes
    for route in routes:
        role = (route.openapi_extra or {}).get("x-role")
        assert role in ROLES, f"{route.path} declares no role"
        path = re.sub(r"\{[^}]+\}", "1", route.path)
        for method in sorted(route.methods):
            out.append((method, path, role))
    return out


def test_route_table_covers_the_api(api: Api) -> None:
    paths = {p for _, p, _ in _routes(api)}
    for expected in (
        "/v1/screen",
        "/v1/cases",
        "/v1/cases/1",
        "/v1/cases/1/decision",
        "/v1/audit/verify",
        "/v1/lists",
        "/v1/users",
    ):
        assert expected in paths
    # every /v1 route of the app is in the table the gate uses
    openapi = api.client.get("/openapi.json").json()
    documented = {re.sub(r"\{[^}]+\}", "1", p) for p in openapi["paths"] if p.startswith("/v1")}
    assert documented == paths


def test_every_endpoint_refuses_missing_wrong_and_low_keys(api: Api) -> None:
    checked = 0
    for method, path, role in _routes(api):
        body = {} if method in ("POST", "PUT", "PATCH") else None
        r = api.client.request(method, path, json=body)
        assert r.status_code == 401, (method, path, r.text)
        assert r.json()["error"]["code"] == "unauthorized"
        assert r.headers["WWW-Authenticate"] == "Bearer"
        for bad in ("Bearer csk_wrong", "Bearer ", "Basic dXNlcjpwdw==", "csk_x"):
            r = api.client.request(method, path, json=body, headers={"Authorization": bad})
            assert r.status_code == 401, (method, path, bad)
        # a disabled user's key is refused too
        for lower in ROLES[: ROLES.index(role)]:
            r = api.client.request(method, path, json=body, headers=api.h(lower))
            assert r.status_code == 403, (method, path, lower, r.text)
            assert r.json()["error"]["code"] == "forbidden"
        r = api.client.request(method, path, json=body, headers=api.h(role))
        assert r.status_code not in (401, 403), (method, path, role, r.text)
        checked += 1
    assert checked >= 12


def test_disabled_user_is_refused(api: Api) -> None:
    rt = api.app.state.runtime
    rt.cases.set_active("user-admin", False)
    rt.forget_keys()
    assert api.client.get("/v1/me", headers=api.h("admin")).status_code == 401


def test_unknown_v1_path_needs_a_key(api: Api) -> None:
    assert api.client.get("/v1/secret-thing").status_code == 401
    assert api.client.get("/v1/secret-thing", headers=api.h("viewer")).status_code == 404
