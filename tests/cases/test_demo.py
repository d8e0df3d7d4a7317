"""The cases demo step over the store demo step (real lists, real matcher)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from circumspect.demo import DemoContext
from circumspect.demo import cases as cases_demo
from circumspect.demo import store as store_demo
from circumspect.errors import InputError


def test_demo_step(tmp_path: Path) -> None:
    ctx = DemoContext(out=tmp_path / "out")
    store_demo.run(ctx)
    summary = cases_demo.run(ctx)
    assert "8 demo parties" in summary and "audit chain verified" in summary
    assert "decided false positive; screening it again: suppressed" in summary
    cases = json.loads((tmp_path / "out" / "cases" / "cases.json").read_text("utf-8"))
    assert len(cases) >= 4 and any(c["status"] == "closed" for c in cases)
    # a second run finds the existing cases and never duplicates them
    again = cases_demo.run(ctx)
    assert "audit chain verified" in again
    cases2 = json.loads((tmp_path / "out" / "cases" / "cases.json").read_text("utf-8"))
    assert len(cases2) == len(cases)


def test_party_file_errors_name_the_line(tmp_path: Path) -> None:
    path = tmp_path / "p.csv"
    path.write_text("id,name,schema\nA,Ivan,Person\nB,,Person\n", encoding="utf-8")
    with pytest.raises(InputError) as err:
        cases_demo.read_parties(path)
    assert err.value.line == 3 and err.value.field == "name"
