"""Case-level idempotency keys are bound to the query they opened a case for."""

from __future__ import annotations

from sqlalchemy import text

from circumspect.cases.idempotency import IdempotencyConflict, scoped_key
from circumspect.cases.service import CaseService
from tests.cases.test_cases import hit


def test_service_never_attributes_a_case_to_another_query(service: CaseService) -> None:
    key = scoped_key("someone", "k")
    a = service.open_case("party", {"name": "A"}, [hit("e1")], idem_key=key)
    try:
        service.open_case("party", {"name": "B"}, [hit("e2")], idem_key=key)
    except IdempotencyConflict as exc:
        assert "another query" in exc.message
    else:  # pragma: no cover - the failure being tested
        raise AssertionError("a key of query A answered query B")
    with service.engines.read.connect() as conn:
        stored = conn.execute(text("SELECT idem_key FROM case_cases")).scalars().all()
    assert stored == [key] and a.status == "opened"
