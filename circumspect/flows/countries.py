"""Reporter and partner names and codes to ISO 3166 codes (or named aggregates).

Three data files (``circumspect/flows/data``):

* ``countries.csv``: ISO alpha-2/alpha-3, UN M49 numeric, Eurostat code and the English,
  French and Russian names (generated from ICU by ``gen_countries.py``);
* ``country_aliases.csv``: names and codes as statistical offices write them;
* ``aggregates.csv``: groups (World, EU27_2020, EU, euro area, extra-EU, CIS, EAEU,
  continents) and unspecified partners (confidential countries, stores and provisions,
  high seas), with member lists where they are fixed.

A label is normalised (accents and case folded, "(incl. ...)" parentheses and punctuation
removed) and then looked up. Every label resolves to ``Place(code, kind)`` where kind is
``country``, ``aggregate`` or ``unspecified``, or to ``None``; the loaders count and report
the ``None`` cases, they never guess.
"""

from __future__ import annotations

import csv
import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

DATA = Path(__file__).resolve().parent / "data"

COUNTRY = "country"
AGGREGATE = "aggregate"
UNSPECIFIED = "unspecified"

_PARENS = re.compile(r"\([^()]*\)")
_PUNCT = re.compile(r"[\s\-‐–—_.,;:'’`\"/]+")


@dataclass(frozen=True, slots=True)
class Place:
    """A resolved reporter or partner: ISO alpha-2 (or aggregate code) and its kind."""

    code: str
    kind: str


def normalise(label: str) -> str:
    """Fold a country label for lookup: no accents, no case, no parentheses or punctuation.

    >>> normalise("Germany (incl. German Democratic Republic 'DD' from 1991)")
    'germany'
    >>> normalise("Côte d’Ivoire (Ivory Coast)")
    'cote d ivoire'
    """
    text = label.strip()
    # Drop nested "(incl. ... ('x'))" groups from the inside out.
    while True:
        stripped = _PARENS.sub(" ", text)
        if stripped == text:
            break
        text = stripped
    text = unicodedata.normalize("NFKD", text)
    text = "".join(ch for ch in text if not unicodedata.combining(ch))
    text = text.casefold().replace("ё", "е").replace("й", "и").replace("&", " and ")
    return _PUNCT.sub(" ", text).strip()


@dataclass(frozen=True, slots=True)
class Aggregate:
    code: str
    kind: str
    members: frozenset[str]
    note: str


class CountryTable:
    """Lookup from any label or code to a :class:`Place`."""

    def __init__(self, data: Path = DATA) -> None:
        self._by_key: dict[str, Place] = {}
        self.countries: dict[str, dict[str, str]] = {}
        self.aggregates: dict[str, Aggregate] = {}
        with (data / "countries.csv").open(encoding="utf-8") as fh:
            for row in csv.DictReader(fh):
                iso2 = row["iso2"]
                self.countries[iso2] = row
                place = Place(iso2, COUNTRY)
                for key in (iso2, row["iso3"], row["eurostat"]):
                    self._by_key.setdefault(key.upper(), place)
                if row["un_m49"]:
                    self._by_key.setdefault(str(int(row["un_m49"])), place)
                for name in (row["name_en"], row["name_fr"], row["name_ru"]):
                    self._by_key.setdefault(normalise(name), place)
        # Greece and the UK: Comext bulk files use GR/GB, Eurostat geo codes EL/UK.
        with (data / "aggregates.csv").open(encoding="utf-8") as fh:
            for row in csv.DictReader(fh):
                agg = Aggregate(
                    row["code"], row["kind"], frozenset(row["members"].split()), row["note"]
                )
                self.aggregates[agg.code] = agg
                place = Place(agg.code, agg.kind)
                self._by_key[agg.code] = place
                for name in row["names"].split("|"):
                    key = name if _is_code(name) else normalise(name)
                    self._by_key[key] = place
        with (data / "country_aliases.csv").open(encoding="utf-8") as fh:
            for row in csv.DictReader(fh):
                alias = row["alias"]
                key = str(int(alias)) if alias.isdigit() else normalise(alias)
                self._by_key[key] = Place(row["iso2"], COUNTRY)

    def resolve(self, label: str | None) -> Place | None:
        """The place a label or code stands for, or None when it is not known."""
        if label is None:
            return None
        text = label.strip()
        if not text:
            return None
        if text.isdigit():
            return self._by_key.get(str(int(text)))
        if _is_code(text):
            found = self._by_key.get(text.upper())
            if found is not None:
                return found
        found = self._by_key.get(normalise(text))
        if found is None and "(" in text:
            # "Myanmar (Burma)", "Eswatini (Ngwane)": try the part in parentheses too.
            inner = text[text.find("(") + 1 : text.rfind(")")]
            found = self._by_key.get(normalise(inner))
        return found

    def members(self, group: str) -> frozenset[str]:
        """Member ISO codes of a fixed-composition group ("" for groups without a list)."""
        agg = self.aggregates.get(group.upper())
        return agg.members if agg is not None else frozenset()

    def name(self, code: str) -> str:
        """English name of a code (the code itself for aggregates)."""
        row = self.countries.get(code)
        return row["name_en"] if row else code


def _is_code(text: str) -> bool:
    return bool(re.fullmatch(r"[A-Z][A-Z0-9_]{1,14}", text))


@lru_cache(maxsize=1)
def table() -> CountryTable:
    """The shared, read-only country table."""
    return CountryTable()


#: Reporter-group names accepted by the CLI, mapped to their aggregate codes.
GROUP_ALIASES = {"EU27": "EU27_2020", "EU27_2020": "EU27_2020", "EA20": "EA20"}
