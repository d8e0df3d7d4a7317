"""The demo is an explicit, ordered list of steps: every step runs, none is discovered."""

from __future__ import annotations

from pathlib import Path

import pytest

import circumspect.demo as demo_pkg
from circumspect.demo import STEPS, DemoContext, run_demo


def test_steps_are_listed_in_pipeline_order() -> None:
    names = [name for name, _ in STEPS]
    assert names == [
        "store",
        "matching",
        "goods",
        "risk",
        "payments",
        "flows",
        "routes",
        "cases",
        "engines",
    ]
    for name, step in STEPS:
        assert step.__module__ == f"circumspect.demo.{name}"
    source = Path(demo_pkg.__file__).read_text(encoding="utf-8")
    assert "importlib" not in source


def test_a_failing_step_stops_the_demo(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """Nothing is skipped: an error in a step reaches the caller, later steps never run."""
    ran: list[str] = []

    def ok(ctx: DemoContext) -> str:
        ran.append("ok")
        return "fine"

    def broken(ctx: DemoContext) -> str:
        raise RuntimeError("step broke")

    monkeypatch.setattr(demo_pkg, "STEPS", (("first", ok), ("second", broken), ("third", ok)))
    lines: list[str] = []
    with pytest.raises(RuntimeError, match="step broke"):
        run_demo(tmp_path / "out", echo=lines.append)
    assert ran == ["ok"]
    assert lines[0] == "== first" and lines[-1] == "== second"
