"""Usage errors (missing/unknown options, bad values) print one usage line, never a traceback."""

from __future__ import annotations

import pytest

from tests.cli.lists_helpers import run


@pytest.mark.parametrize(
    "args",
    [
        ["lists", "load", "ofac_sdn", "sdn.csv"],  # missing --source
        ["lists", "status", "--no-such-option"],
        ["no-such-command"],
        ["payments", "screen"],  # missing PATH
    ],
)
def test_usage_error_is_one_clear_message(
    args: list[str], capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    result = run(args, capsys, monkeypatch)
    assert result.code == 2
    assert "Traceback" not in result.err
    assert "Error" in result.err or "error" in result.err
