"""Comtrade and Comext bulk layouts."""

from __future__ import annotations

from pathlib import Path

import pytest

from circumspect.flows.formats import COMEXT_LEGACY_COLUMNS, COMEXT_V2_COLUMNS, detect
from circumspect.flows.store import FlowStore
from tests.flows.helpers import comtrade_row, write_comtrade


@pytest.fixture
def fs(tmp_path: Path) -> FlowStore:
    s = FlowStore(tmp_path / "db" / "flows.duckdb")
    yield s  # type: ignore[misc]
    s.close()


def test_comtrade_codes_breakdowns_and_flags(fs: FlowStore, tmp_path: Path) -> None:
    rows = [
        comtrade_row(
            period="202203",
            reporterCode="276",
            partnerCode="398",
            cmdCode="854231",
            primaryValue="100.5",
        ),
        comtrade_row(
            freqCode="A", period="2022", reporterCode="276", partnerCode="0", primaryValue="9000"
        ),  # World: an aggregate partner
        comtrade_row(
            period="202203",
            reporterCode="276",
            partnerCode="398",
            partner2Code="643",
            primaryValue="7",
        ),  # partner2 breakdown: skipped, counted
        comtrade_row(
            period="202203", reporterCode="276", partnerCode="398", motCode="2100", primaryValue="7"
        ),  # mode-of-transport breakdown
        comtrade_row(
            period="202203", reporterCode="276", partnerCode="398", flowCode="RX", primaryValue="7"
        ),  # re-export: not merged into exports
        comtrade_row(
            freqCode="A", period="202203", reporterCode="276", partnerCode="398", primaryValue="7"
        ),  # period contradicts freqCode
        comtrade_row(
            period="202203", reporterCode="99999", partnerCode="398", primaryValue="7"
        ),  # unknown reporter code
    ]
    report = fs.load([write_comtrade(tmp_path / "c.csv", rows)], "comtrade")
    r = report.files[0]
    assert (r.rows_read, r.rows_loaded, r.rows_skipped, r.rows_rejected) == (7, 2, 2, 3)
    got = {
        (x["reporter"], x["partner"], x["partner_kind"], x["product"], x["period"], x["currency"])
        for x in fs.query("SELECT * FROM flows")
    }
    assert got == {
        ("DE", "KZ", "country", "854231", "2022-03", "USD"),
        ("DE", "WORLD", "aggregate", "TOTAL", "2022", "USD"),
    }
    assert report.problems["unknown flow"] == 1
    assert report.problems["unreadable period"] == 1
    assert report.problems["unknown reporter"] == 1


def _write(path: Path, header: list[str], rows: list[dict[str, str]]) -> Path:
    lines = [",".join(header)] + [",".join(r.get(c, "") for c in header) for r in rows]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def test_comext_current_layout(fs: FlowStore, tmp_path: Path) -> None:
    rows = [
        {
            "REPORTER": "DE",
            "PARTNER": "KZ",
            "TRADE_TYPE": "E",
            "PRODUCT_NC": "85423190",
            "FLOW": "2",
            "STAT_PROCEDURE": "1",
            "PERIOD": "202203",
            "VALUE_EUR": "1500",
            "QUANTITY_KG": "3",
        },
        {
            "REPORTER": "GR",
            "PARTNER": "KG",
            "TRADE_TYPE": "E",
            "PRODUCT_NC": "TOTAL",
            "FLOW": "2",
            "STAT_PROCEDURE": "1",
            "PERIOD": "202252",
            "VALUE_EUR": "99",
        },
        {
            "REPORTER": "DE",
            "PARTNER": "QU",
            "TRADE_TYPE": "E",
            "PRODUCT_NC": "TOTAL",
            "FLOW": "2",
            "STAT_PROCEDURE": "1",
            "PERIOD": "202203",
            "VALUE_EUR": "c",
        },
    ]
    path = _write(tmp_path / "full_v2_202203.dat", COMEXT_V2_COLUMNS, rows)
    assert detect(COMEXT_V2_COLUMNS) == "comext"
    report = fs.load([path], "comext")
    assert report.total("rows_loaded") == 2 and report.problems == {"confidential value": 1}
    got = {
        (x["reporter"], x["partner"], x["product"], x["product_level"], x["freq"], x["quantity_kg"])
        for x in fs.query("SELECT * FROM flows")
    }
    assert got == {("DE", "KZ", "85423190", 8, "M", 3.0), ("GR", "KG", "TOTAL", 0, "A", None)}


def test_comext_legacy_layout(fs: FlowStore, tmp_path: Path) -> None:
    rows = [
        {
            "DECLARANT": "004",
            "DECLARANT_ISO": "DE",
            "PARTNER": "0398",
            "PARTNER_ISO": "KZ",
            "TRADE_TYPE": "E",
            "PRODUCT_NC": "84715000",
            "FLOW": "2",
            "STAT_REGIME": "1",
            "PERIOD": "201912",
            "VALUE_IN_EUROS": "42",
            "QUANTITY_IN_KG": "1",
        }
    ]
    path = _write(tmp_path / "nc201912.dat", COMEXT_LEGACY_COLUMNS, rows)
    assert detect(COMEXT_LEGACY_COLUMNS) == "comext-legacy"
    fs.load([path], "auto")
    (row,) = fs.query("SELECT * FROM flows")
    assert (row["reporter"], row["partner"], row["period"], row["value"]) == (
        "DE",
        "KZ",
        "2019-12",
        42.0,
    )
