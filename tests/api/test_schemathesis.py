"""Property-based API fuzzing with schemathesis against /openapi.json (in-process ASGI):
no 5xx, responses match their documented schema, status code and content type."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from tests.api.helpers import Api, make_api


@pytest.fixture
def fuzz_api(tmp_path: Path) -> Iterator[Api]:
    api = make_api(tmp_path)
    # a few cases so /v1/cases/{id} paths can find something
    for name in ("Ivan Petrov", "Нұрлан Әбенов"):
        api.client.post("/v1/screen", json={"name": name}, headers=api.h("admin"))
    yield api


CHECKS = [
    not_a_server_error,
    response_schema_conformance,
    status_code_conformance,
    content_type_conformance,
]


@pytest.mark.slow
def test_api_conforms_to_its_schema(fuzz_api: Api) -> None:
    # Operations are walked here (schemathesis' pytest plugin does not support pytest 9 yet).
    schema = schemathesis.openapi.from_asgi("/openapi.json", fuzz_api.app)
    headers = {"Authorization": f"Bearer {fuzz_api.keys['admin']}"}
    seen = []
    for result in schema.get_all_operations():
        operation = result.ok()
        seen.append(operation.label)

        @given(case=operation.as_strategy())
        @settings(
            max_examples=12,
            deadline=None,
            derandomize=True,
            database=None,
            suppress_health_check=list(HealthCheck),
        )
        def run(case: Any) -> None:
            case.call_and_validate(headers=headers, checks=CHECKS)

        run()
    assert any("/v1/screen" in label for label in seen) and len(seen) >= 12
