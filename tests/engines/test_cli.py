"""--engine / --spark-master on screen-file, declarations score and flows totals/growth."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest

from circumspect.synth.declarations import generate
from tests.support import run_cli

DATA = Path(__file__).resolve().parents[2] / "circumspect" / "data" / "demo" / "flows"


def _run(monkeypatch: pytest.MonkeyPatch, *args: str) -> int:
    return run_cli(monkeypatch, *args)


def test_unknown_engine_is_one_clear_error(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    src = tmp_path / "in.csv"
    generate(20, parties=10).to_csv(src, index=False)
    for args in (
        ["declarations", "score", str(src), "-o", str(tmp_path / "o.csv"), "--no-screening"],
        ["screen-file", str(src), "-o", str(tmp_path / "s.csv")],
        ["flows", "totals", "--partner", "KZ"],
    ):
        code = _run(monkeypatch, *args, "--engine", "flink")
        assert code == 2, args
        assert "unknown engine 'flink'" in capsys.readouterr().err
    assert not (tmp_path / "o.csv").exists()


def test_declarations_score_local_engine(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    src = tmp_path / "in.csv"
    generate(200, parties=40, bad_rows=3).to_csv(src, index=False)
    out = tmp_path / "scored.parquet"
    code = _run(
        monkeypatch,
        "declarations",
        "score",
        str(src),
        "-o",
        str(out),
        "--no-screening",
        "--engine",
        "local",
    )
    assert code == 0, capsys.readouterr().err
    assert "rejected 3" in capsys.readouterr().out
    assert len(pd.read_parquet(out)) + 3 == len(pd.read_csv(src))


def test_flows_totals_from_a_parquet_export(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    from circumspect.engines.flows_job import export_flows
    from circumspect.flows.store import FlowStore

    with FlowStore() as store:
        store.load([DATA / "synthetic_relational_view_eu_exports.csv"], "relational")
        export = export_flows(store, tmp_path / "export")
    args = ["flows", "totals", "--partner", "KZ", "--reporter-group", "EU27", "--json"]
    assert _run(monkeypatch, *args) == 0
    from_store = json.loads(capsys.readouterr().out)
    assert _run(monkeypatch, *args, "--engine", "local", "--parquet", str(export)) == 0
    assert json.loads(capsys.readouterr().out) == from_store and from_store
