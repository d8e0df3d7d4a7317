"""Ownership files: every row accounted for, bad rows rejected with the reason."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from circumspect.errors import ParseError
from circumspect.ownership.loader import read_file

HEADER = "owner_name,owner_id,owned_name,owned_id,share,source,date"
#: valid identifiers (check digits verified by circumspect.names.identifiers)
INN_A = "7707083893"
INN_B = "7736050003"
OGRN = "1027700132195"
LEI = "5493001KJTIIGC8Y1R12"
BIN = "971240001315"
KNOWN = {"ofac-sdn-1", "ofac-sdn-2"}


def known(value: str) -> bool:
    return value in KNOWN


def _write(tmp_path: Path, text: str, name: str = "own.csv") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def test_good_rows_load_with_every_id_kind(tmp_path: Path) -> None:
    path = _write(
        tmp_path,
        f"{HEADER}\n"
        f"Ivanov,ofac-sdn-1,Trade LLP,BIN:{BIN},30,registry,2026-01-01\n"
        f"Holding,{OGRN},Trade LLP,{BIN},25 %,registry,2026\n"
        f"Petrov,ofac-sdn-2,Holding,{OGRN},100,registry,\n"
        f"Fund,{LEI},Other,INN {INN_A},12.5,gleif,2025-06\n",
    )
    data = read_file(path, known)
    assert data.counts() == {"rows": 4, "loaded": 4, "duplicate": 0, "rejected": 0}
    shares = {(e.owner, e.owned): e.share for e in data.edges}
    assert shares[("ofac-sdn-1", BIN)] == pytest.approx(0.30)
    assert shares[(OGRN, BIN)] == pytest.approx(0.25)
    assert shares[(LEI, INN_A)] == pytest.approx(0.125)
    assert data.names[BIN] == ["Trade LLP"]


def test_bad_rows_are_rejected_with_the_reason_and_the_rest_loads(tmp_path: Path) -> None:
    rows = [
        f"A,{INN_A},B,{INN_B},-5,x,",  # 2 negative
        f"A,{INN_A},A2,{INN_A},10,x,",  # 3 self-ownership
        f"A,ofac-sdn-999,B,{INN_B},10,x,",  # 4 unknown list id
        f"A,1234567890,B,{INN_B},10,x,",  # 5 bad check digit
        f"A,{INN_A},C,{OGRN},70,x,",  # 6 C over 100 % with line 7
        f"D,{LEI},C,{OGRN},40,x,",  # 7
        f"A,{INN_A},B,{INN_B},abc,x,",  # 8 not a percentage
        f"A,{INN_A},B,{INN_B},20,x,2026-02-30",  # 9 impossible date
        f"A,{INN_A},B,{INN_B},20,x,",  # 10 good
        f"A,{INN_A},B,{INN_B},20,y,",  # 11 duplicate of 10
        f"D,{LEI},B,{INN_B},101,x,",  # 12 above 100 %
        f"D,{LEI},E,{BIN},10,x,",  # 13 conflicts with 14
        f"D,{LEI},E,{BIN},15,x,",  # 14
        f"D,{LEI},F,ofac-sdn-2,,x,",  # 15 no share, no control
        "only,three,fields",  # 16
    ]
    path = _write(tmp_path, HEADER + "\n" + "\n".join(rows) + "\n")
    data = read_file(path, known)
    by_line = {o.line: o for o in data.outcomes}
    assert sorted(by_line) == list(range(2, 17))  # every row accounted for
    reasons = {line: o.reason for line, o in by_line.items() if o.status == "rejected"}
    assert "negative share" in reasons[2]
    assert "self-ownership" in reasons[3]
    assert "unknown id 'ofac-sdn-999'" in reasons[4]
    assert "unknown id '1234567890'" in reasons[5]
    assert "above 100 %" in reasons[6] and "110 %" in reasons[6]
    assert "above 100 %" in reasons[7]
    assert "not a percentage" in reasons[8]
    assert "does not exist" in reasons[9]
    assert by_line[10].status == "loaded"
    assert by_line[11].status == "duplicate" and "line 10" in by_line[11].reason
    assert "above 100 %" in reasons[12]
    assert "conflicting" in reasons[13] and "conflicting" in reasons[14]
    assert "share is empty" in reasons[15]
    assert "3 fields" in reasons[16]
    assert [(e.owner, e.owned) for e in data.edges] == [(INN_A, INN_B)]


def test_rejections_do_not_depend_on_row_order(tmp_path: Path) -> None:
    rows = [
        f"A,{INN_A},C,{OGRN},70,x,",
        f"D,{LEI},C,{OGRN},40,x,",
        f"A,{INN_A},B,{INN_B},20,x,",
        f"D,{LEI},E,{BIN},10,x,",
        f"D,{LEI},E,{BIN},15,x,",
    ]
    one = read_file(_write(tmp_path, HEADER + "\n" + "\n".join(rows)), known)
    two = read_file(_write(tmp_path, HEADER + "\n" + "\n".join(reversed(rows)), "b.csv"), known)
    assert one.edges == two.edges
    assert one.counts() == two.counts()


def test_control_column(tmp_path: Path) -> None:
    path = _write(
        tmp_path,
        f"{HEADER},control\nP,ofac-sdn-1,C,{INN_A},,x,,yes\nP,ofac-sdn-1,D,{INN_B},20,x,,no\n"
        f"P,ofac-sdn-1,E,{OGRN},20,x,,maybe\n",
    )
    data = read_file(path, known)
    assert [(e.owned, e.share, e.control) for e in data.edges] == [
        (INN_A, None, True),
        (INN_B, pytest.approx(0.2), False),
    ]
    assert "not yes/no" in data.rejected()[0].reason


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("", "empty file"),
        ("owner_name,owner_id,owned_id,share\n", "missing column"),
        (HEADER + ",colour\n", "unknown column"),
        ("\x00\x01binary", "binary"),
    ],
)
def test_unreadable_files_fail_naming_the_file(tmp_path: Path, text: str, message: str) -> None:
    path = _write(tmp_path, text)
    with pytest.raises(ParseError, match=message) as info:
        read_file(path, known)
    assert info.value.file == str(path)


def test_ftm_ownership_entities(tmp_path: Path) -> None:
    lines = [
        {
            "id": "co-1",
            "schema": "Company",
            "properties": {"name": ["Trade LLP"], "taxNumber": [BIN]},
        },
        {"id": "p-1", "schema": "Person", "properties": {"name": ["Someone"]}},
        {
            "id": "own-1",
            "schema": "Ownership",
            "properties": {"owner": ["ofac-sdn-1"], "asset": ["co-1"], "percentage": ["30"]},
        },
        {
            "id": "own-2",
            "schema": "Ownership",
            "properties": {
                "owner": ["p-1"],
                "asset": ["co-1"],
                "role": ["IS_DIRECTLY_CONSOLIDATED_BY"],
            },
        },
        {
            "id": "own-3",
            "schema": "Ownership",
            "properties": {"owner": ["nobody"], "asset": ["co-1"]},
        },
        {
            "id": "own-4",
            "schema": "Ownership",
            "properties": {
                "owner": ["p-1"],
                "asset": ["co-1"],
                "percentage": ["5"],
                "endDate": ["2001-01-01"],
            },
        },
        {
            "id": "own-5",
            "schema": "Ownership",
            "properties": {"owner": ["co-1"], "asset": ["co-1"], "percentage": ["5"]},
        },
    ]
    text = "\n".join(json.dumps(x) for x in lines) + "\n{not json\n"
    data = read_file(_write(tmp_path, text, "own.ftm.json"), known)
    counts = data.counts()
    assert counts["rows"] == 8
    edges = {(e.owner, e.owned): e for e in data.edges}
    assert edges[("ofac-sdn-1", BIN)].share == pytest.approx(0.3)
    assert edges[("p-1", BIN)].control and edges[("p-1", BIN)].share is None
    reasons = sorted(o.reason for o in data.rejected())
    assert any("unknown id 'nobody'" in r for r in reasons)
    assert any("ended on 2001-01-01" in r for r in reasons)
    assert any("self-ownership" in r for r in reasons)
    assert any("not an FtM entity" in r for r in reasons)
