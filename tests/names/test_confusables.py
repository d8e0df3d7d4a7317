from __future__ import annotations

import unicodedata

from hypothesis import given, settings
from hypothesis import strategies as st

from circumspect.names.confusables import (
    disguises,
    fold_variants,
    fold_word,
    invisible_chars,
    look_alike_latin,
    remove_invisible,
)
from circumspect.names.normalize import clean, normalize

INVISIBLE = [
    "\u200b",  # zero width space
    "\u200c",  # zero width non-joiner
    "\u200d",  # zero width joiner
    "\u2060",  # word joiner
    "\u00ad",  # soft hyphen
    "\ufeff",  # byte-order mark / zero width no-break space
    "\u202e",  # right-to-left override
    "\u2066",  # left-to-right isolate
    "\ufe0f",  # variation selector 16
    "\U000e0041",  # tag latin capital a
    "\u034f",  # combining grapheme joiner
]


def test_every_invisible_character_is_removed_not_spaced() -> None:
    for ch in INVISIBLE:
        assert clean(f"Gazprom{ch}bank") == "Gazprombank", repr(ch)
        assert normalize(f"Gazprom{ch}bank") == "gazprombank", repr(ch)
        assert invisible_chars(f"Gazprom{ch}bank"), repr(ch)


def test_a_leading_byte_order_mark_is_no_disguise() -> None:
    assert invisible_chars("\ufeffGazprombank") == []
    assert disguises("\ufeffGazprombank") == ()


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=80), st.sampled_from(INVISIBLE), st.integers(min_value=0, max_value=80))
def test_inserting_invisible_characters_never_changes_the_normal_form(
    text: str, ch: str, at: int
) -> None:
    at = min(at, len(text))
    base = remove_invisible(text)
    disguised = base[:at] + ch + base[at:]
    assert normalize(disguised) == normalize(base)


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=80))
def test_no_category_cf_survives_cleaning(text: str) -> None:
    assert not any(unicodedata.category(c) == "Cf" for c in clean(text))


def test_latin_word_with_cyrillic_look_alikes_folds_to_latin() -> None:
    assert fold_variants("ОРLОТ")[0] == "OPLOT"
    assert fold_variants("СЕNТRАL RЕРUВLІС ВАNК")[0] == "CENTRAL REPUBLIC BANK"
    assert fold_word("ОРLОТ", "Latin") == ("OPLOT", True)


def test_cyrillic_word_with_latin_look_alikes_folds_to_cyrillic() -> None:
    assert "Сбербанк" in fold_variants("Сбeрбaнк")
    assert "РОСНЕФТЬ" in fold_variants("POCНЕФТЬ")
    assert fold_word("Сбeрбaнк", "Cyrillic") == ("Сбербанк", True)


def test_greek_look_alikes_fold_to_latin() -> None:
    assert fold_variants("ΟPLΟΤ")[0] == "OPLOT"


def test_single_script_text_is_left_alone() -> None:
    assert fold_variants("Оплот") == ["Оплот"]
    assert fold_variants("OPLOT") == ["OPLOT"]
    # Scripts differing by word only: the text as written comes first.
    assert fold_variants("Kassym Токаев")[0] == "Kassym Токаев"
    assert fold_variants("OPEN ЅТОСК COMPANY") == ["OPEN ЅТОСК COMPANY", "OPEN STOCK COMPANY"]


def test_a_name_wholly_in_look_alike_letters_reads_as_latin() -> None:
    assert look_alike_latin("ВАНК") == "BAHK"
    assert look_alike_latin("ВАД") is None  # Д has no Latin look-alike
    assert look_alike_latin("BANK") is None


def test_disguises_are_named() -> None:
    found = disguises("ОРLОТ Gaz\u200bprom")
    assert len(found) == 2
    assert "U+200B ZERO WIDTH SPACE" in found[0]
    assert "ОРLОТ (Cyrillic and Latin)" in found[1]
    assert disguises("Оплот") == ()
    assert disguises("Kassym Токаев") == ()


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=60))
def test_folding_is_total(text: str) -> None:
    variants = fold_variants(text)
    assert variants and all(isinstance(v, str) for v in variants)
    disguises(text)
