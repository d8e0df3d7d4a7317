from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from circumspect.cases.service import CaseService


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def db_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """The same test body on SQLite and on PostgreSQL."""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'cases.sqlite'}"
    return str(request.getfixturevalue("pg_url"))


@pytest.fixture
def service(db_url: str) -> Iterator[CaseService]:
    svc = CaseService(db_url)
    yield svc
    svc.close()
