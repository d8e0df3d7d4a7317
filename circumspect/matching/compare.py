"""Compiled names and the name comparison (token alignment across transliterations).

A name is compiled once (listed names at index build, the query once per query) into
Latin *skeleton* token tuples, one per transliteration variant, with a weight per token.
Two compiled names are compared by aligning their tokens (any order) and taking the
best pair of variants.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from rapidfuzz.distance import Levenshtein

from circumspect.names.legal_forms import compatible, join_letters, split_legal_forms
from circumspect.names.normalize import ascii_fold, clean, normalize, scripts
from circumspect.names.persons import is_patronymic
from circumspect.names.phonetic import consonants, skeleton
from circumspect.names.translit import latin_variants

#: Longest name we compare (characters after cleaning); longer input is cut, not refused.
MAX_NAME_CHARS = 300
#: Most tokens per name we align.
MAX_TOKENS = 12
#: Token kinds.
NORMAL, PATRONYMIC, INITIAL, WEAK = 0, 1, 2, 3
_ABJAD = frozenset({"Arabic", "Hebrew"})
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


@dataclass(frozen=True, slots=True)
class Variant:
    """One Latin spelling of a name: skeleton tokens, their kinds and weights."""

    tokens: tuple[str, ...]
    kinds: tuple[int, ...]
    weights: tuple[float, ...]
    cons: tuple[str, ...]
    joined: str


@dataclass(frozen=True, slots=True)
class CompiledName:
    """A name ready for comparison."""

    text: str
    variants: tuple[Variant, ...]
    forms: tuple[str, ...]
    abjad: bool

    @property
    def empty(self) -> bool:
        return not self.variants


def _weight(token: str, kind: int) -> float:
    if kind == INITIAL:
        return 0.6
    base = 1.0 + min(len(token), 8) / 4.0
    return base


def _variant(latin: str, person: bool) -> Variant | None:
    raw = _NOT_ASCII_ALNUM.sub(" ", ascii_fold(latin)).split()[:MAX_TOKENS]
    tokens: list[str] = []
    kinds: list[int] = []
    weak = weak_words()
    for tok in raw:
        sk = skeleton(tok)
        if not sk:
            continue
        if len(sk) == 1 and sk.isalpha():
            kind = INITIAL
        elif person and is_patronymic(tok):
            kind = PATRONYMIC
        elif not person and sk in weak:
            kind = WEAK
        else:
            kind = NORMAL
        tokens.append(sk)
        kinds.append(kind)
    if not tokens:
        return None
    weights = tuple(_weight(t, k) for t, k in zip(tokens, kinds, strict=True))
    cons = tuple(consonants(t) for t in tokens)
    return Variant(tuple(tokens), tuple(kinds), weights, cons, "".join(tokens))


@lru_cache(maxsize=200_000)
def compile_name(name: str, schema: str = "LegalEntity") -> CompiledName:
    """Compile a name for comparison under a schema (Person names keep one-letter tokens
    as initials; organisation names lose their legal forms, recorded in ``forms``)."""
    text = clean(name)[:MAX_NAME_CHARS]
    person = schema == "Person"
    tokens = normalize(text).split()
    forms: tuple[str, ...] = ()
    if schema in ORG_SCHEMATA:
        core, found = split_legal_forms(join_letters(tokens))
        tokens = core
        forms = tuple(f.canonical for f in found)
    core_text = " ".join(tokens)
    variants: list[Variant] = []
    seen: set[tuple[str, ...]] = set()
    for latin in latin_variants(core_text):
        variant = _variant(latin, person)
        if variant is not None and variant.tokens not in seen:
            seen.add(variant.tokens)
            variants.append(variant)
    abjad = bool(scripts(core_text) & _ABJAD)
    return CompiledName(text, tuple(variants), forms, abjad)


def token_similarity(a: str, b: str) -> float:
    """Similarity of two skeleton tokens in [0, 1]; an initial matches its full name."""
    if a == b:
        return 1.0
    if len(a) == 1 or len(b) == 1:
        return 0.9 if a[0] == b[0] else 0.0
    sim = float(Levenshtein.normalized_similarity(a, b))
    if min(len(a), len(b)) <= 3 and sim < 1.0:
        sim *= 0.8
    return sim


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
MIN_PAIR = 0.62
#: Share of its weight an unmatched token keeps, by kind.
UNMATCHED_FACTOR = {NORMAL: 1.0, PATRONYMIC: 0.25, INITIAL: 0.5, WEAK: 0.3}


def align(q: Variant, c: Variant, abjad: bool) -> tuple[float, list[tuple[int, int, float]]]:
    """Greedy best alignment of tokens; score = matched weight / total weight."""
    qt = q.cons if abjad else q.tokens
    ct = c.cons if abjad else c.tokens
    sims: list[tuple[float, int, int]] = []
    for i, a in enumerate(qt):
        for j, b in enumerate(ct):
            s = token_similarity(a, b)
            if s >= MIN_PAIR:
                sims.append((s, i, j))
    sims.sort(reverse=True)
    used_q: set[int] = set()
    used_c: set[int] = set()
    pairs: list[tuple[int, int, float]] = []
    matched = 0.0
    total = 0.0
    for s, i, j in sims:
        if i in used_q or j in used_c:
            continue
        used_q.add(i)
        used_c.add(j)
        pairs.append((i, j, s))
        w = q.weights[i] + c.weights[j]
        if q.kinds[i] == INITIAL or c.kinds[j] == INITIAL:
            w = 2 * min(q.weights[i], c.weights[j])
        matched += s * w
        total += w
    for i, w in enumerate(q.weights):
        if i not in used_q:
            total += w * UNMATCHED_FACTOR[q.kinds[i]]
    for j, w in enumerate(c.weights):
        if j not in used_c:
            total += w * UNMATCHED_FACTOR[c.kinds[j]]
    if total <= 0:
        return 0.0, pairs
    score = matched / total
    # Names written together or split differently ("Kassymjomart" / "Kassym Jomart").
    if score < 0.9 and (len(q.tokens) != len(c.tokens)):
        joined = float(Levenshtein.normalized_similarity(q.joined, c.joined))
        if joined > score + 0.05 and min(len(q.joined), len(c.joined)) >= 6:
            score = max(score, joined * 0.95)
    return score, pairs


def compare_names(q: CompiledName, c: CompiledName) -> NameMatch:
    """Best alignment over every pair of transliteration variants."""
    best: NameMatch | None = None
    abjad = q.abjad or c.abjad
    for qv in q.variants:
        for cv in c.variants:
            score, pairs = align(qv, cv, abjad)
            if best is not None and score <= best.score:
                continue
            qa = {i for i, _, _ in pairs}
            ca = {j for _, j, _ in pairs}
            best = NameMatch(
                score=score,
                query=" ".join(qv.tokens),
                candidate=" ".join(cv.tokens),
                pairs=tuple((qv.tokens[i], cv.tokens[j], s) for i, j, s in pairs),
                unmatched_query=tuple(t for i, t in enumerate(qv.tokens) if i not in qa),
                unmatched_candidate=tuple(t for j, t in enumerate(cv.tokens) if j not in ca),
                how="consonant skeletons" if abjad else "spelling skeletons",
            )
            if score >= 0.999:
                return best
    if best is None:
        return NameMatch(0.0, "", "", (), (), (), "no comparable letters")
    return best


def forms_conflict(q: CompiledName, c: CompiledName) -> tuple[str, str] | None:
    """A pair of incompatible legal forms (LLP vs JSC), if both names carry one."""
    for a in q.forms:
        for b in c.forms:
            if not compatible(a, b):
                return a, b
    return None
