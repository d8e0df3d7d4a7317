from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from circumspect.names import (
    ascii_fold,
    casefold,
    clean,
    detect_script,
    is_kazakh,
    normalize,
    strip_quotes,
    tokenize,
)


def test_quotes_of_every_style_are_removed() -> None:
    for text in ("ТОО «Береке»", "ТОО „Береке“", 'ТОО "Береке"', "ТОО “Береке”", "ТОО 'Береке'"):
        assert normalize(text) == "тоо береке"
        assert strip_quotes(text) == "ТОО Береке"


def test_normalize_casefolds_and_spaces_punctuation() -> None:
    assert normalize("  KASSYM-JOMART   Tokayev ") == "kassym jomart tokayev"
    assert normalize("O'Neil, J.") == "oneil j"
    assert normalize("Ёлкин") == "елкин"


def test_clean_removes_control_characters() -> None:
    assert clean("Bank\x00 Melli\x07\tIran") == "Bank Melli Iran"
    # Format characters are removed, not turned into spaces: the word stays one word.
    assert clean("Alpha\u200bBeta") == "AlphaBeta"
    assert clean("Gaz\u00adprom\u2060bank\ufe0f") == "Gazprombank"


def test_detect_script() -> None:
    assert detect_script("Vladimir Putin") == "Latin"
    assert detect_script("Қасым-Жомарт Тоқаев") == "Cyrillic"
    assert detect_script("Путин Vladimir") == "Mixed"
    assert detect_script("محمد") == "Arabic"
    assert detect_script("123 !!") == "None"
    assert is_kazakh("Тоқаев") and not is_kazakh("Токаев")


def test_ascii_fold() -> None:
    assert ascii_fold("ä ğ q ñ ö ū ü ı ş") == "a g q n o u u i s"
    assert casefold("ÉLAN") == "élan"


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=300))
def test_normalize_is_total_and_idempotent(text: str) -> None:
    once = normalize(text)
    assert normalize(once) == once
    assert once == once.strip()
    assert "  " not in once
    assert all(tok for tok in tokenize(text))


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=200))
def test_detect_script_never_fails(text: str) -> None:
    assert isinstance(detect_script(text), str)
