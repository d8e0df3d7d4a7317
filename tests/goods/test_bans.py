"""Ban lists: legal basis and version, honest completeness, code resolution, official formats."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from circumspect.cli.main import app
from circumspect.errors import ParseError
from circumspect.goods.bans import (
    BanIndex,
    ban_files,
    default_bans,
    import_official,
    load_ban_file,
    parse_official,
    write_ban_file,
)

runner = CliRunner()
EXPECTED_IDS = {
    "eu_833_annex_xxiii",
    "eu_833_annex_xviii",
    "eu_833_annex_vii",
    "eu_833_annex_xi",
    "eu_833_annex_xx",
    "eu_833_annex_xxxv",
    "us_ear_746_supp4",
    "us_ear_746_supp5",
    "uk_russia_sch3a",
    "ru_parallel_import_1532",
}


@pytest.mark.parametrize("path", ban_files(), ids=lambda p: p.stem)
def test_each_shipped_table_counts_against_its_source(path: Path) -> None:
    blist = load_ban_file(path)
    data_lines = [
        line
        for line in path.read_text(encoding="utf-8").splitlines()[1:]
        if line.strip() and not line.startswith("#")
    ]
    # the header is the first non-comment line; every other line is one entry
    assert len(data_lines) - 1 == len(blist.entries) == blist.shipped_count
    assert blist.legal_basis and blist.article and blist.version and blist.source_url
    assert blist.expected_count_source
    if blist.complete:
        assert blist.expected_count == len(blist.entries)
    else:
        # nothing is presented as complete unless the source's own count is matched
        assert blist.status == "partial" or blist.expected_count != len(blist.entries)
    for e in blist.entries:
        assert e.list_id == blist.id and e.article and e.source_url and e.version


def test_every_list_of_the_issue_is_shipped() -> None:
    assert {b.id for b in default_bans().lists} == EXPECTED_IDS


def _write(tmp_path: Path, status: str, expected: str, rows: int, shipped: int) -> Path:
    lines = [
        "# id: test_list",
        "# name: Test list",
        "# regime: EU",
        "# kind: export_ban",
        "# legal_basis: Reg. X",
        "# article: Art. 1",
        "# version: v1",
        "# source_url: https://example.org",
        "# applies_from: EU",
        "# applies_to: RU",
        f"# status: {status}",
        f"# expected_count: {expected}",
        "# expected_count_source: Annex says N lines",
        f"# shipped_count: {shipped}",
        "code,description,list,article,source_url,version",
    ]
    lines += [f"8703{21 + i:02d},car,test_list,Art. 1,https://example.org,v1" for i in range(rows)]
    path = tmp_path / "test_list.csv"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def test_complete_only_when_count_matches_source(tmp_path: Path) -> None:
    assert load_ban_file(_write(tmp_path, "complete", "3", 3, 3)).complete
    assert not load_ban_file(_write(tmp_path, "complete", "4", 3, 3)).complete
    assert not load_ban_file(_write(tmp_path, "complete", "unknown", 3, 3)).complete
    assert not load_ban_file(_write(tmp_path, "partial", "3", 3, 3)).complete


def test_shipped_count_mismatch_is_an_error(tmp_path: Path) -> None:
    with pytest.raises(ParseError, match="shipped_count says 5"):
        load_ban_file(_write(tmp_path, "partial", "unknown", 3, 5))


def test_bad_code_names_line(tmp_path: Path) -> None:
    path = _write(tmp_path, "partial", "unknown", 2, 2)
    path.write_text(path.read_text().replace("870322,", "87032,"), encoding="utf-8")
    with pytest.raises(ParseError) as info:
        load_ban_file(path)
    assert info.value.line == 17 and info.value.field == "code"


def test_tnved10_and_cn8_resolve_to_hs6_and_heading_entries() -> None:
    idx = default_bans()
    for code in ("8703231940", "87032319", "870323"):
        hits = idx.check(code, origin="DE", to="RU")
        applying = {h.list.id: h for h in hits if h.applies}
        assert {"eu_833_annex_xviii", "eu_833_annex_xxiii", "ru_parallel_import_1532"} <= set(
            applying
        ), code
        assert applying["eu_833_annex_xviii"].entry.code == "870323"  # HS-6 line
        assert applying["ru_parallel_import_1532"].entry.code == "8703"  # heading line
        assert applying["eu_833_annex_xviii"].list.article == "Art. 3h"
        assert applying["eu_833_annex_xxiii"].list.article == "Art. 3k"


def test_origin_and_destination_decide_what_applies() -> None:
    idx = default_bans()
    cn = {h.list.id: h.applies for h in idx.check("870323", origin="CN", to="RU")}
    assert cn["eu_833_annex_xviii"] is False and cn["ru_parallel_import_1532"] is True
    us = {h.list.id: h.applies for h in idx.check("847130", origin="US", to="BY")}
    assert us["us_ear_746_supp4"] is True
    de_kz = [h for h in idx.check("870323", origin="DE", to="KZ") if h.applies]
    assert de_kz == []
    # an EU exporter is bound whatever the origin
    assert any(
        h.applies and h.list.id == "eu_833_annex_xxiii"
        for h in idx.check("870380", origin="CN", exporter="DE", to="RU")
    )


def test_duplicate_list_ids_refused() -> None:
    blist = default_bans().lists[0]
    with pytest.raises(Exception, match="loaded twice"):
        BanIndex([blist, blist])


EU_TEXT = """ANNEX XXIII
List of goods and technology referred to in Article 3k
CN code | Description
8703 23 19 | Motor cars, cylinder capacity > 1 500 cm3 but <= 3 000 cm3, new
ex 8703 32 | Motor cars, diesel, of a cylinder capacity exceeding 1 900 cm3
8703 80 10 | Motor cars, electric
"""

EAR_TEXT = """| HTS code | HTS description |
|---|---|
| 8471.30 | Portable automatic data processing machines |
| 851713 | Smartphones |
"""

RU_TEXT = """| № | Наименование | Код ТН ВЭД ЕАЭС | Товарный знак |
|---|---|---|---|
| 1. | Автомобили легковые | 8703 | BMW, Audi |
| 2 | Телефоны | 8517, 8471 | Apple |
| 3 | Духи | 3303 | - |
"""


def test_parse_official_eu_annex() -> None:
    rows = parse_official(EU_TEXT, "eu-annex")
    assert [r.code for r in rows] == ["87032319", "870332", "87038010"]
    assert [r.ex for r in rows] == [False, True, False]
    assert rows[0].description.startswith("Motor cars")


def test_parse_official_ear_and_minpromtorg() -> None:
    assert [r.code for r in parse_official(EAR_TEXT, "ear-supplement")] == ["847130", "851713"]
    rows = parse_official(RU_TEXT, "minpromtorg")
    assert [(r.code, r.brands) for r in rows] == [
        ("8703", ("BMW", "Audi")),
        ("8517", ("Apple",)),
        ("8471", ("Apple",)),
        ("3303", ()),
    ]


def test_parse_official_bad_code_names_line() -> None:
    with pytest.raises(ParseError) as info:
        parse_official("title\n9901 00 | reserved chapter\n", "eu-annex")
    assert info.value.line == 2


def test_import_roundtrip(tmp_path: Path) -> None:
    src = tmp_path / "annex.txt"
    src.write_text(EU_TEXT, encoding="utf-8")
    template = default_bans().get("eu_833_annex_xxiii")
    assert template is not None
    blist = import_official(src, "eu-annex", template, "OJ L 2024/1745")
    out = tmp_path / "xxiii.csv"
    write_ban_file(blist, out)
    again = load_ban_file(out)
    assert [e.code for e in again.entries] == ["87032319", "870332", "87038010"]
    assert again.version == "OJ L 2024/1745" and not again.complete
    assert "ex-code" in again.entries[1].condition


def test_cli_check_origin_destination() -> None:
    result = runner.invoke(app, ["goods", "check", "8703.23.194.0", "--origin", "DE", "--to", "RU"])
    assert result.exit_code == 0, result.output
    out = result.output
    assert "Art. 3h" in out and "Art. 3k" in out and "PARALLEL-IMPORT LIST" in out
    assert "PARTIAL" in out
    data = json.loads(
        runner.invoke(
            app, ["goods", "check", "870323", "--origin", "CN", "--to", "RU", "--json"]
        ).output
    )
    applying = {b["list"] for b in data["bans"] if b["applies"]}
    assert applying == {"ru_parallel_import_1532"}


def test_cli_lists_status_marks_partial() -> None:
    result = runner.invoke(app, ["goods", "lists", "status"])
    assert result.exit_code == 0, result.output
    lines = [line for line in result.output.splitlines() if "ru_parallel_import_1532" in line]
    assert lines and lines[0].startswith("PARTIAL")
    assert "COMPLETE" not in result.output  # no shipped list matches a stated count
