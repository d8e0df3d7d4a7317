"""Custom lists: `lists load --source custom:NAME FILE --map ...`, snapshots, diffs,
re-screening, `lists remove`."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pytest
from openpyxl import Workbook

from circumspect.cases.service import CaseService
from circumspect.errors import InputError, ParseError
from circumspect.settings import db_url
from circumspect.sources import parse_source
from circumspect.sources.custom import parse_mapping
from circumspect.store import open_store
from tests.cli.lists_helpers import Result, run

Cli = Callable[..., Result]

HEADER = "Client;Other names;Kind;Country;DOB;INN;BIN;Ref"
ROWS = [
    "Vostok Logistika OOO;Восток Логистика;company;Russia;;7707083893;;B-1",
    "Ivanov Petr Sergeevich;Иванов Пётр;person;RU;1971-02-03;;;B-2",
    "Steppe Freight TOO;;company;Kazakhstan;;;190240056782;B-3",
]
MAP = (
    "name=Client,alias=Other names,schema=Kind,country=Country,birth_date=DOB,inn=INN,"
    "bin=BIN,record_id=Ref"
)


@pytest.fixture
def cli(capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> Cli:
    def invoke(*args: str) -> Result:
        return run(list(args), capsys, monkeypatch)

    return invoke


def _csv(tmp_path: Path, rows: list[str], name: str = "bank.csv", header: str = HEADER) -> Path:
    path = tmp_path / name
    path.write_text("\n".join([header, *rows]) + "\n", encoding="utf-8")
    return path


def test_csv_load_fields(tmp_path: Path) -> None:
    parsed = parse_source("custom:bank", [_csv(tmp_path, ROWS)], parse_mapping(MAP))
    entities = {e.source_id: e for e in parsed.entities()}
    assert len(entities) == 3 == len(ROWS)
    vostok = entities["B-1"]
    assert vostok.id == "custom-bank-B-1" and vostok.source == "custom:bank"
    assert vostok.schema == "Company" and vostok.get("innCode") == ["7707083893"]
    assert vostok.get("alias") == ["Восток Логистика"] and vostok.get("country") == ["ru"]
    ivanov = entities["B-2"]
    assert ivanov.schema == "Person" and ivanov.get("birthDate") == ["1971-02-03"]
    assert entities["B-3"].get("registrationNumber") == ["190240056782"]


def test_without_map_uses_columns_named_like_fields(tmp_path: Path) -> None:
    path = _csv(tmp_path, ["Acme Ltd,GB", "Beta LLC,US"], header="name,country")
    assert len(list(parse_source("custom:x", [path]).entities())) == 2


def test_xlsx(tmp_path: Path) -> None:
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(["Company", "Country"])
    sheet.append(["Kama Trading FZE", "AE"])
    sheet.append(["Orion Parts GmbH", "DE"])
    path = tmp_path / "watch.xlsx"
    book.save(path)
    entities = list(
        parse_source("custom:watch", [path], {"name": "Company", "country": "Country"}).entities()
    )
    assert [e.caption for e in entities] == ["Kama Trading FZE", "Orion Parts GmbH"]
    assert entities[0].get("country") == ["ae"]


def test_ftm_json(tmp_path: Path) -> None:
    path = tmp_path / "list.json"
    line = {"id": "x1", "schema": "Company", "properties": {"name": ["Lotus Freight"]}}
    path.write_text(json.dumps(line) + "\n", encoding="utf-8")
    (entity,) = parse_source("custom:ftm", [path]).entities()
    assert entity.source == "custom:ftm" and entity.caption == "Lotus Freight"


def test_csv_without_name_column_is_refused_before_anything_is_stored(
    cli: Cli, tmp_path: Path
) -> None:
    path = _csv(tmp_path, ["GB,Acme"], header="country,company")
    result = cli("lists", "load", "--source", "custom:bank", str(path))
    assert result.code == 2 and "no name column" in result.err
    result = cli("lists", "load", "--source", "custom:bank", str(path), "--map", "name=Title")
    assert result.code == 2 and "'Title'" in result.err
    store = open_store(None)
    try:
        assert store.snapshots() == []
    finally:
        store.close()


def test_bad_cells_name_line_and_field(tmp_path: Path) -> None:
    rows = [ROWS[0], "Bad Co;;company;Atlantis;;;;B-9"]
    with pytest.raises(ParseError) as info:
        list(parse_source("custom:bank", [_csv(tmp_path, rows)], parse_mapping(MAP)).entities())
    assert info.value.line == 3 and info.value.field == "country"
    rows = [ROWS[0], ROWS[0]]
    with pytest.raises(ParseError, match="occurs twice"):
        list(parse_source("custom:bank", [_csv(tmp_path, rows)], parse_mapping(MAP)).entities())
    with pytest.raises(InputError, match="unknown field"):
        parse_mapping("nmae=Client")
    with pytest.raises(InputError):
        parse_source("custom:Bad Name", [_csv(tmp_path, ROWS)])


def test_snapshots_diffs_rescreen_and_remove(cli: Cli, tmp_path: Path) -> None:
    first = _csv(tmp_path, ROWS[:2], "v1.csv")
    result = cli("lists", "load", "--source", "custom:bank", str(first), "--map", MAP)
    assert result.code == 0, result.err
    # another custom list is its own source with its own snapshots
    other = _csv(tmp_path, ["Other Co,KZ"], "other.csv", header="name,country")
    assert cli("lists", "load", "--source", "custom:other", str(other)).code == 0

    service = CaseService(db_url())
    try:
        service.record_screening(
            "api", [{"name": "Steppe Freight LLP", "schema": "Company"}], [[]], {}
        )
    finally:
        service.close()

    second = _csv(tmp_path, ROWS[1:], "v2.csv")
    args = ("--map", MAP, "--json", "--accept-shrink")  # 1 of 2 removed: held back without
    result = cli("lists", "load", "--source", "custom:bank", str(second), *args)
    assert result.code == 0, result.err
    report = result.json()
    assert report["changes"] == {"added": 1, "removed": 1, "changed": 0}
    assert report["rescreen"]["opened"] == 1  # the stored party is now on the bank's list

    diff = cli("lists", "diff", "custom:bank", "--json").json()
    assert {c["kind"] for c in diff["changes"]} == {"added", "removed"}
    status = cli("lists", "status", "--json").json()["sources"]
    assert status["custom:bank"]["snapshots"] == 2 and status["custom:other"]["snapshots"] == 1

    result = cli("lists", "remove", "custom:bank")
    assert result.code == 0 and "removed 2 snapshot(s)" in result.out
    status = cli("lists", "status", "--json").json()["sources"]
    assert "custom:bank" not in status and status["custom:other"] is not None
    assert cli("lists", "remove", "custom:bank").code == 2
    assert cli("lists", "remove", "ofac_sdn").code == 2


def test_invalid_identifier_is_an_error_not_dropped(tmp_path: Path) -> None:
    rows = ["Bad Inn Co;;company;RU;;7701234567;;B-1"]
    with pytest.raises(ParseError) as info:
        list(parse_source("custom:bank", [_csv(tmp_path, rows)], parse_mapping(MAP)).entities())
    assert info.value.field == "inn" and info.value.line == 2
