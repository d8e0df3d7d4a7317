"""Idempotency keys are scoped to the user and bound to the request (issue 13).

The attack: a viewer screens one party with key ``k-1`` (a case opens); an analyst then
screens a listed party with the same key. Before the fix the answer said ``case: existing``
with the viewer's case and the listed party never reached the queue.
"""

from __future__ import annotations

from typing import Any

from tests.api.helpers import Api


def screen(api: Api, role: str, name: str, key: str) -> Any:
    headers = api.h(role) | {"Idempotency-Key": key}
    return api.client.post("/v1/screen", json={"name": name}, headers=headers)


def test_same_key_from_another_user_opens_its_own_case(api: Api) -> None:
    first = screen(api, "viewer", "Ivan Petrov", "k-1")
    assert first.status_code == 200, first.text
    viewer_case = first.json()["results"][0]["case"]
    assert viewer_case["status"] == "opened"
    second = screen(api, "analyst", "Arctic Shipping LLC", "k-1")
    assert second.status_code == 200, second.text
    result = second.json()["results"][0]
    assert result["alert"] is True
    assert result["case"]["status"] == "opened"
    assert result["case"]["case_id"] != viewer_case["case_id"]
    case = api.client.get(f"/v1/cases/{result['case']['case_id']}", headers=api.h("analyst"))
    assert case.json()["query"]["name"] == "Arctic Shipping LLC"
    assert case.json()["created_by"] == "user-analyst"


def test_same_user_same_key_other_request_is_409(api: Api) -> None:
    assert screen(api, "analyst", "Ivan Petrov", "k-2").status_code == 200
    again = screen(api, "analyst", "Arctic Shipping LLC", "k-2")
    assert again.status_code == 409, again.text
    assert again.json()["error"]["field"] == "Idempotency-Key"
    items, total = api.app.state.runtime.cases.list_cases()
    assert total == 1 and items[0].query["name"] == "Ivan Petrov"


def test_same_key_same_request_returns_the_original_answer(api: Api) -> None:
    first = screen(api, "analyst", "Ivan Petrov", "k-3")
    again = screen(api, "analyst", "Ivan Petrov", "k-3")
    assert again.status_code == 200
    assert again.json() == first.json()
    assert again.json()["results"][0]["case"]["status"] == "opened"
    assert api.app.state.runtime.cases.list_cases()[1] == 1


def test_guessed_item_key_of_another_user_finds_nothing(api: Api) -> None:
    """The batch key K gives item keys K:0, K:1 ...; another user sending K:0 as an item key
    must not reach the first user's case."""
    body = {"queries": [{"name": "Ivan Petrov"}, {"name": "Nobody Here"}]}
    headers = api.h("viewer") | {"Idempotency-Key": "batch"}
    assert api.client.post("/v1/screen", json=body, headers=headers).status_code == 200
    other = api.client.post(
        "/v1/screen",
        json={"queries": [{"name": "Arctic Shipping LLC", "idempotency_key": "batch:0"}]},
        headers=api.h("analyst"),
    )
    assert other.status_code == 200
    assert other.json()["results"][0]["case"]["status"] == "opened"


def test_item_key_reused_for_another_party_by_the_same_user_is_409(api: Api) -> None:
    one = {"queries": [{"name": "Ivan Petrov", "idempotency_key": "item-1"}]}
    two = {"queries": [{"name": "Arctic Shipping LLC", "idempotency_key": "item-1"}]}
    assert api.client.post("/v1/screen", json=one, headers=api.h("analyst")).status_code == 200
    r = api.client.post("/v1/screen", json=two, headers=api.h("analyst"))
    assert r.status_code == 409
    assert api.app.state.runtime.cases.list_cases()[1] == 1
