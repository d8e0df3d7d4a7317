from __future__ import annotations

import json
import sys

import pytest
from typer.testing import CliRunner

from circumspect.cli.main import app

runner = CliRunner()


def test_check_controlled() -> None:
    result = runner.invoke(app, ["goods", "check", "8542 31 000 0"])
    assert result.exit_code == 0, result.output
    assert "CONTROLLED" in result.output and "CHPL tier 1" in result.output


def test_check_json() -> None:
    result = runner.invoke(app, ["goods", "check", "0901.21", "--json"])
    data = json.loads(result.output)
    assert data["controlled"] is False and data["code"] == "090121"


def test_check_invalid_exit_2(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    from circumspect.cli.main import main

    monkeypatch.setattr(sys, "argv", ["circumspect", "goods", "check", "12345"])
    with pytest.raises(SystemExit) as exc:
        main()
    assert exc.value.code == 2
    assert "5 digits" in capsys.readouterr().err


def test_suggest_cli() -> None:
    result = runner.invoke(app, ["goods", "suggest", "токарный станок с ЧПУ", "--json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert data[0]["code"] == "845811" and data[0]["chpl_tier"] == "4.B"
