"""The ``engine`` fixture: each test body runs on the local engine and on Spark local mode."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from circumspect.engines import Engine, get_engine
from tests.engines.helpers import spark_available


@pytest.fixture(scope="session")
def spark_engine() -> Iterator[Engine]:
    reason = spark_available()
    if reason:
        pytest.skip(f"Spark engine unavailable: {reason}")
    engine = get_engine("spark", "local[2]")
    yield engine
    engine.close()


@pytest.fixture(params=["local", "spark"])
def engine(request: pytest.FixtureRequest) -> Engine:
    if request.param == "spark":
        spark: Engine = request.getfixturevalue("spark_engine")
        return spark
    return get_engine("local")


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Mark every test that runs on Spark (``-m "not spark"`` skips them)."""
    for item in items:
        callspec = getattr(item, "callspec", None)
        on_spark = callspec is not None and callspec.params.get("engine") == "spark"
        if on_spark or "spark_engine" in getattr(item, "fixturenames", ()):
            item.add_marker(pytest.mark.spark)
