"""``kill -9`` of the server in the middle of a batch: after a restart and a retry with the
same idempotency key, no case is lost or duplicated and the audit chain verifies."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy import text

from circumspect.cases.idempotency import scoped_key
from circumspect.cases.service import CaseService
from tests.api.killapp import KILL_ENTITIES

ROOT = Path(__file__).resolve().parents[2]
pytestmark = pytest.mark.slow


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def start(url: str, port: int) -> subprocess.Popen[bytes]:
    env = os.environ | {"CIRCUMSPECT_DB": url, "PYTHONPATH": str(ROOT)}
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "uvicorn",
            "--factory",
            "tests.api.killapp:build",
            "--host",
            "127.0.0.1",
            "--port",
            str(port),
            "--log-level",
            "warning",
        ],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"http://127.0.0.1:{port}/health", timeout=1).status_code == 200:
                return proc
        except httpx.HTTPError:
            time.sleep(0.1)
    proc.kill()
    raise AssertionError(f"server did not start: {proc.stderr.read() if proc.stderr else ''}")


def count_audit(service: CaseService) -> int:
    with service.engines.read.connect() as conn:
        return int(conn.execute(text("SELECT count(*) FROM case_audit")).scalar_one())


def count_cases(service: CaseService) -> int:
    with service.engines.read.connect() as conn:
        return int(conn.execute(text("SELECT count(*) FROM case_cases")).scalar_one())


@pytest.mark.parametrize(
    "backend", ["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)]
)
def test_kill9_mid_batch(backend: str, tmp_path: Path, request: pytest.FixtureRequest) -> None:
    url = (
        f"sqlite:///{tmp_path / 'kill.sqlite'}"
        if backend == "sqlite"
        else str(request.getfixturevalue("pg_url"))
    )
    service = CaseService(url)
    _, key = service.add_user("batch-client", "analyst")
    audited = count_audit(service)
    # 450 parties: every third is unknown, the rest hit one listed person each
    queries = [
        {"name": f"Listed Person {i}" if i % 3 else f"Unknown Party {i}", "id": f"row-{i}"}
        for i in range(450)
    ]
    expected = sum(1 for i in range(450) if i % 3 and i < KILL_ENTITIES)
    body = {"queries": queries}
    headers = {"Authorization": f"Bearer {key}", "Idempotency-Key": "batch-0001"}
    port = free_port()
    proc = start(url, port)
    outcome: dict[str, Any] = {}

    def send() -> None:
        try:
            outcome["response"] = httpx.post(
                f"http://127.0.0.1:{port}/v1/screen", json=body, headers=headers, timeout=120
            )
        except httpx.HTTPError as exc:
            outcome["error"] = exc

    client = threading.Thread(target=send)
    client.start()
    # The screening record commits first; the batch's cases then open in ONE transaction.
    deadline = time.monotonic() + 60
    while count_audit(service) <= audited and time.monotonic() < deadline:
        time.sleep(0.002)
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait(timeout=10)
    client.join(timeout=30)
    at_kill = count_cases(service)
    assert at_kill in (0, expected), "a batch's cases commit together or not at all"
    assert service.verify_audit().ok

    proc = start(url, port)
    try:
        r = httpx.post(
            f"http://127.0.0.1:{port}/v1/screen", json=body, headers=headers, timeout=120
        )
        assert r.status_code == 200, r.text
        results = r.json()["results"]
        statuses = [x["case"]["status"] for x in results if x["case"]]
        assert statuses.count("existing") + statuses.count("opened") == expected
        ids = [x["case"]["case_id"] for x in results if x["case"]]
        assert len(set(ids)) == expected
        verify = httpx.get(
            f"http://127.0.0.1:{port}/v1/audit/verify",
            headers={"Authorization": f"Bearer {key}"},
            timeout=30,
        ).json()
        assert verify["ok"] is True and verify["first_bad"] is None
    finally:
        proc.send_signal(signal.SIGTERM)
        proc.wait(timeout=20)
    assert count_cases(service) == expected
    with service.engines.read.connect() as conn:
        keys = conn.execute(text("SELECT idem_key FROM case_cases")).scalars().all()
    assert len(keys) == len(set(keys)) == expected
    # item keys are batch-0001:i scoped to the user (stored as sha256 over user and key)
    scoped = {scoped_key("batch-client", f"batch-0001:{i}") for i in range(450)}
    assert set(keys) <= scoped
    service.close()
