"""`circumspect ownership load/status/diff/rejects/explain`, screening with ownership, and the
re-screening of stored parties after an ownership change."""

from __future__ import annotations

from pathlib import Path

import pytest

from circumspect.cases.service import CaseService
from circumspect.settings import db_url
from tests.cli.lists_helpers import Result, run, write_sdn
from tests.support import shared_path

HEADER = "owner_name,owner_id,owned_name,owned_id,share,source,date"
SDN_ROWS = [
    '1001,"IVANOV, Ivan",individual,"RUSSIA-EO14024",-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,-0- ',
    '1002,"PETROV, Petr",individual,"RUSSIA-EO14024",-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,-0- ',
    '1003,"ALPHA HOLDING LLC",-0- ,"RUSSIA-EO14024",-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,'
    '"Linked To: IVANOV, Ivan."',
]
BIN_TARGET = "971240001315"  # a valid Kazakh BIN
INN_HOLD = "7707083893"  # a valid Russian INN
INN_OTHER = "7736050003"


@pytest.fixture
def cli(capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch):  # type: ignore[no-untyped-def]
    def invoke(*args: str) -> Result:
        return run(list(args), capsys, monkeypatch)

    return invoke


def _ownership(path: Path, rows: list[str]) -> Path:
    path.write_text(HEADER + "\n" + "\n".join(rows) + "\n", encoding="utf-8")
    return path


def _load_lists(cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    result = cli(
        "lists", "load", "--source", "ofac_sdn", str(write_sdn(tmp_path / "sdn", SDN_ROWS))
    )
    assert result.code == 0, result.err


def test_load_explain_and_screen_a_party_owned_by_two_sdn_persons(cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    _load_lists(cli, tmp_path)
    data = _ownership(
        tmp_path / "own.csv",
        [
            f"Ivanov,ofac-sdn-1001,Steppe Trade LLP,{BIN_TARGET},30,kz registry,2026-01-01",
            f"Petrov,ofac-sdn-1002,Zeta Holding,{INN_HOLD},100,ru registry,2026-01-01",
            f"Zeta Holding,{INN_HOLD},Steppe Trade LLP,{BIN_TARGET},25,kz registry,2026-01-01",
            f"Somebody,{INN_OTHER},Steppe Trade LLP,{BIN_TARGET},50,kz registry,2026-01-01",
            f"Self,{INN_OTHER},Self,{INN_OTHER},10,x,",
        ],
    )
    loaded = cli("ownership", "load", str(data), "--dataset", "registry")
    assert loaded.code == 0, loaded.err
    assert "5 rows -> 1 loaded, 0 duplicates, 4 rejected" in loaded.out  # 105 % for the target
    assert "above 100 %" in loaded.err and "self-ownership" in loaded.err

    fixed = _ownership(
        tmp_path / "own2.csv",
        [
            f"Ivanov,ofac-sdn-1001,Steppe Trade LLP,{BIN_TARGET},30,kz registry,2026-01-01",
            f"Petrov,ofac-sdn-1002,Zeta Holding,{INN_HOLD},100,ru registry,2026-01-01",
            f"Zeta Holding,{INN_HOLD},Steppe Trade LLP,{BIN_TARGET},25,kz registry,2026-01-01",
            f"Somebody,{INN_OTHER},Steppe Trade LLP,{BIN_TARGET},45,kz registry,2026-01-01",
        ],
    )
    again = cli("ownership", "load", str(fixed), "--dataset", "registry", "--json")
    assert again.code == 0, again.err
    assert again.json()["changes"] == {"added": 3, "removed": 0, "changed": 0}

    status = cli("ownership", "status", "--json")
    assert status.json()["datasets"]["registry"]["edges"] == 4
    assert status.json()["blocked_by_ownership"]["ofac"] == 2  # the target and Zeta

    explained = cli("ownership", "explain", BIN_TARGET)
    assert explained.code == 0, explained.err
    assert "owned 55 % in aggregate" in explained.out
    assert "30 % by IVANOV, Ivan (SDN) directly" in explained.out
    assert "25 % by Zeta Holding (blocked: 100 % by PETROV, Petr (SDN))" in explained.out
    assert "^ Somebody: 45 %" in explained.out

    # the party is on no list, yet screening alerts, by name and by identifier
    for args in (["Steppe Trade LLP"], ["Some Other Name", "--id", BIN_TARGET]):
        screened = cli("screen", *args, "--schema", "Company", "--json")
        assert screened.code == 0, screened.err
        first = screened.json()["candidates"][0]
        assert first["source"] == "ownership" and first["alert"] is True
        feature = next(f for f in first["features"] if f["feature"] == "owned_by_listed")
        assert feature["score"] == pytest.approx(0.55)
        assert "via" in feature["text"] or "blocked:" in feature["text"]

    # the list's own "Linked To" shows on the hit, both ways
    holding = cli("screen", "ALPHA HOLDING LLC", "--json").json()["candidates"][0]
    assert any(
        f["feature"] == "linked_to_listed" and "IVANOV, Ivan" in f["text"]
        for f in holding["features"]
    )
    ivanov = cli("screen", "IVANOV, Ivan", "--schema", "Person", "--json").json()["candidates"]
    assert any(
        f["feature"] == "linked_to_listed" and "ALPHA HOLDING LLC" in f["text"]
        for c in ivanov
        for f in c["features"]
    )


def test_49_percent_reports_without_alert(cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    _load_lists(cli, tmp_path)
    data = _ownership(
        tmp_path / "own.csv",
        [
            f"Ivanov,ofac-sdn-1001,Steppe Trade LLP,{BIN_TARGET},30,r,",
            f"Petrov,ofac-sdn-1002,Steppe Trade LLP,{BIN_TARGET},19,r,",
        ],
    )
    assert cli("ownership", "load", str(data), "-d", "registry").code == 0
    screened = cli("screen", "Steppe Trade LLP", "--json").json()["candidates"]
    owned = [c for c in screened if c["source"] == "ownership"]
    assert len(owned) == 1 and owned[0]["alert"] is False
    assert owned[0]["score"] == pytest.approx(0.49)


def test_ownership_change_rescreens_touched_parties(cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    _load_lists(cli, tmp_path)
    first = _ownership(
        tmp_path / "a.csv", [f"Ivanov,ofac-sdn-1001,Steppe Trade LLP,{BIN_TARGET},30,r,"]
    )
    assert cli("ownership", "load", str(first), "-d", "registry").code == 0
    service = CaseService(db_url())
    try:
        service.record_screening(
            "api",
            [{"name": "Steppe Trade LLP", "schema": "Company"}, {"name": "Acme GmbH"}],
            [[], []],
            {"ofac_sdn": "1"},
        )
    finally:
        service.close()
    second = _ownership(
        tmp_path / "b.csv",
        [
            f"Ivanov,ofac-sdn-1001,Steppe Trade LLP,{BIN_TARGET},30,r,",
            f"Petrov,ofac-sdn-1002,Steppe Trade LLP,{BIN_TARGET},20,r,",
        ],
    )
    result = cli("ownership", "load", str(second), "-d", "registry", "--json")
    assert result.code == 0, result.err
    report = result.json()["rescreen"]
    assert report["parties"] == 2 and report["hits"] == 1 and report["opened"] == 1


def test_explain_unknown_party_fails(cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    _load_lists(cli, tmp_path)
    result = cli("ownership", "explain", "nobody at all")
    assert result.code == 2 and "no ownership dataset" in result.err


def test_transservice_and_transoil_on_the_real_sdn_fixture(cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    folder = shared_path("fixtures", "lists", "ofac_sdn_2021")
    loaded = cli("lists", "load", "--source", "ofac_sdn", *map(str, sorted(folder.glob("*.csv"))))
    assert loaded.code == 0, loaded.err
    hit = cli("screen", "TRANSSERVICE LLC", "--json").json()["candidates"][0]
    assert hit["caption"] == "TRANSSERVICE LLC"
    links = [f["text"] for f in hit["features"] if f["feature"] == "linked_to_listed"]
    assert links == ["Linked To: TRANSOIL (ofac-sdn-16807) [UnknownLink, ofac_sdn]"]
    transoil = cli("screen", "TRANSOIL", "--json").json()["candidates"][0]
    assert transoil["entity_id"] == "ofac-sdn-16807"
    named = [f["text"] for f in transoil["features"] if f["feature"] == "linked_to_listed"]
    assert any("TRANSSERVICE LLC (ofac-sdn-19028)" in t for t in named)
    status = cli("ownership", "status", "--json").json()
    assert status["list_relations"] == {"total": 3408, "resolved": 3397}
    explained = cli("ownership", "explain", "ofac-sdn-16807")
    assert explained.code == 0 and "TRANSSERVICE LLC" in explained.out
