from __future__ import annotations

import json
from pathlib import Path

from typer.testing import CliRunner

from circumspect.cli.main import app
from circumspect.demo import DemoContext
from tests.flows.helpers import EU27, rel, write_relational

runner = CliRunner()


def test_load_and_totals_json(tmp_path: Path) -> None:
    f = write_relational(
        tmp_path / "a.csv",
        [
            rel(EU27, "Kazakhstan", "Jan.-Dec. 2021", "1000"),
            rel(EU27, "Kazakhstan", "Jan.-Dec. 2022", "2500.5"),
            rel("Malta", "Kazakhstan", "Jan.-Dec. 2022", ":"),
        ],
    )
    res = runner.invoke(app, ["flows", "load", "--format", "relational", str(f)])
    assert res.exit_code == 0, res.output
    assert "confidential value: 1" in res.output
    res = runner.invoke(
        app,
        [
            "flows",
            "totals",
            "--partner",
            "KZ",
            "--flow",
            "export",
            "--reporter-group",
            "EU27",
            "--by",
            "year",
            "--json",
        ],
    )
    assert res.exit_code == 0, res.output
    assert json.loads(res.output) == [
        {"partner": "KZ", "period": "2021", "value": 1000.0},
        {"partner": "KZ", "period": "2022", "value": 2500.5},
    ]
    res = runner.invoke(app, ["flows", "growth", "--partner", "Kazakhstan", "--json"])
    assert json.loads(res.output)[1]["growth_pct"] == 150.05
    out = tmp_path / "rep"
    res = runner.invoke(app, ["flows", "report", "--out", str(out)])
    assert res.exit_code == 0, res.output
    assert (out / "index.html").exists() and (out / "totals_yearly.csv").exists()


def test_errors_are_one_line(tmp_path: Path) -> None:
    res = runner.invoke(app, ["flows", "totals", "--partner", "KZ"])
    assert res.exit_code != 0  # no database yet
    f = write_relational(tmp_path / "a.csv", [rel("Poland", "Kazakhstan", "Aug. 2024", "1")])
    res = runner.invoke(app, ["flows", "load", "--format", "comtrade", str(f)])
    assert res.exit_code != 0


def test_did_command(tmp_path: Path) -> None:
    from circumspect.demo import DATA_DIR

    f = DATA_DIR / "flows" / "synthetic_comtrade_hs6_exports.csv"
    assert runner.invoke(app, ["flows", "load", "--format", "comtrade", str(f)]).exit_code == 0
    res = runner.invoke(app, ["flows", "did", "--source", "comtrade", "--json"])
    assert res.exit_code == 0, res.output
    out = json.loads(res.output)
    assert out["result"]["beta"] > 0 and out["result"]["n_clusters"] == 8


def test_demo_step(tmp_path: Path) -> None:
    from circumspect.demo import flows as demo

    summary = demo.run(DemoContext(out=tmp_path))
    assert "SYNTHETIC" in summary and "DiD" in summary and "beta" in summary
    assert (tmp_path / "flows" / "report" / "index.html").exists()


def test_unknown_source_is_refused_not_silently_empty(tmp_path: Path) -> None:
    from circumspect.errors import InputError

    f = write_relational(tmp_path / "a.csv", [rel(EU27, "Kazakhstan", "Jan.-Dec. 2021", "1000")])
    assert runner.invoke(app, ["flows", "load", "--format", "relational", str(f)]).exit_code == 0
    for args in (["totals", "--partner", "KZ"], ["growth", "--partner", "KZ"], ["did"]):
        res = runner.invoke(app, ["flows", *args, "--source", "comtrad"])
        assert res.exit_code != 0, args
        assert isinstance(res.exception, InputError), (args, res.exception)
        assert "eurostat" in str(res.exception)  # names what is loaded


def test_totals_without_matching_rows_say_so(tmp_path: Path) -> None:
    f = write_relational(tmp_path / "a.csv", [rel(EU27, "Kazakhstan", "Jan.-Dec. 2021", "1000")])
    assert runner.invoke(app, ["flows", "load", "--format", "relational", str(f)]).exit_code == 0
    res = runner.invoke(app, ["flows", "totals", "--partner", "AF"])
    assert res.exit_code == 0 and "no data" in res.output
    res = runner.invoke(app, ["flows", "totals", "--partner", "AF", "--json"])
    assert json.loads(res.output) == []


def test_issues_name_file_line_field_and_conflict_files(tmp_path: Path) -> None:
    a = write_relational(
        tmp_path / "a.csv",
        [rel("Malta", "Narnia", "Aug. 2024", "5"), rel("Poland", "Kazakhstan", "Aug. 2024", "10")],
    )
    b = write_relational(tmp_path / "b.csv", [rel("Poland", "Kazakhstan", "Aug. 2024", "11")])
    assert (
        runner.invoke(app, ["flows", "load", "--format", "relational", str(a), str(b)]).exit_code
        == 0
    )
    res = runner.invoke(app, ["flows", "issues"])
    assert res.exit_code == 0, res.output
    assert f"{a}:2" in res.output and "Narnia" in res.output  # file:line and the raw value
    assert f"{a}:3" in res.output and f"{b}:2" in res.output  # both sides of the conflict
    assert "{" not in res.output  # no Python dict dump
