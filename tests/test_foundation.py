"""The package, its settings and its CLI entry point."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from circumspect import __version__, settings
from circumspect.errors import ParseError
from circumspect.model import ListedEntity, make_entity_id
from circumspect.model.entities import new_proxy

ROOT = Path(__file__).resolve().parent.parent


def test_cli_version() -> None:
    out = subprocess.run(
        [sys.executable, "-m", "circumspect.cli.main", "--version"],
        capture_output=True,
        text=True,
        check=True,
    )
    assert out.stdout.strip() == f"circumspect {__version__}"


def test_error_names_its_place() -> None:
    err = ParseError("bad column count: 11, expected 12", file="sdn.csv", line=7, field="name")
    assert str(err) == "sdn.csv:7 field name: bad column count: 11, expected 12"
    assert err.to_dict()["line"] == 7


def test_home_is_isolated_and_db_defaults_to_sqlite(tmp_path: Path) -> None:
    assert settings.home().name == "circumspect-home"
    assert settings.db_url().startswith("sqlite:///")
    assert settings.db_url("postgresql://x/y") == "postgresql://x/y"


def test_every_setting_is_documented() -> None:
    doc = (ROOT / "docs" / "settings.md").read_text(encoding="utf-8")
    for s in settings.SETTINGS:
        assert f"`{s.name}`" in doc, f"{s.name} missing from docs/settings.md"


def test_entity_ids_are_stable_and_round_trip() -> None:
    assert make_entity_id("ofac_sdn", "306") == "ofac-sdn-306"
    assert make_entity_id("un_sc", "QDi.001 ") == "un-sc-QDi.001"
    proxy = new_proxy(
        "Company",
        make_entity_id("ofac_sdn", "306"),
        [("name", "BANCO NACIONAL DE CUBA"), ("weakAlias", "BNC"), ("country", "cu")],
    )
    ent = ListedEntity(proxy=proxy, source="ofac_sdn", source_id="306")
    back = ListedEntity.from_dict(ent.to_dict())
    assert back.id == "ofac-sdn-306"
    assert back.names() == ["BANCO NACIONAL DE CUBA", "BNC"]
    assert back.names(weak=False) == ["BANCO NACIONAL DE CUBA"]
    assert back.fingerprint() == ent.fingerprint()


def test_cli_passes_on_typer_exit_codes(tmp_path: Path) -> None:
    """A command that raises typer.Exit(3) makes the process exit 3, not 0."""
    script = tmp_path / "run.py"
    script.write_text(
        "import sys, typer\n"
        "from circumspect.cli import main as m\n"
        "@m.app.command('fail-three')\n"
        "def _f() -> None:\n"
        "    raise typer.Exit(3)\n"
        "sys.argv = ['circumspect', 'fail-three']\n"
        "m.main()\n",
        encoding="utf-8",
    )
    out = subprocess.run([sys.executable, str(script)], capture_output=True, text=True)
    assert out.returncode == 3, out.stderr


def test_cli_usage_error_exits_2() -> None:
    out = subprocess.run(
        [sys.executable, "-m", "circumspect.cli.main", "no-such-command"],
        capture_output=True,
        text=True,
    )
    assert out.returncode == 2
    assert "No such command" in out.stderr
