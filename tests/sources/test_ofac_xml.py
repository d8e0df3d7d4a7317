"""OFAC advanced XML (sdn_advanced.xml / cons_advanced.xml).

No real advanced XML is in ../shared: ``tests/sources/fixtures/ofac_advanced/sdn_advanced.xml``
was written by hand from OFAC's published ADVANCED_XML schema (code tables in
ReferenceValueSets, Locations, IDRegDocuments, DistinctParties, SanctionsEntries after the
parties), with values of public OFAC entries. It is the fixture for these tests.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from circumspect.errors import FormatMismatchError, ParseError
from circumspect.model.entities import ListedEntity
from circumspect.sources import parse_source
from tests.sources.helpers import FIXTURES

ADVANCED = FIXTURES / "ofac_advanced" / "sdn_advanced.xml"


def _entities(source: str = "ofac_sdn", path: Path = ADVANCED) -> dict[str, ListedEntity]:
    parsed = parse_source(source, [path])
    assert parsed.format == "ofac_xml"
    return {e.source_id: e for e in parsed.entities()}


def test_parties_schemas_and_ids_match_the_csv_ent_num() -> None:
    entities = _entities()
    assert sorted(entities) == ["12345", "15036", "15431", "16666", "17018", "306"]
    schemas = {k: e.schema for k, e in entities.items()}
    assert schemas == {
        "306": "Company",
        "16666": "Person",
        "17018": "Company",
        "15036": "Vessel",
        "15431": "Airplane",
        "12345": "Person",
    }
    assert entities["17018"].id == "ofac-sdn-17018"


def test_names_aliases_and_scripts() -> None:
    e = _entities()
    bnc, tim, sber = e["306"], e["16666"], e["17018"]
    assert bnc.get("alias") == ["NATIONAL BANK OF CUBA"]
    assert bnc.get("weakAlias") == ["BNC"]  # LowQuality="true"
    assert tim.caption == "TIMCHENKO, Gennady"
    assert tim.get("lastName") == ["TIMCHENKO"]
    assert "TIMCHENKO, Gennadiy Nikolayevich" in tim.get("alias")
    assert "ПУБЛИЧНОЕ АКЦИОНЕРНОЕ ОБЩЕСТВО СБЕРБАНК РОССИИ" in sber.get("alias")
    assert sber.get("previousName") == ["OJSC SBERBANK OF RUSSIA"]  # F.K.A.


def test_features_documents_and_sanctions_entries() -> None:
    e = _entities()
    tim, sber, ship, plane = e["16666"], e["17018"], e["15036"], e["15431"]
    assert tim.get("birthDate") == ["1952-11-09"]
    assert sorted(tim.get("nationality")) == ["fi", "ru"]
    assert tim.get("gender") == ["male"]
    assert sber.get("swiftBic") == ["SABRRUMM"]
    assert sber.get("innCode") == ["7707083893"]
    assert sber.get("ogrnCode") == ["1027700132195"]
    assert sber.get("address") == ["19 ul. Vavilova, Moscow, 117312, Russia"]
    assert sber.get("incorporationDate") == ["1991-06-20"]
    sanction = sber.sanctions[0]
    assert sanction.get("program") == ["UKRAINE-EO13662", "RUSSIA-EO14024"]
    assert sanction.get("listingDate") == ["2022-04-06"]
    assert ship.get("imoNumber") == ["IMO9187629"]
    assert ship.get("flag") == ["ir"] and ship.get("callSign") == ["T2EU4"]
    assert ship.get("type") == ["Crude/Oil Products Tanker"]
    assert plane.get("buildDate") == ["1992"]
    assert e["12345"].get("birthDate") == ["1960", "1961", "1962"]


def test_consolidated_file_name_and_source(tmp_path: Path) -> None:
    cons = tmp_path / "cons_advanced.xml"
    shutil.copy(ADVANCED, cons)
    assert _entities("ofac_cons", cons)["306"].id == "ofac-cons-306"
    with pytest.raises(FormatMismatchError, match="ofac_cons"):
        parse_source("ofac_sdn", [cons])


def test_truncated_file_is_a_parse_error_with_line(tmp_path: Path) -> None:
    data = ADVANCED.read_bytes()
    cut = tmp_path / "sdn_advanced.xml"
    cut.write_bytes(data[: int(len(data) * 0.6)])
    with pytest.raises(ParseError) as info:
        list(parse_source("ofac_sdn", [cut]).entities())
    assert info.value.file == str(cut) and info.value.line is not None


def test_party_without_name_names_the_record(tmp_path: Path) -> None:
    text = ADVANCED.read_text(encoding="utf-8").replace(">EP-GOM<", "><")
    path = tmp_path / "sdn_advanced.xml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(ParseError) as info:
        list(parse_source("ofac_sdn", [path]).entities())
    assert info.value.record == "15431"
