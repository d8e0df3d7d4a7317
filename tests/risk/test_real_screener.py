"""Integration with the real party screener over the bundled demo lists."""

from __future__ import annotations

import pytest

from circumspect.risk.pipeline import PartyCache
from circumspect.risk.score import score_frame
from tests.risk.helpers import frame, row


@pytest.fixture(scope="module")
def screener() -> object:
    from circumspect.matching import Screener
    from circumspect.sources import demo_entities

    return Screener(demo_entities())


def test_listed_parties_found_through_real_screener(screener: object) -> None:
    rows = [
        row(declaration_id="LATIN", consignee_name="Arlan Trade LLP"),
        row(declaration_id="CYR", hs_code="8542310000", end_user_name="ТОО «Арлан Трейд»"),
        row(declaration_id="BIN", consignee_name="Some Name LLP", consignee_id="220640001232"),
        row(declaration_id="BIC", payment_bank_bic="SABRRUMMXXX", payment_country="RU"),
        row(declaration_id="CLEAN", consignee_name="Alatau Foods LLP"),
    ]
    cache = PartyCache(screener)  # type: ignore[arg-type]
    scored, errors = score_frame(frame(rows), screener, cache=cache)  # type: ignore[arg-type]
    assert errors.empty
    out = scored.set_index("declaration_id")
    for decl in ("LATIN", "CYR", "BIN", "BIC"):
        assert "party_listed" in out.loc[decl, "flags"], (decl, out.loc[decl, "explanation"])
        assert out.loc[decl, "decision"] == "block"
    assert "Arlan" in out.loc["CYR", "explanation"] or "ARLAN" in out.loc["CYR", "explanation"]
    assert "Sberbank" in out.loc["BIC", "explanation"]
    assert out.loc["CLEAN", "decision"] == "clear"
    before = cache.queries
    score_frame(frame(rows), screener, cache=cache)  # type: ignore[arg-type]
    assert cache.queries == before  # every party already screened


def test_listed_firm_under_another_legal_form_as_end_user_reaches_review() -> None:
    from circumspect.matching import Screener
    from tests.matching.helpers import entity

    screener = Screener(
        [
            entity("Company", "30", [("name", "VAD, AO")], source="ofac_sdn"),
            entity("Company", "31", [("name", "WAAD PROJECT"), ("alias", "WAAD")]),
        ]
    )
    rows = [
        row(declaration_id="SWAP", end_user_name="ООО «ВАД»", end_user_country="RU"),
        row(declaration_id="KZ", end_user_name="ТОО «ВАД»", end_user_country="KZ"),
        row(declaration_id="MIXED", end_user_name="OOO «VАD»", end_user_country="RU"),
        row(declaration_id="CLEAN", end_user_name="Alatau Foods LLP"),
    ]
    scored, errors = score_frame(frame(rows), screener)
    assert errors.empty
    out = scored.set_index("declaration_id")
    for decl in ("SWAP", "KZ", "MIXED"):
        assert out.loc[decl, "decision"] in ("review", "block"), out.loc[decl, "explanation"]
        assert "VAD, AO" in out.loc[decl, "explanation"]
    assert out.loc["CLEAN", "decision"] == "clear"
