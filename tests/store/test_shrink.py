"""A list that shrinks sharply is held back (issue 13): the first 50 lines of the real SDN
file loaded after the full file are staged, not activated, until accepted."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from typer.testing import CliRunner

from circumspect.cli.main import app
from circumspect.errors import InputError
from circumspect.store import open_store
from circumspect.store.loading import load_paths
from tests.support import shared_path

runner = CliRunner()


def truncated_copy(tmp_path: Path, lines: int = 50) -> list[Path]:
    folder = shared_path("fixtures", "lists", "ofac_sdn_2021")
    copy = tmp_path / "first50"
    shutil.copytree(folder, copy)
    for path in copy.iterdir():
        path.chmod(0o644)
    sdn = copy / "sdn.csv"
    sdn.write_bytes(b"\r\n".join(sdn.read_bytes().split(b"\r\n")[:lines]))
    return sorted(copy.iterdir())


@pytest.mark.shared
@pytest.mark.slow
def test_first_50_lines_after_the_full_file_are_staged(tmp_path: Path) -> None:
    full = sorted(shared_path("fixtures", "lists", "ofac_sdn_2021").iterdir())
    store = open_store(f"sqlite:///{tmp_path / 'store.sqlite'}")
    try:
        first = load_paths(store, "ofac_sdn", full)
        assert first.snapshot.active and not first.staged
        short = load_paths(store, "ofac_sdn", truncated_copy(tmp_path))
        assert short.staged and not short.snapshot.active
        assert short.snapshot.entity_count == 50
        assert short.changes["removed"] == 8926
        assert short.removed_share > 0.99
        assert "STAGED" in short.held_back() and "lists activate" in short.held_back()
        # the full list stays active and answers reads
        assert store.active_snapshots()["ofac_sdn"].id == first.snapshot.id
        assert store.get_entity("ofac-sdn-306") is not None
        listed = {s.id: s for s in store.snapshots("ofac_sdn")}
        assert listed[short.snapshot.id].staged
        # accepting it makes it active; the diff is against the list it replaced
        activated = store.activate(short.snapshot.id)
        assert activated.active and not activated.staged
        assert store.active_snapshots()["ofac_sdn"].id == short.snapshot.id
        assert store.diff("ofac_sdn").counts()["removed"] == 8926
        with pytest.raises(InputError):
            store.activate(first.snapshot.id)  # never staged
    finally:
        store.close()


@pytest.mark.shared
@pytest.mark.slow
def test_cli_load_stages_and_status_shows_it(tmp_path: Path) -> None:
    full = sorted(shared_path("fixtures", "lists", "ofac_sdn_2021").iterdir())
    db = f"sqlite:///{tmp_path / 'store.sqlite'}"
    args = ["lists", "load", "--source", "ofac_sdn", "--db", db, "--no-rescreen"]
    assert runner.invoke(app, [*args, *map(str, full)]).exit_code == 0
    first50 = [str(p) for p in truncated_copy(tmp_path)]
    short = runner.invoke(app, [*args, *first50])
    assert short.exit_code == 3, short.output
    assert "STAGED" in short.output and "8,926" in short.output
    status = runner.invoke(app, ["lists", "status", "--db", db, "--json"])
    data = json.loads(status.stdout)
    assert data["sources"]["ofac_sdn"]["entity_count"] == 8976
    [staged] = data["staged"]
    assert staged["entity_count"] == 50 and staged["staged"] is True
    text = runner.invoke(app, ["lists", "status", "--db", db]).output
    assert f"STAGED snapshot {staged['id']}" in text
    # --accept-shrink activates the same load at once
    accepted = runner.invoke(app, [*args, "--accept-shrink", *first50])
    assert accepted.exit_code == 0, accepted.output
    data = json.loads(runner.invoke(app, ["lists", "status", "--db", db, "--json"]).stdout)
    assert data["sources"]["ofac_sdn"]["entity_count"] == 50 and data["staged"] == []


def test_activate_later_and_small_changes_pass(tmp_path: Path) -> None:
    """Without shared data: a 10 % change passes, 20 % is staged, `lists activate` accepts."""
    from tests.cases.helpers import checksum, person

    db = f"sqlite:///{tmp_path / 's.sqlite'}"
    store = open_store(db)
    try:
        people = [person("ofac_sdn", str(i), f"Person {i}") for i in range(100)]
        store.load("ofac_sdn", people, checksum=checksum("a"), max_removed_share=0.1)
        ten = store.load("ofac_sdn", people[10:], checksum=checksum("b"), max_removed_share=0.1)
        assert ten.active and not ten.staged  # exactly 10 % removed is allowed
        twenty = store.load("ofac_sdn", people[30:], checksum=checksum("c"), max_removed_share=0.1)
        assert twenty.staged and not twenty.active
        assert store.active_snapshots()["ofac_sdn"].id == ten.id
    finally:
        store.close()
    result = runner.invoke(app, ["lists", "activate", twenty.id, "--db", db, "--no-rescreen"])
    assert result.exit_code == 0, result.output
    assert "is now active" in result.output and "20 removed" in result.output
    store = open_store(db)
    try:
        assert store.active_snapshots()["ofac_sdn"].id == twenty.id
    finally:
        store.close()
