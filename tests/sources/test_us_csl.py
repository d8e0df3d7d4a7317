"""US Consolidated Screening List (trade.gov CSV, both layouts)."""

from __future__ import annotations

import csv
import re
from collections import Counter
from pathlib import Path

import pytest

from circumspect.errors import ParseError
from circumspect.matching.screener import Screener
from circumspect.model.screening import Query
from circumspect.sources import parse_source
from circumspect.sources.us_csl import id_item
from tests.support import shared_path

FILES = ("csl.csv", "consolidated_2023.csv")


def independent_counts(path: Path) -> Counter[str]:
    """Entries per sub-list counted straight from the CSV: one per OFAC entry number, else
    one per distinct (list, name, addresses)."""
    keys: set[tuple[str, ...]] = set()
    with path.open(encoding="utf-8", newline="") as fh:
        for row in csv.DictReader(fh):
            code = re.search(r"\(([A-Z-]+?)(?: List)?\)", row["source"])
            assert code, row["source"]
            if row["entity_number"].strip():
                keys.add((code.group(1), row["entity_number"].strip()))
            else:
                keys.add((code.group(1), row["name"].strip().upper(), row["addresses"].upper()))
    return Counter(k[0] for k in keys)


@pytest.mark.parametrize("name", FILES)
def test_counts_per_sublist_match_the_raw_file(name: str) -> None:
    path = shared_path("fixtures", "lists", "us_csl", name)
    parsed = parse_source("us_csl", [path])
    assert parsed.format == "us_csl"
    entities = list(parsed.entities())
    assert Counter(e.sublist for e in entities) == independent_counts(path)
    assert all(e.source == "us_csl" and e.sanctions for e in entities)


def test_old_layout_fields() -> None:
    path = shared_path("fixtures", "lists", "us_csl", "csl.csv")
    entities = {e.caption: e for e in parse_source("us_csl", [path]).entities()}
    group = entities["32 Group China Ltd."]
    assert group.sublist == "EL" and group.schema == "Company"
    assert group.get("topics") == ["export.control"]
    sanction = group.sanctions[0]
    assert "License policy: Presumption of denial." in sanction.get("provisions")
    assert any(
        p.startswith("License requirement: For all items") for p in sanction.get("provisions")
    )
    assert sanction.get("description") == ["Federal Register: 80 FR 69852"]
    assert sanction.get("startDate") == ["2015-11-12"]
    assert len(group.get("address")) == 2 and group.get("country") == ["hk"]
    canada = entities["2904977 CANADA, INC."]
    assert canada.sublist == "SDN" and canada.source_id == "SDN-8124"
    assert canada.sanctions[0].get("authorityId") == ["8124"]  # OFAC entry number
    assert sorted(canada.get("alias")) == ["CARIBE SOL", "HAVANTUR CANADA INC."]
    assert canada.get("program") == ["CUBA"]
    # old-layout ids are "COUNTRY, NUMBER, TYPE"
    assert entities["200G PSA HOLDINGS LLC"].get("taxNumber") == ["80-0890696"]
    dpl = entities["ADRIAN MANUEL HERNANDEZ"]
    assert dpl.sublist == "DPL" and dpl.sanctions[0].get("endDate") == ["2020-10-13"]
    assert "Standard order: Y" in dpl.sanctions[0].get("provisions")
    # "and" closing an enumeration is not part of the alias
    cetc = entities["54th Research Institute of China"]
    assert not any(a.startswith("and ") for a in cetc.get("alias"))


def test_russian_ids_become_inn_and_ogrn_when_the_entry_is_in_russia() -> None:
    path = shared_path("fixtures", "lists", "us_csl", "csl.csv")
    for entity in parse_source("us_csl", [path]).entities():
        if entity.get("country") == ["ru"] and entity.get("taxNumber"):
            assert entity.get("innCode"), entity.caption
            return
    pytest.fail("no Russian SSI entry with a tax number in the extract")


def test_new_layout_fields() -> None:
    path = shared_path("fixtures", "lists", "us_csl", "consolidated_2023.csv")
    entities = {e.caption: e for e in parse_source("us_csl", [path]).entities()}
    rim = entities["RIM, Ryong Nam"]
    assert rim.schema == "Person" and rim.sublist == "SDN"
    assert rim.get("passportNumber") == ["836238033"]
    assert rim.get("birthDate") == ["1978-12-05"] and rim.get("nationality") == ["kp"]
    assert rim.get("gender") == ["male"]
    meu = next(e for e in entities.values() if e.sublist == "MEU")
    assert any("744.21" in p for p in meu.sanctions[0].get("provisions"))
    assert "66f6ab3f26234b75a9093fce79ef0ce0" in meu.sanctions[0].get("recordId")


def test_id_items_both_layouts() -> None:
    assert id_item("CO, 1978075, Matricula Mercantil No", False) == (
        "Matricula Mercantil No 1978075 (CO)"
    )
    assert id_item("Passport, 836238033, KP", True) == "Passport 836238033 (KP)"
    assert id_item("5030056754, Tax ID No.", False, "RU") == "Tax ID No. 5030056754 (RU)"


def test_entity_list_company_screens_with_its_licence_policy() -> None:
    path = shared_path("fixtures", "lists", "us_csl", "csl.csv")
    entities = list(parse_source("us_csl", [path]).entities())
    screener = Screener(entities)
    hits = screener.screen(Query(name="3K Aviation Consulting & Logistics", schema="Company"))
    assert hits and hits[0].source == "us_csl" and hits[0].alert
    listed = next(e for e in entities if e.id == hits[0].entity_id)
    assert listed.sublist == "EL"
    assert "License policy: Presumption of denial." in listed.sanctions[0].get("provisions")


HEADER = (
    "source,entity_number,type,programs,name,title,addresses,federal_register_notice,"
    "start_date,end_date,standard_order,license_requirement,license_policy,call_sign,"
    "vessel_type,gross_tonnage,gross_registered_tonnage,vessel_flag,vessel_owner,remarks,"
    "source_list_url,alt_names,citizenships,dates_of_birth,nationalities,places_of_birth,"
    "source_information_url,ids"
)
ROW = 'Entity List (EL) - Bureau of Industry and Security,,,,Acme Ltd,,"Almaty, KZ"' + "," * 21


def _write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "csl.csv"
    path.write_text(text, encoding="utf-8")
    return path


def test_minimal_row_and_stable_ids(tmp_path: Path) -> None:
    path = _write(tmp_path, HEADER + "\n" + ROW + "\n")
    first = [e.id for e in parse_source("us_csl", [path]).entities()]
    assert len(first) == 1 and first == [e.id for e in parse_source("us_csl", [path]).entities()]
    # the same row twice is one entry, not a duplicate id
    path = _write(tmp_path, HEADER + "\n" + ROW + "\n" + ROW + "\n")
    assert len(list(parse_source("us_csl", [path]).entities())) == 1


def test_bad_files_name_the_line(tmp_path: Path) -> None:
    path = _write(tmp_path, HEADER.replace(",license_policy", "") + "\n" + ROW + "\n")
    with pytest.raises(ParseError) as info:
        list(parse_source("us_csl", [path]).entities())
    assert info.value.line == 1 and "license_policy" in info.value.message
    path = _write(tmp_path, HEADER + "\n" + ROW + ",extra\n")
    with pytest.raises(ParseError) as info:
        list(parse_source("us_csl", [path]).entities())
    assert info.value.line == 2 and "columns" in info.value.message
    path = _write(tmp_path, HEADER + "\n" + ROW.replace(" (EL)", "") + "\n")
    with pytest.raises(ParseError) as info:
        list(parse_source("us_csl", [path]).entities())
    assert info.value.line == 2 and info.value.field == "source"
    path = _write(tmp_path, HEADER + "\n" + ROW.replace("Acme Ltd", "") + "\n")
    with pytest.raises(ParseError) as info:
        list(parse_source("us_csl", [path]).entities())
    assert info.value.field == "name"


def test_sdn_entries_carry_the_ofac_number_that_links_them_to_ofac_sdn() -> None:
    """The data the cross-list resolver joins on: a CSL SDN entry's sanction ``authorityId``
    is the ``recordId`` of the same entry in the OFAC SDN list."""
    csl = shared_path("fixtures", "lists", "us_csl", "csl.csv")
    sdn_dir = shared_path("fixtures", "lists", "ofac_sdn_2021")
    ofac = {
        e.sanctions[0].get("recordId")[0]: e
        for e in parse_source("ofac_sdn", sorted(sdn_dir.glob("*.csv"))).entities()
    }
    linked = 0
    for entity in parse_source("us_csl", [csl]).entities():
        if entity.sublist != "SDN":
            continue
        (number,) = entity.sanctions[0].get("authorityId")
        twin = ofac.get(number)
        if twin is not None:
            linked += 1
            assert twin.caption.casefold() == entity.caption.casefold()
    assert linked >= 20  # most of the 28 SDN rows of the extract are in the 2021 SDN file
