"""Brand names in goods descriptions (English, Russian, Kazakh; Latin and Cyrillic).

Brands file (CSV, UTF-8; shipped: ``circumspect/goods/data/brands.csv``), one row per brand:

``brand`` (canonical name), ``aliases`` (``;``-separated spellings, Latin and Cyrillic; an
alias ending in ``?`` is *ambiguous*: it is also an ordinary word, e.g. ``Apple?``, ``Mini?``,
``HP?``), ``owner``, ``owner_country`` (ISO alpha-2), ``stopped_supplying_russia`` (yes/no),
``stopped_source``, ``negative_context`` and ``required_context`` (``;``-separated words),
``source``.

Matching works on words, never inside a word (``intelligent`` is not Intel, ``алюминий`` is not
Мини). A Cyrillic alias also matches its Russian case forms (Мерседеса, Тойоты, Самсунгом) and
a Kazakh case suffix written after a hyphen (BMW-ның, Самсунг-тың). An ambiguous alias counts
only when it is written with a capital letter, no ``negative_context`` word is in the
description, the ``required_context`` words (when given) include one, and it is not the first
part of a hyphenated compound (``мини-трактор``).

:func:`load_brands` never stops at a bad row: a duplicate brand or alias, an unknown country,
a bad yes/no becomes a :class:`BrandRowError` with the line and reason, the rest loads.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

from circumspect.errors import InputError, ParseError

BRANDS_FILE = Path(__file__).resolve().parent / "data" / "brands.csv"
COLUMNS = (
    "brand",
    "aliases",
    "owner",
    "owner_country",
    "stopped_supplying_russia",
    "stopped_source",
    "source",
)
_YES = {"yes": True, "true": True, "1": True, "no": False, "false": False, "0": False}
_WORD = re.compile(r"[^\W_]+(?:'[^\W_]+)?", re.UNICODE)
_CYR = re.compile(r"[\u0400-\u04FF]")
#: Russian case endings of a brand ending in a consonant / in -а, -я
_RU_CONS = ("а", "у", "ом", "е", "ы", "ов", "ам", "ами", "ах")
_RU_A = ("ы", "е", "у", "ой", "и")
#: Kazakh case suffixes written after a hyphen on foreign words
_KZ_SUFFIX = frozenset(
    [
        "ға",
        "ге",
        "қа",
        "ке",
        "на",
        "не",
        "а",
        "е",
        "ның",
        "нің",
        "дың",
        "дің",
        "тың",
        "тің",
        "ды",
        "ді",
        "ты",
        "ті",
        "ны",
        "ні",
        "да",
        "де",
        "та",
        "те",
        "дан",
        "ден",
        "тан",
        "тен",
        "нан",
        "нен",
        "мен",
        "бен",
        "пен",
        "лар",
        "лер",
        "дар",
        "дер",
        "тар",
        "тер",
    ]
)


@dataclass(frozen=True, slots=True)
class Brand:
    brand: str
    aliases: tuple[str, ...]
    ambiguous: frozenset[str]
    owner: str
    owner_country: str
    stopped_supplying_russia: bool
    stopped_source: str
    negative_context: frozenset[str]
    required_context: frozenset[str]
    source: str
    line: int = 0


@dataclass(frozen=True, slots=True)
class BrandRowError:
    line: int
    brand: str
    column: str
    reason: str


@dataclass(frozen=True, slots=True)
class BrandHit:
    brand: str
    alias: str
    matched: str
    start: int
    owner: str
    owner_country: str
    stopped_supplying_russia: bool

    def to_dict(self) -> dict[str, Any]:
        return {
            "brand": self.brand,
            "alias": self.alias,
            "matched": self.matched,
            "owner": self.owner,
            "owner_country": self.owner_country,
            "stopped_supplying_russia": self.stopped_supplying_russia,
        }


def _fold(text: str) -> str:
    return text.casefold().replace("ё", "е")


def _words(value: str) -> frozenset[str]:
    return frozenset(_fold(w.strip()) for w in value.split(";") if w.strip())


def load_brands(
    path: Path | None = None, countries: Iterable[str] | None = None
) -> tuple[list[Brand], list[BrandRowError]]:
    """Read a brands CSV: the brands and one error per rejected row (nothing lost)."""
    path = Path(path) if path is not None else BRANDS_FILE
    try:
        text = path.read_bytes().decode("utf-8-sig")
    except OSError as exc:
        raise InputError(f"cannot read brands file: {exc.strerror}", file=str(path)) from exc
    except UnicodeDecodeError as exc:
        raise ParseError("brands file is not UTF-8 text", file=str(path)) from exc
    reader = csv.DictReader(io.StringIO(text))
    fields = [f.strip().lower() for f in (reader.fieldnames or [])]
    reader.fieldnames = fields
    missing = [c for c in COLUMNS if c not in fields]
    if missing:
        raise ParseError(
            "brands file needs columns " + ", ".join(COLUMNS) + "; missing: " + ", ".join(missing),
            file=str(path),
            line=1,
        )
    if countries is None:
        from circumspect.risk.columns import country_codes

        countries = country_codes()
    known = frozenset(countries)
    brands: list[Brand] = []
    errors: list[BrandRowError] = []
    seen_brand: dict[str, int] = {}
    seen_alias: dict[str, tuple[str, int]] = {}
    for n, row in enumerate(reader, start=2):
        name = (row.get("brand") or "").strip()

        def err(column: str, reason: str, n: int = n, name: str = name) -> None:
            errors.append(BrandRowError(n, name, column, reason))

        if not name:
            err("brand", "empty brand")
            continue
        key = _fold(name)
        if key in seen_brand:
            err("brand", f"duplicate brand {name!r}, first at line {seen_brand[key]}")
            continue
        raw_aliases = [a.strip() for a in (row.get("aliases") or "").split(";") if a.strip()]
        if name not in [a.rstrip("?") for a in raw_aliases]:
            raw_aliases.insert(0, name)
        aliases: list[str] = []
        ambiguous: set[str] = set()
        clash = ""
        for a in raw_aliases:
            plain = a.rstrip("?").strip()
            if a.endswith("?"):
                ambiguous.add(plain)
            owner = seen_alias.get(_fold(plain))
            if owner is not None:
                clash = f"alias {plain!r} already belongs to {owner[0]!r} (line {owner[1]})"
                break
            aliases.append(plain)
        if clash:
            err("aliases", clash)
            continue
        country = (row.get("owner_country") or "").strip().upper()
        if country not in known:
            err("owner_country", f"unknown country code {country!r} (ISO 3166 alpha-2)")
            continue
        stopped_raw = (row.get("stopped_supplying_russia") or "").strip().lower()
        if stopped_raw not in _YES:
            err("stopped_supplying_russia", f"expected yes or no, got {stopped_raw!r}")
            continue
        if _YES[stopped_raw] and not (row.get("stopped_source") or "").strip():
            err("stopped_source", "stopped_supplying_russia = yes needs a stopped_source")
            continue
        seen_brand[key] = n
        for a in aliases:
            seen_alias[_fold(a)] = (name, n)
        brands.append(
            Brand(
                brand=name,
                aliases=tuple(aliases),
                ambiguous=frozenset(ambiguous),
                owner=(row.get("owner") or "").strip(),
                owner_country=country,
                stopped_supplying_russia=_YES[stopped_raw],
                stopped_source=(row.get("stopped_source") or "").strip(),
                negative_context=_words(row.get("negative_context") or ""),
                required_context=_words(row.get("required_context") or ""),
                source=(row.get("source") or "").strip(),
                line=n,
            )
        )
    return brands, errors


@dataclass(frozen=True, slots=True)
class _Alias:
    brand: Brand
    alias: str
    tokens: tuple[str, ...]
    ambiguous: bool


class BrandExtractor:
    """Finds brands in free text (see the module docstring for the rules)."""

    def __init__(self, brands: Iterable[Brand]) -> None:
        self.brands = list(brands)
        self._first: dict[str, list[_Alias]] = {}
        for b in self.brands:
            for a in b.aliases:
                tokens = tuple(_fold(m.group(0)) for m in _WORD.finditer(a))
                if not tokens:
                    continue
                entry = _Alias(b, a, tokens, a in b.ambiguous)
                for form in self._forms(tokens[0], len(tokens) == 1):
                    self._first.setdefault(form, []).append(entry)

    @staticmethod
    def _forms(token: str, last: bool) -> set[str]:
        forms = {token}
        if last and _CYR.search(token) and len(token) >= 3:
            if token[-1] in "ая":
                forms.update(token[:-1] + e for e in _RU_A)
            elif token[-1] not in "оеиыуэю":
                forms.update(token + e for e in _RU_CONS)
        return forms

    def extract(self, text: str) -> list[BrandHit]:
        """Brands found in ``text``, once each, in order of appearance."""
        if not text:
            return []
        matches = list(_WORD.finditer(text))
        folded = [_fold(m.group(0)) for m in matches]
        bag = frozenset(folded)
        hits: list[BrandHit] = []
        found: set[str] = set()
        for i, tok in enumerate(folded):
            for cand in self._first.get(tok, ()):
                if cand.brand.brand in found:
                    continue
                k = len(cand.tokens)
                if k > 1:
                    if folded[i + 1 : i + k] != list(cand.tokens[1:]):
                        continue
                    last_forms = self._forms(cand.tokens[-1], True)
                    if i + k - 1 >= len(folded) or folded[i + k - 1] not in last_forms:
                        continue
                if cand.ambiguous and not self._ambiguous_ok(cand, text, matches, i, bag):
                    continue
                found.add(cand.brand.brand)
                b = cand.brand
                end = matches[min(i + k - 1, len(matches) - 1)].end()
                hits.append(
                    BrandHit(
                        b.brand,
                        cand.alias,
                        text[matches[i].start() : end],
                        matches[i].start(),
                        b.owner,
                        b.owner_country,
                        b.stopped_supplying_russia,
                    )
                )
        return hits

    @staticmethod
    def _ambiguous_ok(
        cand: _Alias, text: str, matches: list[re.Match[str]], i: int, bag: frozenset[str]
    ) -> bool:
        written = matches[i].group(0)
        if not written[:1].isupper():
            return False
        end = matches[i].end()
        if end < len(text) and text[end] == "-" and i + 1 < len(matches):
            nxt = _fold(matches[i + 1].group(0))
            if matches[i + 1].start() == end + 1 and nxt not in _KZ_SUFFIX:
                return False  # мини-трактор, Apple-shaped
        b = cand.brand
        if b.negative_context & bag:
            return False
        if b.required_context:
            others = bag - {cand.tokens[0]}
            if not (b.required_context & others):
                return False
        return True


@lru_cache(maxsize=1)
def default_extractor() -> BrandExtractor:
    brands, errors = load_brands()
    if errors:  # the shipped file must be clean
        first = errors[0]
        raise ParseError(first.reason, file=str(BRANDS_FILE), line=first.line, field=first.column)
    return BrandExtractor(brands)


def extract_brands(text: str) -> list[BrandHit]:
    return default_extractor().extract(text)
