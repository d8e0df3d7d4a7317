"""Compiled names and the name comparison (token alignment across transliterations).

A name is compiled once (listed names at index build, the query once per query) into
Latin *skeleton* token tuples, one per transliteration variant, with a weight per token.
Two compiled names are compared by aligning their tokens (any order) and taking the
best pair of variants.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import NamedTuple

from rapidfuzz.distance import OSA, Levenshtein

from circumspect.names.confusables import fold_variants, look_alike_latin
from circumspect.names.core import CORE
from circumspect.names.frequency import (
    is_common_given_name,
    is_common_name,
    is_common_surname,
)
from circumspect.names.legal_forms import compatible, join_letters, split_legal_forms
from circumspect.names.normalize import ascii_fold, casefold, clean, normalize, scripts
from circumspect.names.persons import is_patronymic
from circumspect.names.phonetic import consonants, skeleton
from circumspect.names.translate import translate_tokens
from circumspect.names.translit import latin_variants, transliterate

#: Longest name we compare (characters after cleaning); longer input is cut, not refused.
MAX_NAME_CHARS = 300
#: Most tokens per name we align.
MAX_TOKENS = 12
#: Token kinds.
NORMAL, PATRONYMIC, INITIAL, WEAK, NUMBER = 0, 1, 2, 3, 4
_ABJAD = frozenset({"Arabic", "Hebrew"})
#: Scripts written without spaces between name parts, compared character by character
#: when both names use them (one different character is a different name).
_DENSE = frozenset({"Han", "Hangul", "Hiragana", "Katakana"})
_NOT_ASCII_ALNUM = re.compile(r"[^a-z0-9 ]+")

ORG_SCHEMATA = frozenset({"Company", "Organization", "LegalEntity"})


@lru_cache(maxsize=1)
def weak_words() -> frozenset[str]:
    path = Path(__file__).resolve().parent.parent / "names" / "data" / "weak_words.txt"
    words: set[str] = set()
    for line in path.read_text(encoding="utf-8").splitlines():
        line = line.strip()
        if line and not line.startswith("#"):
            words.add(normalize(line))
            for variant in latin_variants(line):
                words.add(skeleton(variant))
    return frozenset(words)


@lru_cache(maxsize=1)
def loanwords() -> dict[str, str]:
    """Cyrillic spellings of English business words -> the English word
    (``names/data/loanwords.csv``: трейд -> trade, групп -> group)."""
    import csv

    path = Path(__file__).resolve().parent.parent / "names" / "data" / "loanwords.csv"
    with path.open(encoding="utf-8", newline="") as fh:
        return {normalize(r["cyrillic"]): r["latin"] for r in csv.DictReader(fh)}


@lru_cache(maxsize=1)
def person_titles() -> frozenset[str]:
    path = Path(__file__).resolve().parent.parent / "names" / "data" / "person_titles.txt"
    words: set[str] = set()
    for line in path.read_text(encoding="utf-8").splitlines():
        line = line.strip()
        if line and not line.startswith("#"):
            for variant in latin_variants(line):
                words.add(skeleton(variant))
    return frozenset(words)


class Variant(NamedTuple):
    """One Latin spelling of a name: skeleton tokens, their kinds and weights."""

    tokens: tuple[str, ...]
    kinds: tuple[int, ...]
    weights: tuple[float, ...]
    cons: tuple[str, ...]
    joined: str
    bin_pos: bool = False
    #: Weight each token keeps when unmatched (weight x ``UNMATCHED_FACTOR``).
    soft: tuple[float, ...] = ()
    #: Whether any token is a patronymic or a number (slower alignment rules apply).
    special: bool = False
    #: Bit mask of the tokens' first two letters (a quick "no word can align" test).
    mask: int = -1
    #: Organisation words ending in a generic word ("sberbank", "neftegaz"): the
    #: distinctive start and the generic ending, compared separately; else "".
    stems: tuple[tuple[str, str], ...] = ()


class CompiledName(NamedTuple):
    """A name ready for comparison."""

    text: str
    variants: tuple[Variant, ...]
    forms: tuple[str, ...]
    abjad: bool
    person: bool = False
    chars: Variant | None = None
    #: Person names written ``SURNAME, Given Names`` (as OFAC and the UN write them): the
    #: spelling skeletons of the surname words.
    surnames: frozenset[str] = frozenset()

    @property
    def empty(self) -> bool:
        return not self.variants


def _weight(token: str, kind: int) -> float:
    if kind == INITIAL:
        return 0.6
    if kind == NUMBER:
        return 2.0
    return 1.0 + min(len(token), 8) / 4.0


_NUMBER_WORDS = {
    "zero": 0,
    "one": 1,
    "two": 2,
    "three": 3,
    "four": 4,
    "five": 5,
    "six": 6,
    "seven": 7,
    "eight": 8,
    "nine": 9,
    "ten": 10,
    "eleven": 11,
    "twelve": 12,
    "thirteen": 13,
    "fourteen": 14,
    "fifteen": 15,
    "sixteen": 16,
    "seventeen": 17,
    "eighteen": 18,
    "nineteen": 19,
    "twenty": 20,
    "thirty": 30,
    "forty": 40,
    "fourty": 40,
    "fifty": 50,
    "sixty": 60,
    "seventy": 70,
    "eighty": 80,
    "ninety": 90,
    "first": 1,
    "second": 2,
    "third": 3,
    "1st": 1,
    "2nd": 2,
    "3rd": 3,
    "4th": 4,
    "5th": 5,
}
_ROMAN_RE = re.compile(r"^[ivx]{2,6}$")
_ROMAN_VALUES = {"i": 1, "v": 5, "x": 10}


def _roman(tok: str) -> int | None:
    """Value of a Roman numeral of 2-6 letters from i, v, x (``viii`` -> 8), else None."""
    if not _ROMAN_RE.match(tok):
        return None
    total = 0
    for i, ch in enumerate(tok):
        v = _ROMAN_VALUES[ch]
        nxt = _ROMAN_VALUES[tok[i + 1]] if i + 1 < len(tok) else 0
        total += -v if v < nxt else v
    return total if total > 0 else None


_LEET = str.maketrans("013457", "oieast")
_BIN_WORDS = frozenset({"bin", "ibn", "ben", "bint", "binti", "bent"})
_BIN_SKELETONS = frozenset({"bin", "ibn", "ben", "bint", "binti", "bent"})


def _numbers(raw: list[str], person: bool = False) -> list[str]:
    """Number words and Roman numerals to digits; ``forty four`` -> ``44``; digits inside
    words read as letters (``Ig0r`` -> ``igor``)."""
    out: list[str] = []
    for tok in raw:
        if tok.isdigit():
            out.append(str(int(tok)) if len(tok) < 6 else tok)
            continue
        value = _NUMBER_WORDS.get(tok, None if person else _roman(tok))
        if value is not None:
            if (
                out
                and out[-1].isdigit()
                and int(out[-1]) % 10 == 0
                and 20 <= int(out[-1]) < 100
                and value < 10
            ):
                out[-1] = str(int(out[-1]) + value)
            else:
                out.append(str(value))
            continue
        if any(ch.isdigit() for ch in tok) and sum(ch.isalpha() for ch in tok) >= 2:
            tok = tok.translate(_LEET)
        out.append(tok)
    return out


def _prefix_bits(prefix: str) -> int:
    """One of 63 bits for a one- or two-letter word start (stable across processes).

    A one-letter start also sets the bits of every two-letter start beginning with it, so an
    initial or a short word can still meet a longer word."""
    if len(prefix) == 1:
        return _LETTER_BITS.get(prefix, 0)
    return 1 << ((ord(prefix[0]) * 31 + ord(prefix[1])) % 63)


_LETTER_BITS: dict[str, int] = {}
for _a in "abcdefghijklmnopqrstuvwxyz0123456789":
    _bits = 0
    for _b in "abcdefghijklmnopqrstuvwxyz0123456789":
        _bits |= 1 << ((ord(_a) * 31 + ord(_b)) % 63)
    _LETTER_BITS[_a] = _bits


#: A one-letter initial read as the first letter of the spelling skeleton of the names it
#: stands for (``Y.`` for Yuri, whose skeleton is ``iuri``).
_INITIAL_SKELETON = {"y": "i", "w": "v", "q": "k", "x": "k"}


def _variant(latin: str, person: bool) -> Variant | None:
    latin = latin.replace("'", "").replace("`", "").replace('"', "")
    raw = _numbers(_NOT_ASCII_ALNUM.sub(" ", ascii_fold(latin)).split(), person)[:MAX_TOKENS]
    tokens: list[str] = []
    kinds: list[int] = []
    weak = person_titles() if person else weak_words()
    for tok in raw:
        sk = skeleton(tok)
        if not sk:
            continue
        if sk.isdigit():
            kind = NUMBER
        elif len(sk) == 1 and sk.isalpha():
            kind = INITIAL
            sk = _INITIAL_SKELETON.get(sk, sk)
        elif person and is_patronymic(tok):
            kind = PATRONYMIC
        elif sk in weak and len(raw) > 1:
            kind = WEAK
        else:
            kind = NORMAL
        tokens.append(sk)
        kinds.append(kind)
    if not tokens:
        return None
    weights = tuple(_weight(t, k) for t, k in zip(tokens, kinds, strict=True))
    cons = tuple(consonants(t) for t in tokens)
    bin_pos = person and any(t in _BIN_WORDS for t in raw)
    soft = tuple(w * UNMATCHED_FACTOR[k] for w, k in zip(weights, kinds, strict=True))
    stems: tuple[tuple[str, str], ...] = ()
    if not person:
        stems = tuple(
            _compound(t) if k == NORMAL else ("", "") for t, k in zip(tokens, kinds, strict=True)
        )
        if not any(stem for stem, _ in stems):
            stems = ()
    special = (
        any(k in (PATRONYMIC, NUMBER) for k in kinds)
        or bool(stems)
        or (not person and INITIAL in kinds)
    )
    mask = 0
    for tok, kind in zip(tokens, kinds, strict=True):
        mask |= _prefix_bits(tok[:1]) if kind == INITIAL else _prefix_bits(tok[:2])
        if kind == INITIAL or len(tok) <= 3:
            mask |= _prefix_bits(tok[:1])
    return Variant(
        tuple(tokens),
        tuple(kinds),
        weights,
        cons,
        "".join(tokens),
        bin_pos,
        soft,
        special,
        mask,
        stems,
    )


#: Generic endings of compound organisation words (spelling skeletons, longest first).
_COMPOUND_ENDINGS = tuple(
    sorted(
        {
            skeleton(w)
            for w in (
                "bank",
                "trade",
                "trading",
                "group",
                "invest",
                "energo",
                "energy",
                "prom",
                "neft",
                "gaz",
                "gas",
                "oil",
                "stroy",
                "stroi",
                "service",
                "servis",
                "tech",
                "techno",
                "com",
                "holding",
                "transit",
                "trans",
                "leasing",
                "capital",
                "finance",
            )
        },
        key=len,
        reverse=True,
    )
)


def _compound(token: str) -> tuple[str, str]:
    """(start, generic ending) of a compound organisation word with a start of 3+ letters
    (``sberbank`` -> ``sber``, ``bank``), else ``("", "")``."""
    for ending in _COMPOUND_ENDINGS:
        if token.endswith(ending) and len(token) - len(ending) >= 3:
            return token[: -len(ending)], ending
    return "", ""


@lru_cache(maxsize=200_000)
def compile_name(name: str, schema: str = "LegalEntity") -> CompiledName:
    """Compile a name for comparison under a schema (Person names keep one-letter tokens
    as initials; organisation names lose their legal forms, recorded in ``forms``).

    Words mixing Latin, Cyrillic and Greek letters are read through their confusable
    skeletons (``ОРLОТ`` as ``OPLOT``, see :mod:`circumspect.names.confusables`), and a name
    typed wholly in look-alike letters is also read as Latin."""
    text = clean(name)[:MAX_NAME_CHARS]
    person = schema == "Person"
    source = split_initials(text) if person else text
    variants: list[Variant] = []
    seen: set[tuple[str, ...]] = set()
    latins: list[str] = []
    forms: tuple[str, ...] = ()
    core_text = ""
    for n, reading in enumerate(fold_variants(source)):
        tokens, found = _core_tokens(reading, schema)
        if n == 0:
            forms, core_text = found, " ".join(tokens)
        latins.extend(_latin_readings(reading, tokens, schema, person))
    if schema in ORG_SCHEMATA:
        glued = _unglued_core(source, schema)
        if glued is not None:
            latins.extend(latin_variants(glued))
    look_alike = look_alike_latin(core_text) if not core_text.isascii() else None
    if look_alike is not None:
        latins.extend(latin_variants(look_alike))
    for latin in latins:
        variant = _variant(latin, person)
        if variant is not None and variant.tokens not in seen:
            seen.add(variant.tokens)
            variants.append(variant)
    used_scripts = scripts(core_text)
    abjad = bool(used_scripts & _ABJAD)
    chars: Variant | None = None
    if used_scripts and used_scripts <= _DENSE:
        letters = tuple(ch for ch in core_text if not ch.isspace())[:MAX_TOKENS]
        if letters:
            n = len(letters)
            chars = Variant(
                letters, (NORMAL,) * n, (2.0,) * n, letters, "".join(letters), False, (2.0,) * n
            )
    surnames: frozenset[str] = frozenset()
    if person and text.count(",") == 1:
        head = text.split(",", 1)[0]
        surnames = frozenset(
            tok for latin in latin_variants(normalize(head)) for tok in map(skeleton, latin.split())
        )
    return CompiledName(text, tuple(variants), forms, abjad, person, chars, surnames)


_GLUED_INITIALS = re.compile(r"(?<=[^\W\d_])(?=[^\W\d_]\.)")
_CAPS_INITIALS = re.compile(r"(?<!\S)([^\W\d_]{2,3})(?!\S)")


_CYRILLIC_INITIAL = re.compile(r"(?<![^\W\d_])([А-ЯЁ])\.")


def _cyrillic_initial(m: re.Match[str]) -> str:
    """A dotted Cyrillic initial as the first letter of its name's spelling skeleton
    (``Ю.`` -> ``I.`` as Yuri reads ``iuri``; ``Ж.`` -> ``J.``; ``Х.`` -> ``H.``)."""
    latin = skeleton(ascii_fold(casefold(transliterate(m.group(1).lower(), "bgn"))))
    return (latin[:1].upper() or m.group(1)) + "."


def split_initials(text: str) -> str:
    """Initials written against the surname or without dots, as Russian paperwork does:
    ``СечинИ.И.`` -> ``Сечин И.И.``; in a name with lower-case letters, a word of two or three
    capitals is initials (``Sechin II`` -> ``Sechin I I``)."""
    out = _GLUED_INITIALS.sub(
        lambda m: " " if text[m.start() - 1].islower() and text[m.start()].isupper() else "",
        text,
    )
    if any(ch.islower() for ch in out):
        out = _CAPS_INITIALS.sub(_caps_initials, out)
    return _CYRILLIC_INITIAL.sub(_cyrillic_initial, out)


#: Short name particles written in capitals that are no initials (``AL``, ``BIN``, ``DE``).
_PARTICLES = frozenset(
    [
        "al",
        "el",
        "ul",
        "ar",
        "as",
        "ad",
        "an",
        "at",
        "az",
        "bin",
        "ibn",
        "abu",
        "abd",
        "bu",
        "ben",
        "bint",
        "de",
        "da",
        "do",
        "du",
        "di",
        "la",
        "le",
        "van",
        "von",
        "der",
        "den",
        "dos",
        "das",
        "del",
        "mc",
        "mac",
        "st",
        "ou",
        "ye",
        "li",
        "wu",
        "ng",
        "ma",
        "he",
        "hu",
        "xu",
        "yu",
        "lu",
        "su",
        "bo",
    ]
)


def _caps_initials(m: re.Match[str]) -> str:
    word = m.group(1)
    if not word.isupper() or word.casefold() in _PARTICLES:
        return word
    return " ".join(word)


@lru_cache(maxsize=1)
def _form_words() -> frozenset[str]:
    """Words of legal forms (``limited``, ``company``, ``ооо``, ``ltd``), 3+ letters."""
    from circumspect.names.legal_forms import legal_forms

    words = {w for key in legal_forms() for w in key if len(w) >= 3}
    return frozenset(words - {"com", "inc"})


def _unglued_core(text: str, schema: str) -> str | None:
    """The core of an organisation name whose legal form was glued to a word or split
    inside (``LIMITED LIABILITY COMPANYSOUTHERN PROJECT``, ``TRANSPORTLTD.``, ``OOO'DSK'``,
    ``JOINT STOCK COM PANY GENBANK``): form words split off or joined back, then the form
    removed; ``None`` when nothing of the kind is found."""
    words = _form_words()
    tokens = normalize(text).split()
    out: list[str] = []
    changed = False
    i = 0
    while i < len(tokens):
        tok = tokens[i]
        if i + 1 < len(tokens) and tok not in words and tok + tokens[i + 1] in words:
            out.append(tok + tokens[i + 1])  # "com pany" -> "company"
            changed = True
            i += 2
            continue
        if tok not in words and len(tok) >= 7:
            for word in words:
                if tok.startswith(word) and len(tok) - len(word) >= 3:
                    out.extend([word, tok[len(word) :]])
                    changed = True
                    break
                if tok.endswith(word) and len(tok) - len(word) >= 4:
                    out.extend([tok[: -len(word)], word])
                    changed = True
                    break
            else:
                out.append(tok)
        else:
            out.append(tok)
        i += 1
    if not changed:
        return None
    core, found = split_legal_forms(join_letters(out))
    return " ".join(core) if found else None


def _core_tokens(text: str, schema: str) -> tuple[list[str], tuple[str, ...]]:
    """Normalised tokens without legal forms (organisations), and the forms found."""
    tokens = normalize(text).split()
    if schema in ORG_SCHEMATA:
        core, found = split_legal_forms(join_letters(tokens))
        return core, tuple(f.canonical for f in found)
    return tokens, ()


#: Greek nominative endings after a stem of 3+ letters.
_GREEK_ENDING = re.compile(r"(?<=[\u0370-\u03ff]{3})(?:ου|ού|ο|ό|η|ή|α|ά|ι|ί)[σς]$")


def _latin_readings(text: str, tokens: list[str], schema: str, person: bool) -> list[str]:
    """Latin spellings of one reading of a name (its core ``tokens``)."""
    latins = list(latin_variants(" ".join(tokens)))
    if any(_GREEK_ENDING.search(t) for t in tokens):
        # Greek nominative endings (Αλέξανδρος): other languages drop or change them
        # (Alexander, Alexandr), so the stem is one more reading.
        latins.extend(latin_variants(" ".join(_GREEK_ENDING.sub("", t) for t in tokens)))
    if "ё" in text.lower():
        # Normalising folds ё into е ("Ёнгвон" -> "енгвон" -> "engvon"); ё also reads "yo"
        # ("Yongwon"), which is kept as one more spelling.
        yo = _core_tokens(text.lower().replace("ё", "йо"), schema)[0]
        latins.extend(latin_variants(" ".join(yo)))
    if not person:
        words = loanwords()
        if any(t in words for t in tokens):
            # Only the Latin spellings: the mixed-script text itself would lose its
            # Cyrillic words ("орда energy" -> "energy") and match on the loanword alone.
            latins.extend(latin_variants(" ".join(words.get(t, t) for t in tokens)))
        translated = translate_tokens(tokens)
        if translated is not None:
            # Organisation words as English concepts ("российские железные дороги" and
            # "russian railways" both read "russia railways"): names/data/org_words.csv.
            latins.extend(latin_variants(" ".join(translated)))
    return latins


#: Similarity of two words one edit apart (substitution, insertion, deletion or swap of
#: neighbours), for words of 4+ letters / of 2-3 letters.
ONE_EDIT = 0.92
ONE_EDIT_SHORT = 0.7
#: Similarity of two words two edits apart (words of 5+ letters).
TWO_EDITS = 0.8
#: ... of words of 5-6 letters.
TWO_EDITS_SHORT = 0.7
#: Three or more edits: 1 - factor x edits / length.
MANY_EDITS_FACTOR = 1.5


def token_similarity_py(a: str, b: str) -> float:
    """Similarity of two skeleton tokens in [0, 1], by edit count (optimal string alignment):
    equal 1; one edit ``ONE_EDIT``; two edits ``TWO_EDITS``; else 1 - edits/length.
    An initial matches a word with the same first letter at 0.9."""
    if a == b:
        return 1.0
    if len(a) == 1 or len(b) == 1:
        return 0.9 if a[0] == b[0] else 0.0
    d = OSA.distance(a, b, score_cutoff=3)
    shortest = min(len(a), len(b))
    if d == 1:
        return ONE_EDIT if shortest > 3 else ONE_EDIT_SHORT
    if d == 2:
        return TWO_EDITS if shortest >= 7 else TWO_EDITS_SHORT if shortest >= 5 else 0.5
    return max(0.0, 1.0 - MANY_EDITS_FACTOR * d / max(len(a), len(b)))


#: :func:`token_similarity_py`, from the compiled core when built, cached.
token_similarity: Callable[[str, str], float] = lru_cache(maxsize=1 << 20)(
    CORE.token_similarity if CORE is not None else token_similarity_py
)


@dataclass(frozen=True, slots=True)
class NameMatch:
    score: float
    query: str
    candidate: str
    pairs: tuple[tuple[str, str, float], ...]
    unmatched_query: tuple[str, ...]
    unmatched_candidate: tuple[str, ...]
    how: str


#: Token pairs below this similarity are not aligned.
MIN_PAIR = 0.7
#: Share of its weight an unmatched token keeps, by kind.
UNMATCHED_FACTOR = {NORMAL: 1.0, PATRONYMIC: 0.25, INITIAL: 0.5, WEAK: 0.3, NUMBER: 1.5}
#: Weight of unmatched words present on one side only (extra names), relative to
#: unmatched words facing unmatched words on the other side (conflicting names).
EXTRA_FACTOR = 0.2
#: Extra words in the query (not in the listed name) cost more: a listed name that covers
#: only part of the query ("Hassan" for "Hussein Mousavi") is weak evidence.
EXTRA_QUERY_FACTOR = 0.5
#: The same for organisation and vessel names (an extra word often names another company).
EXTRA_FACTOR_ORG = 0.5
#: Factor when two Arabic-style names align with their "bin" parts in another order.
BIN_ORDER_FACTOR = 0.6
#: Aligned-pair similarity is raised to this power (near misses count less).
SIM_POWER = 1.0
#: Penalty weight for conflicting words (both sides have unmatched words).
CONFLICT_FACTOR = 2.0


def _unmatched(
    v: Variant, used: set[int], other_has_patronymic: bool, other_has_number: bool
) -> tuple[float, float]:
    """(weight that may be an extra name, weight that always conflicts)."""
    soft = 0.0
    hard = 0.0
    for i, (kind, w) in enumerate(zip(v.kinds, v.weights, strict=True)):
        if i in used:
            continue
        if kind == NUMBER:
            if other_has_number:
                soft += w * UNMATCHED_FACTOR[WEAK]
            else:
                hard += w * UNMATCHED_FACTOR[NUMBER]
        elif kind == PATRONYMIC and other_has_patronymic:
            hard += w
        else:
            soft += w * UNMATCHED_FACTOR[kind]
    return soft, hard


#: Similarity of equal consonant skeletons of 1-2 letters (many names share them).
SHORT_CONSONANTS = 0.75


@lru_cache(maxsize=1 << 18)
def _abjad_similarity(a: str, b: str, full_a: str, full_b: str) -> float:
    """Consonant skeletons (a name in Arabic or Hebrew script on one side at least): no
    initials, short equal skeletons count less; the full spellings count if better."""
    best = 0.0
    if a == b:
        best = SHORT_CONSONANTS if len(a) <= 1 else 0.9 if len(a) == 2 else 1.0
    elif len(a) > 1 and len(b) > 1:
        best = token_similarity(a, b)
    if len(full_a) > 1 and len(full_b) > 1:
        best = max(best, token_similarity(full_a, full_b))
    return best


_PATRONYMIC_SUFFIX = re.compile(r"(ovic|evic|ovna|evna|icna|ulu|uli|ul|kizi|kiz)$")


def _stem(token: str) -> str:
    """A patronymic's father's name: ``kemelevic`` / ``kemeluli`` -> ``kemel``."""
    return _PATRONYMIC_SUFFIX.sub("", token) or token


def align(
    q: Variant, c: Variant, abjad: bool, person: bool = True, exact: bool = False
) -> tuple[float, list[tuple[int, int, float]]]:
    """Greedy best alignment of tokens (any order).

    score = sum(similarity x pair weight) / (aligned weight + conflicting unmatched weight
    + ``EXTRA_FACTOR`` x one-sided unmatched weight).
    """
    qt = q.cons if abjad else q.tokens
    ct = c.cons if abjad else c.tokens
    sims: list[tuple[float, int, int]] = []
    min_pair = MIN_PAIR
    if not (exact or abjad or q.special or c.special):
        sim = person_similarity if person else token_similarity
        if CORE is not None:
            sims = CORE.plain_sims(qt, ct, sim, min_pair)
        else:
            for i, a in enumerate(qt):
                for j, b in enumerate(ct):
                    s = 1.0 if a == b else sim(a, b)
                    if s >= min_pair:
                        sims.append((s, i, j))
    else:
        for i, a in enumerate(qt):
            for j, b in enumerate(ct):
                if exact:
                    s = 1.0 if a == b else 0.0
                elif abjad:
                    s = _abjad_similarity(a, b, q.tokens[i], c.tokens[j])
                elif q.kinds[i] == PATRONYMIC and c.kinds[j] == PATRONYMIC:
                    s = token_similarity(_stem(a), _stem(b))
                elif person and {q.kinds[i], c.kinds[j]} == {INITIAL, PATRONYMIC}:
                    # An initial stands for a given name before a patronymic ("И.И." is
                    # Igor Ivanovich): the patronymic takes it only when no name word does.
                    s = INITIAL_PATRONYMIC if a[0] == b[0] else 0.0
                elif not person and (q.kinds[i] == INITIAL or c.kinds[j] == INITIAL):
                    # A letter in a company name is no initial of a word ("A A Trading"
                    # / "Anadolu Trading"), only of a letter group ("H and M" / "HM").
                    s = (
                        token_similarity(a, b)
                        if min(len(a), len(b)) == 1 and max(len(a), len(b)) <= 2
                        else float(a == b)
                    )
                elif q.stems and c.stems and q.stems[i][0] and q.stems[i][1] == c.stems[j][1]:
                    # Same generic ending: the distinctive starts decide (Sberbank/Swedbank).
                    s = token_similarity(a, b)
                    if a != b and OSA.distance(q.stems[i][0], c.stems[j][0], score_cutoff=2) > 1:
                        s = token_similarity(q.stems[i][0], c.stems[j][0])
                else:
                    s = person_similarity(a, b) if person else token_similarity(a, b)
                if s >= min_pair:
                    sims.append((s, i, j))
    if not sims and len(q.tokens) == len(c.tokens):
        return 0.0, []
    qk, ck, qw, cw = q.kinds, c.kinds, q.weights, c.weights
    power = SIM_POWER != 1.0
    used_q: set[int]
    used_c: set[int]
    pairs: list[tuple[int, int, float]]
    if CORE is not None and not power:
        pairs, used_q, used_c, matched, total = CORE.greedy(sims, qk, ck, qw, cw, NUMBER, INITIAL)
    else:
        sims.sort(reverse=True)
        used_q, used_c, pairs = set(), set(), []
        matched = 0.0
        total = 0.0
        for s, i, j in sims:
            if i in used_q or j in used_c:
                continue
            ki, kj = qk[i], ck[j]
            if (ki == NUMBER) != (kj == NUMBER) or (ki == NUMBER and s < 1.0):
                continue
            used_q.add(i)
            used_c.add(j)
            pairs.append((i, j, s))
            w = 2 * min(qw[i], cw[j]) if ki == INITIAL or kj == INITIAL else qw[i] + cw[j]
            matched += (s**SIM_POWER if power else s) * w
            total += w
    if q.special or c.special:
        q_pat = any(k == PATRONYMIC for i, k in enumerate(q.kinds) if i not in used_q)
        c_pat = any(k == PATRONYMIC for j, k in enumerate(c.kinds) if j not in used_c)
        q_num = any(k == NUMBER for i, k in enumerate(q.kinds) if i not in used_q)
        c_num = any(k == NUMBER for j, k in enumerate(c.kinds) if j not in used_c)
        q_soft, q_hard = _unmatched(q, used_q, c_pat, c_num)
        c_soft, c_hard = _unmatched(c, used_c, q_pat, q_num)
    else:
        q_soft = sum(q.soft)
        c_soft = sum(c.soft)
        for i, j, _ in pairs:
            q_soft -= q.soft[i]
            c_soft -= c.soft[j]
        q_soft = q_soft if q_soft > 1e-9 else 0.0
        c_soft = c_soft if c_soft > 1e-9 else 0.0
        q_hard = c_hard = 0.0
    conflict = min(q_soft, c_soft)
    extra = max(q_soft, c_soft) - conflict
    extra_factor = EXTRA_FACTOR if person else EXTRA_FACTOR_ORG
    if q_soft > c_soft:
        extra_factor = max(extra_factor, EXTRA_QUERY_FACTOR)
    total += CONFLICT_FACTOR * 2 * conflict + extra_factor * extra + q_hard + c_hard
    if total <= 0:
        return 0.0, pairs
    score = matched / total
    generic: bool | None = None
    if score > GENERIC_CAP:
        generic = not _distinctive(q, c, pairs, person, used_q, used_c)
        if generic:
            score = GENERIC_CAP
    if (
        person
        and score > GENERIC_CAP
        and len(q.tokens) == 2
        and len(pairs) == 2
        and sorted(sim == 1.0 for _, _, sim in pairs) == [False, True]
        and any(k == NORMAL for j, k in enumerate(c.kinds) if j not in used_c)
    ):
        # "Marta Garcia" / "GARCIA RODRIGUEZ, Martha": on a two-word name with one word equal,
        # the other word spelt differently and a listed surname left over is too little.
        score = GENERIC_CAP
    if person and score > GENERIC_CAP and _common_only(q, c, pairs, used_q, used_c):
        score = GENERIC_CAP
    if person and score > GENERIC_CAP and _initials_disagree(q, c, used_q, used_c):
        score = GENERIC_CAP
    if q.bin_pos and c.bin_pos and len(pairs) >= 2:
        # "A bin B" names B's father: the word after "bin" must be the same person.
        partner = {i: j for i, j, _ in pairs}
        after_q = {i + 1 for i, t in enumerate(q.tokens[:-1]) if t in _BIN_SKELETONS}
        after_c = {j + 1 for j, t in enumerate(c.tokens[:-1]) if t in _BIN_SKELETONS}
        if after_q and after_c and not any(partner.get(i) in after_c for i in after_q):
            score *= BIN_ORDER_FACTOR
    # Names written together or split differently ("Kassymjomart" / "Kassym Jomart").
    if score < 0.9 and (len(q.tokens) != len(c.tokens)):
        qj, cj = ("".join(q.cons), "".join(c.cons)) if abjad else (q.joined, c.joined)
        joined = float(Levenshtein.normalized_similarity(qj, cj))
        if joined > score + 0.05 and pairs:
            if generic is None:
                generic = not _distinctive(q, c, pairs, person, used_q, used_c)
            if generic:
                # Only generic words aligned: the joined spellings must agree without them
                # ("Kazakh Electronics Industries" / "Sasad Iran Electronics Industries").
                qj, cj = _joined_distinctive(q, abjad), _joined_distinctive(c, abjad)
                joined = float(Levenshtein.normalized_similarity(qj, cj)) if qj and cj else 0.0
        if joined > score + 0.05 and min(len(qj), len(cj)) >= (4 if abjad else 6):
            score = max(score, joined * 0.95)
    return score, pairs


#: Highest raw name score when no distinctive word aligned while other words stay
#: unexplained (calibrated: 0.55, below the 0.70 threshold even with country and date).
GENERIC_CAP = 0.6
_NOT_DISTINCTIVE = (WEAK, INITIAL)
#: An organisation word pair at or below this similarity (two edits in a word of 5-6
#: letters, one edit in a word of 3) is no distinctive evidence.
NEAR_MISS = 0.75
_UNEXPLAINED = (NORMAL, NUMBER, PATRONYMIC)


def _distinctive(
    q: Variant,
    c: Variant,
    pairs: list[tuple[int, int, float]],
    person: bool,
    used_q: set[int],
    used_c: set[int],
) -> bool:
    """Whether the alignment rests on a distinctive word, or explains both names whole.

    Generic words (``weak_words.txt``: trading, bank, group ...), single letters and 1-2
    letter words cannot carry a match on their own while either name keeps an unmatched
    ordinary word. A person name's single-word alias ("MARTIN") cannot carry a query of two
    or more ordinary words."""
    if person and len(c.tokens) == 1 and sum(k == NORMAL for k in q.kinds) >= 2:
        return False  # (one of the query's ordinary words is necessarily unmatched)
    qk, ck = q.kinds, c.kinds
    for i, j, s in pairs:
        if qk[i] in _NOT_DISTINCTIVE or ck[j] in _NOT_DISTINCTIVE:
            continue
        if not person and s < NEAR_MISS:
            continue  # "Kyran" / "Eirin": a minimal likeness cannot carry a company name
        if len(q.tokens[i]) >= 3 and len(c.tokens[j]) >= 3:
            return True
    if not person:
        # Words aligned only by a minimal likeness stay unexplained.
        used_q = {i for i, _, s in pairs if s >= NEAR_MISS}
        used_c = {j for _, j, s in pairs if s >= NEAR_MISS}
    unexplained = any(k in _UNEXPLAINED for i, k in enumerate(qk) if i not in used_q) or any(
        k in _UNEXPLAINED for j, k in enumerate(ck) if j not in used_c
    )
    return not unexplained


#: Factor on the similarity of two different words when one is a frequent surname: a letter
#: apart from a common surname is likely another surname (Ivanov / Ivakov), not a typo.
COMMON_NEAR_FACTOR = 0.9


@lru_cache(maxsize=1 << 20)
def person_similarity(a: str, b: str) -> float:
    """:func:`token_similarity` for person-name words, lower for near misses on a common
    surname (``names/data``: public statistics and the lists' own counts)."""
    if (len(a) == 1 and b in _PARTICLES) or (len(b) == 1 and a in _PARTICLES):
        return 0.0  # an initial stands for a name, not for "de" or "abu"
    s = token_similarity(a, b)
    common = is_common_surname(a) or is_common_surname(b)
    if MIN_PAIR < s < 1.0 and min(len(a), len(b)) > 1 and common:
        return max(MIN_PAIR, s * COMMON_NEAR_FACTOR)
    return s


#: Similarity of an initial and a patronymic with the same first letter (below 0.9, the
#: similarity of an initial and a name word, so "I." takes Igor before Ivanovich).
INITIAL_PATRONYMIC = 0.85
_NAME_KINDS = (NORMAL, PATRONYMIC, INITIAL)


def _initials_disagree(q: Variant, c: Variant, used_q: set[int], used_c: set[int]) -> bool:
    """Whether an initial left unaligned on one side faces a name word, patronymic or initial
    left unaligned on the other (``Сечин А.В.`` / ``Sechin, Igor Ivanovich``): the initials
    name someone else."""
    q_init = any(k == INITIAL for i, k in enumerate(q.kinds) if i not in used_q)
    c_init = any(k == INITIAL for j, k in enumerate(c.kinds) if j not in used_c)
    if not (q_init or c_init):
        return False
    q_left = any(k in _NAME_KINDS for i, k in enumerate(q.kinds) if i not in used_q)
    c_left = any(k in _NAME_KINDS for j, k in enumerate(c.kinds) if j not in used_c)
    return (q_init and c_left) or (c_init and q_left)


def _first_initial_disagrees(one: Variant, other: Variant, other_name: CompiledName) -> bool:
    """Whether a name written as one word and two or more initials (``Сечин А.И.``,
    ``I.A. Sechin``) gives another first name than the other name's: the first initial is
    the given name (the next the patronymic), so it must be the first letter of the first
    given name of a name that marks its surname (``SECHIN, Igor``: I), wherever the aligner
    put it (``А.И.`` must not pass on its patronymic ``И`` facing ``Igor``)."""
    words = [k for k in one.kinds if k in (NORMAL, PATRONYMIC)]
    initials = [t for t, k in zip(one.tokens, one.kinds, strict=True) if k == INITIAL]
    if len(words) != 1 or len(initials) < 2 or not other_name.surnames:
        return False
    given = [
        t
        for t, k in zip(other.tokens, other.kinds, strict=True)
        if k == NORMAL and t not in other_name.surnames
    ]
    return bool(given) and initials[0][:1] != given[0][:1]


def _initials_miss_surname(
    qv: Variant, cv: Variant, q: CompiledName, c: CompiledName, pairs: list[tuple[int, int, float]]
) -> bool:
    """Whether a name written as one word and initials (``Санчез Г.``, ``Мичелл С.``) fails to
    cover the other name: its word must equal a surname (when the other name marks its
    surnames, ``SURNAME, Given``), its initials must stand for given names and at least one
    must agree (all, against an alias without given names), and no other name word may be
    left over (``SANCHEZ GONZALEZ, Arnulfo``: Arnulfo is left)."""
    for one, other, other_name, pos in ((qv, cv, c, 0), (cv, qv, q, 1)):
        words = [k for k in one.kinds if k in (NORMAL, PATRONYMIC)]
        if len(words) != 1 or INITIAL not in one.kinds:
            continue
        used_other: set[int] = set()
        initials_met = 0
        for pair in pairs:
            mine, theirs = (pair[0], pair[1]) if pos == 0 else (pair[1], pair[0])
            used_other.add(theirs)
            if one.kinds[mine] == INITIAL:
                initials_met += 1
            elif pair[2] < 1.0:
                return True  # the surname itself must agree, not merely look alike
            if other_name.surnames:
                in_surname = other.tokens[theirs] in other_name.surnames
                if one.kinds[mine] == INITIAL and in_surname:
                    return True
                if one.kinds[mine] != INITIAL and not in_surname:
                    return True
        if any(k == NORMAL for j, k in enumerate(other.kinds) if j not in used_other):
            return True
        if not initials_met:
            return True  # no initial agrees: the match rests on the one word
        if not other_name.surnames and initials_met < one.kinds.count(INITIAL):
            return True  # an alias without given names cannot confirm the initials
    return False


def _typo_like(a: str, b: str) -> bool:
    """Whether two different words look like one word mistyped: the same first letter and
    one letter replaced, two neighbours swapped, or one letter added or dropped before the
    ending (``putin``/``pudin``, ``johnson``/``jonson``). Another first letter or an added
    letter in the last three (where surname endings are: -in/-kin, -ov/-ev) more often
    makes another name (``usmanov``/``osmanov``, ``sechin``/``sechkin``)."""
    if a[:1] != b[:1]:
        return False
    if len(a) == len(b):
        return OSA.distance(a, b, score_cutoff=2) == 1
    if abs(len(a) - len(b)) != 1 or Levenshtein.distance(a, b, score_cutoff=2) != 1:
        return False
    longer = max(a, b, key=len)
    prefix = 0
    for x, y in zip(a, b, strict=False):
        if x != y:
            break
        prefix += 1
    return prefix < len(longer) - 3


def _common_only(
    q: Variant,
    c: Variant,
    pairs: list[tuple[int, int, float]],
    used_q: set[int],
    used_c: set[int],
) -> bool:
    """Whether a person match rests only on common names, which do not identify anyone:

    * the only equal words are common given names or patronymics while another name word
      (a surname) differs by more than a typo (``Igor Sechin`` / ``Igor Sechkin``,
      ``Alisher Usmanov`` / ``Alisher Osmanov``, ``Viktor Orbán`` / ``Viktor Orbach``);
    * one side is a surname with initials whose surname is only similar to the listed one
      (``Haney A.`` / ``BEN HENI, Lased``), or a single common name alone or with one
      initial (``Ivanov I.``, ``Ivanov``) while the other has more name words: that names
      thousands. A common surname with two agreeing initials (``Lebedev D.A.``) stays.
    """
    exact: list[int] = []
    other_name = False
    for i, j, s in pairs:
        ki, kj = q.kinds[i], c.kinds[j]
        a, b = q.tokens[i], c.tokens[j]
        if ki == INITIAL or kj == INITIAL or min(len(a), len(b)) <= 3 or a in _BIN_SKELETONS:
            continue  # initials and particles (bin, al, de) say nothing either way
        if s >= 1.0:
            exact.append(i)
        elif ki == NORMAL and kj == NORMAL and not _typo_like(a, b):
            other_name = other_name or not (is_common_given_name(a) or is_common_given_name(b))
    if (
        exact
        and other_name
        and all(q.kinds[i] == PATRONYMIC or is_common_given_name(q.tokens[i]) for i in exact)
    ):
        return True
    full = [(i, j, s) for i, j, s in pairs if q.kinds[i] != INITIAL and c.kinds[j] != INITIAL]
    initial_took_word = any((q.kinds[i] == INITIAL) != (c.kinds[j] == INITIAL) for i, j, _ in pairs)
    if full and initial_took_word and all(is_common_given_name(q.tokens[i]) for i, _, _ in full):
        # Words and initials aligned: the words must not all be common given names
        # ("J.M. Mitchell" / "DJOTODIA, Michel": the initial took the listed surname).
        return True
    for one, other, pos in ((q, c, 0), (c, q, 1)):
        words = [k for k in one.kinds if k in (NORMAL, PATRONYMIC)]
        if len(words) != 1:
            continue
        initials = sum(k == INITIAL for k in one.kinds)
        other_words = sum(k in (NORMAL, PATRONYMIC) for k in other.kinds)
        if not initials and other_words < 2:
            continue
        agreeing = sum(
            1
            for i, j, _ in pairs
            if (i if pos == 0 else j) < len(one.kinds)
            and one.kinds[i if pos == 0 else j] == INITIAL
        )
        for i, j, s in pairs:
            k = i if pos == 0 else j
            if one.kinds[k] not in (NORMAL, PATRONYMIC):
                continue
            if initials and s < 1.0 and not _typo_like(q.tokens[i], c.tokens[j]):
                return True  # surname and initials: the surname itself must agree
            if other_words >= 2 and agreeing < 2 and is_common_name(one.tokens[k]):
                return True  # a common name alone or with one initial names thousands
    return False


def _joined_distinctive(v: Variant, abjad: bool) -> str:
    """The name written together without its generic words and letters."""
    tokens = v.cons if abjad else v.tokens
    return "".join(
        t for t, k in zip(tokens, v.kinds, strict=True) if k not in _NOT_DISTINCTIVE and len(t) >= 3
    )


Alignment = tuple[float, Variant | None, Variant | None, list[tuple[int, int, float]], str]


def best_alignment(q: CompiledName, c: CompiledName) -> Alignment:
    """(score, query variant, listed variant, aligned pairs, how) of the best variant pair."""
    abjad = q.abjad or c.abjad
    person = q.person or c.person
    if q.chars is not None and c.chars is not None:
        score, pairs = align(q.chars, c.chars, False, person, exact=True)
        return score, q.chars, c.chars, pairs, "characters"
    how = "consonant skeletons" if abjad else "spelling skeletons"
    best: Alignment = (-1.0, None, None, [], how)
    for qv in q.variants:
        for cv in c.variants:
            if not abjad and not (qv.mask & cv.mask) and len(qv.tokens) > 1 and len(cv.tokens) > 1:
                continue  # no two words start alike: nothing can align
            score, pairs = align(qv, cv, abjad, person)
            if person and score > GENERIC_CAP and _initials_miss_surname(qv, cv, q, c, pairs):
                score = GENERIC_CAP
            if person and score > GENERIC_CAP and _first_initial_disagrees(qv, cv, c):
                score = GENERIC_CAP
            if score > best[0]:
                best = (score, qv, cv, pairs, how)
                if score >= 0.999:
                    return best
    if best[1] is None:
        return 0.0, None, None, [], how
    return best


def name_match(alignment: Alignment) -> NameMatch:
    """The reviewer-facing record of an alignment."""
    score, qv, cv, pairs, how = alignment
    if qv is None or cv is None:
        return NameMatch(0.0, "", "", (), (), (), "no comparable words")
    qa = {i for i, _, _ in pairs}
    ca = {j for _, j, _ in pairs}
    return NameMatch(
        score=score,
        query=" ".join(qv.tokens),
        candidate=" ".join(cv.tokens),
        pairs=tuple((qv.tokens[i], cv.tokens[j], s) for i, j, s in pairs),
        unmatched_query=tuple(t for i, t in enumerate(qv.tokens) if i not in qa),
        unmatched_candidate=tuple(t for j, t in enumerate(cv.tokens) if j not in ca),
        how=how,
    )


def compare_names(q: CompiledName, c: CompiledName) -> NameMatch:
    """Best alignment over every pair of transliteration variants."""
    return name_match(best_alignment(q, c))


def forms_conflict(q: CompiledName, c: CompiledName) -> tuple[str, str] | None:
    """A pair of legal forms of different kinds (LLP vs JSC), if both names carry one and no
    pair of their forms is compatible. Evidence, never a veto (see docs/decisions)."""
    conflict: tuple[str, str] | None = None
    for a in q.forms:
        for b in c.forms:
            if compatible(a, b):
                return None
            conflict = conflict or (a, b)
    return conflict


#: Names whose spelling skeleton has at most this many letters are "short": equal skeletons
#: with different spellings (ВАД / WAAD) are not taken for the same name.
SHORT_NAME = 5
#: Raw score of a short name equal only after spelling-skeleton folding.
SKELETON_ONLY = 0.9


@lru_cache(maxsize=65536)
def _spellings(text: str, schema: str) -> frozenset[str]:
    """Latin spellings (letters and digits only) of a name's core."""
    out: set[str] = set()
    for reading in fold_variants(text):
        core = " ".join(_core_tokens(reading, schema)[0])
        out.update(_NOT_ASCII_ALNUM.sub("", v).replace(" ", "") for v in latin_variants(core))
    return frozenset(out)


def skeleton_only(q: CompiledName, c: CompiledName, schema: str) -> bool:
    """Whether two short names are equal only as spelling skeletons (``ВАД`` read ``vad`` /
    ``WAAD``): no Latin spelling of one is a spelling of the other."""
    if not q.variants or not c.variants:
        return False
    if min(len(q.variants[0].joined), len(c.variants[0].joined)) > SHORT_NAME:
        return False
    return not (_spellings(q.text, schema) & _spellings(c.text, schema))
