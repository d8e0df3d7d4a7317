"""Validation of the values a payment parser must not guess: BIC, IBAN, currency, amount.

BIC and IBAN checks use ``rigour.ids`` (ISO 9362 shape with a real ISO 3166 country code;
IBAN mod-97 check digits). A value that fails raises :class:`ParseError` naming the field,
so the message gets decision ``error`` (fail closed).
"""

from __future__ import annotations

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


def normalize_bic(value: str, field: str, file: str | None = None) -> str:
    """The upper-case 8 or 11 character BIC; ParseError when it is not a valid BIC."""
    text = value.strip().upper()
    if not _BIC_SHAPE.match(text) or not BIC.is_valid(text):
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
        if not IBAN.is_valid(compact):
            raise ParseError(f"invalid IBAN {text[:40]!r}", file=file, field=field)
        return compact
    return text


def iban_country(account: str | None) -> str | None:
    if account and _IBAN_SHAPE.match(account):
        return account[:2].lower()
    return None


@lru_cache(maxsize=1)
def currencies() -> frozenset[str]:
    import yaml

    path = resources.files("circumspect.payments").joinpath("data/currencies.yaml")
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    return frozenset(str(data["codes"]).split())


def check_currency(value: str, field: str, file: str | None = None) -> str:
    code = value.strip().upper()
    if code not in currencies():
        raise ParseError(f"unknown currency {value.strip()[:10]!r}", file=file, field=field)
    return code


def parse_amount(
    value: str, field: str, file: str | None = None, *, comma: bool = False
) -> Decimal:
    """A positive decimal amount (``1234.56``; with ``comma`` the SWIFT MT ``1234,56``)."""
    text = value.strip()
    if comma:
        if "." in text or text.count(",") != 1:
            raise ParseError(f"invalid amount {text[:30]!r} (MT amounts use one decimal "
                             "comma)", file=file, field=field)
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
