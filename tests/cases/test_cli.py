"""`circumspect users` and `circumspect audit` commands."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from sqlalchemy import text

from circumspect.cases.service import CaseService


def cli(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "circumspect.cli.main", *args],
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_users_and_audit_commands(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'cli.sqlite'}"
    out = cli("users", "add", "Ержан Қасымов", "--role", "analyst", "--db", url)
    assert out.returncode == 0, out.stderr
    key = out.stdout.strip().splitlines()[-1]
    assert key.startswith("csk_")
    service = CaseService(url)
    assert service.authenticate(key).role == "analyst"
    dup = cli("users", "add", "Ержан Қасымов", "--db", url)
    assert dup.returncode == 2 and "already exists" in dup.stderr
    bad = cli("users", "add", "x", "--role", "root", "--db", url)
    assert bad.returncode == 2 and "role" in bad.stderr
    listing = cli("users", "list", "--db", url)
    assert "Ержан Қасымов\tanalyst\tactive" in listing.stdout
    ok = cli("audit", "verify", "--json", "--db", url)
    assert ok.returncode == 0 and json.loads(ok.stdout) == {
        "ok": True,
        "records": 1,
        "first_bad": None,
    }
    with service.engines.write.begin() as conn:
        conn.execute(text('UPDATE case_audit SET data = \'{"role":"admin"}\' WHERE seq = 1'))
    broken = cli("audit", "verify", "--db", url)
    assert broken.returncode == 1 and "BROKEN at record 1" in broken.stdout
    service.close()
