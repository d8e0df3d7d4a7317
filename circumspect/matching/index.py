"""Candidate index: blocking keys -> entities, so a query scores tens of candidates.

Keys (per transliteration variant of every listed name):

* ``t:<skeleton token>``: the whole spelling skeleton of a word;
* ``p:<first 4>`` and ``s:<last 4>`` of words of 5+ letters (typos, endings);
* ``c:<consonant skeleton>`` (names written in Arabic or Hebrew script omit vowels);
* ``i:<kind>:<normal form>`` for valid identifiers and ``r:<compact>`` for any identifier.

A query's keys are looked up; entities are ranked by the summed inverse document
frequency of the keys they share (whole words count double) and the top
``candidates`` are scored.
"""

from __future__ import annotations

import heapq
import math
from array import array
from collections import defaultdict
from collections.abc import Iterable

from circumspect.matching.compare import INITIAL, CompiledName
from circumspect.matching.prepare import IndexedEntity

#: Key kinds and their weight in candidate ranking.
KEY_WEIGHT = {"t": 2.0, "p": 1.0, "s": 0.7, "c": 0.8}
#: Postings longer than this share of the index are ignored (uninformative keys).
MAX_DF_SHARE = 0.2


def name_keys(name: CompiledName) -> set[str]:
    keys: set[str] = set()
    for v in name.variants:
        for tok, kind, cons in zip(v.tokens, v.kinds, v.cons, strict=True):
            if kind == INITIAL:
                continue
            keys.add("t:" + tok)
            if len(tok) >= 5:
                keys.add("p:" + tok[:4])
                keys.add("s:" + tok[-4:])
            if len(cons) >= 2:
                keys.add("c:" + cons)
        if len(v.tokens) > 1:
            keys.add("t:" + v.joined)
    return keys


class CandidateIndex:
    """Inverted index from blocking keys to entity positions."""

    def __init__(self, entities: Iterable[IndexedEntity]) -> None:
        self.entities: list[IndexedEntity] = list(entities)
        postings: dict[str, set[int]] = defaultdict(set)
        for pos, entity in enumerate(self.entities):
            for name in entity.names:
                for key in name_keys(name):
                    postings[key].add(pos)
            for ident in entity.ids:
                postings["i:" + ident].add(pos)
            for raw in entity.raw_ids:
                postings["r:" + raw].add(pos)
        self.postings: dict[str, array[int]] = {
            k: array("i", sorted(v)) for k, v in postings.items()
        }
        self.size = len(self.entities)

    def __len__(self) -> int:
        return self.size

    def lookup_ids(self, keys: Iterable[str]) -> list[int]:
        """Entity positions carrying any of the identifier keys (``kind:value`` or raw)."""
        found: set[int] = set()
        for key in keys:
            found.update(self.postings.get(key, ()))
        return sorted(found)

    def candidates(self, name: CompiledName, limit: int) -> list[int]:
        """Up to ``limit`` entity positions most likely to match ``name``."""
        if not self.size:
            return []
        scores: dict[int, float] = defaultdict(float)
        max_df = max(50, int(self.size * MAX_DF_SHARE))
        n = self.size
        for key in name_keys(name):
            plist = self.postings.get(key)
            if not plist:
                continue
            df = len(plist)
            if df > max_df:
                continue
            w = KEY_WEIGHT[key[0]] * math.log(1 + n / df)
            for pos in plist:
                scores[pos] += w
        if len(scores) <= limit:
            return sorted(scores, key=lambda p: -scores[p])
        return [p for p, _ in heapq.nlargest(limit, scores.items(), key=lambda kv: kv[1])]
