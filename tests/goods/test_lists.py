from __future__ import annotations

import csv
from pathlib import Path

import pytest

from circumspect.errors import ParseError
from circumspect.goods.lists import (
    ControlIndex,
    build_index,
    control_status,
    load_list,
    shipped_lists,
)
from tests.support import shared_path


def test_chpl_has_50_codes_and_six_tiers() -> None:
    lists = {c.id: c for c in shipped_lists()}
    chpl = lists["chpl"]
    assert len(chpl) == 50
    assert {e.category for e in chpl.entries} == {
        "Tier 1",
        "Tier 2",
        "Tier 3.A",
        "Tier 3.B",
        "Tier 4.A",
        "Tier 4.B",
    }
    assert chpl.version == "2024-02-23"
    assert all(e.source for e in chpl.entries)
    assert len(lists["eu_annex_xl"]) == 50
    assert len(lists["eu_annex_xxiii"]) == 0


def test_shipped_chpl_keeps_reference_columns() -> None:
    ref = shared_path("reference", "chpl.csv")
    shipped = Path("circumspect/goods/data/chpl.csv")
    with open(ref, encoding="utf-8") as a, open(shipped, encoding="utf-8") as b:
        assert list(csv.DictReader(a)) == list(csv.DictReader(b))


@pytest.mark.parametrize(
    ("code", "tier"),
    [
        ("8542.31.000.0", "1"),
        ("85423200", "1"),
        ("851762", "2"),
        ("8482 10 900 0", "3.B"),
        ("845961", "4.B"),
        ("903032", "4.A"),
    ],
)
def test_control_status_by_prefix(code: str, tier: str) -> None:
    status = control_status(code)
    assert status.controlled
    assert status.chpl_tier == tier
    assert "chpl" in status.list_ids and "eu_annex_xl" in status.list_ids


def test_uncontrolled_and_partial() -> None:
    assert not control_status("0901210000").controlled
    heading = control_status("8542")
    assert not heading.controlled
    assert {h.listed_code for h in heading.partial} == {"854231", "854232", "854233", "854239"}
    assert "listed codes fall under it" in heading.summary()


def test_user_list_heading_covers_subheadings(tmp_path: Path) -> None:
    path = tmp_path / "mine.csv"
    path.write_text(
        "# name: My watch list\n# version: 3\ncode,description,category,source\n"
        "8471,computers,internal,me\n0901.21,coffee,internal,me\n",
        encoding="utf-8",
    )
    mine = load_list(path)
    assert (mine.id, mine.name, mine.version, len(mine)) == ("mine", "My watch list", "3", 2)
    index = build_index([path])
    status = index.status("8471300000")
    assert status.controlled and status.list_ids == ["mine"]
    assert status.chpl_tier is None and status.tier_weight == 0.75
    assert index.status("847150").chpl_tier == "3.A"
    only_mine = ControlIndex([mine])
    assert only_mine.status("090121").controlled
    assert not only_mine.status("090111").controlled


def test_bad_user_list_names_line(tmp_path: Path) -> None:
    path = tmp_path / "bad.csv"
    path.write_text("code,category\n8471,x\n84A1,y\n", encoding="utf-8")
    with pytest.raises(ParseError, match="contains 'A'") as exc:
        load_list(path)
    assert exc.value.line == 3 and exc.value.field == "code"
    nocode = tmp_path / "nocode.csv"
    nocode.write_text("hs,category\n8471,x\n", encoding="utf-8")
    with pytest.raises(ParseError, match="needs a 'code'"):
        load_list(nocode)
