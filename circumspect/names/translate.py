"""Organisation words across Russian, Kazakh and English (``data/org_words.csv``).

Each row maps a word or phrase, in any of its inflected forms (``железные дороги``,
``железных дорог``, ``темір жолы``, ``railways``), to an English *concept*
(``railways``). :func:`translate_tokens` rewrites a name's words into concepts, so that a
name translated word by word (``АО «Российские железные дороги»`` / ``Russian Railways
JSC``, ``Государственная корпорация «Росатом»`` / ``State Atomic Energy Corporation
Rosatom``) has a common reading. Words the table does not know (the distinctive ones:
Росатом) are left as they are.

An unknown Russian adjective of a place (``Муромский``) reads as the place (``Муром``).
Russian words are also found by their stem (the form without its last one to three letters,
at least five letters kept) when the exact inflected form is not in the table.
"""

from __future__ import annotations

import csv
from functools import lru_cache
from pathlib import Path

from circumspect.names.normalize import normalize

DATA = Path(__file__).resolve().parent / "data" / "org_words.csv"
#: Longest phrase in the table, in words.
MAX_PHRASE = 4
#: Shortest stem used to find an inflected Russian form.
MIN_STEM = 5


@lru_cache(maxsize=1)
def _table() -> tuple[dict[tuple[str, ...], tuple[str, ...]], dict[str, tuple[str, ...]]]:
    """(phrase tokens -> concept tokens, Cyrillic one-word stem -> concept tokens)."""
    phrases: dict[tuple[str, ...], tuple[str, ...]] = {}
    stems: dict[str, tuple[str, ...]] = {}
    with DATA.open(encoding="utf-8", newline="") as fh:
        for row in csv.DictReader(fh):
            concept = tuple(normalize(row["concept"]).split())
            form = tuple(normalize(row["form"]).split())
            if not form or not concept:
                continue
            phrases.setdefault(form, concept)
            if len(form) == 1 and not form[0].isascii():
                word = form[0]
                for cut in range(0, 4):
                    stem = word[: len(word) - cut] if cut else word
                    if len(stem) >= MIN_STEM:
                        stems.setdefault(stem, concept)
    return phrases, stems


def _stem_concept(token: str) -> tuple[str, ...] | None:
    if token.isascii():
        return None
    stems = _table()[1]
    for cut in range(0, 4):
        stem = token[: len(token) - cut] if cut else token
        if len(stem) < MIN_STEM:
            break
        found = stems.get(stem)
        if found is not None:
            return found
    return None


#: Russian adjective endings of place names (Муромский завод = the Murom plant).
_PLACE_ADJECTIVE = ("ского", "скому", "ский", "ская", "ское", "ские", "ской", "ских", "скую")


def _place(token: str) -> str | None:
    """The place a Russian adjective names (``муромский`` -> ``муром``), else ``None``."""
    for ending in _PLACE_ADJECTIVE:
        if token.endswith(ending) and len(token) - len(ending) >= 4:
            return token[: -len(ending)]
    return None


def translate_tokens(tokens: list[str] | tuple[str, ...]) -> list[str] | None:
    """Normalised tokens with every known organisation word or phrase replaced by its English
    concept (longest phrase first); ``None`` when nothing was replaced."""
    phrases = _table()[0]
    out: list[str] = []
    changed = False
    i = 0
    n = len(tokens)
    while i < n:
        for size in range(min(MAX_PHRASE, n - i), 0, -1):
            key = tuple(tokens[i : i + size])
            concept = phrases.get(key)
            if concept is None and size == 1:
                concept = _stem_concept(tokens[i])
            if concept is not None:
                out.extend(concept)
                changed = changed or concept != key
                i += size
                break
        else:
            place = _place(tokens[i])
            out.append(place or tokens[i])
            changed = changed or place is not None
            i += 1
    return out if changed else None
