"""A party on no list but owned 55 % by SDN persons alerts in declarations, payments and
screen-file, with the proof, through the real screener carrying the ownership view."""

from __future__ import annotations

from pathlib import Path

import pytest

from circumspect.matching import Screener
from circumspect.model.entities import ListedEntity, make_entity_id, new_proxy
from circumspect.ownership.graph import Edge
from circumspect.ownership.rules import load_rules
from circumspect.ownership.service import OwnershipView, list_context
from circumspect.ownership.store import StoredEdge

BIN = "971240001315"
INN = "7707083893"
PARTY = "Steppe Trade LLP"


def _entity(source_id: str, name: str, schema: str = "Person", notes: str = "") -> ListedEntity:
    entity_id = make_entity_id("ofac_sdn", source_id)
    proxy = new_proxy(schema, entity_id, [("name", name), ("notes", notes)])
    return ListedEntity(proxy=proxy, source="ofac_sdn", source_id=source_id)


@pytest.fixture(scope="module")
def screener() -> Screener:
    entities = [
        _entity("1001", "Ivan Ivanov"),
        _entity("1002", "Petr Petrov"),
        _entity("1003", "Volga Oil Trading LLC", "Company", "Linked To: Ivan Ivanov."),
    ]
    edges = [
        StoredEdge(Edge("ofac-sdn-1001", BIN, 0.30, False, "r", ""), "", PARTY, 1, "d", "1"),
        StoredEdge(
            Edge("ofac-sdn-1002", INN, 1.0, False, "r", ""), "", "Zeta Holding", 2, "d", "1"
        ),
        StoredEdge(Edge(INN, BIN, 0.25, False, "r", ""), "Zeta Holding", PARTY, 3, "d", "1"),
    ]
    found = Screener(entities)
    found.ownership = OwnershipView(list_context(entities), edges, load_rules())
    return found


def test_declarations_flag_the_owned_consignee(screener: Screener) -> None:
    from circumspect.risk.score import score_frame
    from tests.risk.helpers import frame, row

    rows = [
        row(declaration_id="OWNED", consignee_name=PARTY),
        row(declaration_id="BYID", consignee_name="Other Name LLP", consignee_id=BIN),
        row(declaration_id="CLEAN", consignee_name="Alatau Foods LLP"),
    ]
    scored, errors = score_frame(frame(rows), screener)  # type: ignore[arg-type]
    assert errors.empty
    out = scored.set_index("declaration_id")
    for decl in ("OWNED", "BYID"):
        assert "party_listed" in out.loc[decl, "flags"], out.loc[decl, "explanation"]
        assert "owned 55 % in aggregate" in out.loc[decl, "explanation"]
    assert "party_listed" not in out.loc["CLEAN", "flags"]


def test_payments_hold_the_owned_creditor(screener: Screener) -> None:
    from circumspect.payments.screening import PaymentScreening

    message = (
        "{1:F01KCJBKZKXAXXX0000000000}{2:I103COBADEFFXXXXN}{4:\r\n:20:REF1\r\n:23B:CRED\r\n"
        ":32A:250102EUR1000,\r\n:50K:/KZ42601KZT0000123456\r\nTOO ALPHA\r\nALMATY\r\n"
        f":59:/DE89370400440532013000\r\n{PARTY.upper()}\r\nALMATY\r\n:70:INVOICE 1\r\n"
        ":71A:SHA\r\n-}"
    ).encode()
    decision = PaymentScreening(screener, entities=[]).screen_raw(message)
    assert decision.decision in ("hold", "reject"), decision.explanation
    assert "owned 55 % in aggregate" in decision.explanation


def test_screen_file_writes_the_ownership_alert_and_links(
    screener: Screener, tmp_path: Path
) -> None:
    from circumspect.matching.batch import screen_row

    rows = screen_row(screener, {"query_id": "q1", "name": PARTY}, limit=5, min_score=0.9)
    assert rows[0][3] == "ownership" and rows[0][7] == "true"
    assert "25 % by Zeta Holding" in str(rows[0][8])
    linked = screen_row(
        screener, {"query_id": "q2", "name": "Volga Oil Trading LLC"}, limit=1, min_score=0.5
    )
    assert "linked_to_listed: Linked To: Ivan Ivanov (ofac-sdn-1001)" in str(linked[0][8])


def test_payments_and_declarations_name_the_list_links(screener: Screener) -> None:
    """A hit on a listed entry shows the relationships its list states, in a payment's
    explanation and in a declaration's party caption (not only in screen-file)."""
    from circumspect.payments.screening import PaymentScreening
    from circumspect.risk.score import score_frame
    from tests.risk.helpers import frame, row

    message = (
        b"{1:F01KCJBKZKXAXXX0000000000}{2:I103COBADEFFXXXXN}{4:\r\n:20:REF2\r\n:23B:CRED\r\n"
        b":32A:250102EUR1000,\r\n:50K:/KZ42601KZT0000123456\r\nTOO ALPHA\r\nALMATY\r\n"
        b":59:/DE89370400440532013000\r\nVOLGA OIL TRADING LLC\r\nMOSCOW\r\n:70:INVOICE 2\r\n"
        b":71A:SHA\r\n-}"
    )
    decision = PaymentScreening(screener, entities=[]).screen_raw(message)
    assert decision.decision in ("hold", "reject"), decision.explanation
    assert "Linked To: Ivan Ivanov (ofac-sdn-1001)" in decision.explanation

    scored, errors = score_frame(
        frame([row(declaration_id="LINKED", consignee_name="Volga Oil Trading LLC")]),
        screener,  # type: ignore[arg-type]
    )
    assert errors.empty
    explanation = str(scored.set_index("declaration_id").loc["LINKED", "explanation"])
    assert "linked to: Linked To: Ivan Ivanov (ofac-sdn-1001)" in explanation, explanation
