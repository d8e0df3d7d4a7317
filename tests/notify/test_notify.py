"""Webhook notifications: outbox written with the change, signed POSTs to a local receiver,
retries while the receiver is down, the audit record of every attempt."""

from __future__ import annotations

import json
import socket
from pathlib import Path

import pytest
import sqlalchemy as sa
from typer.testing import CliRunner

from circumspect import notify
from circumspect.cases.service import CaseService
from circumspect.cli.main import app
from circumspect.services import notify_dispatch as dispatch
from circumspect.services.notify_dispatch import Dispatcher, verify
from circumspect.settings import db_url
from tests.cli.test_lists_rescreen import DEMO, _copy_without_arlan
from tests.notify.receiver import Receiver

SECRET = "s3cret-for-the-test-receiver"


def _cli(*args: str) -> str:
    result = CliRunner().invoke(app, list(args))
    assert result.exit_code == 0, result.output
    return result.output


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def test_reload_adding_a_match_notifies_list_loaded_and_case_opened(tmp_path: Path) -> None:
    before = _copy_without_arlan(tmp_path / "v1")
    _cli("lists", "load", "--source", "ofac_sdn", *map(str, before))
    with Receiver() as receiver:
        events = "list.loaded,case.opened"
        _cli("webhooks", "add", receiver.url, "--events", events, "--secret", SECRET)
        service = CaseService(db_url())
        try:
            service.record_screening(
                "api", [{"name": "ТОО «Арлан Трейд»", "schema": "Company"}], [[]], {}
            )
        finally:
            service.close()
        _cli("lists", "load", "--source", "ofac_sdn", *map(str, sorted(DEMO.iterdir())))
        dispatcher = Dispatcher(db_url())
        try:
            report = dispatcher.run_once()
            assert report.delivered == 2 and dispatcher.run_once().delivered == 0
        finally:
            dispatcher.close()
        assert sorted(receiver.events()) == ["case.opened", "list.loaded"]
        for request in receiver.requests:
            headers = {k.lower(): v for k, v in request["headers"].items()}
            assert verify(
                SECRET,
                headers["x-circumspect-timestamp"],
                request["body"],
                headers["x-circumspect-signature"],
            )
            assert headers["idempotency-key"] == request["json"]["id"]
        loaded = next(r["json"] for r in receiver.requests if r["json"]["event"] == "list.loaded")
        assert loaded["data"]["source"] == "ofac_sdn"
        assert loaded["data"]["changes"]["added"] >= 1
        opened = next(r["json"] for r in receiver.requests if r["json"]["event"] == "case.opened")
        assert isinstance(opened["data"]["case_id"], int)
    out = json.loads(_cli("webhooks", "deliveries", "--json"))
    assert {d["status"] for d in out} == {"delivered"} and len(out) == 2
    service = CaseService(db_url())
    try:
        actions = [r.action for r in service.audit_records(limit=50)]
        assert actions.count("webhook.delivered") == 2
        assert service.verify_audit().ok
    finally:
        service.close()


def test_receiver_down_is_retried_with_backoff(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    port = _free_port()  # nothing listens here yet
    _cli("webhooks", "add", f"http://127.0.0.1:{port}/hook", "--secret", SECRET)
    service = CaseService(db_url())
    try:
        service.audit("t", "case.open", "case:7", {"kind": "party"})  # emits case.opened
    finally:
        service.close()
    dispatcher = Dispatcher(db_url())
    try:
        first = dispatcher.run_once()
        assert first.retried == 1 and first.delivered == 0
        assert dispatcher.run_once().retried == 0  # not due yet: backoff
        with dispatcher.engine.connect() as conn:
            row = conn.execute(sa.select(notify.deliveries)).one()
        assert row.status == "pending" and row.attempts == 1 and "ConnectError" in row.last_error
        # time passes: make it due again, bring the receiver up on that port
        with dispatcher.engine.begin() as conn:
            conn.execute(notify.deliveries.update().values(next_at=notify.now()))
        with Receiver(port=port) as receiver:
            assert dispatcher.run_once().delivered == 1
            assert receiver.events() == ["case.opened"]
        with dispatcher.engine.connect() as conn:
            row = conn.execute(sa.select(notify.deliveries)).one()
        assert row.status == "delivered" and row.attempts == 2
        actions = [r.action for r in dispatcher.cases.audit_records(limit=20)]
        assert "webhook.retry" in actions and "webhook.delivered" in actions
    finally:
        dispatcher.close()


def test_gives_up_after_max_attempts(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(dispatch, "MAX_ATTEMPTS", 2)
    monkeypatch.setattr(dispatch, "BACKOFF", 0.0)
    _cli("webhooks", "add", f"http://127.0.0.1:{_free_port()}/x", "--secret", SECRET)
    service = CaseService(db_url())
    try:
        service.audit("t", "case.decide", "case:1", {"decision": "false_positive"})
    finally:
        service.close()
    dispatcher = Dispatcher(db_url())
    try:
        assert dispatcher.run_once().retried == 1
        assert dispatcher.run_once().failed == 1
    finally:
        dispatcher.close()


def test_webhooks_cli_list_test_and_bad_input() -> None:
    with Receiver() as receiver:
        out = _cli("webhooks", "add", receiver.url, "--events", "*")
        assert "secret (shown once)" in out
        listed = json.loads(_cli("webhooks", "list", "--json"))
        assert listed[0]["url"] == receiver.url and "secret" not in listed[0]
        assert "test delivered" in _cli("webhooks", "test", str(listed[0]["id"]))
        assert receiver.events() == ["webhook.test"]
    bad = CliRunner().invoke(app, ["webhooks", "add", "ftp://x", "--secret", SECRET])
    assert bad.exit_code != 0
    bad = CliRunner().invoke(app, ["webhooks", "add", "http://x", "--events", "case.eaten"])
    assert bad.exit_code != 0


def test_fetch_failure_emits_fetch_failed(monkeypatch: pytest.MonkeyPatch) -> None:
    import httpx

    from circumspect.store import fetch

    monkeypatch.setattr(fetch, "BACKOFF", 0.0)
    monkeypatch.setattr(fetch, "TRANSPORT", httpx.MockTransport(lambda r: httpx.Response(503)))
    CaseService(db_url()).close()
    result = CliRunner().invoke(app, ["lists", "fetch", "bis_dpl", "--retries", "0"])
    assert result.exit_code != 0
    service = CaseService(db_url())
    try:
        with service.engines.read.connect() as conn:
            events = conn.execute(sa.select(notify.outbox.c.event)).scalars().all()
    finally:
        service.close()
    assert events == ["fetch.failed"]
