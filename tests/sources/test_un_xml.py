"""UN Security Council consolidated XML against the full list (2026-02-27)."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest

from circumspect.errors import FormatMismatchError, ParseError
from circumspect.sources import parse_source
from tests.sources.helpers import demo_files
from tests.support import shared_path


@pytest.mark.shared
def test_full_un_list_counts_and_fields() -> None:
    path = shared_path("fixtures", "lists", "un", "UN_consolidated.xml")
    parsed = parse_source("un_sc", [path])
    assert parsed.format == "un_xml"
    entities = list(parsed.entities())
    assert len(entities) == 1003
    persons = [e for e in entities if e.schema == "Person"]
    assert len(persons) == 730
    assert Counter(e.schema for e in entities if e.schema != "Person").total() == 273
    assert len({e.id for e in entities}) == 1003
    by_id = {e.source_id: e for e in entities}
    gaston = by_id["6907995"]
    assert gaston.caption == "GASTON IYAMUREMYE"
    assert gaston.get("weakAlias") == ["Rumuli"]  # QUALITY Low
    assert "Victor Rumuri" in gaston.get("alias")  # QUALITY Good
    assert gaston.get("birthDate") == ["1948"]
    assert gaston.get("nationality") == ["rw"]
    sanction = gaston.sanctions[0]
    assert sanction.get("listingDate") == ["2010-12-01"]
    assert sanction.get("unscId") == ["CDi.003"]
    adf = by_id["6908402"]
    assert "NALU" in adf.get("previousName")  # f.k.a.
    # BETWEEN dates become every year of the range
    between = [e for e in persons if len(e.get("birthDate")) >= 2]
    assert between
    # original-script names are kept as aliases
    assert sum(1 for e in entities if any(not n.isascii() for n in e.get("alias"))) > 100


def test_demo_un_list() -> None:
    entities = {e.source_id: e for e in parse_source("un_sc", demo_files("un_sc")).entities()}
    assert len(entities) >= 5
    assert any(e.get("weakAlias") for e in entities.values())


def test_truncated_xml_names_file_and_line(tmp_path: Path) -> None:
    source = demo_files("un_sc")[0].read_bytes()
    path = tmp_path / "un.xml"
    path.write_bytes(source[: len(source) // 2])
    with pytest.raises(ParseError) as info:
        list(parse_source("un_sc", [path]).entities())
    assert info.value.file == str(path)
    assert info.value.line is not None
    assert "malformed XML" in str(info.value)


def test_un_xml_loaded_as_ofac_is_a_mismatch() -> None:
    with pytest.raises(FormatMismatchError, match="UN Security Council"):
        parse_source("ofac_sdn", demo_files("un_sc"))
