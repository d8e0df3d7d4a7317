"""A CIRCUMSPECT_HOME that cannot be a folder is one clear error, not a traceback."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.cli.lists_helpers import run


def test_home_that_is_a_file_is_one_error_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    blocker = tmp_path / "home_is_a_file"
    blocker.write_text("x", encoding="utf-8")
    monkeypatch.setenv("CIRCUMSPECT_HOME", str(blocker))
    monkeypatch.delenv("CIRCUMSPECT_DB", raising=False)
    result = run(["lists", "status"], capsys, monkeypatch)
    assert result.code == 2
    assert "Traceback" not in result.err and result.err.count("\n") == 1
    assert "CIRCUMSPECT_HOME" in result.err and str(blocker) in result.err
