"""Description -> HS-6 candidates: a TF-IDF index over HS 2022 descriptions plus a curated
synonym file (English and Russian trade terms, ``data/synonyms.csv``).

Every HS-6 subheading is a document made of its own description, its heading's description
(once) and the synonym terms listed for it or for its heading. Words are lower-cased and
reduced by a light suffix stemmer (English plurals, Russian case endings). A synonym phrase
found whole in the query adds a bonus to its codes, so that "подшипник шариковый" prefers
8482.10 over other bearings. A code written in the query (``8542.31``) is returned first.
"""

from __future__ import annotations

import csv
import math
import re
from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from circumspect.errors import InputError
from circumspect.goods.codes import normalize_code
from circumspect.goods.lists import ControlIndex, ControlStatus, default_index
from circumspect.goods.nomenclature import Nomenclature, default_nomenclature

SYNONYMS = Path(__file__).resolve().parent / "data" / "synonyms.csv"

_WORD = re.compile(r"[^\W_]+(?:-[^\W_]+)*", re.UNICODE)
_CODE_IN_TEXT = re.compile(r"\b\d{4}(?:[ .]?\d{2}){1,3}\b")

_STOP_TEXT = """a an and or of the for with without to in on by from as at other than not n e c nec
    whether kind used use parts part thereof including excluding such its their be this
    heading item no chapter solely principally suitable similar etc
    и или в во на с со из для по от до не без а также прочие прочий прочая прочее
    шт штука штук комплект набор"""
_STOP = frozenset(_STOP_TEXT.split())

_RU_ENDINGS_TEXT = """ами ями ого его ому ему ыми ими ая яя ое ее ой ей ий ый ые ие ых их
ую юю ом ем ам ям
ах ях ов ев ы и а я о е у ю ь"""
_RU_ENDINGS = tuple(
    sorted(
        _RU_ENDINGS_TEXT.split(),
        key=len,
        reverse=True,
    )
)


def _stem(word: str) -> str:
    if word.isdigit() or len(word) <= 3:
        return word
    if any("а" <= ch <= "я" or ch == "ё" for ch in word):
        word = word.replace("ё", "е")
        for ending in _RU_ENDINGS:
            if word.endswith(ending) and len(word) - len(ending) >= 4:
                return word[: -len(ending)]
        return word
    if word.endswith("ies") and len(word) > 5:
        return word[:-3] + "y"
    if word.endswith(("sses", "shes", "ches", "xes")):
        return word[:-2]
    if word.endswith("s") and not word.endswith(("ss", "us", "is")):
        return word[:-1]
    return word


def tokens(text: str) -> list[str]:
    """Lower-cased, stemmed words without stopwords."""
    out: list[str] = []
    for match in _WORD.finditer(text.lower()):
        word = match.group(0)
        parts = [word] if "-" not in word else [word.replace("-", ""), *word.split("-")]
        for part in parts:
            if part and part not in _STOP and len(part) > 1:
                out.append(_stem(part))
    return out


@dataclass(frozen=True, slots=True)
class Suggestion:
    code: str
    description: str
    score: float
    status: ControlStatus
    why: str

    def to_dict(self) -> dict[str, object]:
        return {
            "code": self.code,
            "description": self.description,
            "score": round(self.score, 4),
            "controlled": self.status.controlled,
            "chpl_tier": self.status.chpl_tier,
            "lists": self.status.list_ids,
            "why": self.why,
        }


def load_synonyms(path: Path = SYNONYMS) -> dict[str, list[str]]:
    """``code -> [terms]`` from a ``code,terms`` CSV (terms separated by ``;``)."""
    out: dict[str, list[str]] = defaultdict(list)
    with open(path, encoding="utf-8", newline="") as fh:
        for line, row in enumerate(csv.DictReader(fh), start=2):
            try:
                code = normalize_code(row["code"]).digits
            except InputError as exc:
                raise InputError(exc.message, file=str(path), line=line, field="code") from exc
            terms = [t.strip() for t in (row.get("terms") or "").split(";") if t.strip()]
            out[code].extend(terms)
    return dict(out)


class SuggestIndex:
    """TF-IDF index of HS-6 subheadings."""

    def __init__(
        self,
        nomenclature: Nomenclature,
        synonyms: dict[str, list[str]] | None = None,
        controls: ControlIndex | None = None,
    ) -> None:
        self.nomenclature = nomenclature
        self.controls = controls or default_index()
        synonyms = synonyms or {}
        docs: dict[str, Counter[str]] = {}
        self._phrases: dict[tuple[str, ...], set[str]] = defaultdict(set)
        for entry in nomenclature.subheadings():
            code = entry.code
            bag: Counter[str] = Counter()
            for tok in tokens(entry.description):
                bag[tok] += 2
            heading = nomenclature.get(code[:4])
            if heading is not None:
                bag.update(tokens(heading.description))
            for key in (code[:4], code):
                for term in synonyms.get(key, ()):
                    term_tokens = tokens(term)
                    for tok in term_tokens:
                        bag[tok] += 3 if key == code else 1
                    if term_tokens:
                        self._phrases[tuple(term_tokens)].add(code)
            docs[code] = bag
        # synonyms given for 8- or 10-digit codes attach to their HS-6
        for key, terms in synonyms.items():
            if len(key) > 6 and key[:6] in docs:
                for term in terms:
                    term_tokens = tokens(term)
                    docs[key[:6]].update({t: 3 for t in term_tokens})
                    if term_tokens:
                        self._phrases[tuple(term_tokens)].add(key[:6])
        n_docs = len(docs)
        df: Counter[str] = Counter()
        for bag in docs.values():
            df.update(bag.keys())
        self.idf = {t: math.log((1 + n_docs) / (1 + c)) + 1.0 for t, c in df.items()}
        self.postings: dict[str, list[tuple[str, float]]] = defaultdict(list)
        for code, bag in docs.items():
            weights = {t: (1 + math.log(c)) * self.idf[t] for t, c in bag.items()}
            norm = math.sqrt(sum(w * w for w in weights.values())) or 1.0
            for t, w in weights.items():
                self.postings[t].append((code, w / norm))

    def suggest(self, text: str, limit: int = 5) -> list[Suggestion]:
        """Top HS-6 candidates for a goods description, best first."""
        if not text or not text.strip():
            raise InputError("empty goods description")
        scores: dict[str, float] = defaultdict(float)
        reasons: dict[str, list[str]] = defaultdict(list)
        for found in _CODE_IN_TEXT.findall(text):
            try:
                hs = self.nomenclature.validate(found)
            except InputError:
                continue
            if hs.hs6:
                scores[hs.hs6] += 10.0
                reasons[hs.hs6].append(f"code {hs.dotted()} written in the text")
        query = tokens(text)
        q_counts = Counter(t for t in query if t in self.idf)
        q_weights = {t: (1 + math.log(c)) * self.idf[t] for t, c in q_counts.items()}
        q_norm = math.sqrt(sum(w * w for w in q_weights.values())) or 1.0
        for t, qw in q_weights.items():
            for code, dw in self.postings[t]:
                scores[code] += (qw / q_norm) * dw
        query_set = set(query)
        joined = " " + " ".join(query) + " "
        for phrase, codes in self._phrases.items():
            if not set(phrase) <= query_set:
                continue
            contiguous = (" " + " ".join(phrase) + " ") in joined
            bonus = (0.35 if contiguous else 0.1) * min(len(phrase), 3)
            for code in codes:
                scores[code] += bonus
                reasons[code].append(f"term '{' '.join(phrase)}'")
        ranked = sorted(scores.items(), key=lambda kv: (-kv[1], kv[0]))[:limit]
        out = []
        for code, score in ranked:
            entry = self.nomenclature.get(code)
            why = "; ".join(dict.fromkeys(reasons[code])) or "description words"
            out.append(
                Suggestion(
                    code=code,
                    description=entry.description if entry else "",
                    score=score,
                    status=self.controls.status(code),
                    why=why,
                )
            )
        return out


@lru_cache(maxsize=1)
def default_suggest_index() -> SuggestIndex:
    return SuggestIndex(default_nomenclature(), load_synonyms(), default_index())


def suggest(text: str, limit: int = 5) -> list[Suggestion]:
    """Top HS-6 candidates with control status for an English or Russian description."""
    return default_suggest_index().suggest(text, limit)


def top_k_accuracy(
    pairs: Iterable[tuple[str, str]], k: int = 5, index: SuggestIndex | None = None
) -> tuple[float, int, list[tuple[str, str, list[str]]]]:
    """Share of (description, expected HS-6) pairs whose code is in the top ``k``."""
    idx = index or default_suggest_index()
    hits = 0
    total = 0
    misses: list[tuple[str, str, list[str]]] = []
    for text, expected in pairs:
        total += 1
        got = [s.code for s in idx.suggest(text, k)]
        if expected in got:
            hits += 1
        else:
            misses.append((text, expected, got))
    return (hits / total if total else 0.0), total, misses
