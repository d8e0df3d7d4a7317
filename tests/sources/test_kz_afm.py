"""Kazakhstan AFM list (hand-written fixtures in the published element layout; see
tests/sources/fixtures/kz_afm/README.md)."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest
from lxml import etree

from circumspect.errors import ParseError
from circumspect.matching.screener import Screener
from circumspect.model.screening import Query
from circumspect.sources import detect, parse_source
from tests.sources.helpers import FIXTURES

LEGACY = FIXTURES / "kz_afm" / "afm_legacy.xml"
WEBSFM = FIXTURES / "kz_afm" / "afm_websfm.xml"


def test_detected_as_kz_afm() -> None:
    assert detect(LEGACY).format == "kz_afm"
    assert detect(WEBSFM).format == "kz_afm"


@pytest.mark.parametrize("path", [LEGACY, WEBSFM])
def test_counts_match_the_raw_xml(path: Path) -> None:
    tree = etree.parse(str(path))
    expected = Counter(
        {"Person": len(tree.findall(".//person")), "Organization": len(tree.findall(".//org"))}
    )
    entities = list(parse_source("kz_afm", [path]).entities())
    assert Counter(e.schema for e in entities) == expected


def test_person_fields_and_iin() -> None:
    entities = {e.source_id: e for e in parse_source("kz_afm", [LEGACY]).entities()}
    person = entities["iin-850315300128"]
    assert person.id == "kz-afm-iin-850315300128"
    assert person.get("lastName") == ["ТЕСТОВ"] and person.get("fatherName") == ["БОЛАТОВИЧ"]
    assert person.get("birthDate") == ["1985-03-15"]
    assert person.get("idNumber") == ["850315300128"] == person.get("taxNumber")
    assert person.get("country") == ["kz"]
    assert person.sanctions[0].get("listingDate") == ["2019-02-12"]
    assert "sanction" in person.get("topics")
    # a person without an IIN is not assumed Kazakh
    foreign = next(e for e in entities.values() if e.caption == "ABDULLAEV RUSTAM")
    assert foreign.get("country") == [] and foreign.get("birthDate") == ["1979"]


def test_organisation_bin_and_cis_list() -> None:
    entities = {e.source_id: e for e in parse_source("kz_afm", [LEGACY]).entities()}
    fund = entities["bin-150740012345"]
    assert fund.get("registrationNumber") == ["150740012345"]
    assert fund.sublist == "organisations"
    cis = next(e for e in entities.values() if e.sublist == "CIS")
    assert cis.caption == "ПРИДУМАННАЯ ОРГАНИЗАЦИЯ"
    assert {"ПО", "INVENTED ORGANISATION", "IO"} <= set(cis.get("alias"))
    websfm = {e.source_id: e for e in parse_source("kz_afm", [WEBSFM]).entities()}
    assert websfm["bin-190240056782"].sanctions[0].get("listingDate") == ["2024-01-11"]


def test_iin_and_bin_are_decisive_in_screening() -> None:
    entities = list(parse_source("kz_afm", [LEGACY, WEBSFM]).entities())
    screener = Screener(entities)
    hits = screener.by_identifier("850315300128")
    assert [h.entity_id for h in hits] == ["kz-afm-iin-850315300128"]
    hits = screener.by_identifier("190240056782")
    assert [h.entity_id for h in hits] == ["kz-afm-bin-190240056782"]
    # a renamed party with the listed IIN is still found
    hits = screener.screen(Query(name="Arman Bolatuly", schema="Person", identifier="850315300128"))
    assert hits and hits[0].entity_id == "kz-afm-iin-850315300128" and hits[0].alert


def _write(tmp_path: Path, body: str) -> Path:
    path = tmp_path / "afm.xml"
    path.write_text(f'<?xml version="1.0" encoding="UTF-8"?>\n<xml>{body}</xml>\n', "utf-8")
    return path


def test_bad_records_are_errors(tmp_path: Path) -> None:
    path = _write(tmp_path, "<persons><person><lname>X</lname><iin>12345</iin></person></persons>")
    with pytest.raises(ParseError) as info:
        list(parse_source("kz_afm", [path]).entities())
    assert info.value.field == "iin" and "12 digits" in info.value.message
    path = _write(tmp_path, "<persons><person><iin>850315300128</iin></person></persons>")
    with pytest.raises(ParseError) as info:
        list(parse_source("kz_afm", [path]).entities())
    assert "without a name" in info.value.message and info.value.line == 2
    path = _write(tmp_path, "<persons><person><lname>X</lname></person>")
    with pytest.raises(ParseError, match="malformed XML"):
        list(parse_source("kz_afm", [path]).entities())


def test_checksum_failure_is_kept_with_a_note(tmp_path: Path) -> None:
    path = _write(
        tmp_path, "<persons><person><lname>X</lname><iin>850315300129</iin></person></persons>"
    )
    (entity,) = parse_source("kz_afm", [path]).entities()
    assert entity.get("idNumber") == ["850315300129"]
    assert any("fails the Kazakh check" in n for n in entity.get("notes"))
