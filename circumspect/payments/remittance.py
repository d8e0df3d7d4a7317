"""Free-text scan of remittance information for listed names and vessels.

Listed names (primary names, aliases and previous names; never weak aliases) of at least
``remittance_min_tokens`` words and ``remittance_min_chars`` characters are put in a
:class:`~circumspect.payments.text.PhraseIndex`; a scan finds them as whole-word phrases in
any script (both sides are transliterated to ASCII). IMO numbers (``IMO 9412347``, or a
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
from circumspect.payments.text import PhraseIndex, tokens

_IMO = re.compile(r"\bIMO\W{0,3}(?P<number>\d{7})\b", re.IGNORECASE)


@dataclass(frozen=True, slots=True)
class ListedName:
    entity_id: str
    caption: str
    schema: str
    source: str


class NameIndex:
    """Listed names searchable in free text."""

    def __init__(self, min_tokens: int = 2, min_chars: int = 10) -> None:
        self.min_tokens = min_tokens
        self.min_chars = min_chars
        self.index: PhraseIndex[ListedName] = PhraseIndex()
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
            words = tokens(name)
            if (
                len(words) < self.min_tokens
                or sum(map(len, words)) + len(words) - 1 < self.min_chars
            ):
                continue
            self.index.add(words, listed)

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
        out: list[tuple[str, ListedName]] = []
        for hit in self.index.scan_text(text):
            for value in hit.values:
                out.append((" ".join(hit.phrase), value))
        return out


def imo_numbers(text: str) -> list[str]:
    """Valid IMO numbers written after the word IMO, as ``IMO1234567``."""
    out: list[str] = []
    for match in _IMO.finditer(text):
        value = f"IMO{match.group('number')}"
        if IMO.is_valid(value) and value not in out:
            out.append(value)
    return out
