"""Group commit of the screening records (issue 18): concurrent requests share transactions,
each is acknowledged only after its record committed, and the chain verifies."""

from __future__ import annotations

import json
import multiprocessing
import threading
import time
from collections.abc import Sequence
from pathlib import Path

import pytest
from sqlalchemy import text

from circumspect.cases.common import query_key
from circumspect.cases.groupcommit import GroupCommit
from circumspect.cases.service import CaseService
from circumspect.db import sqlite_synchronous
from circumspect.errors import ConfigError


class SlowWriter:
    """Records each group; the first group waits until every submitter has queued."""

    def __init__(self, queued: threading.Event) -> None:
        self.groups: list[list[int]] = []
        self.queued = queued

    def __call__(self, items: Sequence[int]) -> list[int]:
        if not self.groups:
            self.queued.wait(5)
        if 13 in items:
            raise ValueError("item 13 cannot be written")
        self.groups.append(list(items))
        return [i * 10 for i in items]


def test_group_commit_batches_concurrent_items_and_isolates_a_failure() -> None:
    queued = threading.Event()
    writer = SlowWriter(queued)
    gc: GroupCommit[int, int] = GroupCommit(writer, max_batch=8)
    results: dict[int, int | str] = {}

    def submit(i: int) -> None:
        try:
            results[i] = gc.submit(i)
        except ValueError as exc:
            results[i] = str(exc)

    threads = [threading.Thread(target=submit, args=(i,)) for i in range(20)]
    for t in threads:
        t.start()
    while len(gc._queue) < 19 and any(t.is_alive() for t in threads):  # all but the leader
        time.sleep(0.005)
    queued.set()
    for t in threads:
        t.join(10)
    assert results[13] == "item 13 cannot be written"
    assert {i: r for i, r in results.items() if i != 13} == {
        i: i * 10 for i in range(20) if i != 13
    }
    written = [i for group in writer.groups for i in group]
    assert sorted(written) == [i for i in range(20) if i != 13]  # each once, 13 never
    assert max(len(g) for g in writer.groups) == 8  # groups were formed, capped at max_batch
    assert gc.stats.largest == 8 and gc.stats.groups < 19


def _record(service: CaseService, name: str) -> None:
    service.record_screening("bench", [{"name": name}], [[]], {"ofac_sdn": "s1"})


def _audited_keys(service: CaseService) -> list[str]:
    with service.engines.read.connect() as conn:
        rows = conn.execute(text("SELECT data FROM case_audit WHERE action = 'screen'")).all()
    return [k for (data,) in rows for k in json.loads(data)["query_keys"]]


def _concurrent_screenings(url: str) -> None:
    service = CaseService(url)
    names = [f"Party {t}-{i}" for t in range(12) for i in range(10)]
    unseen: list[str] = []

    def worker(t: int) -> None:
        for i in range(10):
            name = f"Party {t}-{i}"
            _record(service, name)
            key = query_key({"name": name})
            # another connection (the reader pool) sees only committed rows
            with service.engines.read.connect() as conn:
                found = conn.execute(
                    text("SELECT COUNT(*) FROM case_audit WHERE data LIKE :k"), {"k": f"%{key}%"}
                ).scalar_one()
            if found != 1:
                unseen.append(name)

    threads = [threading.Thread(target=worker, args=(t,)) for t in range(12)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert unseen == [], "acknowledged before the record was committed"
    assert sorted(_audited_keys(service)) == sorted(query_key({"name": n}) for n in names)
    result = service.verify_audit()
    assert result.ok, result
    stats = service._screenings.stats
    assert stats.items == 120 and stats.groups <= 120
    with service.engines.read.connect() as conn:
        parties = conn.execute(text("SELECT COUNT(*) FROM case_parties")).scalar_one()
    assert parties == 120
    service.close()


def test_concurrent_screenings_each_acknowledged_after_commit_and_chain_verifies(
    tmp_path: Path,
) -> None:
    _concurrent_screenings(f"sqlite:///{tmp_path / 'cases.sqlite'}")


def test_concurrent_screenings_group_commit_on_postgres(pg_url: str) -> None:
    _concurrent_screenings(pg_url)


def _process(url: str, p: int) -> None:
    service = CaseService(url)
    threads = [
        threading.Thread(
            target=lambda t=t: [_record(service, f"P{p} T{t} #{i}") for i in range(15)]
        )
        for t in range(4)
    ]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    service.close()


def test_two_processes_group_commit_into_one_chain(tmp_path: Path) -> None:
    db = tmp_path / "cases.sqlite"
    url = f"sqlite:///{db}"
    CaseService(url).close()  # migrated once
    ctx = multiprocessing.get_context("fork")
    procs = [ctx.Process(target=_process, args=(url, p)) for p in range(2)]
    for proc in procs:
        proc.start()
    for proc in procs:
        proc.join(120)
        assert proc.exitcode == 0
    service = CaseService(url)
    keys = _audited_keys(service)
    expected = [
        query_key({"name": f"P{p} T{t} #{i}"})
        for p in range(2)
        for t in range(4)
        for i in range(15)
    ]
    assert sorted(keys) == sorted(expected)  # every request has its own record, once
    result = service.verify_audit()
    service.close()
    assert result.ok, result


def test_sqlite_writer_is_durable_by_default_and_setting_fails_closed(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    service = CaseService(f"sqlite:///{tmp_path / 'c.sqlite'}")
    with service.engines.write.connect() as conn:
        assert conn.exec_driver_sql("PRAGMA synchronous").scalar_one() == 2  # FULL
    service.close()
    monkeypatch.setenv("CIRCUMSPECT_SQLITE_SYNCHRONOUS", "normal")
    assert sqlite_synchronous() == "NORMAL"
    monkeypatch.setenv("CIRCUMSPECT_SQLITE_SYNCHRONOUS", "OFF")
    with pytest.raises(ConfigError, match="CIRCUMSPECT_SQLITE_SYNCHRONOUS"):
        CaseService(f"sqlite:///{tmp_path / 'd.sqlite'}")
