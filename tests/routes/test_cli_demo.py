"""`circumspect route` end to end (in-process) and the demo step."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from circumspect.demo import DemoContext
from tests.support import run_cli


def _run(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], *args: str
) -> tuple[int, str, str]:
    code = run_cli(monkeypatch, *args)
    out, err = capsys.readouterr()
    return code, out, err


def test_route_json_shape(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, _ = _run(
        monkeypatch,
        capsys,
        "route",
        "Khorgos",
        "Duisburg",
        "--avoid",
        "RU,BY",
        "--k",
        "2",
        "--json",
        "--compare",
    )
    assert code == 0
    doc = json.loads(out)
    assert len(doc["routes"]) == 2
    r = doc["routes"][0]
    assert set(r) >= {
        "legs",
        "countries",
        "total_km",
        "days_min",
        "days_max",
        "total_cost",
        "sanctioned_transit",
    }
    assert set(r["legs"][0]) >= {
        "from",
        "to",
        "mode",
        "countries",
        "km",
        "days_min",
        "days_max",
        "cost",
    }
    assert "RU" not in r["countries"] and r["sanctioned_transit"] == []
    cmp = doc["comparison"]
    assert cmp["baseline"]["sanctioned_transit"] == ["RU", "BY"]
    assert cmp["premium"]["days_min"] > 0 and cmp["premium"]["cost"] > 0


def test_route_table_and_map(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    out_html = tmp_path / "m" / "map.html"
    code, out, _ = _run(
        monkeypatch,
        capsys,
        "route",
        "Almaty",
        "Duisburg",
        "--compare",
        "--map",
        str(out_html),
        "--k",
        "1",
    )
    assert code == 0
    assert "SANCTIONED TRANSIT: RU, BY" in out
    assert "premium" in out
    html = out_html.read_text(encoding="utf-8")
    assert "leaflet" in html.lower() and "KZ_AKTAU" in html
    assert out_html.with_suffix(".png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["Almaty", "Duisberg"], "did you mean: Duisburg (DE_DUISBURG)"),
        (["Almaty", "Duisburg", "--optimize", "fast"], "optimize must be one of"),
        (["Almaty", "Duisburg", "--avoid", "RU", "--avoid-mode", "rail,road"], "no route"),
    ],
)
def test_route_errors_are_one_line_exit_2(
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    args: list[str],
    message: str,
) -> None:
    code, _out, err = _run(monkeypatch, capsys, "route", *args)
    assert code == 2
    assert message in err and err.count("\n") == 1


def test_demo_step(tmp_path: Path) -> None:
    from circumspect.demo.routes import run

    ctx = DemoContext(out=tmp_path)
    summary = run(ctx)
    assert "premium" in summary and "transits RU,BY" in summary
    rows = (tmp_path / "routes" / "routes_comparison.csv").read_text(encoding="utf-8").splitlines()
    assert rows[0].startswith("case,route,via")
    assert len(rows) == 1 + 3 * 3  # 3 cases x (shortest, avoiding, premium)
    assert (tmp_path / "routes" / "routes_map.html").stat().st_size > 1000
    assert (tmp_path / "routes" / "routes_map.png").stat().st_size > 1000


@pytest.mark.parametrize("kind", ["parent_is_file", "is_directory"])
def test_route_map_to_unwritable_path_is_one_line(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    kind: str,
) -> None:
    blocker = tmp_path / "a_file"
    blocker.write_text("x", encoding="utf-8")
    target = blocker / "map.html" if kind == "parent_is_file" else tmp_path
    code, _out, err = _run(monkeypatch, capsys, "route", "Almaty", "Duisburg", "--map", str(target))
    assert code == 2
    assert "Traceback" not in err and err.count("\n") == 1 and str(target) in err
    assert not [p for p in tmp_path.iterdir() if p.name != "a_file"]  # nothing half-written
