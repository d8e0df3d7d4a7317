"""The import-linter ``layers`` contract (pyproject.toml, run by ``make check``) really
guards the layering: in a temporary copy of the package it passes as shipped and fails as
soon as one module imports a layer above it."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
LINT_IMPORTS = Path(sys.executable).with_name("lint-imports")


def _lint(tree: Path) -> subprocess.CompletedProcess[str]:
    env = dict(os.environ, PYTHONPATH=str(tree))
    return subprocess.run(
        [str(LINT_IMPORTS), "--no-cache", "--config", str(tree / "pyproject.toml")],
        cwd=tree,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )


@pytest.fixture
def package_copy(tmp_path: Path) -> Path:
    """A copy of the circumspect package and pyproject.toml (sources only)."""
    assert LINT_IMPORTS.exists(), f"{LINT_IMPORTS} missing: import-linter is a dev dependency"
    tree = tmp_path / "tree"
    shutil.copytree(
        ROOT / "circumspect",
        tree / "circumspect",
        ignore=shutil.ignore_patterns("__pycache__", "*.pyc", "data", "static", "templates"),
    )
    shutil.copy(ROOT / "pyproject.toml", tree / "pyproject.toml")
    return tree


def test_shipped_package_keeps_the_layers(package_copy: Path) -> None:
    result = _lint(package_copy)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "KEPT" in result.stdout


@pytest.mark.parametrize(
    ("module", "upward"),
    [
        ("circumspect/names/upward.py", "circumspect.services.screening"),
        ("circumspect/cases/upward.py", "circumspect.api.deps"),
        ("circumspect/api/upward.py", "circumspect.web.pages"),
    ],
)
def test_an_upward_import_breaks_the_build(package_copy: Path, module: str, upward: str) -> None:
    (package_copy / module).write_text(f"import {upward}  # upward\n", encoding="utf-8")
    result = _lint(package_copy)
    assert result.returncode != 0, result.stdout
    importer = module.removesuffix(".py").replace("/", ".")
    assert "BROKEN" in result.stdout
    assert f"{importer} -> {upward}" in result.stdout
