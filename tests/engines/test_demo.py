"""The engines demo step without Spark: the local result and the reason Spark did not run."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from circumspect.demo import DemoContext
from circumspect.demo import engines as demo


def test_demo_without_spark_says_why(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(demo, "spark_unavailable", lambda: "Java 17+ is not installed")
    summary = demo.run(DemoContext(out=tmp_path))
    assert "local engine: read" in summary
    assert "Spark engine not run: Java 17+ is not installed" in summary
    scored = pd.read_csv(
        tmp_path / "engines" / "scored-local.csv", dtype=str, keep_default_na=False
    )
    assert len(scored) > 0 and set(scored["decision"]) <= {"clear", "review", "block"}
