from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from circumspect.errors import InputError
from circumspect.goods import normalize_code
from circumspect.goods.nomenclature import default_nomenclature


@pytest.mark.parametrize(
    ("raw", "digits", "level"),
    [
        ("8542.31", "854231", "subheading"),
        ("8542 31 00 00", "8542310000", "tnved10"),
        ("8542.31.000.0", "8542310000", "tnved10"),
        ("85423100", "85423100", "cn8"),
        (" 8482 ", "8482", "heading"),
        ("01", "01", "chapter"),
        ("0101-21", "010121", "subheading"),
    ],
)
def test_normalize_forms(raw: str, digits: str, level: str) -> None:
    code = normalize_code(raw)
    assert code.digits == digits
    assert code.level == level


def test_hs6_and_prefixes() -> None:
    code = normalize_code("8542310000")
    assert code.hs6 == "854231"
    assert code.heading == "8542"
    assert code.prefixes() == ("8542310000", "85423100", "854231", "8542", "85")
    assert code.dotted() == "8542.31.000.0"
    assert normalize_code("8542").hs6 is None


@pytest.mark.parametrize(
    ("raw", "reason"),
    [
        ("", "empty"),
        (" . - ", "no digits"),
        ("12345", "5 digits"),
        ("84A2", "contains 'A'"),
        ("854231000", "leading zero"),
        ("9999", "reserved"),
        ("7700", "does not exist"),
        ("0000", "does not exist"),
        ("８５４２", "contains"),
    ],
)
def test_invalid_codes_have_reasons(raw: str, reason: str) -> None:
    with pytest.raises(InputError, match=reason):
        normalize_code(raw)


def test_float_code_rejected() -> None:
    with pytest.raises(InputError, match="read as a number"):
        normalize_code(10121.0)


def test_nomenclature_rejects_unknown_subheading() -> None:
    nom = default_nomenclature()
    assert nom.validate("8482.10.100.0").hs6 == "848210"
    with pytest.raises(InputError, match="subheading 940540 does not exist"):
        nom.validate("9405400000")
    with pytest.raises(InputError, match="heading 8499 does not exist"):
        nom.validate("8499")


@given(st.text(max_size=14))
def test_normalize_never_crashes(text: str) -> None:
    try:
        code = normalize_code(text)
    except InputError:
        return
    assert code.digits.isdigit() and len(code.digits) in (2, 4, 6, 8, 10)
