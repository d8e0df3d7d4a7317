from __future__ import annotations

from pathlib import Path

import pytest

from circumspect.demo import DemoContext


def test_goods_demo(tmp_path: Path) -> None:
    from circumspect.demo import goods as demo

    summary = demo.run(DemoContext(out=tmp_path))
    assert "CONTROLLED CHPL tier 1" in summary
    assert (tmp_path / "goods" / "goods.json").exists()


def test_risk_demo_from_list_files(tmp_path: Path) -> None:
    from circumspect.demo import risk as demo

    ctx = DemoContext(out=tmp_path)
    summary = demo.run(ctx)
    assert "read 79 = scored 75 + rejected 4" in summary
    html = (tmp_path / "declarations" / "report.html").read_text(encoding="utf-8")
    assert "ARLAN TRADE LLP" in html and "party_listed" in html
    assert "block" in html


@pytest.mark.slow
def test_risk_demo_after_store_step(tmp_path: Path) -> None:
    from circumspect.demo import risk as risk_demo
    from circumspect.demo import store as store_demo

    ctx = DemoContext(out=tmp_path)
    store_demo.run(ctx)
    assert ctx.shared.get("db_url")
    summary = risk_demo.run(ctx)
    assert "lists in" in summary
    assert "party_listed" in (tmp_path / "declarations" / "scored.csv").read_text(encoding="utf-8")
