"""Plain test helpers importable by any test module (conftest modules are not imported)."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
SHARED = Path(os.environ.get("CIRCUMSPECT_SHARED", ROOT.parent / "shared"))


def shared_path(*parts: str) -> Path:
    """A path under ../shared; skips the test when it is not there."""
    path = SHARED.joinpath(*parts)
    if not path.exists():
        pytest.skip(f"shared data not available: {path} (set CIRCUMSPECT_SHARED or add ../shared)")
    return path


def run_cli(monkeypatch: pytest.MonkeyPatch, *args: str) -> int:
    """Run ``circumspect ARGS`` in-process; its exit code (0 when it returns normally)."""
    from circumspect.cli.main import main

    monkeypatch.setattr(sys, "argv", ["circumspect", *args])
    try:
        main()
    except SystemExit as exc:
        return int(exc.code or 0)
    return 0
