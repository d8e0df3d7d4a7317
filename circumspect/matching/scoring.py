"""Scorers: turn a prepared query and an indexed entity into a score with explanations.

Scorers are registered by a stable ``NAME`` (``SCORERS``); ``get_scorer(name)`` gives one.
Every feature is a function whose docstring's first line is the template of the sentence a
reviewer reads (formatted with the feature's details), so the explanation and the code
cannot drift apart.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, ClassVar

from circumspect.matching.compare import (
    SKELETON_ONLY,
    Alignment,
    CompiledName,
    NameMatch,
    best_alignment,
    compare_names,
    forms_conflict,
    name_match,
    skeleton_only,
)
from circumspect.matching.prepare import IndexedEntity, PreparedQuery
from circumspect.model.screening import FeatureScore

SCORERS: dict[str, type[Scorer]] = {}


def register(cls: type[Scorer]) -> type[Scorer]:
    """Class decorator adding a scorer to :data:`SCORERS` under its ``NAME``."""
    if cls.NAME in SCORERS:
        raise ValueError(f"scorer {cls.NAME!r} registered twice")
    SCORERS[cls.NAME] = cls
    return cls


def get_scorer(name: str | None = None) -> Scorer:
    """A scorer instance by name (default: :data:`DEFAULT_SCORER`)."""
    key = name or DEFAULT_SCORER
    if key not in SCORERS:
        raise ValueError(f"unknown scorer {key!r}; known: {', '.join(sorted(SCORERS))}")
    return SCORERS[key]()


@dataclass(slots=True)
class ScoreResult:
    score: float
    features: list[FeatureScore]
    matched_name: str | None
    #: Scorer-private work kept so that :meth:`Scorer.explained` need not redo it.
    detail: Any = None

    @property
    def explanation(self) -> str:
        return "; ".join(f.text for f in self.features)


class Scorer(ABC):
    """A scoring method. Subclasses set ``NAME`` (stable, used in configs and reports)."""

    NAME: ClassVar[str]

    @abstractmethod
    def score(
        self, query: PreparedQuery, entity: IndexedEntity, explain: bool = True
    ) -> ScoreResult:
        """Score one listed entity; with ``explain=False`` the features carry no sentence
        (used to rank candidates before explaining the few that are returned)."""

    def explained(
        self, query: PreparedQuery, entity: IndexedEntity, result: ScoreResult
    ) -> ScoreResult:
        """The explained form of ``result`` (from ``score(..., explain=False)`` on the same
        query and entity); scorers may reuse ``result.detail`` instead of scoring again."""
        return self.score(query, entity, explain=True)

    def compare(self, a: CompiledName, b: CompiledName, schema: str) -> ScoreResult:
        """Score two names alone (``circumspect compare``, benchmarks)."""
        raise NotImplementedError


def explain(func: Callable[..., Any], **details: Any) -> str:
    """The first docstring line of a feature function, formatted with ``details``."""
    doc = (func.__doc__ or func.__name__).strip().splitlines()[0]
    return doc.format(**details)


# --- features -------------------------------------------------------------------------

#: Schemata a query schema may match, with the factor applied to the score.
_SCHEMA_GROUPS: dict[str, frozenset[str]] = {
    "Person": frozenset({"Person", "LegalEntity"}),
    "Company": frozenset({"Company", "Organization", "LegalEntity", "PublicBody"}),
    "Organization": frozenset({"Company", "Organization", "LegalEntity", "PublicBody"}),
    "LegalEntity": frozenset({"Person", "Company", "Organization", "LegalEntity", "PublicBody"}),
    "Vessel": frozenset({"Vessel"}),
    "Airplane": frozenset({"Airplane"}),
}


def name_feature(match: NameMatch, listed: str, score: float) -> str:
    """name: "{listed}" matches the query {how} at {score:.2f} ({detail})"""
    pairs = ", ".join((a if a == b else f"{a}~{b}") for a, b, _ in match.pairs)
    extra = []
    if match.unmatched_query:
        extra.append("query only: " + " ".join(match.unmatched_query))
    if match.unmatched_candidate:
        extra.append("listed only: " + " ".join(match.unmatched_candidate))
    detail = "; ".join([f"aligned {pairs}" if pairs else "no aligned words", *extra])
    return explain(name_feature, listed=listed, how=f"on {match.how}", score=score, detail=detail)


def legal_form_feature(a: str, b: str) -> str:
    """legal form differs ({b} listed, {a} given): a re-registration or a misdeclared form"""
    return explain(legal_form_feature, a=a.upper(), b=b.upper())


def skeleton_only_feature(limit: float) -> str:
    """spelling: short name equal to the listed one only after spelling folding ({limit:.2f})"""
    return explain(skeleton_only_feature, limit=limit)


def disguise_feature(what: str) -> str:
    """disguise: the name hides its spelling ({what}); compared as a person reads it"""
    return explain(disguise_feature, what=what)


def disguise_features(disguises: tuple[str, ...], explain_: bool = True) -> list[FeatureScore]:
    """The disguise feature of a query (none for an ordinary spelling)."""
    if not disguises:
        return []
    text = disguise_feature("; ".join(disguises)) if explain_ else ""
    return [FeatureScore("disguise", 0.0, 1.0, text)]


def schema_feature(query_schema: str, schema: str) -> str:
    """schema: query is a {query_schema}, listed entity is a {schema}: cannot be the same party"""
    return explain(schema_feature, query_schema=query_schema, schema=schema)


def identifier_match_feature(value: str) -> str:
    """identifier: {value} is the same valid identifier on the listed entity (decisive)"""
    return explain(identifier_match_feature, value=value)


def identifier_raw_feature(value: str) -> str:
    """identifier: {value} equals an identifier on the listed entity (not checksum-validated)"""
    return explain(identifier_raw_feature, value=value)


def identifier_conflict_feature(value: str, kind: str) -> str:
    """identifier: the listed entity has a different valid {kind} than {value}"""
    return explain(identifier_conflict_feature, value=value, kind=kind)


def country_feature(country: str, listed: str, agrees: bool) -> str:
    """country: query {country}, listed {listed}: {verdict}"""
    verdict = "agree" if agrees else "differ"
    return explain(country_feature, country=country, listed=listed, verdict=verdict)


def birth_date_feature(date: str, listed: str, verdict: str) -> str:
    """birth date: query {date}, listed {listed}: {verdict}"""
    return explain(birth_date_feature, date=date, listed=listed, verdict=verdict)


def _date_verdict(query: str, listed: tuple[str, ...]) -> tuple[str, str, str]:
    """(verdict, adjustment key, closest listed date)."""
    best = ("differ", "dob_mismatch", listed[0])
    qy = int(query[:4])
    for value in listed:
        if not value[:4].isdigit():
            continue
        if value.startswith(query) or query.startswith(value):
            return ("same date" if len(value) == len(query) else "compatible"), "dob_match", value
        ly = int(value[:4])
        if ly == qy:
            best = ("same year", "dob_year", value)
        elif abs(ly - qy) <= 1 and best[1] == "dob_mismatch":
            best = ("one year apart", "dob_near", value)
    return best


@register
class CircumspectV1(Scorer):
    """Transliteration-aware name alignment plus identifier, country, date and schema rules.

    Configuration (class attributes; subclass and register under a new ``NAME`` to change):
    """

    NAME: ClassVar[str] = "circumspect-v1"
    #: Name score (0-1 alignment of spelling skeletons) is mapped linearly so that
    #: ``NAME_AT_THRESHOLD`` lands on the alert threshold ``THRESHOLD_ANCHOR``.
    NAME_AT_THRESHOLD: ClassVar[dict[str, float]] = {
        "Person": 0.76,
        "Company": 0.76,
        "Organization": 0.76,
        "LegalEntity": 0.76,
        "Vessel": 0.76,
        "Airplane": 0.76,
    }
    #: The default alert threshold the calibration targets.
    THRESHOLD_ANCHOR: ClassVar[float] = 0.70
    #: Score given by a matching valid identifier (decisive).
    IDENTIFIER_MATCH: ClassVar[float] = 1.0
    #: Floor for an exactly equal but not checksum-validated identifier.
    IDENTIFIER_RAW: ClassVar[float] = 0.90
    #: Subtracted when both carry a valid identifier of one kind and they differ.
    IDENTIFIER_CONFLICT: ClassVar[float] = 0.20
    #: Subtracted for legal forms of different kinds (LLP vs JSC) on an otherwise matching
    #: name (raw name score >= ``LEGAL_FORM_NAME``): evidence, never a veto, since
    #: re-registering under another form is the cheapest disguise there is.
    LEGAL_FORM_CONFLICT: ClassVar[float] = 0.05
    LEGAL_FORM_NAME: ClassVar[float] = 0.92
    #: ... and on a name that differs as well (a sibling company: "Bowne Solutions, L.L.C." /
    #: "Bowne Litigation Solutions, L.P."), where the two differences add up.
    LEGAL_FORM_AND_NAME: ClassVar[float] = 0.35
    #: Multiplier for incompatible schemata (a person vs a vessel).
    SCHEMA_CONFLICT: ClassVar[float] = 0.5
    #: Factor for a name match on a weak alias (OFAC weak a.k.a., UN "low quality").
    WEAK_ALIAS: ClassVar[float] = 0.9
    #: Adjustments for country and birth date evidence.
    ADJUST: ClassVar[dict[str, float]] = {
        "country_match": 0.03,
        "country_mismatch": -0.10,
        "dob_match": 0.05,
        "dob_year": 0.03,
        "dob_near": -0.05,
        "dob_mismatch": -0.30,
    }

    def calibrate(self, raw: float, schema: str) -> float:
        """Piecewise-linear map of the raw name score: [0, anchor] -> [0, threshold],
        [anchor, 1] -> [threshold, 1]."""
        anchor = self.NAME_AT_THRESHOLD.get(schema, 0.8)
        t = self.THRESHOLD_ANCHOR
        if raw <= anchor:
            return raw / anchor * t
        return t + (raw - anchor) / (1 - anchor) * (1 - t)

    def legal_form_cost(self, raw_name: float) -> float:
        """What a legal form of another kind subtracts, given the raw name score."""
        if raw_name >= self.LEGAL_FORM_NAME:
            return self.LEGAL_FORM_CONFLICT
        return self.LEGAL_FORM_AND_NAME

    def _best_name(
        self, query: CompiledName, names: tuple[CompiledName, ...], weak: tuple[bool, ...] = ()
    ) -> tuple[Alignment | None, CompiledName | None, bool]:
        best_name: CompiledName | None = None
        best_weak = False
        best_value = -1.0
        best_alignment_: Alignment | None = None
        for i, name in enumerate(names):
            alignment = best_alignment(query, name)
            is_weak = i < len(weak) and weak[i]
            value = alignment[0] * (self.WEAK_ALIAS if is_weak else 1.0)
            if value > best_value:
                best_alignment_, best_name, best_weak, best_value = alignment, name, is_weak, value
                if value >= 0.999:
                    break
        return best_alignment_, best_name, best_weak

    def compare(self, a: CompiledName, b: CompiledName, schema: str) -> ScoreResult:
        m = compare_names(a, b)
        raw = m.score
        short = raw > SKELETON_ONLY and skeleton_only(a, b, schema)
        if short:
            raw = SKELETON_ONLY
        score = self.calibrate(raw, schema)
        features = [FeatureScore("name", score, 1.0, name_feature(m, b.text, score))]
        if short:
            features.append(FeatureScore("spelling", 0.0, 1.0, skeleton_only_feature(score)))
        conflict = forms_conflict(a, b)
        if conflict:
            cost = self.legal_form_cost(m.score)
            score -= cost
            features.append(FeatureScore("legal_form", -cost, 1.0, legal_form_feature(*conflict)))
        return ScoreResult(max(0.0, min(1.0, score)), features, b.text)

    def explained(
        self, query: PreparedQuery, entity: IndexedEntity, result: ScoreResult
    ) -> ScoreResult:
        if result.detail is None:
            return self.score(query, entity, explain=True)
        return self._score(query, entity, True, result.detail)

    def score(
        self, query: PreparedQuery, entity: IndexedEntity, explain: bool = True
    ) -> ScoreResult:
        return self._score(query, entity, explain, None)

    def _score(
        self,
        query: PreparedQuery,
        entity: IndexedEntity,
        explain: bool,
        best: tuple[Alignment | None, CompiledName | None, bool] | None,
    ) -> ScoreResult:
        features: list[FeatureScore] = []
        qname = (
            query.person_name
            if query.person_name is not None and entity.schema == "Person"
            else query.name
        )
        if best is None:
            best = self._best_name(qname, entity.names, entity.weak)
        alignment, name, weak = best
        score = 0.0
        matched_name: str | None = None
        if alignment is not None and name is not None:
            schema = entity.schema if query.schema == "LegalEntity" else query.schema
            raw = alignment[0]
            short = raw > SKELETON_ONLY and skeleton_only(qname, name, schema)
            if short:
                raw = SKELETON_ONLY
            score = self.calibrate(raw * (self.WEAK_ALIAS if weak else 1.0), schema)
            matched_name = name.text
            text = ""
            if explain:
                text = name_feature(name_match(alignment), name.text, score)
                if weak:
                    text += f" (weak alias, counted at {self.WEAK_ALIAS:.0%})"
            features.append(FeatureScore("name", score, 1.0, text))
            if short:
                features.append(
                    FeatureScore(
                        "spelling", 0.0, 1.0, skeleton_only_feature(score) if explain else ""
                    )
                )
            conflict = forms_conflict(qname, name)
            if conflict:
                cost = self.legal_form_cost(alignment[0])
                score -= cost
                features.append(
                    FeatureScore(
                        "legal_form",
                        -cost,
                        1.0,
                        (legal_form_feature(*conflict) if explain else ""),
                    )
                )
        features.extend(disguise_features(query.disguises, explain))
        if query.country and entity.countries:
            agrees = query.country in entity.countries
            adj = self.ADJUST["country_match" if agrees else "country_mismatch"]
            score += adj
            listed = ", ".join(sorted(entity.countries))
            features.append(
                FeatureScore(
                    "country",
                    adj,
                    1.0,
                    (country_feature(query.country, listed, agrees) if explain else ""),
                )
            )
        if query.birth_date and entity.birth_dates:
            verdict, _, listed_date = _date_verdict(query.birth_date, entity.birth_dates)
            key = {
                "same date": "dob_match",
                "compatible": "dob_match",
                "same year": "dob_year",
                "one year apart": "dob_near",
                "differ": "dob_mismatch",
            }[verdict]
            adj = self.ADJUST[key]
            score += adj
            features.append(
                FeatureScore(
                    "birth_date",
                    adj,
                    1.0,
                    (birth_date_feature(query.birth_date, listed_date, verdict) if explain else ""),
                )
            )
        if entity.schema not in _SCHEMA_GROUPS.get(query.schema, frozenset()):
            score *= self.SCHEMA_CONFLICT
            features.append(
                FeatureScore(
                    "schema",
                    self.SCHEMA_CONFLICT,
                    1.0,
                    (schema_feature(query.schema, entity.schema) if explain else ""),
                )
            )
        if query.ids:
            shared = query.ids & entity.ids
            if shared:
                score = max(score, self.IDENTIFIER_MATCH)
                value = sorted(shared)[0]
                features.insert(
                    0,
                    FeatureScore(
                        "identifier", 1.0, 1.0, (identifier_match_feature(value) if explain else "")
                    ),
                )
            else:
                kinds = {k.split(":", 1)[0] for k in query.ids}
                listed_kinds = {k.split(":", 1)[0] for k in entity.ids}
                clash = sorted(kinds & listed_kinds)
                if clash:
                    score -= self.IDENTIFIER_CONFLICT
                    features.append(
                        FeatureScore(
                            "identifier",
                            -self.IDENTIFIER_CONFLICT,
                            1.0,
                            (
                                identifier_conflict_feature(query.query.identifier or "", clash[0])
                                if explain
                                else ""
                            ),
                        )
                    )
        if query.raw_id and query.raw_id in entity.raw_ids and not (query.ids & entity.ids):
            score = max(score, self.IDENTIFIER_RAW)
            features.insert(
                0,
                FeatureScore(
                    "identifier",
                    self.IDENTIFIER_RAW,
                    1.0,
                    (identifier_raw_feature(query.raw_id) if explain else ""),
                ),
            )
        return ScoreResult(max(0.0, min(1.0, score)), features, matched_name, best)


DEFAULT_SCORER = CircumspectV1.NAME


def scorer_docs() -> dict[str, dict[str, Any]]:
    """Each registered scorer's configuration attributes and their values (for docs)."""
    out: dict[str, dict[str, Any]] = {}
    for name, cls in SCORERS.items():
        out[name] = {k: getattr(cls, k) for k in dir(cls) if k.isupper() and not k.startswith("_")}
    return out


__all__ = ["SCORERS", "CircumspectV1", "ScoreResult", "Scorer", "get_scorer", "register"]
