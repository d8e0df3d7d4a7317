from __future__ import annotations

from pathlib import Path

import pytest

from circumspect.errors import InputError
from circumspect.flows import queries as q
from circumspect.flows.store import FlowStore
from tests.flows.helpers import EU27, comtrade_row, rel, write_comtrade, write_relational


@pytest.fixture
def fs(tmp_path: Path) -> FlowStore:
    s = FlowStore(tmp_path / "db" / "flows.duckdb")
    yield s  # type: ignore[misc]
    s.close()


def test_aggregate_rows_are_never_added_to_members(fs: FlowStore, tmp_path: Path) -> None:
    rows = [
        rel(EU27, "Kazakhstan", "Jan. 2022", "100"),
        rel("Poland", "Kazakhstan", "Jan. 2022", "30"),
        rel("Germany", "Kazakhstan", "Jan. 2022", "70"),
        # February: no EU27 row, so the members are summed
        rel("Poland", "Kazakhstan", "Feb. 2022", "5"),
        rel("Germany", "Kazakhstan", "Feb. 2022", "6"),
        # a non-member reporter is not part of EU27
        rel("United Kingdom", "Kazakhstan", "Feb. 2022", "1000"),
        # euro area aggregate: never part of anything
        rel("Euro area - 20 countries (AT, BE)", "Kazakhstan", "Feb. 2022", "9999"),
    ]
    fs.load([write_relational(tmp_path / "a.csv", rows)], "relational")
    eu = q.totals(fs, q.Selection(("KZ",), reporter_group="EU27"), "month")
    assert [(t.period, t.value) for t in eu] == [("2022-01", 100.0), ("2022-02", 11.0)]
    everyone = q.totals(fs, q.Selection(("KZ",)), "month")
    assert [(t.period, t.value) for t in everyone] == [("2022-01", 100.0), ("2022-02", 1011.0)]
    de = q.totals(fs, q.Selection(("KZ",), reporter="DE"), "month")
    assert [t.value for t in de] == [70.0, 6.0]


def test_years_prefer_annual_rows_and_skip_partial_years(fs: FlowStore, tmp_path: Path) -> None:
    months = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]
    rows = [rel("Poland", "Armenia", f"{m}. 2021", "10") for m in months]
    rows += [rel("Poland", "Armenia", f"{m}. 2022", "20") for m in months]
    rows += [rel("Poland", "Armenia", "Jan.-Dec. 2022", "250")]  # annual row wins
    rows += [rel("Poland", "Armenia", f"{m}. 2023", "30") for m in months[:8]]
    fs.load([write_relational(tmp_path / "a.csv", rows)], "relational")
    sel = q.Selection(("AM",), reporter="PL")
    assert [(t.period, t.value) for t in q.totals(fs, sel, "year")] == [
        ("2021", 120.0),
        ("2022", 250.0),
    ]
    partial = q.totals(fs, sel, "year", include_partial=True)
    assert (partial[-1].period, partial[-1].value, partial[-1].months) == ("2023", 240.0, 8)
    g = {x.period: x.growth_pct for x in q.growth(fs, sel, "2021")}
    assert g["2022"] == pytest.approx(250 / 120 * 100 - 100)
    with pytest.raises(InputError):
        q.growth(fs, sel, "2018")
    assert q.growth(fs, sel, "2019-2021") == []  # no complete baseline: no figure


def test_product_levels_are_not_mixed(fs: FlowStore, tmp_path: Path) -> None:
    def row(cmd: str, value: str, partner: str = "398") -> dict[str, str]:
        return comtrade_row(
            period="202203",
            reporterCode="276",
            partnerCode=partner,
            cmdCode=cmd,
            primaryValue=value,
        )

    rows = [
        row("TOTAL", "1000"),
        row("85", "300"),
        row("8542", "120"),
        row("854231", "70"),
        row("854232", "50"),
        row("84", "200"),
        row("847150", "40", partner="417"),
    ]
    fs.load([write_comtrade(tmp_path / "c.csv", rows)], "comtrade")
    kz = q.Selection(("KZ",), source="comtrade")
    assert q.totals(fs, kz, "month")[0].value == 1000.0
    assert q.totals(fs, q.Selection(("KZ",), product="85"), "month")[0].value == 300.0
    assert q.totals(fs, q.Selection(("KZ",), product="8542"), "month")[0].value == 120.0
    assert q.totals(fs, q.Selection(("KZ",), product="854231"), "month")[0].value == 70.0
    # Kyrgyzstan has only an HS-6 row: the total falls back to it
    assert q.totals(fs, q.Selection(("KG",)), "month")[0].value == 40.0


def test_mixed_currencies_are_refused(fs: FlowStore, tmp_path: Path) -> None:
    fs.load(
        [write_relational(tmp_path / "a.csv", [rel("Germany", "Kazakhstan", "Mar. 2022", "10")])],
        "relational",
    )
    fs.load(
        [
            write_comtrade(
                tmp_path / "c.csv",
                [
                    comtrade_row(
                        period="202203", reporterCode="276", partnerCode="398", primaryValue="11"
                    )
                ],
            )
        ],
        "comtrade",
    )
    with pytest.raises(InputError, match="--source"):
        q.totals(fs, q.Selection(("KZ",)), "month")
    assert q.totals(fs, q.Selection(("KZ",), source="comtrade"), "month")[0].value == 11.0


def test_selection_validation() -> None:
    with pytest.raises(InputError):
        q.Selection(("KZ",), flow="transit")
    with pytest.raises(InputError):
        q.Selection(("KZ",), product="85a")
    with pytest.raises(InputError):
        q.Selection(("KZ'; DROP TABLE flows; --",))
    assert q.resolve_code("Казахстан", "partner") == "KZ"
    assert q.resolve_code("eu27", "reporter") == "EU27_2020"
    with pytest.raises(InputError):
        q.resolve_code("Narnia", "partner")


def test_month_range() -> None:
    assert q.month_range((2021, 11), (2022, 2)) == [(2021, 11), (2021, 12), (2022, 1), (2022, 2)]
