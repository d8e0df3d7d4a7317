"""`circumspect lists load/status/snapshots/diff/export` and bad input through the CLI."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from tests.cli.lists_helpers import SDN_ROWS, Result, run, write_sdn

Cli = Callable[..., Result]


@pytest.fixture
def cli(capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> Cli:
    def invoke(*args: str) -> Result:
        return run(list(args), capsys, monkeypatch)

    return invoke


def _active(cli: Cli, source: str = "ofac_sdn") -> dict[str, Any] | None:
    result = cli("lists", "status", "--json")
    assert result.code == 0, result.err
    return result.json()["sources"][source]


def test_load_status_reload_and_diff(cli: Cli, tmp_path: Path) -> None:
    sdn = write_sdn(tmp_path / "v1")
    first = cli("lists", "load", "--source", "ofac_sdn", str(sdn))
    assert first.code == 0, first.err
    assert "ofac_sdn: 3 entities" in first.out
    assert "first snapshot" in first.out
    status = _active(cli)
    assert status is not None
    assert status["entity_count"] == 3 and status["snapshots"] == 1
    assert len(status["checksum"]) == 64

    again = cli("lists", "load", "--source", "ofac_sdn", str(sdn), "--json")
    assert again.code == 0, again.err
    data = again.json()
    assert data["changes"] == {"added": 0, "removed": 0, "changed": 0}
    assert data["snapshot"]["checksum"] == status["checksum"]

    rows = [
        SDN_ROWS[0].replace("AEROCARIBBEAN", "AERO CARIBBEAN"),
        SDN_ROWS[2],
        '999,"NEW TRADING LLC",-0- ,"RUSSIA-EO14024",-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,-0- ',
    ]
    v2 = str(write_sdn(tmp_path / "v2", rows))
    third = cli("lists", "load", "--source", "ofac_sdn", v2, "--accept-shrink")  # 1 of 3 gone
    assert third.code == 0, third.err
    assert "1 added, 1 removed, 1 changed" in third.out

    diff = cli("lists", "diff", "ofac_sdn", "--json")
    assert diff.code == 0, diff.err
    body = diff.json()
    assert body["counts"] == {"added": 1, "removed": 1, "changed": 1}
    changes = {c["entity_id"]: c for c in body["changes"]}
    assert changes["ofac-sdn-999"]["kind"] == "added"
    assert changes["ofac-sdn-173"]["kind"] == "removed"
    assert changes["ofac-sdn-36"]["properties"]["name"] == {
        "old": ["AEROCARIBBEAN AIRLINES"],
        "new": ["AERO CARIBBEAN AIRLINES"],
    }
    text = cli("lists", "diff", "ofac_sdn", "--from", "1", "--to", "2")
    assert text.code == 0
    assert "snapshot 1 -> 2: 0 added, 0 removed, 0 changed" in text.out
    snaps = cli("lists", "snapshots", "ofac_sdn", "--json").json()
    assert [s["id"] for s in snaps] == ["3", "2", "1"]
    assert [s["active"] for s in snaps] == [True, False, False]
    plain = cli("lists", "status")
    assert "ofac_sdn" in plain.out and "un_sc          not loaded" in plain.out


def test_export_ftm_round_trips(cli: Cli, tmp_path: Path) -> None:
    from circumspect.sources.ftm import read_entities

    assert cli("lists", "load", "-s", "ofac_sdn", str(write_sdn(tmp_path / "in"))).code == 0
    out = tmp_path / "out" / "lists.ftm.json"
    result = cli("lists", "export", "--format", "ftm", "-o", str(out))
    assert result.code == 0, result.err
    assert "exported 3 entities" in result.out
    with out.open(encoding="utf-8") as fh:
        back = list(read_entities(fh))
    assert sorted(e.id for e in back) == ["ofac-sdn-173", "ofac-sdn-306", "ofac-sdn-36"]
    assert not [p for p in out.parent.iterdir() if p.name.startswith(".")]  # no temp left
    bad = cli("lists", "export", "--format", "csv", "-o", str(out))
    assert bad.code == 2 and "unsupported export format" in bad.err


def test_db_option_selects_the_database(cli: Cli, tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'other.sqlite'}"
    assert cli("lists", "load", "-s", "ofac_sdn", str(write_sdn(tmp_path)), "--db", url).code == 0
    assert _active(cli) is None  # the default store is untouched
    data = json.loads(cli("lists", "status", "--json", "--db", url).out)
    assert data["sources"]["ofac_sdn"]["entity_count"] == 3


def test_load_on_postgresql(cli: Cli, tmp_path: Path, pg_url: str) -> None:
    result = cli("lists", "load", "-s", "ofac_sdn", str(write_sdn(tmp_path)), "--db", pg_url)
    assert result.code == 0, result.err
    status = json.loads(cli("lists", "status", "--json", "--db", pg_url).out)
    assert status["db"].startswith("postgresql+psycopg://")
    assert status["sources"]["ofac_sdn"]["entity_count"] == 3


# -- bad input: non-zero exit, one clear line naming the file, active snapshot unchanged ---------


def _bad_files(tmp: Path) -> dict[str, tuple[str, Path, str]]:
    """name -> (source, file, expected text in the message)."""
    tmp.mkdir(parents=True, exist_ok=True)
    truncated = tmp / "consolidated.xml"
    truncated.write_text(
        '<?xml version="1.0" encoding="UTF-8"?>\n<CONSOLIDATED_LIST dateGenerated="2026-01-01">'
        "\n<INDIVIDUALS>\n<INDIVIDUAL>\n<DATAID>6908555</DATAID>\n<FIRST_NAME>ABC",
        encoding="utf-8",
    )
    columns = tmp / "cols" / "sdn.csv"
    columns.parent.mkdir()
    columns.write_bytes(b'36,"AEROCARIBBEAN AIRLINES",-0- ,"CUBA",-0- \r\n')
    encoding = tmp / "bad.ftm.json"
    encoding.write_bytes(
        b'{"id": "x1", "schema": "Person", "properties": {"name": ["Ivan"]}}\n'
        b'{"id": "x2", "schema": "Person", "properties": {"name": ["\xff\xfe Petr"]}}\n'
    )
    empty = tmp / "empty" / "sdn.csv"
    empty.parent.mkdir()
    empty.write_bytes(b"")
    wrong = tmp / "wrong" / "dpl.txt"
    wrong.parent.mkdir()
    wrong.write_text(
        "Name\tStreet_Address\tCity\tState\tCountry\tPostal_Code\tEffective_Date\t"
        "Expiration_Date\tStandard_Order\tLast_Update\tAction\tFR_Citation\n"
        "ACME LTD\t1 Main St\tTown\t\tRU\t\t01/01/2020\t01/01/2030\tY\t01/01/2020\t"
        "FR NOTICE ADDED\t85 F.R. 1\n",
        encoding="utf-8",
    )
    return {
        "truncated_xml": ("un_sc", truncated, "consolidated.xml"),
        "column_count": ("ofac_sdn", columns, "column"),
        "invalid_encoding": ("opensanctions", encoding, "bad.ftm.json"),
        "empty_file": ("ofac_sdn", empty, "empty"),
        "wrong_format": ("ofac_sdn", wrong, "not a format of source ofac_sdn"),
    }


@pytest.mark.parametrize(
    "case", ["truncated_xml", "column_count", "invalid_encoding", "empty_file", "wrong_format"]
)
def test_bad_input_fails_cleanly(cli: Cli, tmp_path: Path, case: str) -> None:
    source, path, expected = _bad_files(tmp_path / "bad")[case]
    good = cli("lists", "load", "-s", "ofac_sdn", str(write_sdn(tmp_path / "good")))
    assert good.code == 0, good.err
    before = cli("lists", "status", "--json").json()

    result = cli("lists", "load", "--source", source, str(path))
    assert result.code == 2
    lines = result.err.strip().splitlines()
    assert len(lines) == 1, result.err
    assert lines[0].startswith("error: ")
    assert path.name in lines[0]
    assert expected in lines[0]
    assert "Traceback" not in result.err

    assert cli("lists", "status", "--json").json() == before
    snaps = cli("lists", "snapshots", "--json").json()
    assert len(snaps) == 1


def test_unknown_source_and_missing_file(cli: Cli, tmp_path: Path) -> None:
    result = cli("lists", "load", "-s", "nowhere", str(write_sdn(tmp_path)))
    assert result.code == 2 and "unknown source 'nowhere'" in result.err
    missing = cli("lists", "load", "-s", "ofac_sdn", str(tmp_path / "absent.csv"))
    assert missing.code == 2 and "absent.csv" in missing.err
    no_snap = cli("lists", "diff", "un_sc")
    assert no_snap.code == 2 and "no active snapshot" in no_snap.err
    bad_id = cli("lists", "diff", "ofac_sdn", "--to", "77")
    assert bad_id.code == 2 and "no snapshot 77" in bad_id.err


def test_prune(cli: Cli, tmp_path: Path) -> None:
    sdn = str(write_sdn(tmp_path))
    for _ in range(3):
        assert cli("lists", "load", "-s", "ofac_sdn", sdn).code == 0
    result = cli("lists", "prune", "ofac_sdn", "--keep", "1")
    assert result.code == 0, result.err
    assert "removed 2 old snapshot(s), 1 kept" in result.out
    assert [s["id"] for s in cli("lists", "snapshots", "--json").json()] == ["3"]


def test_export_to_unwritable_path_is_one_error_line(cli: Cli, tmp_path: Path) -> None:
    assert cli("lists", "load", "-s", "ofac_sdn", str(write_sdn(tmp_path / "in"))).code == 0
    blocker = tmp_path / "a_file"
    blocker.write_text("not a folder", encoding="utf-8")
    target = blocker / "lists.ftm.json"  # its "folder" is a regular file
    result = cli("lists", "export", "--format", "ftm", "-o", str(target))
    assert result.code == 2
    assert "Traceback" not in result.err
    assert str(target) in result.err and result.err.count("\n") == 1
    assert blocker.read_text(encoding="utf-8") == "not a folder"
