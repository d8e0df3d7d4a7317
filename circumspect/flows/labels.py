"""Parsing of period, product and flow labels as the trade files write them.

Loaders apply these functions to the *distinct* labels of a file (a few hundred at most)
and join the answers back in DuckDB, so the row count never passes through Python.
Each parser returns ``None`` for a label it cannot read; the loader counts and reports it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

MONTHS = {
    "jan": 1,
    "feb": 2,
    "mar": 3,
    "apr": 4,
    "may": 5,
    "jun": 6,
    "jul": 7,
    "aug": 8,
    "sep": 9,
    "oct": 10,
    "nov": 11,
    "dec": 12,
    # French (Eurostat French interface) and Russian abbreviations
    "janv": 1,
    "fevr": 2,
    "févr": 2,
    "mars": 3,
    "avr": 4,
    "mai": 5,
    "juin": 6,
    "juil": 7,
    "aout": 8,
    "août": 8,
    "sept": 9,
    "déc": 12,
    "янв": 1,
    "фев": 2,
    "мар": 3,
    "апр": 4,
    "июн": 6,
    "июл": 7,
    "авг": 8,
    "сен": 9,
    "окт": 10,
    "ноя": 11,
    "дек": 12,
}


@dataclass(frozen=True, slots=True)
class Period:
    """A statistical period: ``freq`` "A" (year, month 0) or "M" (month 1-12)."""

    freq: str
    year: int
    month: int

    @property
    def label(self) -> str:
        return str(self.year) if self.freq == "A" else f"{self.year}-{self.month:02d}"


def _year(text: str) -> int | None:
    value = int(text)
    return value if 1900 <= value <= 2100 else None


def parse_period(label: str, freq_hint: str | None = None) -> Period | None:
    """Read a period label.

    Accepted: ``Aug. 2024``, ``Jan.-Dec. 2019``, ``201952-Jan.-Dec. 2019`` (Comext code then
    label), ``202408`` / ``201952`` (Comext: month, or 52 = whole year), ``2024-08``,
    ``2024M08``, ``Y2019``, ``2019`` (``freq_hint`` "M" with ``202408`` in Comtrade).

    >>> parse_period("Aug. 2024")
    Period(freq='M', year=2024, month=8)
    >>> parse_period("201952-Jan.-Dec. 2019")
    Period(freq='A', year=2019, month=0)
    """
    text = label.strip()
    if not text:
        return None
    m = re.fullmatch(r"(\d{4})(\d{2})(?:-.*)?", text)
    if m:  # Comext code, optionally followed by "-<label>"
        year, month = _year(m.group(1)), int(m.group(2))
        if year is None:
            return None
        if month == 52 or (month == 0 and freq_hint == "A"):
            return Period("A", year, 0)
        return Period("M", year, month) if 1 <= month <= 12 else None
    m = re.fullmatch(r"[Yy]?(\d{4})", text)
    if m:
        year = _year(m.group(1))
        return None if year is None else Period("A", year, 0)
    m = re.fullmatch(r"(\d{4})(?:-|M|m)(\d{1,2})", text)
    if m:
        year, month = _year(m.group(1)), int(m.group(2))
        return Period("M", year, month) if year is not None and 1 <= month <= 12 else None
    m = re.fullmatch(r"([^\W\d_]+)\.?\s*-\s*([^\W\d_]+)\.?\s+(\d{4})", text)
    if m:  # "Jan.-Dec. 2019": a whole year only; other ranges are not single periods
        first, last = MONTHS.get(m.group(1).lower()), MONTHS.get(m.group(2).lower())
        year = _year(m.group(3))
        if first == 1 and last == 12 and year is not None:
            return Period("A", year, 0)
        return None
    m = re.fullmatch(r"([^\W\d_]+)\.?\s+(\d{4})", text)
    if m:
        month_no = MONTHS.get(m.group(1).lower())
        year = _year(m.group(2))
        if month_no is None or year is None:
            return None
        return Period("M", year, month_no)
    return None


@dataclass(frozen=True, slots=True)
class Product:
    """A product code: ``TOTAL`` (level 0) or HS/CN digits (level = number of digits)."""

    code: str
    level: int


def parse_product(label: str) -> Product | None:
    """Read a product label: ``TOTAL-Total``, ``Total``, ``8542-Electronic ...``, ``85423100``.

    >>> parse_product("TOTAL-Total")
    Product(code='TOTAL', level=0)
    >>> parse_product("8542-Electronic integrated circuits")
    Product(code='8542', level=4)
    """
    text = label.strip()
    head = re.split(r"\s*-\s*|\s+", text, maxsplit=1)[0] if text else ""
    if head.upper() in ("TOTAL", "ALL", "TOT") or text.casefold() in ("total", "всего"):
        return Product("TOTAL", 0)
    if re.fullmatch(r"\d{2}|\d{4}|\d{6}|\d{8}|\d{10}", head):
        return Product(head, len(head))
    return None


EXPORT = "export"
IMPORT = "import"
_FLOWS = {
    "2": EXPORT,
    "export": EXPORT,
    "exports": EXPORT,
    "x": EXPORT,
    "exportation": EXPORT,
    "экспорт": EXPORT,
    "2-export": EXPORT,
    "1": IMPORT,
    "import": IMPORT,
    "imports": IMPORT,
    "m": IMPORT,
    "importation": IMPORT,
    "импорт": IMPORT,
    "1-import": IMPORT,
}


def parse_flow(label: str) -> str | None:
    """``export`` or ``import`` from ``2-EXPORT``, ``EXPORT``, ``X``, ``1``, ``IMPORTATION``...

    Re-exports and re-imports (Comtrade ``RX``/``RM``) are not merged into exports or
    imports: they return None and are reported.
    """
    text = label.strip().casefold()
    if text in _FLOWS:
        return _FLOWS[text]
    head = text.split("-", 1)[-1].strip()
    return _FLOWS.get(head)


#: Values that mark a confidential or suppressed cell.
CONFIDENTIAL = (":", "c", ": c", ":c", "C", ": C", ":C", "x", "X")
