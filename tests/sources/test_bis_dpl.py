"""BIS Denied Persons List (tab-separated)."""

from __future__ import annotations

from pathlib import Path

import pytest

from circumspect.errors import ParseError
from circumspect.sources import parse_source
from tests.sources.helpers import demo_files
from tests.support import shared_path


@pytest.mark.shared
def test_full_dpl_merges_only_identical_party_and_address() -> None:
    path = shared_path("fixtures", "lists", "bis_dpl", "dpl.txt")
    parsed = parse_source("bis_dpl", [path])
    assert parsed.format == "bis_dpl"
    entities = list(parsed.entities())
    # 581 rows; two rows repeat an earlier row's name and address exactly (decision 0100)
    assert len(entities) == 579
    assert len({e.id for e in entities}) == 579
    nasser = [e for e in entities if e.caption == "ABDULAH AL NASSER"]
    assert len(nasser) == 2  # same name, two addresses: two entities
    assert all(e.sanctions[0].get("startDate") == ["2002-03-04"] for e in nasser)


def test_demo_dpl_merge_and_fields() -> None:
    entities = list(parse_source("bis_dpl", demo_files("bis_dpl")).entities())
    assert len(entities) == 8  # 9 rows, AL NASER AIRLINES twice at one address
    airline = next(e for e in entities if e.caption == "AL NASER AIRLINES")
    assert sorted(airline.sanctions[0].get("startDate")) == ["2010-01-15", "2010-07-13"]
    arlan = next(e for e in entities if e.caption == "ARLAN TRADE LLP")
    assert arlan.schema == "Company" and arlan.get("country") == ["kz"]
    again = {e.id for e in parse_source("bis_dpl", demo_files("bis_dpl")).entities()}
    assert again == {e.id for e in entities}


def test_wrong_column_count(tmp_path: Path) -> None:
    path = tmp_path / "dpl.txt"
    text = demo_files("bis_dpl")[0].read_text()
    lines = text.splitlines()
    lines[3] = lines[3].rsplit("\t", 2)[0]
    path.write_text("\n".join(lines) + "\n")
    with pytest.raises(ParseError) as info:
        list(parse_source("bis_dpl", [path]).entities())
    assert info.value.line == 4 and "columns" in info.value.message
