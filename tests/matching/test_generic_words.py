"""Generic business words and 1-2 letter tokens cannot raise an alert on their own.

Reported by the payments and declarations engineers against the OFAC SDN list; the pairs are
checked name to name here (fast) and, where the list fixture is present, through the
``Screener`` over OFAC SDN 2021.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from circumspect.matching import Screener, compare_names
from circumspect.model.screening import Query
from tests.support import shared_path

THRESHOLD = 0.70

FALSE_POSITIVES = [
    ("Company", "Anadolu Trading B.V.", "A A TRADING FZCO"),
    ("Company", "ТОО «Орда Энерджи»", "AA ENERGY FZCO"),
    ("Company", "ТОО «Орда Энерджи»", "GLOBAL ENERGY COMPANY S.A.S."),
    ("Company", "Kazakh Electronics Industries", "IRAN ELECTRONICS INDUSTRIES"),
    ("Company", "Almaty Electronics Industries LLP", "SASAD IRAN ELECTRONICS INDUSTRIES"),
    ("Company", "Swedbank", "Sberbank"),
    ("Company", "Sberbank", "ONERBANK ZAO"),
    ("Company", "Orda Energy Trading Group", "ASIA ENERGY GENERAL TRADING (LLC)"),
    ("Person", "Claire Martin", "MARTIN"),
]


@pytest.mark.parametrize(("schema", "query", "listed"), FALSE_POSITIVES)
def test_generic_words_alone_do_not_alert(schema: str, query: str, listed: str) -> None:
    result = compare_names(query, listed, schema)
    assert result.score < THRESHOLD, result.explanation


@pytest.mark.parametrize(
    ("schema", "query", "listed"),
    [
        ("Company", "A A Trading FZCO", "A A TRADING FZCO"),
        ("Company", "AA Energy FZCO", "AA ENERGY FZCO"),
        ("Company", "Iran Electronics Industries", "IRAN ELECTRONICS INDUSTRIES"),
        ("Company", "Sberbank", "SBERBANK"),
        ("Company", "Сбербанк", "SBERBANK"),
        ("Company", "Bank Melli Iran", "BANK MELLI IRAN"),
        ("Company", "Melli Bank", "BANK MELLI IRAN"),
        ("Company", "Global Trading", "GLOBAL TRADING LLC"),
        ("Company", "ТОО «Орда Энерджи»", "ORDA ENERGY LLP"),
        ("Person", "Martin", "MARTIN"),
    ],
)
def test_distinctive_or_whole_name_matches_still_alert(
    schema: str, query: str, listed: str
) -> None:
    result = compare_names(query, listed, schema)
    assert result.score >= THRESHOLD, result.explanation


@pytest.fixture(scope="module")
def sdn_screener() -> Screener:
    from circumspect.sources import parse_source

    folder = shared_path("fixtures", "lists", "ofac_sdn_2021")
    files = sorted(Path(folder).glob("*.csv"))
    return Screener(parse_source("ofac_sdn", files).entities())


@pytest.mark.slow
@pytest.mark.parametrize(
    ("schema", "query"),
    [
        ("Company", "Anadolu Trading B.V."),
        ("LegalEntity", "Anadolu Trading B.V."),
        ("Company", "ТОО «Орда Энерджи»"),
        ("Company", "Kazakh Electronics Industries"),
        ("Company", "Swedbank AB"),
        ("Person", "Claire Martin"),
    ],
)
def test_sdn_screen_has_no_generic_alert(sdn_screener: Screener, schema: str, query: str) -> None:
    alerts = [c for c in sdn_screener.screen(Query(name=query, schema=schema)) if c.alert]
    assert not alerts, [(c.caption, c.score, c.explanation) for c in alerts]


@pytest.mark.slow
def test_sdn_screen_still_finds_listed_names(sdn_screener: Screener) -> None:
    for name in ["IRAN ELECTRONICS INDUSTRIES", "A A TRADING FZCO", "AA ENERGY FZCO"]:
        top = sdn_screener.screen(Query(name=name, schema="Company"), limit=1)
        assert top and top[0].alert and top[0].caption == name, top


def test_two_letter_words_alone_do_not_alert_for_persons() -> None:
    # "Li Hu" / "HU, Chi Shu": two 2-letter words align while "Shu" stays unexplained.
    result = compare_names("丽 侯", "HU, Chi Shu", "Person")
    assert result.score < THRESHOLD, result.explanation
    assert compare_names("李明", "Li Ming", "Person").score >= THRESHOLD


@pytest.mark.parametrize(
    ("query", "listed"),
    [
        ("Kazakh Electronics Industries", "SASAD IRAN ELECTRONICS INDUSTRIES"),
        ("Anadolu Trading B.V.", "A A TRADING FZCO"),
        ("ТОО «Орда Энерджи»", "AA ENERGY FZCO"),
    ],
)
def test_generic_matches_stay_below_threshold_with_country_and_date(
    query: str, listed: str
) -> None:
    # Country (+0.03) and birth date (+0.05) must not lift a generic-only match to 0.70,
    # nor may the written-together spelling (long shared generic words) do it.
    result = compare_names(query, listed, "Company")
    assert result.score + 0.08 < THRESHOLD, result.explanation
