"""Shared test fixtures, and how the suite gets its data.

Fixture strategy (the model is yente's ``tests/conftest.py``):

* Isolation is automatic: every test runs with its own ``CIRCUMSPECT_HOME`` (a temporary
  folder) and no ``CIRCUMSPECT_DB``, so nothing touches the user's real store.
* Real data comes from ``../shared`` (or ``$CIRCUMSPECT_SHARED``), never from copies in the
  repository: the ``shared`` fixture (or ``tests.support.shared_path`` where a path is needed
  at import time) gives a path there and skips with a clear reason when it is absent.
* Services are fixtures: ``pg_url`` gives a fresh PostgreSQL database (needs
  ``CIRCUMSPECT_TEST_PG_URL``, which ``scripts/services.sh`` sets after starting a local
  server) and drops it afterwards.
* Helpers live in fixtures here or in plain modules (``tests/support.py``, ``tests/<area>/
  helpers.py``); tests never import from a ``conftest``.
* With ``CIRCUMSPECT_REQUIRE_ALL=1`` (set by ``.ci/run``) a skipped test is a failure: in CI
  every component is provided, so nothing may silently not run.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from tests.support import shared_path

REQUIRE_ALL = os.environ.get("CIRCUMSPECT_REQUIRE_ALL") == "1"


@pytest.fixture
def shared() -> Callable[..., Path]:
    """``shared("fixtures", "lists", ...)``: a path under ../shared, or skip the test."""
    return shared_path


@pytest.fixture(autouse=True)
def _isolated_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    home = tmp_path / "circumspect-home"
    monkeypatch.setenv("CIRCUMSPECT_HOME", str(home))
    monkeypatch.delenv("CIRCUMSPECT_DB", raising=False)
    return home


@pytest.fixture
def pg_url() -> Iterator[str]:
    """URL of a fresh, empty PostgreSQL database, dropped after the test."""
    admin = os.environ.get("CIRCUMSPECT_TEST_PG_URL")
    if not admin:
        pytest.skip(
            "PostgreSQL not available: CIRCUMSPECT_TEST_PG_URL is not set "
            "(run scripts/services.sh, as `make test` does)"
        )
    import psycopg

    name = f"ct_{uuid.uuid4().hex[:12]}"
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    base, _, _ = admin.rpartition("/")
    try:
        yield f"{base}/{name}"
    finally:
        with psycopg.connect(admin, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]) -> Iterator[None]:
    outcome = yield
    report = outcome.get_result()
    if REQUIRE_ALL and report.skipped and not hasattr(report, "wasxfail"):
        reason = report.longrepr[2] if isinstance(report.longrepr, tuple) else str(report.longrepr)
        report.outcome = "failed"
        report.longrepr = f"skipped, but CIRCUMSPECT_REQUIRE_ALL=1 forbids skips: {reason}"
