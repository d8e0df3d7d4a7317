"""Helpers for the `lists` CLI tests: run the CLI in-process, write small list files."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

import pytest

#: A small OFAC SDN primary file written for these tests in the real format (no header,
#: `-0- ` empties, CRLF, trailing 0x1A); the ids/names are those of the first public entries.
SDN_ROWS = [
    '36,"AEROCARIBBEAN AIRLINES",-0- ,"CUBA",-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,-0- ',
    '173,"ANGLO-CARIBBEAN CO., LTD.",-0- ,"CUBA",-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,-0- ',
    '306,"BANCO NACIONAL DE CUBA",-0- ,"CUBA",-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,"a.k.a. \'BNC\'."',
]


def sdn_bytes(rows: list[str] | None = None) -> bytes:
    return ("\r\n".join(SDN_ROWS if rows is None else rows) + "\r\n").encode("latin-1") + b"\x1a"


def write_sdn(folder: Path, rows: list[str] | None = None) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / "sdn.csv"
    path.write_bytes(sdn_bytes(rows))
    return path


class Result:
    def __init__(self, code: int, out: str, err: str) -> None:
        self.code, self.out, self.err = code, out, err

    def json(self) -> Any:
        return json.loads(self.out)


def run(
    args: list[str], capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> Result:
    """Run `circumspect ARGS` through the real entry point (error handling included)."""
    from circumspect.cli.main import main

    monkeypatch.setattr(sys, "argv", ["circumspect", *args])
    code = 0
    try:
        main()
    except SystemExit as exc:
        code = int(exc.code or 0)
    captured = capsys.readouterr()
    return Result(code, captured.out, captured.err)
