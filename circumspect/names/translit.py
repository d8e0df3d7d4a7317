"""Transliteration of Russian and Kazakh Cyrillic, and of other scripts, to Latin.

Cyrillic schemes are our own tables (ICU has no ICAO, GOST 7.79 or Kazakh 2021 rules and
its ``Kazakh-Latin/BGN`` does not handle Russian names). Other scripts go through ICU
(``Any-Latin``) via PyICU. See ``docs/names.md`` for the tables and their sources.

Schemes (``SCHEMES``):

* ``bgn``: BGN/PCGN (Russian 1947, Kazakh 1979): Жомарт -> Zhomart, Щ -> shch, Қ -> q.
* ``icao``: ICAO Doc 9303 (machine-readable passports): ASCII only, й -> i, ю -> iu,
  я -> ia, Kazakh letters to their base Latin letter (қ -> k, ө -> o).
* ``gost``: GOST 7.79-2000 system B (ASCII): й -> j, х -> x, ц -> cz, щ -> shh.
* ``kz2021``: Kazakh Latin alphabet of 2021: ä ğ q ñ ö ū ü ı ş, ж -> j, ч -> ch.
* ``french``: old French-style spellings: у -> ou, ч -> tch, ш -> ch (Kovaltchouk).
* ``german``: old German-style spellings: в -> w, ж -> sch, ч -> tsch, ш -> sch, ц -> z.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from functools import lru_cache
from itertools import product
from typing import Any

from circumspect.names.normalize import ascii_fold, casefold, detect_script, scripts

_RU_BASE: dict[str, str] = {
    "а": "a",
    "б": "b",
    "в": "v",
    "г": "g",
    "д": "d",
    "е": "e",
    "ё": "e",
    "ж": "zh",
    "з": "z",
    "и": "i",
    "й": "y",
    "к": "k",
    "л": "l",
    "м": "m",
    "н": "n",
    "о": "o",
    "п": "p",
    "р": "r",
    "с": "s",
    "т": "t",
    "у": "u",
    "ф": "f",
    "х": "kh",
    "ц": "ts",
    "ч": "ch",
    "ш": "sh",
    "щ": "shch",
    "ъ": "",
    "ы": "y",
    "ь": "",
    "э": "e",
    "ю": "yu",
    "я": "ya",
}

#: Kazakh letters outside Russian, mapped to the Russian letter people fall back to
#: (column ``common_russian_fallback_letter`` of ../shared/reference/kazakh_letters.csv).
KZ_FALLBACK: dict[str, str] = {
    "ә": "а",
    "ғ": "г",
    "қ": "к",
    "ң": "н",
    "ө": "о",
    "ұ": "у",
    "ү": "у",
    "һ": "х",
    "і": "и",
}

SCHEMES: dict[str, dict[str, str]] = {
    "bgn": {
        **_RU_BASE,
        "ё": "ë",
        "ъ": '"',
        "ь": "'",
        "ә": "ä",
        "ғ": "gh",
        "қ": "q",
        "ң": "ng",
        "ө": "ö",
        "ұ": "ū",
        "ү": "ü",
        "һ": "h",
        "і": "i",
    },
    "icao": {
        **_RU_BASE,
        "й": "i",
        "ъ": "ie",
        "ю": "iu",
        "я": "ia",
        "ә": "a",
        "ғ": "g",
        "қ": "k",
        "ң": "n",
        "ө": "o",
        "ұ": "u",
        "ү": "u",
        "һ": "h",
        "і": "i",
    },
    "gost": {
        **_RU_BASE,
        "ё": "yo",
        "й": "j",
        "х": "x",
        "ц": "cz",
        "щ": "shh",
        "ъ": "``",
        "ы": "y'",
        "ь": "`",
        "э": "e`",
        "ә": "a`",
        "ғ": "g`",
        "қ": "k`",
        "ң": "n`",
        "ө": "o`",
        "ұ": "u`",
        "ү": "u``",
        "һ": "h`",
        "і": "i`",
    },
    "kz2021": {
        **_RU_BASE,
        "ё": "io",
        "ж": "j",
        "й": "i",
        "х": "h",
        "ш": "ş",
        "щ": "şş",
        "ю": "iu",
        "я": "ia",
        "ы": "y",
        "ъ": "",
        "ь": "",
        "ә": "ä",
        "ғ": "ğ",
        "қ": "q",
        "ң": "ñ",
        "ө": "ö",
        "ұ": "ū",
        "ү": "ü",
        "һ": "h",
        "і": "ı",
    },
    "french": {
        **_RU_BASE,
        "ё": "io",
        "ж": "j",
        "й": "ï",
        "у": "ou",
        "ч": "tch",
        "ш": "ch",
        "щ": "chtch",
        "ю": "iou",
        "я": "ia",
        "х": "kh",
    },
    "german": {
        **_RU_BASE,
        "в": "w",
        "ё": "jo",
        "ж": "sch",
        "з": "s",
        "й": "j",
        "х": "ch",
        "ц": "z",
        "ч": "tsch",
        "ш": "sch",
        "щ": "schtsch",
        "ю": "ju",
        "я": "ja",
    },
}

# French and German spellings predate Kazakh Latin conventions: Kazakh letters fall back.
for _scheme in ("french", "german"):
    for _kz, _ru in KZ_FALLBACK.items():
        SCHEMES[_scheme][_kz] = SCHEMES[_scheme][_ru]

_VOWELS = set("аеёиоуыэюяәөұүі")
#: BGN/PCGN writes е as ye at the start of a word and after vowels, ъ and ь.
_BGN_YE = {"е": "ye", "ё": "yë"}


def _cyrillic_to_latin(text: str, table: dict[str, str], scheme: str) -> str:
    out: list[str] = []
    prev = ""
    n = len(text)
    for i, ch in enumerate(text):
        low = ch.lower()
        if low not in table:
            out.append(ch)
            prev = low
            continue
        rep = table[low]
        nxt = text[i + 1].lower() if i + 1 < n else ""
        if (
            scheme == "bgn"
            and low in _BGN_YE
            and (not prev.isalpha() or prev in _VOWELS or prev in "ъь")
        ):
            rep = _BGN_YE[low]
        elif scheme == "gost" and low == "ц" and nxt in "еиыйіэ" and nxt:
            rep = "c"
        elif scheme in ("french", "german") and low == "с" and prev in _VOWELS and nxt in _VOWELS:
            rep = "ss"
        if ch != low and rep:
            nxt_upper = i + 1 < n and text[i + 1].isupper()
            prev_upper = i > 0 and text[i - 1].isupper()
            rep = rep.upper() if (nxt_upper or prev_upper) else rep[0].upper() + rep[1:]
        out.append(rep)
        prev = low
    return "".join(out)


@lru_cache(maxsize=8)
def _icu(transform: str) -> object:
    import icu

    return icu.Transliterator.createInstance(transform)


def icu_transform(text: str, transform: str) -> str:
    """``text`` through an ICU transform (``Any-Latin``, ``Any-Latin; Latin-ASCII`` ...): the
    one place the package creates ICU transliterators (cached per transform)."""
    return str(_icu(transform).transliterate(text))  # type: ignore[attr-defined]


@lru_cache(maxsize=65536)
def icu_latin(text: str) -> str:
    """ICU ``Any-Latin`` (used for scripts other than Cyrillic)."""
    return icu_transform(text, "Any-Latin")


@lru_cache(maxsize=1)
def korean_surnames() -> dict[str, str]:
    """Hangul surname syllable -> its usual Latin spelling (``data/korean_surnames.csv``)."""
    import csv
    from pathlib import Path

    path = Path(__file__).resolve().parent / "data" / "korean_surnames.csv"
    with path.open(encoding="utf-8", newline="") as fh:
        return {row["hangul"]: row["latin"] for row in csv.DictReader(fh)}


def _is_hangul(ch: str) -> bool:
    return "\uac00" <= ch <= "\ud7a3"


def korean_latin(text: str) -> str:
    """Hangul names to Latin as people spell them: one word per syllable, the family name
    from the usual-spelling table (김 -> kim, 박 -> park), other syllables by ICU Revised
    Romanisation with ``eo`` -> ``o`` and ``eu`` -> ``u`` (정은 -> jong un)."""
    out: list[str] = []
    for word in text.split():
        if not any(_is_hangul(ch) for ch in word):
            out.append(word)
            continue
        syllables = [ch for ch in word if _is_hangul(ch)]
        for i, syl in enumerate(syllables):
            if i == 0 and len(syllables) >= 2 and syl in korean_surnames():
                out.append(korean_surnames()[syl])
                continue
            latin = icu_latin(syl).replace("eo", "o").replace("eu", "u")
            out.append(latin)
    return " ".join(out)


@lru_cache(maxsize=1)
def han_hangul() -> dict[str, tuple[str, ...]]:
    """Han character -> its Sino-Korean readings in Hangul, Unihan's order
    (``data/han_hangul.csv``, generated by ``scripts/gen/han_hangul.py``)."""
    import csv
    from pathlib import Path

    path = Path(__file__).resolve().parent / "data" / "han_hangul.csv"
    with path.open(encoding="utf-8", newline="") as fh:
        return {row["char"]: tuple(row["hangul"].split()) for row in csv.DictReader(fh)}


def _is_han(ch: str) -> bool:
    return "\u4e00" <= ch <= "\u9fff" or "\u3400" <= ch <= "\u4dbf" or "\uf900" <= ch <= "\ufaff"


def _is_kana(ch: str) -> bool:
    return "\u3040" <= ch <= "\u30ff"


def korean_readings(text: str, limit: int = 4) -> list[str]:
    """A name written in Hanja read as Korean, in Latin: every reading of the first Han
    character (the family name: 金 is 금 and, as a surname, 김), the first reading of the
    others, each spelt by :func:`korean_latin`. [] when a Han character has no reading."""
    table = han_hangul()
    options: list[tuple[str, ...]] = []
    first = True
    for ch in text:
        if _is_han(ch):
            found = table.get(ch)
            if not found:
                return []
            options.append(found if first else found[:1])
            first = False
        else:
            options.append((ch,))
    if first:
        return []
    out: list[str] = []
    for combo in product(*options):
        latin = korean_latin("".join(combo))
        if latin not in out:
            out.append(latin)
        if len(out) >= limit:
            break
    return out


@lru_cache(maxsize=1)
def _kakasi() -> Any:
    import pykakasi

    return pykakasi.kakasi()  # type: ignore[no-untyped-call]


def warm_up(texts: Iterable[str]) -> None:
    """Load the readers built on first use (pykakasi's dictionary: about 1.4 s) in this
    process when one of ``texts`` has Han or kana letters, so that processes forked after
    this share them instead of each loading its own."""
    if any(_is_han(ch) or _is_kana(ch) for text in texts if not text.isascii() for ch in text):
        _kakasi()


_LONG_VOWEL = re.compile(r"ou|oo|uu")


def japanese_latin(text: str) -> str:
    """A name in kanji or kana read as Japanese (pykakasi's dictionary, Hepburn), long
    vowels written as passports do (``tarou`` -> ``taro``, ``yuuko`` -> ``yuko``); "" when
    the dictionary cannot read every character (simplified Chinese: 习, 伟)."""
    words: list[str] = []
    for item in _kakasi().convert(text):
        orig, latin = str(item["orig"]), str(item["hepburn"])
        if any(_is_han(ch) or _is_kana(ch) for ch in orig) and (
            not latin.strip() or any(_is_han(ch) or _is_kana(ch) for ch in latin)
        ):
            return ""
        words.append(latin)
    return _LONG_VOWEL.sub(lambda m: m.group(0)[0], " ".join(" ".join(words).split()))


def han_readings(text: str) -> list[str]:
    """Korean and Japanese readings of a name written as those languages write names (Mandarin
    pinyin is ICU's ``Any-Latin``, the default form); [] for other names.

    Korean names in Hanja are one word of two to four characters, family name first (金正恩);
    Japanese names one or two words (family name, given name) of at most six characters.
    Names spaced otherwise (given names first, as Chinese names are in Western records) are
    not read these ways: the extra readings would only add chance matches."""
    words = text.split()
    letters = "".join(words)
    if not letters or not all(_is_han(ch) or _is_kana(ch) for ch in letters):
        return []
    out: list[str] = []
    if len(words) == 1 and 2 <= len(letters) <= 4 and all(_is_han(ch) for ch in letters):
        out.extend(korean_readings(letters))
    if len(words) <= 2 and len(letters) <= 6:
        japanese = japanese_latin(text)
        if japanese and japanese not in out:
            out.append(japanese)
    return out


def transliterate(text: str, scheme: str = "bgn") -> str:
    """Latin form of ``text`` under ``scheme`` (one of :data:`SCHEMES`).

    Cyrillic letters (Russian and Kazakh) use the scheme's table; letters of other
    non-Latin scripts go through ICU ``Any-Latin``; Latin text is returned unchanged.
    Unknown schemes raise ``ValueError``.
    """
    if scheme not in SCHEMES:
        raise ValueError(f"unknown transliteration scheme {scheme!r}; known: {', '.join(SCHEMES)}")
    result = _cyrillic_to_latin(text, SCHEMES[scheme], scheme)
    found = scripts(result)
    if "Hangul" in found:
        result = korean_latin(result)
        found = scripts(result)
    if found - {"Latin"}:
        result = icu_latin(result)
    return result


#: Greedy Latin -> Cyrillic (Russian) for Latin queries against Cyrillic aliases.
_LATIN_TO_CYR: tuple[tuple[str, str], ...] = tuple(
    sorted(
        {
            "shch": "щ",
            "sch": "щ",
            "tsch": "ч",
            "tch": "ч",
            "zh": "ж",
            "kh": "х",
            "ts": "ц",
            "tz": "ц",
            "ch": "ч",
            "sh": "ш",
            "ya": "я",
            "ia": "я",
            "ja": "я",
            "yu": "ю",
            "iu": "ю",
            "ju": "ю",
            "yo": "ё",
            "ye": "е",
            "ou": "у",
            "ph": "ф",
            "a": "а",
            "b": "б",
            "c": "к",
            "d": "д",
            "e": "е",
            "f": "ф",
            "g": "г",
            "h": "х",
            "i": "и",
            "j": "ж",
            "k": "к",
            "l": "л",
            "m": "м",
            "n": "н",
            "o": "о",
            "p": "п",
            "q": "к",
            "r": "р",
            "s": "с",
            "t": "т",
            "u": "у",
            "v": "в",
            "w": "в",
            "x": "кс",
            "y": "ы",
            "z": "з",
        }.items(),
        key=lambda kv: -len(kv[0]),
    )
)


def to_cyrillic(text: str) -> str:
    """Russian Cyrillic spelling of a Latin name (``Tokayev`` -> ``токаев``).

    Lowercase output; longest Latin sequence first (``shch`` before ``sh`` before ``s``);
    a final ``y``/``iy`` becomes ``ий``/``й`` as in Russian names (``Dmitriy`` -> ``дмитрий``).
    """
    src = ascii_fold(casefold(text))
    out: list[str] = []
    i = 0
    n = len(src)
    while i < n:
        if src[i].isalpha() and src[i].isascii():
            end_word = i + 1 >= n or not src[i + 1].isalpha()
            if src[i] == "y" and end_word:
                prev_vowel = i > 0 and src[i - 1] in "aeiou"
                out.append("й" if prev_vowel else "ий")
                i += 1
                continue
            after = src[i + 1] if i + 1 < n else ""
            if src[i] == "y" and i > 0 and src[i - 1] in "aeiou" and after not in "aeiou":
                out.append("й")
                i += 1
                continue
            for latin, cyr in _LATIN_TO_CYR:
                if src.startswith(latin, i):
                    out.append(cyr)
                    i += len(latin)
                    break
            else:  # pragma: no cover - every ASCII letter is in the table
                out.append(src[i])
                i += 1
        else:
            out.append(src[i])
            i += 1
    return "".join(out)


@lru_cache(maxsize=65536)
def latin_variants(text: str) -> tuple[str, ...]:
    """Every Latin spelling we consider for ``text``, ASCII-folded and casefolded.

    Cyrillic names yield one spelling per scheme (deduplicated); other scripts the ICU
    form; Latin names their own folded form. Order is stable (first = BGN/PCGN).
    """
    found = detect_script(text)
    if found == "Latin" or found == "None":
        return (ascii_fold(casefold(text)),)
    variants: list[str] = []
    has_cyr = "Cyrillic" in scripts(text)
    schemes = list(SCHEMES) if has_cyr else ["bgn"]
    for scheme in schemes:
        value = ascii_fold(casefold(transliterate(text, scheme)))
        if value not in variants:
            variants.append(value)
    for reading in han_readings(text):
        value = ascii_fold(casefold(reading))
        if value and value not in variants:
            variants.append(value)
    return tuple(variants)
