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


def test_no_test_imports_from_a_conftest() -> None:
    """Helpers are fixtures or live in plain modules (tests/support.py, helpers.py)."""
    offenders = []
    for path in sorted((ROOT / "tests").rglob("*.py")):
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
            text = line.strip()
            if text.startswith(("from tests", "import tests")) and "conftest" in text:
                offenders.append(f"{path.relative_to(ROOT)}:{number}: {text}")
    assert offenders == []
