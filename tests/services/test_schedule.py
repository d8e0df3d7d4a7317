"""The built-in schedule (`serve --fetch-every`): one leader among several processes on one
database; a cycle fetches, loads, re-screens and leaves the events for the webhooks."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import httpx
import pytest
import sqlalchemy as sa

from circumspect import notify
from circumspect.cases.service import CaseService
from circumspect.errors import InputError
from circumspect.server import _background
from circumspect.services.runtime import ApiConfig, Runtime
from circumspect.services.schedule import Scheduler, SchedulerThread, parse_every
from circumspect.store import fetch

DPL = Path(__file__).resolve().parents[2] / "circumspect" / "data" / "demo" / "lists" / "bis_dpl"


def test_parse_every() -> None:
    assert parse_every("4h") == 14400 and parse_every("30m") == 1800 and parse_every("1d") == 86400
    for bad in ("4", "4 hours", "10s", "-1h"):
        with pytest.raises(InputError):
            parse_every(bad)


@pytest.fixture
def site(monkeypatch: pytest.MonkeyPatch) -> list[httpx.Request]:
    body = sorted(DPL.iterdir())[0].read_bytes()
    seen: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        if request.headers.get("If-None-Match") == '"d1"':
            return httpx.Response(304)
        return httpx.Response(200, content=body, headers={"ETag": '"d1"'})

    monkeypatch.setattr(fetch, "TRANSPORT", httpx.MockTransport(handler))
    monkeypatch.setattr(fetch, "default_sources", lambda: ["bis_dpl"])
    return seen


def _set(url: str, **values: object) -> None:
    service = CaseService(url)
    try:
        with service.engines.write.begin() as conn:
            conn.execute(notify.schedule.update().values(**values))
    finally:
        service.close()


def test_one_leader_runs_the_cycle(tmp_path: Path, site: list[httpx.Request]) -> None:
    url = f"sqlite:///{tmp_path / 'sched.sqlite'}"
    service = CaseService(url)
    service.record_screening("api", [{"name": "Arlan Trade TOO", "schema": "Company"}], [[]], {})
    service.close()
    one = Scheduler(url, 3600, holder="one", lease=60)
    two = Scheduler(url, 3600, holder="two", lease=60)
    try:
        first = one.tick()
        assert first is not None and first.loaded == ["bis_dpl"] and not first.failures
        rescreened = first.rescreens["bis_dpl"]
        assert rescreened is not None and rescreened.opened >= 1
        assert two.tick() is None  # not the leader
        assert one.tick() is None  # the leader, but nothing is due yet
        assert len(site) == 1
        # the leader dies: its lease expires and the other process takes over
        _set(url, lease_until=notify.now() - timedelta(seconds=1))
        assert two.tick() is None and two.acquire() and not one.acquire()
        _set(url, last_run=notify.now() - timedelta(hours=2))
        again = two.tick()
        assert again is not None and again.loaded == []  # 304: not modified
        assert site[-1].headers["If-None-Match"] == '"d1"'
    finally:
        one.close()
        two.close()
    service = CaseService(url)
    try:
        with service.engines.read.connect() as conn:
            events = conn.execute(sa.select(notify.outbox.c.event)).scalars().all()
    finally:
        service.close()
    assert "list.loaded" in events and "case.opened" in events


def test_failed_fetch_is_notified(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(fetch, "TRANSPORT", httpx.MockTransport(lambda r: httpx.Response(500)))
    monkeypatch.setattr(fetch, "default_sources", lambda: ["bis_dpl"])
    monkeypatch.setattr(fetch, "BACKOFF", 0.0)
    url = f"sqlite:///{tmp_path / 'fail.sqlite'}"
    scheduler = Scheduler(url, 3600, holder="x")
    try:
        report = scheduler.tick()
    finally:
        scheduler.close()
    assert report is not None and report.failures
    service = CaseService(url)
    try:
        with service.engines.read.connect() as conn:
            events = conn.execute(sa.select(notify.outbox.c.event)).scalars().all()
    finally:
        service.close()
    assert events == ["fetch.failed"]


def test_serve_runs_the_schedule_when_asked(tmp_path: Path) -> None:
    config = ApiConfig(db_url=f"sqlite:///{tmp_path / 'a.sqlite'}", fetch_every=3600.0)
    rt = Runtime(config)
    try:
        tasks = _background(config, rt)
        assert any(isinstance(t, SchedulerThread) for t in tasks)
        quiet = ApiConfig(db_url=config.db_url)
        assert not any(isinstance(t, SchedulerThread) for t in _background(quiet, rt))
    finally:
        rt.close()
