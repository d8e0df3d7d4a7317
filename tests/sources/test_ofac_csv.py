"""OFAC CSV (SDN and consolidated) against the full 2021 SDN extract and the demo set."""

from __future__ import annotations

import csv
import re
import shutil
from collections import Counter, defaultdict
from pathlib import Path

import pytest

from circumspect.errors import FormatMismatchError, ParseError
from circumspect.model.entities import new_proxy
from circumspect.names.identifiers import validate
from circumspect.sources import parse_source
from circumspect.sources.remarks import apply_remarks
from tests.sources.helpers import demo_files
from tests.support import shared_path


def _rows(path: Path) -> list[list[str]]:
    text = path.read_bytes().decode("latin-1").rstrip("\x1a\r\n")
    return [r for r in csv.reader(text.splitlines()) if len(r) > 1]


def _addr(value: str) -> str:
    # FtM's address cleaning collapses whitespace and doubled commas
    return re.sub(r"[\s,;]+", " ", value).strip()


def _norm(value: str) -> str:
    return re.sub(r"\s+", " ", value).strip().strip("'\"").strip()


@pytest.mark.shared
@pytest.mark.slow
def test_full_sdn_2021_one_entity_per_entry_with_all_aliases_and_addresses() -> None:
    folder = shared_path("fixtures", "lists", "ofac_sdn_2021")
    parsed = parse_source("ofac_sdn", sorted(folder.iterdir()))
    assert parsed.format == "ofac_csv"
    entities = {e.source_id: e for e in parsed.entities()}
    assert len(entities) == 8976
    schemas = Counter(e.schema for e in entities.values())
    assert schemas["Person"] == 4620 and schemas["Vessel"] == 406 and schemas["Airplane"] == 277

    alt_count = 0
    for row in _rows(folder / "alt.csv"):
        names = {_norm(n) for n in entities[row[0]].names()}
        assert _norm(row[3]) in names, row
        alt_count += 1
    assert alt_count == 11910

    expected_addresses: dict[str, set[str]] = defaultdict(set)
    for row in _rows(folder / "add.csv"):
        parts = [p.strip() for p in row[2:5] if p.strip() != "-0-" and p.strip()]
        if len(parts) > 1 or (parts and parts[0] != row[4].strip()):
            expected_addresses[row[0]].add(_addr(", ".join(parts)))
    assert sum(len(v) for v in expected_addresses.values()) == 9585
    for ent_num, addresses in expected_addresses.items():
        got = {_addr(a) for a in entities[ent_num].get("address")}
        assert addresses <= got, ent_num

    # sdn_comments continues the remarks mid-word: "PROMO RAI" + "Z S.A.S."
    assert "PROMO RAIZ S.A.S." in entities["12300"].get("notes")[0]
    # every entry has exactly one Sanction pointing at it
    for entity in entities.values():
        assert [s.first("entity") for s in entity.sanctions] == [entity.id]
    # every vessel IMO number read from the remarks passes the IMO check digit (399 of them);
    # on companies "Company Number IMO ..." is an IMO company number (another scheme)
    vessel_imos = [v for e in entities.values() if e.schema == "Vessel" for v in e.get("imoNumber")]
    assert len(vessel_imos) == 399
    assert all(validate("imo", v.removeprefix("IMO")) for v in vessel_imos)
    # the vessel columns and IMO from the remarks
    vessel = entities["15036"]
    assert vessel.get("imoNumber") == ["IMO9187629"]
    assert vessel.get("flag") == ["ir"] and vessel.get("callSign") == ["T2EU4"]


@pytest.mark.shared
def test_consolidated_list_and_its_identifiers() -> None:
    folder = shared_path("fixtures", "lists", "ofac_consolidated")
    parsed = parse_source("ofac_cons", sorted(folder.iterdir()))
    entities = {e.source_id: e for e in parsed.entities()}
    assert len(entities) == 442
    sber = entities["17018"]
    assert sber.get("swiftBic") == ["SABRRUMM"]
    assert sber.get("innCode") == ["7707083893"]  # from cons_comments, not the primary row
    assert sber.get("ogrnCode") == ["1027700132195"]
    assert "SBERBANK INDIA" in sber.get("weakAlias")
    assert sber.id == "ofac-cons-17018"


@pytest.mark.shared
def test_consolidated_files_given_as_sdn_are_a_mismatch() -> None:
    folder = shared_path("fixtures", "lists", "ofac_consolidated")
    with pytest.raises(FormatMismatchError, match="ofac_cons"):
        parse_source("ofac_sdn", sorted(folder.iterdir()))


def test_demo_sdn_entities() -> None:
    parsed = parse_source("ofac_sdn", demo_files("ofac_sdn"))
    entities = {e.source_id: e for e in parsed.entities()}
    sber = entities["17018"]
    assert sber.schema == "Company"
    assert sber.get("registrationNumber") == ["1027700132195"]
    assert "SBERBANK OF RUSSIA" in sber.get("alias")
    arlan = entities["90001"]
    assert arlan.get("registrationNumber") == ["220640001232"]
    assert any("FICTIONAL" in n for n in arlan.get("notes"))
    person = entities["90002"]
    assert person.get("birthDate") == ["1985-03-14"]
    assert person.get("idNumber") == ["850314301234"]
    assert person.get("lastName") == ["OSPANOV"]
    assert entities["90003"].get("imoNumber") == ["IMO9412347"]
    assert entities["15431"].schema == "Airplane"
    assert entities["15431"].get("serialNumber")


def test_ids_are_stable_across_reloads() -> None:
    first = [e.to_dict() for e in parse_source("ofac_sdn", demo_files("ofac_sdn")).entities()]
    second = [e.to_dict() for e in parse_source("ofac_sdn", demo_files("ofac_sdn")).entities()]
    assert first == second


@pytest.mark.parametrize(
    ("remarks", "prop", "expected"),
    [
        ("DOB 01 Jan 1962; POB Tehran, Iran.", "birthDate", ["1962-01-01"]),
        ("DOB circa 1960.", "birthDate", ["1960"]),
        ("DOB 1962 to 1964.", "birthDate", ["1962", "1963", "1964"]),
        ("DOB Feb 1971.", "birthDate", ["1971-02"]),
        ("nationality Iran; alt. nationality Russia.", "nationality", ["ir", "ru"]),
        ("citizen Kazakhstan.", "citizenship", ["kz"]),
        ("Passport A1234567 (Iran) expires 2030.", "passportNumber", ["A1234567"]),
        ("National ID No. 850314301234 (Kazakhstan).", "idNumber", ["850314301234"]),
        ("Tax ID No. 7707083893 (Russia).", "innCode", ["7707083893"]),
        ("Registration Number 1027700132195 (Russia).", "ogrnCode", ["1027700132195"]),
        ("Legal Entity Number 253400V1H6ART1UQ0N98.", "leiCode", ["253400V1H6ART1UQ0N98"]),
        ("SWIFT/BIC SABRRUMM; a.k.a. 'SBER'.", "swiftBic", ["SABRRUMM"]),
        (
            "a.k.a. 'SBER'; f.k.a. 'OLD NAME'; n.k.a. 'NEW NAME'.",
            "weakAlias",
            ["SBER", "OLD NAME", "NEW NAME"],
        ),
        ("Gender Female.", "gender", ["female"]),
    ],
)
def test_remarks_items(remarks: str, prop: str, expected: list[str]) -> None:
    schema = (
        "Person"
        if prop
        in ("birthDate", "nationality", "citizenship", "passportNumber", "gender", "idNumber")
        else "Company"
    )
    proxy = new_proxy(schema, "x")
    apply_remarks(proxy, remarks)
    assert [str(v) for v in proxy.get(prop)] == expected
    assert proxy.get("notes") == [remarks]


def test_wrong_column_count_names_file_and_line(tmp_path: Path) -> None:
    for path in demo_files("ofac_sdn"):
        shutil.copy(path, tmp_path / path.name)
    sdn = tmp_path / "sdn.csv"
    lines = sdn.read_bytes().split(b"\r\n")
    lines[2] = b'306,"BANCO NACIONAL DE CUBA",-0- ,"CUBA"'
    sdn.write_bytes(b"\r\n".join(lines))
    with pytest.raises(ParseError) as info:
        list(parse_source("ofac_sdn", sorted(tmp_path.iterdir())).entities())
    assert info.value.file == str(sdn) and info.value.line == 3
    assert "expected 12 columns" in str(info.value)


def test_non_numeric_entry_number_is_rejected(tmp_path: Path) -> None:
    sdn = tmp_path / "sdn.csv"
    sdn.write_bytes(
        b'36,"A",-0- ,"CUBA",-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,-0- \r\n'
        b'X7,"B",-0- ,"CUBA",-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,-0- \r\n'
    )
    with pytest.raises(ParseError) as info:
        list(parse_source("ofac_sdn", [sdn]).entities())
    assert info.value.line == 2 and info.value.field == "ent_num"


def test_alt_file_alone_is_not_enough(tmp_path: Path) -> None:
    alt = tmp_path / "alt.csv"
    alt.write_bytes(b'36,12,"aka","AERO-CARIBBEAN",-0- \r\n')
    with pytest.raises(ParseError, match="primary file"):
        list(parse_source("ofac_sdn", [alt]).entities())
