"""Identifiers with checksum validation: Kazakh BIN/IIN, Russian INN/OGRN, BIC, IMO, LEI.

``validate(kind, value)`` is True for a well-formed identifier with a correct check digit;
``problem(kind, value)`` says in words what is wrong (``None`` when valid);
``detect(value)`` lists every kind a value validly is, with its normal form.
Test vectors: ``tests/names/test_identifiers.py`` (all of
``../shared/reference/identifier_test_vectors.csv``).
"""

from __future__ import annotations

import datetime as dt
import re
from functools import lru_cache

#: Kinds and the aliases accepted for them (test vectors use the upper-case forms).
KINDS: dict[str, str] = {
    "kz_bin": "kz_bin",
    "bin": "kz_bin",
    "kz_iin": "kz_iin",
    "iin": "kz_iin",
    "ru_inn": "ru_inn",
    "inn": "ru_inn",
    "ru_inn10": "ru_inn10",
    "ru_inn12": "ru_inn12",
    "ru_ogrn": "ru_ogrn",
    "ogrn": "ru_ogrn",
    "ru_ogrn13": "ru_ogrn13",
    "ru_ogrnip15": "ru_ogrnip15",
    "ogrnip": "ru_ogrnip15",
    "bic": "bic",
    "swift": "bic",
    "swift_bic": "bic",
    "imo": "imo",
    "lei": "lei",
}

#: The kinds :func:`detect` reports (canonical names).
CANONICAL: tuple[str, ...] = ("kz_bin", "kz_iin", "ru_inn", "ru_ogrn", "bic", "imo", "lei")

_NON_ALNUM = re.compile(r"[^0-9A-Za-z]")


def compact(value: str) -> str:
    """Upper-case, without spaces, dashes, dots or slashes (``"IMO 9176187"`` kept whole)."""
    return _NON_ALNUM.sub("", value).upper()


def _digits(value: str, length: int) -> str | None:
    v = compact(value)
    if len(v) != length or not v.isdigit():
        return None
    return v


def _kz_check_digit(d: str) -> int | None:
    """Kazakh IIN/BIN check digit (weights 1..11, then 3..11,1,2; 10 twice = invalid)."""
    digits = [int(c) for c in d[:11]]
    s = sum(x * w for x, w in zip(digits, range(1, 12), strict=True)) % 11
    if s == 10:
        weights = [3, 4, 5, 6, 7, 8, 9, 10, 11, 1, 2]
        s = sum(x * w for x, w in zip(digits, weights, strict=True)) % 11
        if s == 10:
            return None
    return s


def _kz_problem(value: str) -> str | None:
    d = _digits(value, 12)
    if d is None:
        return "not 12 digits"
    check = _kz_check_digit(d)
    if check is None:
        return "no valid check digit exists for these 11 digits"
    if check != int(d[11]):
        return f"check digit is {d[11]}, expected {check}"
    return None


def _kz_bin_problem(value: str) -> str | None:
    d = _digits(value, 12)
    if d is None:
        return "not 12 digits"
    month = int(d[2:4])
    if not 1 <= month <= 12:
        return f"invalid registration month {d[2:4]}"
    if d[4] not in "456":
        return f"5th digit {d[4]} is not a legal-entity type (4, 5 or 6)"
    if d[5] not in "0123":
        return f"6th digit {d[5]} is not a unit kind (0-3)"
    return _kz_problem(d)


def _iin_birth(d: str) -> dt.date | None:
    century = {"1": 1800, "2": 1800, "3": 1900, "4": 1900, "5": 2000, "6": 2000}.get(d[6])
    if century is None:
        return None
    try:
        return dt.date(century + int(d[0:2]), int(d[2:4]), int(d[4:6]))
    except ValueError:
        return None


def _kz_iin_problem(value: str) -> str | None:
    d = _digits(value, 12)
    if d is None:
        return "not 12 digits"
    if d[6] not in "123456":
        return f"7th digit {d[6]} is not a century/sex code (1-6)"
    if _iin_birth(d) is None:
        return f"invalid birth date {d[0:6]}"
    return _kz_problem(d)


def _inn10_problem(value: str) -> str | None:
    d = _digits(value, 10)
    if d is None:
        return "not 10 digits"
    w = [2, 4, 10, 3, 5, 9, 4, 6, 8]
    check = sum(int(c) * x for c, x in zip(d, w, strict=False)) % 11 % 10
    return None if check == int(d[9]) else f"check digit is {d[9]}, expected {check}"


def _inn12_problem(value: str) -> str | None:
    d = _digits(value, 12)
    if d is None:
        return "not 12 digits"
    w1 = [7, 2, 4, 10, 3, 5, 9, 4, 6, 8]
    w2 = [3, 7, 2, 4, 10, 3, 5, 9, 4, 6, 8]
    c1 = sum(int(c) * x for c, x in zip(d, w1, strict=False)) % 11 % 10
    c2 = sum(int(c) * x for c, x in zip(d, w2, strict=False)) % 11 % 10
    if c1 != int(d[10]) or c2 != int(d[11]):
        return f"check digits are {d[10:12]}, expected {c1}{c2}"
    return None


def _inn_problem(value: str) -> str | None:
    v = compact(value)
    if len(v) == 10:
        return _inn10_problem(v)
    if len(v) == 12:
        return _inn12_problem(v)
    return "not 10 or 12 digits"


def _ogrn13_problem(value: str) -> str | None:
    d = _digits(value, 13)
    if d is None:
        return "not 13 digits"
    if d[0] not in "1235":
        return f"first digit {d[0]} is not a record kind (1, 2, 3 or 5)"
    check = int(d[:12]) % 11 % 10
    return None if check == int(d[12]) else f"check digit is {d[12]}, expected {check}"


def _ogrnip15_problem(value: str) -> str | None:
    d = _digits(value, 15)
    if d is None:
        return "not 15 digits"
    check = int(d[:14]) % 13 % 10
    return None if check == int(d[14]) else f"check digit is {d[14]}, expected {check}"


def _ogrn_problem(value: str) -> str | None:
    v = compact(value)
    if len(v) == 13:
        return _ogrn13_problem(v)
    if len(v) == 15:
        return _ogrnip15_problem(v)
    return "not 13 or 15 digits"


@lru_cache(maxsize=1)
def _countries() -> frozenset[str]:
    from followthemoney.types import registry

    not_iso = {"eu", "un", "zz", "zr"}
    codes = {c for c in registry.country.codes if len(c) == 2 and c not in not_iso}
    return frozenset(c.upper() for c in codes) | {"XK"}


_BIC_RE = re.compile(r"^[A-Z]{4}[A-Z]{2}[A-Z0-9]{2}([A-Z0-9]{3})?$")


def _bic_problem(value: str) -> str | None:
    v = compact(value)
    if len(v) not in (8, 11):
        return "not 8 or 11 characters"
    if not _BIC_RE.match(v):
        return "not 4 letters (bank), 2 letters (country), 2 letters/digits (location)"
    if v[4:6] not in _countries():
        return f"{v[4:6]} is not an ISO 3166 country code"
    return None


def _imo_problem(value: str) -> str | None:
    v = compact(value)
    if v.startswith("IMO"):
        v = v[3:]
    if len(v) != 7 or not v.isdigit():
        return "not 7 digits"
    check = sum(int(c) * w for c, w in zip(v[:6], range(7, 1, -1), strict=True)) % 10
    return None if check == int(v[6]) else f"check digit is {v[6]}, expected {check}"


def _lei_problem(value: str) -> str | None:
    v = compact(value)
    if len(v) != 20 or not v.isalnum():
        return "not 20 letters/digits"
    if not v[18:].isdigit():
        return "last two characters are not check digits"
    number = int("".join(str(int(c, 36)) for c in v))
    return None if number % 97 == 1 else "ISO 7064 mod 97-10 check fails"


_PROBLEMS = {
    "kz_bin": _kz_bin_problem,
    "kz_iin": _kz_iin_problem,
    "ru_inn": _inn_problem,
    "ru_inn10": _inn10_problem,
    "ru_inn12": _inn12_problem,
    "ru_ogrn": _ogrn_problem,
    "ru_ogrn13": _ogrn13_problem,
    "ru_ogrnip15": _ogrnip15_problem,
    "bic": _bic_problem,
    "imo": _imo_problem,
    "lei": _lei_problem,
}


def canonical_kind(kind: str) -> str:
    """The canonical name of an identifier kind; ``ValueError`` for unknown kinds."""
    key = kind.strip().lower().replace("-", "_").replace("/", "_")
    if key not in KINDS:
        raise ValueError(f"unknown identifier kind {kind!r}; known: {', '.join(CANONICAL)}")
    return KINDS[key]


def problem(kind: str, value: str) -> str | None:
    """What is wrong with ``value`` as a ``kind`` identifier, or ``None`` when valid."""
    return _PROBLEMS[canonical_kind(kind)](value)


def validate(kind: str, value: str) -> bool:
    """True when ``value`` is a well-formed ``kind`` identifier with a correct checksum."""
    return problem(kind, value) is None


def normalize_id(kind: str, value: str) -> str:
    """Normal form used for exact matching: compact; BIC 8 -> 11 with ``XXX``; IMO digits."""
    kind = canonical_kind(kind)
    v = compact(value)
    if kind == "bic" and len(v) == 8:
        return v + "XXX"
    if kind == "imo" and v.startswith("IMO"):
        return v[3:]
    return v


def detect(value: str) -> list[tuple[str, str]]:
    """Every canonical kind ``value`` validly is, with its normal form (may be several:
    a 12-digit number can be both a Kazakh IIN and a Russian INN)."""
    out: list[tuple[str, str]] = []
    for kind in CANONICAL:
        if _PROBLEMS[kind](value) is None:
            out.append((kind, normalize_id(kind, value)))
    return out


def kz_bin_registration(bin_value: str) -> tuple[int, int] | None:
    """(year, month) of registration encoded in a valid Kazakh BIN, else ``None``.

    Two-digit years up to the current year are 20xx, later ones 19xx.
    """
    if not validate("kz_bin", bin_value):
        return None
    d = compact(bin_value)
    yy, month = int(d[0:2]), int(d[2:4])
    this_yy = dt.date.today().year % 100
    year = 2000 + yy if yy <= this_yy else 1900 + yy
    return year, month


def kz_iin_birth_date(iin: str) -> dt.date | None:
    """Birth date encoded in a valid Kazakh IIN, else ``None``."""
    if not validate("kz_iin", iin):
        return None
    return _iin_birth(compact(iin))
