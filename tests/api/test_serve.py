"""`circumspect serve --workers 2` answers over loopback and stops on SIGTERM."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest

from circumspect.cases.service import CaseService
from tests.api.test_kill9 import free_port

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.slow
def test_serve_two_workers(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'serve.sqlite'}"
    service = CaseService(url)
    _, key = service.add_user("ops", "viewer")
    service.close()
    port = free_port()
    env = os.environ | {"CIRCUMSPECT_HOME": str(tmp_path / "home")}
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "circumspect.cli.main",
            "serve",
            "--port",
            str(port),
            "--workers",
            "2",
            "--db",
            url,
        ],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    try:
        deadline = time.monotonic() + 90
        while True:
            try:
                if httpx.get(f"http://127.0.0.1:{port}/health", timeout=2).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            assert proc.poll() is None, proc.stderr.read() if proc.stderr else ""
            assert time.monotonic() < deadline, "serve did not start"
            time.sleep(0.2)
        with httpx.Client(
            base_url=f"http://127.0.0.1:{port}", headers={"Authorization": f"Bearer {key}"}
        ) as client:
            for _ in range(5):
                assert client.get("/v1/me").json() == {"name": "ops", "role": "viewer"}
            assert client.get("/v1/cases").status_code == 200
            assert client.get("/v1/me", headers={"Authorization": "Bearer x"}).status_code == 401
    finally:
        proc.send_signal(signal.SIGTERM)
        assert proc.wait(timeout=30) == 0
