"""UK Sanctions List (FCDO) CSV.

No real UK file is in ../shared: the demo file ``circumspect/data/demo/lists/uk_fcdo/
UK_Sanctions_List.csv`` was written by hand in the published layout (``Report Date`` line,
then the 58-column header of the 2025-2026 files, one row per name, grouped by Unique ID)
and is the fixture here, with small inline files for the edge cases.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from circumspect.errors import FormatMismatchError, ParseError
from circumspect.sources import parse_source
from circumspect.sources.uk_csv import uk_dates
from tests.sources.helpers import demo_files


def test_demo_uk_file_groups_rows_by_unique_id() -> None:
    parsed = parse_source("uk_fcdo", demo_files("uk_fcdo"))
    assert parsed.format == "uk_csv"
    entities = {e.source_id: e for e in parsed.entities()}
    assert len(entities) == 8  # 17 rows
    sber = entities["RUS1431"]
    assert sber.id == "uk-fcdo-RUS1431"
    assert sber.caption == "PUBLIC JOINT STOCK COMPANY SBERBANK OF RUSSIA"
    assert {"SBERBANK", "ПАО Сбербанк", "SBERBANK ROSSII"} <= set(sber.get("alias"))
    assert sber.get("innCode") == ["7707083893"]
    assert sber.get("ogrnCode") == ["1027700132195"]
    assert sber.get("registrationNumber") == ["1027700132195"]
    assert sber.get("swiftBic") == ["SABRRUMM"]
    assert sber.sanctions[0].get("listingDate") == ["2022-04-06"]
    tim = entities["RUS0040"]
    assert tim.schema == "Person"
    assert tim.get("weakAlias") == ["Guennadi TIMTCHENKO"]  # Low quality alias
    assert "Gennady TIMTCHENKO" in tim.get("alias")
    assert sorted(tim.get("nationality")) == ["am", "fi", "ru"]
    ship = entities["RUS9003"]
    assert ship.schema == "Vessel"
    assert ship.get("imoNumber") == ["IMO9412347"]
    assert ship.get("flag") == ["cm"]
    arlan = entities["RUS9001"]
    assert arlan.get("registrationNumber") == ["220640001232"]
    assert arlan.get("taxNumber") == ["220640001232"]


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("09/11/1952", ["1952-11-09"]),
        ("00/00/1975", ["1975"]),
        ("00/03/1975", ["1975-03"]),
        ("(1) 01/02/1960 (2) 00/00/1961", ["1960-02-01", "1961"]),
        ("", []),
        ("unknown", []),
    ],
)
def test_uk_dates(value: str, expected: list[str]) -> None:
    assert uk_dates(value) == expected


HEADER = "Last Updated,Unique ID,OFSI Group ID,Name 6,Name 1,Name type,Regime Name,Group Type\n"


def test_older_group_type_header_and_no_report_date(tmp_path: Path) -> None:
    path = tmp_path / "uk.csv"
    path.write_text(
        HEADER + "01/01/2024,RUS0001,1,PETROV,Ivan,Primary Name,Russia,Individual\n",
        encoding="utf-8",
    )
    (entity,) = parse_source("uk_fcdo", [path]).entities()
    assert entity.schema == "Person" and entity.caption == "Ivan PETROV"


def test_wrong_column_count_names_the_line(tmp_path: Path) -> None:
    path = tmp_path / "uk.csv"
    path.write_text(
        "Report Date: 01-Jan-2026\n"
        + HEADER
        + "01/01/2024,RUS0001,1,PETROV,Ivan,Primary Name,Russia,Individual\n"
        + "01/01/2024,RUS0002,1,SIDOROV,Primary Name,Russia,Individual\n",
        encoding="utf-8",
    )
    with pytest.raises(ParseError) as info:
        list(parse_source("uk_fcdo", [path]).entities())
    assert info.value.line == 4 and "columns" in info.value.message


def test_invalid_utf8_names_the_line(tmp_path: Path) -> None:
    path = tmp_path / "uk.csv"
    path.write_bytes(
        b"Report Date: 01-Jan-2026\n"
        + HEADER.encode()
        + b"01/01/2024,RUS0001,1,PETR\xd0V,Ivan,Primary Name,Russia,Individual\n"
    )
    with pytest.raises(ParseError) as info:
        list(parse_source("uk_fcdo", [path]).entities())
    assert info.value.line == 3 and "utf-8" in info.value.message


def test_uk_file_given_as_eu_is_a_mismatch() -> None:
    with pytest.raises(FormatMismatchError, match="UK Sanctions List"):
        parse_source("eu_fsf", demo_files("uk_fcdo"))
