from __future__ import annotations

import csv
from pathlib import Path

from circumspect.demo import DemoContext
from circumspect.demo import matching as demo


def test_demo_step_without_store_step(tmp_path: Path) -> None:
    ctx = DemoContext(out=tmp_path)
    summary = demo.run(ctx)
    assert "20 parties" in summary and "2 rejected" in summary
    with (tmp_path / "matching" / "screening_results.csv").open(encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))
    best = {r["query_id"]: r for r in rows if r["rank"] == "1"}
    assert "ARLAN" in best["D-001"]["caption"].upper() and best["D-001"]["alert"] == "true"
    assert best["D-004"]["score"] == "1.0000"  # BIN
    assert best["D-014"]["caption"] == "ARCTIC VOSTOK"  # IMO
    assert "TIMCHENKO" in best["D-008"]["caption"].upper()
    with (tmp_path / "matching" / "screening_errors.csv").open(encoding="utf-8") as fh:
        assert len(list(csv.DictReader(fh))) == 2
