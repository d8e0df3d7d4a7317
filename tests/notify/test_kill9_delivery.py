"""``kill -9`` of ``serve`` while a webhook delivery is in flight: after a restart the event
is sent again with the same idempotency key, so the receiver processes it exactly once, and
the delivery is recorded once as delivered."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest
import sqlalchemy as sa
from typer.testing import CliRunner

from circumspect import notify
from circumspect.cases.service import CaseService
from circumspect.cli.main import app
from tests.notify.receiver import Receiver

ROOT = Path(__file__).resolve().parents[2]
pytestmark = pytest.mark.slow


def _port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _serve(url: str, port: int, home: Path) -> subprocess.Popen[bytes]:
    env = os.environ | {
        "CIRCUMSPECT_DB": url,
        "CIRCUMSPECT_HOME": str(home),
        "CIRCUMSPECT_DISPATCH_LEASE": "2",
        "CIRCUMSPECT_DISPATCH_INTERVAL": "0.2",
        "PYTHONPATH": str(ROOT),
    }
    code = "from circumspect.cli.main import main; main()"
    proc = subprocess.Popen(
        [sys.executable, "-c", code, "serve", "--port", str(port), "--dispatch"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    deadline = time.monotonic() + 90
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"http://127.0.0.1:{port}/health", timeout=1).status_code == 200:
                return proc
        except httpx.HTTPError:
            time.sleep(0.2)
    proc.kill()
    raise AssertionError("serve did not start")


def _delivery(url: str) -> sa.Row[tuple[object, ...]]:
    service = CaseService(url)
    try:
        with service.engines.read.connect() as conn:
            return conn.execute(sa.select(notify.deliveries)).one()
    finally:
        service.close()


def test_kill9_mid_delivery_still_delivers_exactly_once(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'notify.sqlite'}"
    home = tmp_path / "home"
    with Receiver(delay=6.0) as receiver:
        result = CliRunner().invoke(
            app, ["webhooks", "add", receiver.url, "--secret", "x" * 20, "--db", url]
        )
        assert result.exit_code == 0, result.output
        service = CaseService(url)
        service.audit("t", "case.open", "case:1", {"kind": "party"})
        service.close()
        proc = _serve(url, _port(), home)
        try:
            assert receiver.first_arrived.wait(60), "the first delivery never arrived"
            proc.send_signal(signal.SIGKILL)  # mid-delivery: the receiver has not answered
            proc.wait(30)
            row = _delivery(url)
            assert row.status == "pending" and row.attempts == 0
            proc = _serve(url, _port(), home)
            deadline = time.monotonic() + 60
            while time.monotonic() < deadline and _delivery(url).status != "delivered":
                time.sleep(0.3)
        finally:
            proc.terminate()
            proc.wait(30)
        row = _delivery(url)
        assert row.status == "delivered" and row.attempts == 1
        keys = [r["headers"].get("Idempotency-Key") for r in receiver.requests]
        assert len(keys) == 2 and len(set(keys)) == 1  # resent with the same key
        assert len(receiver.processed) == 1  # the receiver processed it exactly once
    service = CaseService(url)
    try:
        actions = [r.action for r in service.audit_records(limit=20)]
        assert actions.count("webhook.delivered") == 1
        assert service.verify_audit().ok
    finally:
        service.close()
