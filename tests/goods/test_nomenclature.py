from __future__ import annotations

import gzip
import json
from pathlib import Path

import pytest

from circumspect.errors import ParseError
from circumspect.goods.nomenclature import (
    SHIPPED,
    build_data,
    default_nomenclature,
    load_csv,
    load_data,
)
from tests.support import shared_path


def test_shipped_data_matches_public_source(tmp_path: Path) -> None:
    src = shared_path("fixtures", "hs", "harmonized-system.csv")
    sections = shared_path("fixtures", "hs", "sections.csv")
    out = tmp_path / "hs.json.gz"
    built = build_data(src, out, sections)
    assert out.read_bytes() == SHIPPED.read_bytes(), "rebuild circumspect/goods/data/hs2022.json.gz"
    shipped = default_nomenclature()
    assert len(shipped) == len(built) == 6936
    assert sum(1 for _ in shipped.subheadings()) == 5612
    assert shipped.get("854231") is not None
    assert shipped.sections["XVI"].startswith("Machinery")


def test_shipped_data_is_compact_not_a_copy() -> None:
    payload = json.loads(gzip.decompress(SHIPPED.read_bytes()))
    assert payload["format"] == "circumspect-hs/1"
    assert "ODC-PDDL" in payload["source"]
    assert SHIPPED.stat().st_size < 200_000


def test_describe_and_path() -> None:
    nom = default_nomenclature()
    assert nom.describe("8482100000").endswith("Ball bearings")
    assert [e.code for e in nom.path("848210")] == ["84", "8482", "848210"]
    assert {e.code for e in nom.children("8482")} >= {"848210", "848220", "848291"}


def _write(path: Path, text: str) -> Path:
    path.write_text(text, encoding="utf-8")
    return path


def test_load_csv_errors_name_line(tmp_path: Path) -> None:
    header = "section,hscode,description,parent,level\n"
    bad_level = _write(tmp_path / "a.csv", header + "I,01,Animals,TOTAL,2\nI,0101,Horses,01,6\n")
    with pytest.raises(ParseError, match="level") as exc:
        load_csv(bad_level)
    assert exc.value.line == 3
    bad_parent = _write(tmp_path / "b.csv", header + "I,01,Animals,TOTAL,2\nI,0101,Horses,02,4\n")
    with pytest.raises(ParseError, match="parent"):
        load_csv(bad_parent)
    missing = _write(tmp_path / "c.csv", "code,text\n01,x\n")
    with pytest.raises(ParseError, match="missing columns"):
        load_csv(missing)
    with pytest.raises(ParseError, match="not a circumspect-hs"):
        bad = tmp_path / "d.json.gz"
        bad.write_bytes(gzip.compress(b'{"format": "x"}'))
        load_data(bad)
