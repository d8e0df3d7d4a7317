"""The typed values of the case store (cases/types.py): enums that fail closed, results whose
``to_dict()`` is the dictionary the HTTP API answers (docs/decisions/1704-typed-boundaries.md)."""

from __future__ import annotations

import pytest
from sqlalchemy import text

from circumspect.api.schemas import CaseOut, UserOut
from circumspect.cases.service import CaseService, query_key
from circumspect.cases.types import (
    CaseDetail,
    CaseKind,
    CaseStatus,
    CaseSummary,
    Decision,
    JsonObject,
    Priority,
    Role,
    parse_enum,
)
from circumspect.errors import InputError


def _hit(entity_id: str) -> JsonObject:
    return {"entity_id": entity_id, "score": 0.9, "alert": True, "caption": "IVANOV Ivan"}


def test_enums_are_their_strings() -> None:
    assert CaseStatus.OPEN == "open" and f"{Role.ANALYST}" == "analyst"
    assert [r.value for r in sorted(Role, key=lambda r: r.rank)] == ["viewer", "analyst", "admin"]
    assert {k.value for k in CaseKind} == {"party", "declaration", "payment"}
    assert {d.value for d in Decision} == {"true_match", "false_positive", "escalate"}


@pytest.mark.parametrize(
    ("enum", "value", "field"),
    [(Decision, "maybe", "decision"), (CaseKind, "Party", "kind"), (Role, "root", "role")],
)
def test_parse_enum_fails_closed_naming_the_field(enum: type, value: str, field: str) -> None:
    with pytest.raises(InputError) as info:
        parse_enum(enum, value, field)
    assert info.value.field == field and "must be one of" in info.value.message


def test_results_are_typed_and_serialise_as_the_api_models(service: CaseService) -> None:
    out = service.open_case("party", {"name": "Ivan Ivanov"}, [_hit("e1")])
    assert out.case_id is not None
    detail = service.decide(out.case_id, "escalate", "needs a second look", "ann")
    assert isinstance(detail, CaseDetail)
    assert detail.status is CaseStatus.ESCALATED and detail.decision is Decision.ESCALATE
    assert detail.kind is CaseKind.PARTY and detail.priority is Priority.NORMAL
    assert [h.decision for h in detail.history] == [Decision.ESCALATE]
    as_dict = detail.to_dict()
    assert set(as_dict) <= set(CaseOut.model_fields) and "candidate_count" not in as_dict
    assert as_dict["status"] == "escalated" and type(as_dict["status"]) is str
    assert CaseOut.model_validate(as_dict).history == [
        {
            "decision": "escalate",
            "reason": "needs a second look",
            "actor": "ann",
            "at": detail.history[0].at,
        }
    ]
    items, total = service.list_cases()
    assert total == 1 and isinstance(items[0], CaseSummary) and items[0].candidate_count == 1
    listed = items[0].to_dict()
    assert "candidates" not in listed and listed["candidate_count"] == 1
    CaseOut.model_validate(listed)
    service.add_user("ann", "analyst")
    (user,) = service.users()
    assert user.role is Role.ANALYST and set(user.to_dict()) == set(UserOut.model_fields)


def test_a_stored_value_outside_the_vocabulary_fails(service: CaseService) -> None:
    out = service.open_case("party", {"name": "Ivan Ivanov"}, [_hit("e1")])
    with service.engines.write.begin() as conn:
        conn.execute(text("UPDATE case_cases SET status = 'parked'"))
    with pytest.raises(ValueError, match="parked"):
        service.get_case(out.case_id or 0)


def test_query_key_refuses_a_non_text_field() -> None:
    with pytest.raises(InputError) as info:
        query_key({"name": "A", "country": ["kz"]})
    assert info.value.field == "country"


def test_a_listing_filter_outside_the_vocabulary_fails(service: CaseService) -> None:
    service.open_case("party", {"name": "Ivan Ivanov"}, [_hit("e1")])
    assert service.list_cases(status=CaseStatus.OPEN)[1] == 1
    assert service.list_cases(status="open", kind="party")[1] == 1
    with pytest.raises(InputError) as info:
        service.list_cases(status="opne")
    assert info.value.field == "status"
    with pytest.raises(InputError) as info:
        service.list_cases(kind="parties")
    assert info.value.field == "kind"
