"""On the real Eurostat fixture (../shared): loading, oracles from the raw CSV, report."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest

from circumspect.flows import queries as q
from circumspect.flows import reference, report
from circumspect.flows.store import FlowStore
from tests.support import shared_path

pytestmark = pytest.mark.shared

FIXTURE = ("fixtures", "trade", "eu_exports_central_asia", "data")


@pytest.fixture(scope="module")
def loaded(tmp_path_factory: pytest.TempPathFactory) -> FlowStore:
    data = shared_path(*FIXTURE)
    home = tmp_path_factory.mktemp("fixture")
    fs = FlowStore(home / "flows.duckdb")
    eurostat = [
        d
        for d in sorted(data.iterdir())
        if d.name.endswith("_eurostat") or d.name == "eu_year_export"
    ]
    fs.load(eurostat, "relational")
    fs.load([data / "national_data_converted"], "relational", source="national")
    yield fs  # type: ignore[misc]
    fs.close()


def _raw_rows(folder: Path) -> list[dict[str, str]]:
    rows: list[dict[str, str]] = []
    for f in sorted(folder.glob("*.csv")):
        with f.open(encoding="utf-8") as fh:
            rows.extend(csv.DictReader(fh))
    return rows


def test_every_row_is_accounted_for(loaded: FlowStore) -> None:
    files = loaded.query("SELECT * FROM files")
    assert len(files) >= 490
    for f in files:
        parts = (
            f["rows_loaded"]
            + f["rows_duplicate"]
            + f["rows_conflict"]
            + f["rows_rejected"]
            + f["rows_skipped"]
        )
        assert parts == f["rows_read"], f["path"]
    # every country label in the fixture is known (English, French and national labels)
    assert (
        loaded.query("SELECT count(*) AS n FROM issues WHERE problem LIKE 'unknown%'")[0]["n"] == 0
    )


def test_monthly_totals_equal_the_raw_eu27_rows(loaded: FlowStore) -> None:
    raw = _raw_rows(shared_path(*FIXTURE, "kazakhstan_export_eurostat"))
    expected: dict[str, float] = {}
    for r in raw:
        eu27 = r["REPORTER"].startswith("European Union - 27 countries")
        if eu27 and r["PERIOD"].endswith("2022"):
            expected[r["PERIOD"]] = float(r["VALUE_IN_EUR"])
    assert len(expected) == 12
    got = q.totals(loaded, q.Selection(("KZ",), reporter_group="EU27", source="eurostat"), "month")
    got_2022 = {t.period: t.value for t in got if t.period.startswith("2022")}
    assert sum(got_2022.values()) == pytest.approx(sum(expected.values()))
    assert len(got_2022) == 12


def test_yearly_totals_use_the_annual_aggregate_rows(loaded: FlowStore) -> None:
    raw = _raw_rows(shared_path(*FIXTURE, "eu_year_export"))
    annual = {
        r["PERIOD"][-4:]: float(r["VALUE_IN_EUR"])
        for r in raw
        if r["PARTNER"] == "Kyrgyzstan" and "27" in r["REPORTER"]
    }
    got = {
        t.period: t.value
        for t in q.totals(loaded, q.Selection(("KG",), reporter_group="EU27"), "year")
    }
    for year in ("2019", "2021", "2022", "2023"):
        assert got[year] == annual[year]


def test_published_growth_figures_are_reproduced(loaded: FlowStore) -> None:
    all_checks = reference.run_checks(loaded)
    checks = {c.metric: c for c in all_checks}
    for p in ("KG", "AM", "KZ", "UZ"):
        assert checks[f"EU export growth to {p}"].status == "matches"
    assert checks["German exports Jan-Oct 2023 YoY, RU"].ours.startswith("-39.1%")
    # IMF DOTS figures are in USD: converted at ECB monthly rates ours equal theirs
    for p in ("AM", "GE", "KZ", "KG"):
        assert checks[f"EU exports growth H2-2021 -> H2-2022, {p}"].status == "matches"
    # every published figure appears in the comparison, computed or with a reason
    studies = {c.study for c in all_checks}
    with shared_path("reference", "diversion_reference_numbers.csv").open(encoding="utf-8") as fh:
        for row in csv.DictReader(fh):
            assert row["study"] in studies, row
    assert not [c for c in all_checks if c.differences.startswith("error")]
    names = {row["study"] for row in reference._reference_rows()}
    assert {c.study for c in all_checks} <= names
    # a study that is computed is not also listed wholesale as "not computable"
    computed = {c.study for c in all_checks if c.ours}
    generic = [c for c in all_checks if c.differences.startswith("needs data")]
    assert not [c for c in generic if c.study in computed]


def test_report_end_to_end(loaded: FlowStore, tmp_path: Path) -> None:
    rep = report.build(loaded, tmp_path / "rep")
    html = (tmp_path / "rep" / "index.html").read_text(encoding="utf-8")
    assert len(rep.charts) == 4 and html.count("Source files:") == 4
    for chart in rep.charts:
        assert (tmp_path / "rep" / chart.png).stat().st_size > 5000
    assert "mary-lev" in html and "not computable" in html
    with (tmp_path / "rep" / "mirror.csv").open(encoding="utf-8") as fh:
        mirror = list(csv.DictReader(fh))
    kg = {r["year"]: float(r["ratio"]) for r in mirror if r["partner"] == "KG"}
    assert kg["2023"] > 2 * kg["2021"]  # the Kyrgyz mirror gap opened after 2021
