"""PNG captions name every source folder (wrapped, never cut) and axes say the currency."""

from __future__ import annotations

from pathlib import Path

from circumspect.flows import report


def test_caption_lines_keep_every_source_and_fit() -> None:
    sources = "; ".join(f"country_{i:02d}_export_eurostat/ (68 files)" for i in range(12))
    lines = report.caption_lines(sources, width=120)
    assert all(len(line) <= 120 for line in lines)
    joined = " ".join(lines)
    for i in range(12):
        assert f"country_{i:02d}_export_eurostat/" in joined
    assert joined.startswith("Source: ")


def test_roundabout_axis_names_the_currency(tmp_path: Path) -> None:
    from circumspect.demo import DATA_DIR
    from circumspect.flows.store import FlowStore

    with FlowStore(tmp_path / "flows.duckdb") as fs:
        fs.load([DATA_DIR / "flows" / "synthetic_comtrade_hs6_exports.csv"], "comtrade")
        rep = report.build(fs, tmp_path / "rep")
    html = (tmp_path / "rep" / "index.html").read_text(encoding="utf-8")
    assert "data currency" not in html
    assert "bn USD" in html
    assert rep.charts


def test_report_into_unwritable_folder_is_input_error(tmp_path: Path) -> None:
    import pytest

    from circumspect.errors import InputError
    from circumspect.flows.store import FlowStore

    blocker = tmp_path / "a_file"
    blocker.write_text("x", encoding="utf-8")
    with FlowStore(tmp_path / "flows.duckdb") as fs, pytest.raises(InputError) as info:
        report.build(fs, blocker / "rep")
    assert str(blocker / "rep") in str(info.value)


def test_unknown_source_is_refused_and_empty_charts_say_so(tmp_path: Path) -> None:
    import pytest

    from circumspect.demo import DATA_DIR
    from circumspect.errors import InputError
    from circumspect.flows.store import FlowStore

    with FlowStore(tmp_path / "flows.duckdb") as fs:
        fs.load([DATA_DIR / "flows" / "synthetic_comtrade_hs6_exports.csv"], "comtrade")
        with pytest.raises(InputError, match="comtrade"):
            report.build(fs, tmp_path / "bad", source="nosuch")
        # the synthetic file starts in 2021: no complete 2019-2021 baseline
        rep = report.build(fs, tmp_path / "rep", baseline="2019-2021")
    growth = next(c for c in rep.charts if c.slug == "growth")
    assert growth.empty
    html = (tmp_path / "rep" / "index.html").read_text(encoding="utf-8")
    assert "No data for this chart" in html
    assert "Values in USD" in html
