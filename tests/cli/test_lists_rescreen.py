"""`lists load` re-screens the parties the case service holds against changed entities only."""

from __future__ import annotations

import json
from pathlib import Path

from typer.testing import CliRunner

from circumspect.cases.service import CaseService
from circumspect.cli.main import app
from circumspect.settings import db_url

DEMO = Path(__file__).resolve().parents[2] / "circumspect" / "data" / "demo" / "lists" / "ofac_sdn"


def _copy_without_arlan(dst: Path) -> list[Path]:
    """The demo OFAC list as it was before ARLAN TRADE LLP (ent_num 90001) was listed."""
    dst.mkdir()
    for name in ("sdn.csv", "alt.csv", "add.csv", "sdn_comments.csv"):
        data = (DEMO / name).read_bytes()
        if name in ("sdn.csv", "alt.csv", "add.csv"):
            lines = data.split(b"\r\n") if b"\r\n" in data else data.split(b"\n")
            sep = b"\r\n" if b"\r\n" in data else b"\n"
            data = sep.join(line for line in lines if not line.startswith(b'"90001"'))
        (dst / name).write_bytes(data)
    return sorted(dst.iterdir())


def test_load_rescreens_stored_parties(tmp_path: Path) -> None:
    runner = CliRunner()
    before = _copy_without_arlan(tmp_path / "v1")
    first = runner.invoke(app, ["lists", "load", "--source", "ofac_sdn", *map(str, before)])
    assert first.exit_code == 0, first.output
    assert "re-screened" not in first.output  # no case tables yet: nothing to re-screen

    service = CaseService(db_url())
    try:
        service.record_screening(
            "api",
            [
                {"name": "ТОО «Арлан Трейд»", "schema": "Company"},
                {"name": "Acme Coffee GmbH", "schema": "Company"},
            ],
            [[], []],
            {"ofac_sdn": "1"},
        )
    finally:
        service.close()

    after = sorted(DEMO.iterdir())
    second = runner.invoke(
        app, ["lists", "load", "--source", "ofac_sdn", "--json", *map(str, after)]
    )
    assert second.exit_code == 0, second.output
    report = json.loads(second.output)["rescreen"]
    assert report["changed_entities"] >= 1 and report["parties"] == 2
    assert report["opened"] == 1 and report["hits"] == 1

    service = CaseService(db_url())
    try:
        items, total = service.list_cases()
        assert total == 1 and "Арлан" in json.dumps(
            [i.to_dict() for i in items], ensure_ascii=False
        )
        assert service.verify_audit().ok
    finally:
        service.close()

    # the same file again changes nothing, so nothing is re-screened
    third = runner.invoke(app, ["lists", "load", "--source", "ofac_sdn", *map(str, after)])
    assert third.exit_code == 0 and "re-screened" not in third.output
