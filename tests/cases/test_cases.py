"""Cases, decisions, suppression, users, re-screening, audit chain (SQLite and PostgreSQL)."""

from __future__ import annotations

import threading
from typing import Any

import pytest
from sqlalchemy import text

from circumspect.cases.db import current_revision
from circumspect.cases.service import (
    CaseService,
    CaseStateError,
    candidate_dict,
    entity_hash,
    query_key,
)
from circumspect.errors import AuthError, InputError, NotFoundError
from tests.cases.helpers import ExactScreener, MemoryStore, checksum, company, person


def hit(entity_id: str, score: float = 0.95, caption: str = "IVANOV Ivan") -> dict[str, Any]:
    return {
        "entity_id": entity_id,
        "score": score,
        "alert": True,
        "caption": caption,
        "explanation": "names agree",
        "features": [],
    }


def test_migrations_use_their_own_version_table(service: CaseService) -> None:
    from alembic.config import Config
    from alembic.script import ScriptDirectory

    from circumspect.cases.db import MIGRATIONS

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    head = ScriptDirectory.from_config(config).get_current_head()
    assert head is not None and current_revision(service.engines.write) == head
    # a second open is a no-op (idempotent upgrade)
    again = CaseService(service.url)
    assert current_revision(again.engines.write) == head
    again.close()


def test_users_keys_are_hashed_and_roles_checked(service: CaseService) -> None:
    user, key = service.add_user("Айгерім Сәрсенова", "analyst")
    assert key.startswith("csk_") and len(key) > 40
    assert service.authenticate(key).name == "Айгерім Сәрсенова"
    assert service.authenticate(key).can("viewer") and not service.authenticate(key).can("admin")
    with service.engines.read.connect() as conn:
        stored = conn.execute(text("SELECT key_hash FROM case_users")).scalar_one()
    assert key not in stored and len(stored) == 64
    with pytest.raises(AuthError):
        service.authenticate(key + "x")
    with pytest.raises(InputError, match="role"):
        service.add_user("x", "root")
    with pytest.raises(CaseStateError):
        service.add_user("Айгерім Сәрсенова", "viewer")
    service.set_active("Айгерім Сәрсенова", False)
    with pytest.raises(AuthError):
        service.authenticate(key)
    assert user.role == "analyst"


def test_open_case_decide_and_history(service: CaseService) -> None:
    query = {"name": "Иванов Иван", "schema": "Person", "country": "ru"}
    out = service.open_case(
        "party",
        query,
        [hit("e1"), hit("e2", 0.8)],
        snapshot_ids={"ofac_sdn": "s1"},
        actor="screen-bot",
    )
    assert out.status == "opened" and out.case_id is not None
    case = service.get_case(out.case_id)
    assert case.status == "open" and case.snapshot_ids == {"ofac_sdn": "s1"}
    assert [c["entity_id"] for c in case.candidates] == ["e1", "e2"]
    assert case.top_score == 0.95
    # the same alert again does not open a second case
    again = service.open_case("party", {**query, "name": "  иванов   ИВАН "}, [hit("e1")])
    assert again.status == "existing" and again.case_id == out.case_id
    with pytest.raises(InputError, match="reason"):
        service.decide(out.case_id, "true_match", "  ", "ann")
    with pytest.raises(InputError, match="decision"):
        service.decide(out.case_id, "maybe", "x", "ann")
    decided = service.decide(out.case_id, "escalate", "needs compliance officer", "ann")
    assert decided.status == "escalated"
    decided = service.decide(out.case_id, "true_match", "same DOB and passport", "boss")
    assert decided.status == "closed" and decided.decision == "true_match"
    assert [h.decision for h in decided.history] == ["escalate", "true_match"]
    with pytest.raises(CaseStateError):
        service.decide(out.case_id, "false_positive", "changed my mind", "ann")
    with pytest.raises(NotFoundError):
        service.get_case(999999)
    items, total = service.list_cases(status="closed")
    assert total == 1 and items[0].id == out.case_id
    assert service.list_cases(status="open")[1] == 0
    assert service.list_cases(search="ivanov")[1] == 1


def test_false_positive_suppressed_until_record_changes(service: CaseService) -> None:
    query = {"name": "Petrov Petr", "schema": "Person"}
    first = service.open_case("party", query, [hit("e1")], entity_hashes={"e1": "h1"})
    assert first.case_id is not None
    service.decide(first.case_id, "false_positive", "different person (DOB 1990)", "ann")
    same = service.open_case("party", query, [hit("e1")], entity_hashes={"e1": "h1"})
    assert same.status == "suppressed" and same.suppressed == ["e1"] and same.case_id is None
    # another query with the same entity is not suppressed
    other = service.open_case(
        "party", {"name": "Petrov P."}, [hit("e1")], entity_hashes={"e1": "h1"}
    )
    assert other.status == "opened"
    # the entity's list record changed: the reviewed case reopens
    changed = service.open_case("party", query, [hit("e1")], entity_hashes={"e1": "h2"})
    assert changed.status == "reopened" and changed.case_id == first.case_id
    case = service.get_case(first.case_id)
    assert case.status == "open" and case.decision is None
    assert case.entity_hashes["e1"] == "h2"
    actions = [r.action for r in service.audit_records(obj=f"case:{first.case_id}")]
    assert actions == ["case.reopen", "case.decide", "case.open"]


def test_idempotency_key_never_duplicates(service: CaseService) -> None:
    a = service.open_case("party", {"name": "A"}, [hit("e1")], idem_key="batch-1:0")
    b = service.open_case("party", {"name": "A"}, [hit("e1")], idem_key="batch-1:0")
    assert a.case_id == b.case_id and b.status == "existing"
    assert service.list_cases()[1] == 1


def test_concurrent_writers_keep_the_chain(service: CaseService) -> None:
    errors: list[BaseException] = []

    def work(n: int) -> None:
        try:
            for i in range(10):
                service.open_case("party", {"name": f"N{n}-{i}"}, [hit(f"e{n}-{i}")])
        except BaseException as exc:  # pragma: no cover - reported below
            errors.append(exc)

    threads = [threading.Thread(target=work, args=(n,)) for n in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors
    result = service.verify_audit()
    assert result.ok and result.records == 40


def _chain(service: CaseService) -> None:
    service.add_user("ann", "analyst")
    for i in range(4):
        out = service.open_case("party", {"name": f"P{i}"}, [hit(f"e{i}")])
        assert out.case_id is not None
    service.decide(1, "true_match", "passport matches", "ann")


def test_audit_verify_ok(service: CaseService) -> None:
    _chain(service)
    assert service.verify_audit().to_dict() == {"ok": True, "records": 6, "first_bad": None}


@pytest.mark.parametrize(
    ("sql", "first_bad"),
    [
        ("UPDATE case_audit SET actor = 'mallory' WHERE seq = 3", 3),
        ("UPDATE case_audit SET data = replace(data, 'passport', 'hunch') WHERE seq = 6", 6),
        ("DELETE FROM case_audit WHERE seq = 2", 2),
        ("DELETE FROM case_audit WHERE seq = 6", 6),
        ("UPDATE case_audit SET prev_hash = hash WHERE seq = 4", 4),
    ],
)
def test_audit_detects_edit_and_delete(service: CaseService, sql: str, first_bad: int) -> None:
    _chain(service)
    with service.engines.write.begin() as conn:
        conn.execute(text(sql))
    result = service.verify_audit()
    assert result.ok is False and result.first_bad == first_bad


def test_audit_detects_rewritten_hash(service: CaseService) -> None:
    """Recomputing one record's hash after editing it still breaks the next link."""
    from circumspect.cases.service import _record_hash

    _chain(service)
    with service.engines.write.begin() as conn:
        row = conn.execute(text("SELECT * FROM case_audit WHERE seq = 2")).mappings().one()
        new = _record_hash(
            2, row["at"], "mallory", row["action"], row["object"], row["data"], row["prev_hash"]
        )
        conn.execute(text("UPDATE case_audit SET actor='mallory', hash=:h WHERE seq=2"), {"h": new})
    assert service.verify_audit().first_bad == 3


def test_rescreen_only_changed_entities(service: CaseService) -> None:
    store = MemoryStore()
    ivan = person("ofac_sdn", "1", "Ivan Ivanov", ("birthDate", "1970-01-01"))
    other = person("ofac_sdn", "2", "Olga Orlova")
    store.load("ofac_sdn", [ivan, other], checksum=checksum("v1"))
    seen: list[list[str]] = []

    def factory(entities: list[Any]) -> ExactScreener:
        seen.append(sorted(e.id for e in entities))
        return ExactScreener(entities)

    # parties screened earlier (no hits then)
    service.record_screening(
        "api",
        [
            {"name": "Ivan Ivanov", "schema": "Person"},
            {"name": "Serik Akhmetov", "schema": "Person"},
            {"name": "Kazakh Trade LLP", "schema": "Company"},
        ],
        [[], [], []],
        {"ofac_sdn": "ofac_sdn-1"},
    )
    # v2: Serik added, Ivan changed (new birth date), Olga unchanged
    serik = person("ofac_sdn", "3", "Serik Akhmetov")
    ivan2 = person("ofac_sdn", "1", "Ivan Ivanov", ("birthDate", "1971-02-02"))
    store.load("ofac_sdn", [ivan2, other, serik], checksum=checksum("v2"))
    report = service.rescreen(store, screener_factory=factory)
    assert seen == [sorted([ivan2.id, serik.id])]
    assert report.changed_entities == 2 and report.parties == 3
    assert report.hits == 2 and report.opened == 2 and report.seconds >= 0
    # decide Ivan as a false positive; an unchanged re-screen keeps it quiet
    items, _ = service.list_cases(search="Ivan")
    service.decide(items[0].id, "false_positive", "different person", "ann")
    store.load("ofac_sdn", [ivan2, other, serik], checksum=checksum("v3"))
    quiet = service.rescreen(store, screener_factory=factory)
    assert quiet.changed_entities == 0 and quiet.opened == 0
    # Ivan's record changes again: the false positive reopens
    ivan3 = person("ofac_sdn", "1", "Ivan Ivanov", ("birthDate", "1972-03-03"))
    store.load("ofac_sdn", [ivan3, other, serik], checksum=checksum("v4"))
    loud = service.rescreen(store, screener_factory=factory)
    assert loud.reopened == 1 and loud.opened == 0
    assert service.get_case(items[0].id).status == "open"
    assert entity_hash(ivan3) != entity_hash(ivan2)
    assert service.verify_audit().ok


def test_query_key_normalises() -> None:
    assert query_key({"name": "Иванов  ИВАН"}) == query_key({"name": "иванов иван"})
    assert query_key({"name": "A", "country": "kz"}) != query_key({"name": "A", "country": "ru"})


def test_module_open_case_uses_settings_db(tmp_path: Any) -> None:
    from circumspect.cases import open_case

    url = f"sqlite:///{tmp_path / 'x.sqlite'}"
    out = open_case(
        "declaration",
        {"row": 7, "hs": "8542"},
        [{"rule": "chpl-tier1", "score": 0.9, "text": "CHPL tier 1 item"}],
        db_url=url,
    )
    assert out.status == "opened"
    svc = CaseService(url)
    assert svc.get_case(out.case_id or 0).top_caption == "CHPL tier 1 item"
    svc.close()


def test_company_helper() -> None:
    assert company("un_sc", "9", "Acme").schema == "Company"


def test_a_disguised_name_raises_the_case_priority(service: CaseService) -> None:
    from circumspect.cases.service import case_priority
    from circumspect.matching import Screener
    from circumspect.model.screening import Query
    from tests.matching.helpers import entity

    screener = Screener([entity("Company", "10", [("name", "OPLOT")], source="ofac_sdn")])
    plain = screener.screen(Query("Oplot", "Company"), limit=1)
    disguised = screener.screen(Query("ОРLОТ", "Company"), limit=1)
    assert case_priority([candidate_dict(c) for c in plain]) == "normal"
    assert case_priority([candidate_dict(c) for c in disguised]) == "high"
    out = service.open_case(
        "party", {"name": "ОРLОТ", "schema": "Company"}, [candidate_dict(disguised[0])]
    )
    assert out.case_id is not None
    assert service.get_case(out.case_id).priority == "high"
    items, _ = service.list_cases()
    assert items[0].priority == "high"
    normal = service.open_case("party", {"name": "x", "schema": "Company"}, [hit("e9")])
    assert normal.case_id is not None
    assert service.get_case(normal.case_id).priority == "normal"
