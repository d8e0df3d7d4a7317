"""Disguised names (invisible characters, look-alike letters, legal-form swaps) are found by
the candidate index and the scorer, and the disguise is reported."""

from __future__ import annotations

import pytest

from circumspect.errors import InputError
from circumspect.matching import Screener, compare_names
from circumspect.model.screening import Query
from tests.matching.helpers import entity

THRESHOLD = 0.70


@pytest.fixture(scope="module")
def screener() -> Screener:
    ents = [
        entity("Company", "10", [("name", "OPLOT")], source="ofac_sdn"),
        entity("Company", "11", [("name", "CENTRAL REPUBLIC BANK")], source="ofac_sdn"),
        entity("Company", "12", [("name", "Сбербанк России")], source="ofac_sdn"),
        entity("Company", "13", [("name", "VAD, AO")], source="ofac_sdn"),
        entity("Company", "14", [("name", "WAAD PROJECT"), ("alias", "WAAD")], source="ofac_sdn"),
        entity("Company", "15", [("name", "GAZPROMBANK")], source="ofac_sdn"),
        entity("Company", "16", [("name", "OPLOT TRADING")], source="ofac_sdn"),
        entity("Company", "17", [("name", "CENTRAL BANK OF IRAN")], source="ofac_sdn"),
    ]
    return Screener(ents, threshold=THRESHOLD)


@pytest.mark.parametrize(
    ("query", "source_id"),
    [
        ("ОРLОТ", "10"),  # Cyrillic О and Р in a Latin word
        ("СЕNТRАL RЕРUВLІС ВАNК", "11"),
        ("Сбeрбaнк России", "12"),  # Latin e and a in a Cyrillic word
        ("GAZPROM\u200bBANK", "15"),
        ("Gaz\u00adprom\u2060bank", "15"),
        ("G\u200dA\u200cZ\u2060P\u200bR\u00adO\ufeffMBANK", "15"),
    ],
)
def test_disguised_name_is_found_first_and_reported(
    screener: Screener, query: str, source_id: str
) -> None:
    cands = screener.screen(Query(query, "Company"))
    assert cands[0].source_id == source_id and cands[0].alert, cands[0].explanation
    assert cands[0].score >= 0.99
    assert any(f.feature == "disguise" for f in cands[0].features)
    assert "disguise:" in cands[0].explanation


def test_ordinary_name_has_no_disguise_feature(screener: Screener) -> None:
    cands = screener.screen(Query("Oplot", "Company"))
    assert cands[0].source_id == "10"
    assert not any(f.feature == "disguise" for f in cands[0].features)


def test_legal_form_swap_alerts_on_the_listed_firm_ranked_above_a_look_alike_alias(
    screener: Screener,
) -> None:
    cands = screener.screen(Query("ООО «ВАД»", "Company"))
    assert cands[0].source_id == "13" and cands[0].alert
    assert "legal form differs (JSC listed, LLC given)" in cands[0].explanation
    waad = next(c for c in cands if c.source_id == "14")
    assert waad.score < cands[0].score
    assert waad.score < 0.999  # equal only after spelling folding: not a 1.00 match


def test_exact_full_name_outranks_a_skeleton_only_match() -> None:
    exact = compare_names("VAD", "VAD", "Company").score
    folded = compare_names("ВАД", "WAAD", "Company").score
    assert exact == 1.0 and folded < exact


@pytest.mark.parametrize("bad", ["\u200b\u200c\u200d", "\u2060\ufeff", "!!! ... ---", "«»"])
def test_names_without_letters_are_a_clear_error(screener: Screener, bad: str) -> None:
    with pytest.raises(InputError, match="no letters or digits"):
        screener.screen(Query(bad, "Company"))


def test_only_invisible_characters_says_so(screener: Screener) -> None:
    with pytest.raises(InputError, match="only invisible characters"):
        screener.screen(Query("\u200b\u200b", "Company"))


def test_a_paragraph_is_refused_or_screened_never_a_crash(screener: Screener) -> None:
    paragraph = ("ОРLОТ " + "lorem ipsum dolor sit amet " * 30).strip()
    assert len(paragraph) < 1000
    cands = screener.screen(Query(paragraph, "Company"))
    assert all(0.0 <= c.score <= 1.0 for c in cands)
    with pytest.raises(InputError, match="characters long"):
        screener.screen(Query("OPLOT " * 400, "Company"))


def test_compare_reports_the_disguise() -> None:
    result = compare_names("ОРLОТ", "OPLOT", "Company")
    assert result.score >= 0.99
    assert [f.feature for f in result.features] == ["name", "disguise"]
