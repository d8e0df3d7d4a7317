"""The audit chain covers the tables that decide an outcome (issue 13): a direct database
edit of a case, decision, suppression or user (API key) makes ``audit verify`` fail, naming
the row."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import text
from typer.testing import CliRunner

from circumspect.cases.service import CaseService
from circumspect.cli.main import app
from tests.cases.test_cases import hit


def decided(service: CaseService) -> int:
    """A user, a case decided false positive (a decision and a suppression row)."""
    service.add_user("alice", "analyst")
    case = service.open_case("party", {"name": "Ivanov"}, [hit("e1")], entity_hashes={"e1": "h"})
    assert case.case_id is not None
    service.decide(case.case_id, "false_positive", "different person", "alice")
    return case.case_id


def edit(service: CaseService, sql: str) -> None:
    with service.engines.write.begin() as conn:
        conn.execute(text(sql))


def test_untouched_database_verifies(service: CaseService) -> None:
    decided(service)
    result = service.verify_audit()
    assert result.ok, result.problem
    rows = service.audit_records(limit=10)
    decide = next(r for r in rows if r.action == "case.decide")
    assert set(decide.data["rows"]) >= {
        "case_cases:1",
        "case_decisions:1",
        "case_suppressions:1",
    }


@pytest.mark.parametrize(
    ("sql", "row"),
    [
        ("UPDATE case_decisions SET decision = 'true_match' WHERE id = 1", "case_decisions:1"),
        ("UPDATE case_decisions SET reason = 'x' WHERE id = 1", "case_decisions:1"),
        ("UPDATE case_cases SET status = 'open', decision = NULL WHERE id = 1", "case_cases:1"),
        ("UPDATE case_suppressions SET entity_hash = 'other' WHERE id = 1", "case_suppressions:1"),
        ("DELETE FROM case_suppressions WHERE id = 1", "case_suppressions:1"),
        ("UPDATE case_users SET role = 'admin' WHERE name = 'alice'", "case_users:1"),
        ("UPDATE case_users SET key_hash = 'f00' WHERE name = 'alice'", "case_users:1"),
        (
            "INSERT INTO case_decisions (case_id, decision, reason, actor, at) "
            "VALUES (1, 'true_match', 'forged', 'alice', '2026-01-01 00:00:00')",
            "case_decisions:2",
        ),
    ],
)
def test_direct_edit_is_detected_and_named(service: CaseService, sql: str, row: str) -> None:
    decided(service)
    assert service.verify_audit().ok
    edit(service, sql)
    result = service.verify_audit()
    assert not result.ok
    assert result.row == row
    assert result.problem is not None and row in result.problem


def test_cli_verify_names_the_row(service: CaseService) -> None:
    decided(service)
    edit(service, "UPDATE case_decisions SET decision = 'true_match' WHERE id = 1")
    out = CliRunner().invoke(app, ["audit", "verify", "--db", service.url])
    assert out.exit_code == 1
    assert "case_decisions:1" in out.output and "changed outside circumspect" in out.output


def test_every_write_path_keeps_the_chain(service: CaseService) -> None:
    """Reopen, rotate, disable, a suppression dropped without a reopen: all recorded."""
    cid = decided(service)
    service.rotate_key("alice")
    service.set_active("alice", False)
    # the entity's record changed: the suppression goes and the closed case reopens
    again = service.open_case("party", {"name": "Ivanov"}, [hit("e1")], entity_hashes={"e1": "h2"})
    assert again.case_id == cid
    # escalate, then a changed record drops the new suppression-less path as well
    service.decide(cid, "escalate", "look again", "alice")
    assert service.verify_audit().ok, service.verify_audit().problem


def test_upgraded_database_is_covered_from_the_upgrade(tmp_path: Path) -> None:
    """Rows written before coverage (revision c0001) are recorded by one ``audit.cover``
    record when the database is upgraded; edits after that are detected."""
    from alembic import command
    from alembic.config import Config

    from circumspect.cases import rowhash
    from circumspect.cases.db import MIGRATIONS, make_engines

    url = f"sqlite:///{tmp_path / 'old.sqlite'}"
    engines = make_engines(url)
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    with engines.write.begin() as conn:
        config.attributes["connection"] = conn
        command.upgrade(config, "c0001")
        conn.execute(
            text(
                "INSERT INTO case_users (name, role, key_hash, key_prefix, active, created_at) "
                "VALUES ('old', 'admin', 'abc', 'csk_x', 1, '2025-01-01 00:00:00')"
            )
        )
    engines.dispose()
    assert "c0001" in rowhash.PRE_COVERAGE
    service = CaseService(url)
    try:
        assert [r.action for r in service.audit_records()] == ["audit.cover"]
        assert service.verify_audit().ok
        edit(service, "UPDATE case_users SET role = 'viewer'")
        assert service.verify_audit().row == "case_users:1"
    finally:
        service.close()
