"""Free-text scan of remittance information for listed names and vessels.

Listed names (primary names, aliases and previous names; never weak aliases) of at least
``remittance_min_tokens`` words and ``remittance_min_chars`` characters are found in free
text as names are found in party fields: in **any word order** and **any script**. Both sides
are transliterated to ASCII and each word reduced to its spelling skeleton
(:func:`circumspect.names.phonetic.skeleton`: ``Gennadiy``/``Gennady``/``Геннадий`` alike);
a name is found where a run of consecutive words of the text is the same multiset of
skeletons (``GENNADY TIMCHENKO``, ``TIMCHENKO GENNADY``, ``Тимченко Геннадий``). A listed
``SURNAME, Given Middle`` is also searched for as ``Given SURNAME``, the way people write it.
IMO numbers (``IMO 9412347``, or a
7-digit number with a valid IMO check digit after the word IMO) are looked up exactly through
the party screener's identifier index.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from rigour.ids import IMO

from circumspect.model.entities import ListedEntity
from circumspect.names.phonetic import skeleton
from circumspect.names.translit import transliterate
from circumspect.payments.text import PhraseIndex, tokens

_IMO = re.compile(r"\bIMO\W{0,3}(?P<number>\d{7})\b", re.IGNORECASE)


@dataclass(frozen=True, slots=True)
class ListedName:
    entity_id: str
    caption: str
    schema: str
    source: str


#: Names of up to this many words are also found with one word inside them.
_MAX_GAPPED = 3


def _skeletons(words: tuple[str, ...]) -> tuple[str, ...]:
    return tuple(skeleton(w) or w for w in words)


def latin_words(text: str) -> tuple[str, ...]:
    """Word tokens of ``text`` with Cyrillic romanised as names are (BGN/PCGN:
    ``Геннадий Тимченко`` -> ``gennadiy timchenko``; ICU's ``gennadij timcenko`` would
    not meet the Latin spelling of the list)."""
    if text.isascii():
        return tokens(text)
    return tokens(transliterate(text, "bgn"))


def name_forms(name: str) -> list[tuple[str, ...]]:
    """The word sequences a listed name is searched for as: the name, and for a
    ``SURNAME, Given Middle`` name also ``Given SURNAME``."""
    forms = [latin_words(name)]
    surname, comma, given = name.partition(",")
    if comma:
        first = latin_words(given)[:1]
        last = latin_words(surname)
        if first and last and len(first) + len(last) < len(forms[0]):
            forms.append(first + last)
    return forms


class NameIndex:
    """Listed names searchable in free text, in any word order and script."""

    def __init__(self, min_tokens: int = 2, min_chars: int = 10) -> None:
        self.min_tokens = min_tokens
        self.min_chars = min_chars
        self.index: PhraseIndex[ListedName] = PhraseIndex()
        #: sorted skeleton multiset -> listed names
        self.unordered: dict[tuple[str, ...], list[ListedName]] = {}
        self.sizes: set[int] = set()
        #: every skeleton that occurs in a listed name
        self.vocab: set[str] = set()
        self.entities = 0

    @classmethod
    def build(
        cls, entities: Iterable[ListedEntity], min_tokens: int = 2, min_chars: int = 10
    ) -> NameIndex:
        index = cls(min_tokens, min_chars)
        for entity in entities:
            index.add(entity)
        return index

    def add(self, entity: ListedEntity) -> None:
        listed = ListedName(entity.id, entity.caption, entity.schema, entity.source)
        self.add_names(listed, entity.names(weak=False))

    def add_names(self, listed: ListedName, names: Iterable[str]) -> None:
        self.entities += 1
        for name in names:
            exact = tokens(name)
            if self._long_enough(exact):
                self.index.add(exact, listed)
            for words in name_forms(name):
                if not self._long_enough(words):
                    continue
                key = tuple(sorted(_skeletons(words)))
                bucket = self.unordered.setdefault(key, [])
                if listed not in bucket:
                    bucket.append(listed)
                self.sizes.add(len(key))
                self.vocab.update(key)

    def _long_enough(self, words: tuple[str, ...]) -> bool:
        return (
            len(words) >= self.min_tokens
            and sum(map(len, words)) + len(words) - 1 >= self.min_chars
        )

    def _window(
        self,
        words: tuple[str, ...],
        keys: tuple[str, ...],
        start: int,
        end: int,
        gap: int | None,
        seen: set[tuple[str, str]],
        out: list[tuple[str, ListedName]],
    ) -> None:
        """Look up words ``start:end`` (without the one at ``gap``) as a listed name."""
        picked = [k for i, k in enumerate(keys[start:end], start) if i != gap]
        found = self.unordered.get(tuple(sorted(picked)))
        if not found:
            return
        phrase = " ".join(words[start:end])
        for value in found:
            if (value.entity_id, phrase) not in seen:
                seen.add((value.entity_id, phrase))
                out.append((phrase, value))

    @classmethod
    def from_screener(
        cls, screener: object, min_tokens: int = 2, min_chars: int = 10
    ) -> NameIndex | None:
        """The names a screener indexed, when it exposes them (``Screener.index.entities``
        of ``circumspect.matching``); None otherwise. These include weak aliases."""
        entities: Any = getattr(getattr(screener, "index", None), "entities", None)
        if entities is None:
            return None
        index = cls(min_tokens, min_chars)
        for entity in entities:
            names = [str(getattr(n, "text", "")) for n in getattr(entity, "names", ())]
            listed = ListedName(
                str(entity.id), str(entity.caption), str(entity.schema), str(entity.source)
            )
            index.add_names(listed, [n for n in names if n])
        return index

    def scan(self, text: str) -> list[tuple[str, ListedName]]:
        """(phrase as found, listed name) for every listed name in ``text``."""
        out: list[tuple[str, ListedName]] = []
        seen: set[tuple[str, str]] = set()
        words = tokens(text)
        for hit in self.index.scan(words):
            for value in hit.values:
                phrase = " ".join(hit.phrase)
                seen.add((value.entity_id, phrase))
                out.append((phrase, value))
        if not self.unordered:
            return out
        words = latin_words(text)
        keys = _skeletons(words)
        # a window can only be a name if every word of it occurs in some listed name (one
        # word may be outside, at the gap); runs[i] = such words in a row from i
        known = [key in self.vocab for key in keys]
        n = len(words)
        runs = [0] * (n + 1)
        for i in range(n - 1, -1, -1):
            runs[i] = runs[i + 1] + 1 if known[i] else 0
        sizes = sorted(self.sizes)
        for start in range(n):
            run = runs[start]
            if not run:
                continue
            for size in sizes:
                if size > run:
                    break
                self._window(words, keys, start, start + size, None, seen, out)
            # one word inside the name (a middle name, patronymic or initial):
            # "Gennadiy N. Timchenko" finds "TIMCHENKO, Gennady"
            for size in sizes:
                end = start + size + 1
                if size > _MAX_GAPPED or end > n:
                    break
                if not known[end - 1]:
                    continue
                for gap in range(start + 1, end - 1):
                    others = [known[i] for i in range(start, end) if i != gap]
                    if all(others):
                        self._window(words, keys, start, end, gap, seen, out)
        return out


def imo_numbers(text: str) -> list[str]:
    """Valid IMO numbers written after the word IMO, as ``IMO1234567``."""
    out: list[str] = []
    for match in _IMO.finditer(text):
        value = f"IMO{match.group('number')}"
        if IMO.is_valid(value) and value not in out:
            out.append(value)
    return out
