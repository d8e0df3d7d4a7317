"""A load killed with SIGKILL mid-way leaves the previous snapshot active and nothing partial.

The first test: a subprocess loads a large generated list (400,000 entities, far more than it
can write before it is killed); once it reports 10,000 written entities (ten executed
batches, all inside the load's one transaction) the test sends SIGKILL. Then the store
must show exactly the snapshot that was active before, with its entities, no partial rows,
and accept a new load. The second test does the same to the real CLI (`circumspect lists
load` of a 60,000-entity FtM file), killed as soon as its entity inserts are under way.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
import sqlalchemy as sa

from circumspect.store import open_store
from tests.store.helpers import generated

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(params=["sqlite", "postgresql"])
def store_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'store.sqlite'}"
    return str(request.getfixturevalue("pg_url"))


@pytest.mark.slow
def test_kill_9_mid_load_keeps_previous_snapshot(store_url: str) -> None:
    store = open_store(store_url)
    try:
        before = store.load("ofac_sdn", generated("ofac_sdn", 100), checksum="before")
    finally:
        store.close()

    env = dict(os.environ, PYTHONPATH=str(ROOT))
    proc = subprocess.Popen(
        [sys.executable, "-m", "tests.store.kill_load", store_url, "400000"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        assert proc.stdout is not None
        deadline = time.monotonic() + 120
        written = 0
        while written < 10_000:
            line = proc.stdout.readline()
            assert line, f"loader ended early: {proc.stderr.read() if proc.stderr else ''}"
            assert not line.startswith("finished"), "the load finished before it was killed"
            written = int(line.split()[1])
            assert time.monotonic() < deadline, "loader too slow"
        proc.send_signal(signal.SIGKILL)
        proc.wait(timeout=30)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    assert proc.returncode == -signal.SIGKILL

    store = open_store(store_url)
    try:
        assert store.snapshots() == [before]
        assert store.active_snapshots() == {"ofac_sdn": before}
        assert [e.id for e in store.iter_entities()] == sorted(
            e.id for e in generated("ofac_sdn", 100)
        )
        with store._engine.connect() as conn:
            snaps = conn.execute(sa.text("SELECT count(*) FROM list_snapshots")).scalar_one()
            rows = conn.execute(sa.text("SELECT count(*) FROM list_entities")).scalar_one()
        assert (snaps, rows) == (1, 100)
        after = store.load("ofac_sdn", generated("ofac_sdn", 7), checksum="after")
        assert store.active_snapshots()["ofac_sdn"].id == after.id
        assert int(after.id) > int(before.id)
    finally:
        store.close()


def _big_ftm(path: Path, count: int) -> None:
    """FtM JSON lines in the OpenSanctions shape, ``count`` persons."""
    import orjson

    with path.open("wb") as fh:
        for number in range(count):
            fh.write(
                orjson.dumps(
                    {
                        "id": f"NK-{number:07d}",
                        "schema": "Person",
                        "datasets": ["opensanctions"],
                        "properties": {
                            "name": [f"GENERATED PERSON {number}"],
                            "country": ["ru"],
                            "notes": ["generated for the kill -9 test " * 3],
                        },
                    }
                )
                + b"\n"
            )


def _loading_started(url: str, sqlite_file: Path | None) -> bool:
    """True once the loader has written entity rows inside its (uncommitted) transaction."""
    if sqlite_file is not None:
        wal = sqlite_file.with_name(sqlite_file.name + "-wal")
        return wal.exists() and wal.stat().st_size > 2_000_000
    import psycopg

    with psycopg.connect(url, autocommit=True) as conn:
        row = conn.execute(
            "SELECT count(*) FROM pg_stat_activity "
            "WHERE datname = current_database() AND query ILIKE 'INSERT INTO list_entities%'"
        ).fetchone()
    return bool(row and row[0])


@pytest.mark.slow
def test_kill_9_of_the_cli_mid_load(store_url: str, tmp_path: Path) -> None:
    big = tmp_path / "big.ftm.json"
    _big_ftm(big, 60_000)
    small = tmp_path / "small.ftm.json"
    _big_ftm(small, 5)
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    cli = [
        sys.executable,
        "-m",
        "circumspect.cli.main",
        "lists",
        "load",
        "-s",
        "opensanctions",
        "--db",
        store_url,
    ]
    subprocess.run([*cli, str(small)], env=env, cwd=ROOT, check=True, capture_output=True)
    sqlite_file = (
        Path(store_url.removeprefix("sqlite:///")) if store_url.startswith("sqlite") else None
    )

    proc = subprocess.Popen(
        [*cli, str(big)], env=env, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    try:
        deadline = time.monotonic() + 180
        while not _loading_started(store_url, sqlite_file):
            assert proc.poll() is None, "the load ended before it could be killed"
            assert time.monotonic() < deadline, "the load never started writing"
            time.sleep(0.05)
        proc.send_signal(signal.SIGKILL)
        proc.wait(timeout=30)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    assert proc.returncode == -signal.SIGKILL

    store = open_store(store_url)
    try:
        snaps = store.snapshots()
        assert [s.entity_count for s in snaps] == [5]
        assert sum(1 for _ in store.iter_entities()) == 5
        with store._engine.connect() as conn:
            rows = conn.execute(sa.text("SELECT count(*) FROM list_entities")).scalar_one()
        assert rows == 5
    finally:
        store.close()
