"""The commit hooks run the checks `make check` runs, with the project's pinned tools."""

from __future__ import annotations

import sys
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent


def test_pre_commit_hooks_run_the_make_check_tools() -> None:
    config = yaml.safe_load((ROOT / ".pre-commit-config.yaml").read_text(encoding="utf-8"))
    hooks = {h["id"]: h for repo in config["repos"] for h in repo["hooks"]}
    assert {"ruff-check", "ruff-format", "mypy", "import-layers"} <= set(hooks)
    assert hooks["mypy"]["entry"].split()[1:] == ["--strict", "circumspect"]
    bindir = Path(sys.executable).parent
    for hook in hooks.values():
        tool = Path(hook["entry"].split()[0]).name
        assert (bindir / tool).exists(), f"hook {hook['id']}: {tool} is not in {bindir}"
    makefile = (ROOT / "Makefile").read_text(encoding="utf-8")
    for command in (
        "ruff check",
        "ruff format --check",
        "mypy --strict circumspect",
        "lint-imports",
    ):
        assert command in makefile, command
