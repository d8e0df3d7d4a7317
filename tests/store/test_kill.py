"""A load killed with SIGKILL mid-way leaves the previous snapshot active and nothing partial.

A subprocess loads a large generated list (400,000 entities, far more than it can write
before it is killed); once it reports 10,000 written entities (several committed-looking
batches, in fact inside the load's one transaction) the test sends SIGKILL. Then the store
must show exactly the snapshot that was active before, with its entities, no partial rows,
and accept a new load.
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
        cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
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
