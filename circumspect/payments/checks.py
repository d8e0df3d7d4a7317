"""Validation of the values a payment parser must not guess: BIC, IBAN, currency, amount.

BIC and IBAN checks use ``rigour.ids`` (ISO 9362 shape with a real ISO 3166 country code;
IBAN mod-97 check digits). A value that fails raises :class:`ParseError` naming the field,
so the message gets decision ``error`` (fail closed).
"""

from __future__ import annotations

import csv
import re
from decimal import Decimal, InvalidOperation
from functools import lru_cache
from importlib import resources

from rigour.ids import BIC, IBAN

from circumspect.errors import ParseError

_BIC_SHAPE = re.compile(r"^[A-Z0-9]{4}[A-Z]{2}[A-Z0-9]{2}(?:[A-Z0-9]{3})?$")
_IBAN_SHAPE = re.compile(r"^[A-Z]{2}[0-9]{2}[A-Z0-9]{10,30}$")
_AMOUNT = re.compile(r"^[0-9]{1,15}(?:\.[0-9]{0,5})?$")
#: Largest amount any screened message may carry (ISO 20022 ActiveCurrencyAndAmount has 18
#: digits in total); larger is an error, not a payment.
MAX_AMOUNT = Decimal("999999999999999")


@lru_cache(maxsize=65536)
def bic_valid(text: str) -> bool:
    """ISO 9362 shape with a real ISO 3166 country code (``rigour.ids.BIC``)."""
    return bool(_BIC_SHAPE.match(text)) and bool(BIC.is_valid(text))


def normalize_bic(value: str, field: str, file: str | None = None) -> str:
    """The upper-case 8 or 11 character BIC; ParseError when it is not a valid BIC."""
    text = value.strip().upper()
    if not bic_valid(text):
        raise ParseError(f"invalid BIC {value.strip()[:20]!r}", file=file, field=field)
    return text


def bic8(bic: str) -> str:
    """Institution part (first 8 characters) of a BIC: ``XXX`` branch is the same bank."""
    return bic[:8]


def bic_country(bic: str) -> str:
    return bic[4:6].lower()


def looks_like_iban(value: str) -> bool:
    text = value.replace(" ", "").upper()
    return bool(_IBAN_SHAPE.match(text))


def normalize_account(value: str, field: str, file: str | None = None) -> str:
    """An account number as written; an IBAN-shaped value must have valid check digits."""
    text = value.strip().lstrip("/").strip()
    compact = text.replace(" ", "").upper()
    if _IBAN_SHAPE.match(compact):
        if not iban_valid(compact):
            raise ParseError(f"invalid IBAN {text[:40]!r}", file=file, field=field)
        return compact
    return text


#: IBAN lengths by country (ISO 13616 registry, SWIFT IBAN Registry release 2024).
IBAN_LENGTHS: dict[str, int] = {
    "AD": 24,
    "AE": 23,
    "AL": 28,
    "AT": 20,
    "AZ": 28,
    "BA": 20,
    "BE": 16,
    "BG": 22,
    "BH": 22,
    "BI": 27,
    "BR": 29,
    "BY": 28,
    "CH": 21,
    "CR": 22,
    "CY": 28,
    "CZ": 24,
    "DE": 22,
    "DJ": 27,
    "DK": 18,
    "DO": 28,
    "EE": 20,
    "EG": 29,
    "ES": 24,
    "FI": 18,
    "FK": 18,
    "FO": 18,
    "FR": 27,
    "GB": 22,
    "GE": 22,
    "GI": 23,
    "GL": 18,
    "GR": 27,
    "GT": 28,
    "HN": 28,
    "HR": 21,
    "HU": 28,
    "IE": 22,
    "IL": 23,
    "IQ": 23,
    "IS": 26,
    "IT": 27,
    "JO": 30,
    "KW": 30,
    "KZ": 20,
    "LB": 28,
    "LC": 32,
    "LI": 21,
    "LT": 20,
    "LU": 20,
    "LV": 21,
    "LY": 25,
    "MC": 27,
    "MD": 24,
    "ME": 22,
    "MK": 19,
    "MN": 20,
    "MR": 27,
    "MT": 31,
    "MU": 30,
    "NI": 28,
    "NL": 18,
    "NO": 15,
    "OM": 23,
    "PK": 24,
    "PL": 28,
    "PS": 29,
    "PT": 25,
    "QA": 29,
    "RO": 24,
    "RS": 22,
    "RU": 33,
    "SA": 24,
    "SC": 31,
    "SD": 18,
    "SE": 24,
    "SI": 19,
    "SK": 24,
    "SM": 27,
    "SO": 23,
    "ST": 25,
    "SV": 28,
    "TL": 23,
    "TN": 24,
    "TR": 26,
    "UA": 29,
    "VA": 22,
    "VG": 24,
    "XK": 20,
    "YE": 30,
    "IR": 26,
    "SY": 24,
}


@lru_cache(maxsize=65536)
def iban_valid(compact: str) -> bool:
    """Registered country length and mod-97 check digits (ISO 13616). A country missing
    from :data:`IBAN_LENGTHS` falls back to ``rigour.ids.IBAN`` (python-stdnum)."""
    expected = IBAN_LENGTHS.get(compact[:2])
    if expected is None:
        return bool(IBAN.is_valid(compact))
    if len(compact) != expected:
        return False
    digits = "".join(str(int(c, 36)) for c in compact[4:] + compact[:4])
    return int(digits) % 97 == 1


def iban_country(account: str | None) -> str | None:
    if account and _IBAN_SHAPE.match(account):
        return account[:2].lower()
    return None


#: ISO 4217 codes that never denominate a payment: XTS (testing), XXX (no currency).
_NOT_PAYMENT_CURRENCIES = frozenset({"XTS", "XXX"})


@lru_cache(maxsize=1)
def minor_units() -> dict[str, int | None]:
    """ISO 4217 list one: currency code -> minor units (None where ISO gives ``N.A.``:
    precious metals, XDR, testing codes). From ``data/iso4217.csv`` (SIX list one, pinned;
    regenerate with ``scripts/gen/iso4217.py``)."""
    text = (
        resources.files("circumspect.payments")
        .joinpath("data/iso4217.csv")
        .read_text(encoding="utf-8")
    )
    out: dict[str, int | None] = {}
    for row in csv.DictReader(text.splitlines()):
        if row["code"] in _NOT_PAYMENT_CURRENCIES:
            continue
        units = row["minor_units"].strip()
        out[row["code"]] = int(units) if units.isdigit() else None
    return out


def currencies() -> frozenset[str]:
    """Active ISO 4217 alphabetic codes."""
    return frozenset(minor_units())


def check_currency(value: str, field: str, file: str | None = None) -> str:
    code = value.strip().upper()
    if code not in minor_units():
        raise ParseError(f"unknown currency {value.strip()[:10]!r}", file=file, field=field)
    return code


def check_decimals(
    amount: str, currency: str, field: str, file: str | None = None, *, line: int | None = None
) -> None:
    """:class:`ParseError` when ``amount`` (``123.45`` or MT ``123,45``) has more decimals
    than ``currency``'s ISO 4217 minor unit (EUR 2, JPY 0, KWD 3), or the currency is not an
    ISO 4217 code. Trailing zeros count: ``JPY 100.0`` is as wrong as ``JPY 100.5``, since a
    sender that writes decimals a currency does not have is not following the standard."""
    code = currency.strip().upper()
    if code not in minor_units():
        raise ParseError(
            f"unknown currency {currency.strip()[:10]!r}", file=file, line=line, field=field
        )
    allowed = minor_units()[code]
    text = amount.strip().replace(",", ".")
    decimals = len(text.partition(".")[2])
    if allowed is not None and decimals > allowed:
        raise ParseError(
            f"amount {amount.strip()[:30]!r} has {decimals} decimals; {code} has "
            f"{allowed} (ISO 4217)",
            file=file,
            line=line,
            field=field,
        )


def parse_amount(
    value: str, field: str, file: str | None = None, *, comma: bool = False
) -> Decimal:
    """A positive decimal amount (``1234.56``; with ``comma`` the SWIFT MT ``1234,56``)."""
    text = value.strip()
    if comma:
        if "." in text or text.count(",") != 1:
            raise ParseError(
                f"invalid amount {text[:30]!r} (MT amounts use one decimal comma)",
                file=file,
                field=field,
            )
        text = text.replace(",", ".")
        if text.endswith("."):
            text = text[:-1]
    if not _AMOUNT.match(text):
        raise ParseError(f"invalid amount {value.strip()[:30]!r}", file=file, field=field)
    try:
        amount = Decimal(text)
    except InvalidOperation as exc:  # pragma: no cover - guarded by the regex
        raise ParseError(f"invalid amount {text[:30]!r}", file=file, field=field) from exc
    if amount <= 0 or amount > MAX_AMOUNT:
        raise ParseError(f"amount out of range {text[:30]!r}", file=file, field=field)
    return amount


def check_country(value: str, field: str, file: str | None = None) -> str:
    """A two-letter ISO 3166 code in lower case."""
    from followthemoney.types import registry

    code = value.strip().lower()
    if len(code) != 2 or code not in registry.country.codes:
        raise ParseError(f"invalid country code {value.strip()[:10]!r}", file=file, field=field)
    return code
