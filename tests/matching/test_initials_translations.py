"""Surname plus initials, and organisation names translated word by word."""

from __future__ import annotations

import pytest

from circumspect.matching import compare_names
from circumspect.matching.compare import split_initials
from circumspect.names.translate import translate_tokens

THRESHOLD = 0.70
SECHIN = "SECHIN, Igor Ivanovich"


@pytest.mark.parametrize(
    "query",
    [
        "Сечин И.И.",
        "И.И. Сечин",
        "Sechin I.I.",
        "I. I. Sechin",
        "СечинИ.И.",
        "Сечин И. И.",
        "Сечин ИИ",
        "SECHIN I I",
        "И. Сечин",
        "Sechin I.",
    ],
)
def test_surname_and_agreeing_initials_alert(query: str) -> None:
    assert compare_names(query, SECHIN, "Person").score >= THRESHOLD


@pytest.mark.parametrize(
    "query", ["Сечин И.В.", "Сечин В.И.", "Sechin A.I.", "Сечин А.В.", "Sechin V.V."]
)
def test_disagreeing_initials_do_not_alert(query: str) -> None:
    assert compare_names(query, SECHIN, "Person").score < THRESHOLD


def test_cyrillic_initials_of_two_latin_letters() -> None:
    # Ю is "Yu", Ж "Zh": the initial stands for the name's first spelling letter.
    assert compare_names("Ю. Г. Жеребцов", "ZHEREBTSOV, Yuriy Gennadievych", "Person").score >= (
        THRESHOLD
    )
    assert compare_names("Kovalchuk Y.V.", "KOVALCHUK, Yuri Valentinovich", "Person").score >= (
        THRESHOLD
    )


def test_initials_stand_for_given_names_not_surnames() -> None:
    assert compare_names("Санчез Г.", "SANCHEZ GONZALEZ, Arnulfo", "Person").score < THRESHOLD
    assert compare_names("Мичелл С.", "SAMAHA, Michel", "Person").score < THRESHOLD
    assert compare_names("Jaman M.", "JAMAL, Muhammad", "Person").score < THRESHOLD


def test_split_initials() -> None:
    assert split_initials("СечинИ.И.") == "Сечин I.I."  # Cyrillic initials in Latin
    assert split_initials("Sechin II") == "Sechin I I"
    assert split_initials("SECHIN II") == "SECHIN II"  # all capitals: could be a name
    assert split_initials("Ahmad AL Hassan") == "Ahmad AL Hassan"  # a particle


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ("АО «Российские железные дороги»", "Russian Railways JSC"),
        ("Государственная корпорация «Росатом»", "State Atomic Energy Corporation Rosatom"),
        ("Госкорпорация Росатом", "STATE CORPORATION ROSATOM"),
        ("Мемлекеттік корпорация Росатом", "State Corporation Rosatom"),
        ("Ұлттық компания Қазақстан темір жолы", "National company Kazakhstan railways"),
        ("Сбербанк России", "Sberbank of Russia"),
        ("Муромский приборостроительный завод", "JSC Murom Instrument-Making Plant"),
        ("Торговый дом России", "Russian Trade House LLC"),
    ],
)
def test_names_translated_word_by_word_match(a: str, b: str) -> None:
    assert compare_names(a, b, "Company").score >= THRESHOLD


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ("Российский банк", "Iran Bank"),
        ("Российские железные дороги", "Kazakhstan Railways"),
        ("Национальная компания Казмунайгаз", "National Company Kazakhstan Temir Zholy"),
    ],
)
def test_translation_does_not_make_generic_words_match(a: str, b: str) -> None:
    assert compare_names(a, b, "Company").score < THRESHOLD


def test_translate_tokens_inflections_and_stems() -> None:
    assert translate_tokens(["железных", "дорог"]) == ["railways"]
    assert translate_tokens(["российскими", "заводами"]) == ["russia", "plant"]
    assert translate_tokens(["of", "russia"]) == ["russia"]
    assert translate_tokens(["муромский"]) == ["муром"]
    assert translate_tokens(["росатом"]) is None


def test_greek_nominative_endings() -> None:
    assert compare_names("Αλέξανδρος", "Alexander", "Person").score >= THRESHOLD
    assert compare_names("Νικόλαος", "Nikolaos", "Person").score == 1.0


def _person_and_firm() -> object:
    from circumspect.matching import Screener
    from circumspect.model.entities import ListedEntity, make_entity_id, new_proxy

    def entity(source_id: str, schema: str, name: str) -> ListedEntity:
        entity_id = make_entity_id("ofac_sdn", source_id)
        return ListedEntity(new_proxy(schema, entity_id, [("name", name)]), "ofac_sdn", source_id)

    return Screener(
        [
            entity("1", "Person", SECHIN),
            entity("2", "Company", "TRANSSERVICE LLC"),
            entity("3", "Company", "Steppe Grain Trading LLP"),
        ]
    )


@pytest.mark.parametrize("query", ["Сечин И.И.", "И. И. Сечин", "Sechin I.I.", "SECHIN I I"])
def test_initials_alert_when_the_kind_of_party_is_unknown(query: str) -> None:
    """Declarations and payments screen parties as ``LegalEntity``: a person written with
    initials must still be read as a person against listed persons."""
    from circumspect.model.screening import Query

    found = _person_and_firm().screen(Query(query))  # type: ignore[attr-defined]
    assert found[0].entity_id == "ofac-sdn-1" and found[0].alert, found[0].explanation


@pytest.mark.parametrize("query", ["Сечин В.И.", "Sechin A.V."])
def test_disagreeing_initials_stay_quiet_when_the_kind_is_unknown(query: str) -> None:
    from circumspect.model.screening import Query

    found = _person_and_firm().screen(Query(query))  # type: ignore[attr-defined]
    assert not any(c.alert for c in found)


@pytest.mark.parametrize("query", ["TRANS SERVICE LLC", "Trans-Service LLC", "TRANS SERVICE OOO"])
def test_words_split_at_a_doubled_letter_are_found(query: str) -> None:
    """``TRANS SERVICE`` joins to ``transservice``, whose skeleton folds the doubled ``s``:
    the candidate index must put the one-word listed name forward."""
    from circumspect.model.screening import Query

    found = _person_and_firm().screen(Query(query, schema="Company"))  # type: ignore[attr-defined]
    assert found and found[0].entity_id == "ofac-sdn-2" and found[0].alert


@pytest.mark.parametrize(
    ("query", "alerts"),
    [
        ("Сечин А.И.", False),  # the first initial is the given name: A is not Igor
        ("A.I. Sechin", False),
        ("Сечин И.И.", True),  # the patronymic is not listed: I.I. agrees with Igor
        ("Sechin I.A.", True),
    ],
)
def test_first_initial_is_the_given_name_when_no_patronymic_is_listed(
    query: str, alerts: bool
) -> None:
    assert (compare_names(query, "SECHIN, Igor", "Person").score >= THRESHOLD) is alerts
