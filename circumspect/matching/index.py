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

import gc
import heapq
import marshal
import math
from array import array
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator, Sized
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any

from circumspect.matching.compare import INITIAL, CompiledName, Variant
from circumspect.matching.prepare import IndexedEntity
from circumspect.names.phonetic import skeleton

if TYPE_CHECKING:
    import numpy as np
    import numpy.typing as npt

#: Key kinds and their weight in candidate ranking.
KEY_WEIGHT = {"t": 2.0, "p": 1.0, "s": 0.7, "c": 0.8}
#: Candidates whose ranking score is below this share of the best one are not scored
#: (at least ``MIN_CANDIDATES`` are).
RELATIVE_CUTOFF = 0.5
MIN_CANDIDATES = 5
#: Above this many postings in total a query is ranked with numpy instead of a dict.
VECTOR_MIN_POSTINGS = 4000
#: Postings longer than this share of the index are ignored (uninformative keys).
MAX_DF_SHARE = 0.05


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
            # words split apart ("TRANS SERVICE" for "TRANSSERVICE"): the joined words'
            # own skeleton, as the listed one-word spelling has it (doubled letters folded)
            keys.add("t:" + skeleton(v.joined))
    return keys


def entity_keys(entity: IndexedEntity) -> set[str]:
    """Every blocking key an entity is posted under: its names' keys and its identifier
    keys (``i:`` valid kinds, ``r:`` compact raw values)."""
    keys: set[str] = set()
    for name in entity.names:
        keys |= name_keys(name)
    keys.update("i:" + ident for ident in entity.ids)
    keys.update("r:" + raw for raw in entity.raw_ids)
    return keys


def weighted_postings(
    name: CompiledName, posting: Callable[[str], Sized | None], size: int
) -> list[tuple[Any, float]]:
    """The postings of ``name``'s keys (``posting(key)``) with their weights (key kind x
    inverse document frequency); keys on more than ``MAX_DF_SHARE`` of ``size`` entities
    are left out unless nothing else is found, then the rarest of them counts."""
    max_df = max(50, int(size * MAX_DF_SHARE))
    skipped: list[tuple[int, str, Any]] = []
    chosen: list[tuple[Any, float]] = []
    for key in sorted(name_keys(name)):  # sorted: the same ties in every process
        plist = posting(key)
        if plist is None or not len(plist):
            continue
        df = len(plist)
        if df > max_df:
            skipped.append((df, key, plist))
            continue
        chosen.append((plist, KEY_WEIGHT[key[0]] * math.log(1 + size / df)))
    if not chosen and skipped:
        # only common words: rank by the rarest of them
        df, key, plist = min(skipped, key=lambda t: (t[0], t[1]))
        chosen.append((plist, KEY_WEIGHT[key[0]] * math.log(1 + size / df)))
    return chosen


def ranked_numpy(
    chosen: list[tuple[npt.NDArray[np.int32], float]], limit: int
) -> list[tuple[int, float]]:
    """The ``limit`` positions with the largest summed weights, best first (numpy)."""
    import numpy as np

    positions = np.concatenate([p for p, _ in chosen])
    weights = np.concatenate([np.full(len(p), w) for p, w in chosen])
    uniq, inverse = np.unique(positions, return_inverse=True)
    sums = np.bincount(inverse, weights=weights)
    k = min(limit, len(uniq))
    top = np.argpartition(-sums, k - 1)[:k] if k < len(uniq) else np.arange(len(uniq))
    order = top[np.argsort(-sums[top], kind="stable")]
    return [(int(uniq[i]), float(sums[i])) for i in order]


def cut(ranked: list[tuple[int, float]]) -> list[int]:
    """The ranked positions within ``RELATIVE_CUTOFF`` of the best (at least
    ``MIN_CANDIDATES``)."""
    if not ranked:
        return []
    floor = ranked[0][1] * RELATIVE_CUTOFF
    return [p for i, (p, v) in enumerate(ranked) if i < MIN_CANDIDATES or v >= floor]


class CandidateIndex:
    """Inverted index from blocking keys to entity positions."""

    def __init__(self, entities: Iterable[IndexedEntity]) -> None:
        with _no_gc():
            self._build(entities)

    def _build(self, entities: Iterable[IndexedEntity]) -> None:
        self.entities: list[IndexedEntity] = list(entities)
        postings: dict[str, set[int]] = defaultdict(set)
        for pos, entity in enumerate(self.entities):
            for key in entity_keys(entity):
                postings[key].add(pos)
        self.postings: dict[str, array[int]] = {
            k: array("i", sorted(v)) for k, v in postings.items()
        }
        self.size = len(self.entities)

    def __len__(self) -> int:
        return self.size

    # Pickling goes through marshal of plain tuples: ten times faster to load than the
    # default pickling of nested named tuples and arrays.
    def __getstate__(self) -> dict[str, bytes]:
        plain = [_plain_entity(e) for e in self.entities]
        postings = {k: v.tobytes() for k, v in self.postings.items()}
        return {"entities": marshal.dumps(plain), "postings": marshal.dumps(postings)}

    def __setstate__(self, state: dict[str, bytes]) -> None:
        with _no_gc():
            self._load(state)

    def _load(self, state: dict[str, bytes]) -> None:
        self.entities = [_entity_from_plain(t) for t in marshal.loads(state["entities"])]
        postings: dict[str, bytes] = marshal.loads(state["postings"])
        self.postings = {}
        for key, raw in postings.items():
            arr: array[int] = array("i")
            arr.frombytes(raw)
            self.postings[key] = arr
        self.size = len(self.entities)

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
        chosen = weighted_postings(name, self.postings.get, self.size)
        if sum(len(p) for p, _ in chosen) > VECTOR_MIN_POSTINGS:
            import numpy as np

            ranked = ranked_numpy([(np.frombuffer(p, dtype=np.int32), w) for p, w in chosen], limit)
        else:
            scores: dict[int, float] = {}
            get = scores.get
            for plist, w in chosen:
                for pos in plist:
                    scores[pos] = get(pos, 0.0) + w
            if len(scores) <= limit:
                ranked = sorted(scores.items(), key=lambda kv: -kv[1])
            else:
                ranked = heapq.nlargest(limit, scores.items(), key=lambda kv: kv[1])
        return cut(ranked)


@contextmanager
def _no_gc() -> Iterator[None]:
    """Pause the cyclic garbage collector while creating many small objects."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def _plain_variant(v: Variant | None) -> tuple[Any, ...] | None:
    return None if v is None else tuple(v)


def _plain_entity(e: IndexedEntity) -> tuple[Any, ...]:
    names = tuple(
        (
            n.text,
            tuple(tuple(v) for v in n.variants),
            n.forms,
            n.abjad,
            n.person,
            _plain_variant(n.chars),
            n.surnames,
        )
        for n in e.names
    )
    return (
        e.id,
        e.source,
        e.source_id,
        e.caption,
        e.schema,
        names,
        e.ids,
        e.raw_ids,
        e.countries,
        e.birth_dates,
        e.weak,
    )


def _entity_from_plain(t: tuple[Any, ...]) -> IndexedEntity:
    names = tuple(
        CompiledName(
            text,
            tuple(Variant(*v) for v in variants),
            forms,
            abjad,
            person,
            None if chars is None else Variant(*chars),
            surnames,
        )
        for text, variants, forms, abjad, person, chars, surnames in t[5]
    )
    return IndexedEntity(*t[:5], names, *t[6:])  # type: ignore[call-arg]
