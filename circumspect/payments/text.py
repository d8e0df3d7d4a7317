"""Word tokens across scripts and a phrase index that finds listed phrases in text.

``tokens`` folds case, transliterates non-ASCII text to ASCII (ICU via ``normality``, so
Cyrillic ``Луганськ`` becomes ``lugansk``), drops apostrophes and splits on everything that
is not a letter or digit. :class:`PhraseIndex` is a token-level Aho-Corasick substitute:
phrases are keyed by their first token; a scan looks up each text token once and checks the
few phrases starting there, longest first, so its cost grows with the text, not the list.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import Generic, TypeVar

from normality import ascii_text

T = TypeVar("T")

_APOSTROPHES = re.compile(r"['’ʼ`´ʹ]")
_NON_WORD = re.compile(r"[^a-z0-9]+")


@lru_cache(maxsize=65536)
def tokens(text: str) -> tuple[str, ...]:
    """Lower-case ASCII word tokens of ``text`` in any script."""
    value = text if text.isascii() else (ascii_text(text) or "")
    value = _APOSTROPHES.sub("", value.casefold())
    return tuple(t for t in _NON_WORD.split(value) if t)


@dataclass(frozen=True, slots=True)
class PhraseHit(Generic[T]):
    start: int
    end: int
    phrase: tuple[str, ...]
    values: tuple[T, ...]


class PhraseIndex(Generic[T]):
    """Phrases (token tuples) with values, found in token sequences, longest match first."""

    def __init__(self) -> None:
        self._values: dict[tuple[str, ...], list[T]] = {}
        self._by_first: dict[str, list[tuple[str, ...]]] = {}

    def __len__(self) -> int:
        return len(self._values)

    def add(self, phrase: Sequence[str], value: T) -> None:
        key = tuple(phrase)
        if not key:
            return
        values = self._values.get(key)
        if values is None:
            self._values[key] = [value]
            bucket = self._by_first.setdefault(key[0], [])
            bucket.append(key)
            bucket.sort(key=len, reverse=True)
        elif value not in values:
            values.append(value)

    def add_text(self, text: str, value: T) -> None:
        self.add(tokens(text), value)

    def scan(self, words: Sequence[str]) -> list[PhraseHit[T]]:
        """Non-overlapping hits, scanning left to right, longest phrase at each position."""
        hits: list[PhraseHit[T]] = []
        i, size = 0, len(words)
        while i < size:
            bucket = self._by_first.get(words[i])
            matched = False
            if bucket:
                for phrase in bucket:
                    n = len(phrase)
                    if n <= size - i and tuple(words[i : i + n]) == phrase:
                        hits.append(PhraseHit(i, i + n, phrase, tuple(self._values[phrase])))
                        i += n
                        matched = True
                        break
            if not matched:
                i += 1
        return hits

    def scan_text(self, text: str) -> list[PhraseHit[T]]:
        return self.scan(tokens(text))

    def scan_all(self, texts: Iterable[str]) -> list[PhraseHit[T]]:
        out: list[PhraseHit[T]] = []
        for text in texts:
            if text:
                out.extend(self.scan_text(text))
        return out
