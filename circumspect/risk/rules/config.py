"""Risk rule configuration loaded from YAML (``circumspect/risk/rules.yaml`` by default).

A rules file has ``version``, ``thresholds`` (``review``, ``block``), ``countries``
(``russia_belarus``, ``transshipment``) and ``rules``: a list of ``id, description, weight,
evidence, source, params`` (``enabled: false`` switches a rule off). Rule ids name the
functions registered in :data:`circumspect.risk.rules.registry.RULES`; an unknown id is an
error, so a typo never silently disables a check.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from circumspect.errors import ConfigError
from circumspect.risk.rules.registry import RULES

DEFAULT_RULES = Path(__file__).resolve().parent.parent / "rules.yaml"

DECISIONS: tuple[str, ...] = ("clear", "review", "block")


@dataclass(frozen=True, slots=True)
class Rule:
    id: str
    description: str
    weight: float
    evidence: str
    source: str
    params: dict[str, Any] = field(default_factory=dict)

    def param(self, name: str, default: Any) -> Any:
        return self.params.get(name, default)


@dataclass(frozen=True, slots=True)
class RuleSet:
    version: str
    review: float
    block: float
    russia_belarus: frozenset[str]
    transshipment: frozenset[str]
    rules: tuple[Rule, ...]
    path: str = ""

    def get(self, rule_id: str) -> Rule | None:
        for rule in self.rules:
            if rule.id == rule_id:
                return rule
        return None

    def decision(self, score: float) -> str:
        if score >= self.block:
            return "block"
        if score >= self.review:
            return "review"
        return "clear"


def _countries(value: Any, where: str, path: str) -> frozenset[str]:
    if not isinstance(value, list) or not all(isinstance(c, str) for c in value):
        raise ConfigError(f"{where} must be a list of ISO country codes", file=path)
    return frozenset(c.strip().upper() for c in value)


def parse_rules(data: Any, path: str = "<rules>") -> RuleSet:
    if not isinstance(data, dict):
        raise ConfigError("rules file must be a mapping", file=path)
    thresholds = data.get("thresholds") or {}
    try:
        review = float(thresholds["review"])
        block = float(thresholds["block"])
    except (KeyError, TypeError, ValueError) as exc:
        raise ConfigError(
            "thresholds.review and thresholds.block must be numbers", file=path, field="thresholds"
        ) from exc
    if not 0 < review < block <= 100:
        raise ConfigError(
            f"thresholds must satisfy 0 < review ({review}) < block ({block}) <= 100",
            file=path,
            field="thresholds",
        )
    countries = data.get("countries") or {}
    rules: list[Rule] = []
    seen: set[str] = set()
    raw_rules = data.get("rules")
    if not isinstance(raw_rules, list) or not raw_rules:
        raise ConfigError("rules must be a non-empty list", file=path, field="rules")
    for n, item in enumerate(raw_rules, start=1):
        if not isinstance(item, dict):
            raise ConfigError(f"rule #{n} is not a mapping", file=path, record=str(n))
        rule_id = str(item.get("id", "")).strip()
        if rule_id not in RULES:
            raise ConfigError(
                f"unknown rule id {rule_id!r}; known: {', '.join(RULES)}",
                file=path,
                record=str(n),
                field="id",
            )
        if rule_id in seen:
            raise ConfigError(f"rule {rule_id} defined twice", file=path, record=rule_id)
        seen.add(rule_id)
        if item.get("enabled", True) is False:
            continue
        for key in ("description", "evidence", "source"):
            if not str(item.get(key, "")).strip():
                raise ConfigError(
                    f"rule {rule_id} needs a {key}", file=path, record=rule_id, field=key
                )
        try:
            weight = float(item["weight"])
        except (KeyError, TypeError, ValueError) as exc:
            raise ConfigError(
                f"rule {rule_id} needs a numeric weight", file=path, record=rule_id, field="weight"
            ) from exc
        if not 0 <= weight <= 100:
            raise ConfigError(
                f"rule {rule_id} weight {weight} not in 0-100",
                file=path,
                record=rule_id,
                field="weight",
            )
        params = item.get("params") or {}
        if not isinstance(params, dict):
            raise ConfigError(
                f"rule {rule_id} params must be a mapping",
                file=path,
                record=rule_id,
                field="params",
            )
        rules.append(
            Rule(
                id=rule_id,
                description=" ".join(str(item["description"]).split()),
                weight=weight,
                evidence=" ".join(str(item["evidence"]).split()),
                source=" ".join(str(item["source"]).split()),
                params=dict(params),
            )
        )
    return RuleSet(
        version=str(data.get("version", "")),
        review=review,
        block=block,
        russia_belarus=_countries(
            countries.get("russia_belarus", ["RU", "BY"]), "countries.russia_belarus", path
        ),
        transshipment=_countries(
            countries.get("transshipment", []), "countries.transshipment", path
        ),
        rules=tuple(rules),
        path=path,
    )


def load_rules(path: Path | None = None) -> RuleSet:
    """Read a rules YAML file (the shipped one by default)."""
    source = Path(path) if path is not None else DEFAULT_RULES
    try:
        text = source.read_text(encoding="utf-8")
    except OSError as exc:
        raise ConfigError(f"cannot read rules file: {exc.strerror}", file=str(source)) from exc
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        line = getattr(getattr(exc, "problem_mark", None), "line", None)
        raise ConfigError(
            f"invalid YAML: {exc}", file=str(source), line=None if line is None else line + 1
        ) from exc
    return parse_rules(data, str(source))
