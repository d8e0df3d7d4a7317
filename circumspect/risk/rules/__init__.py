"""Declaration risk rules: the YAML configuration and one registered function per rule.

- :mod:`~circumspect.risk.rules.config`: ``rules.yaml`` (thresholds, country lists, each
  rule's weight, description, evidence, source and params) -> :class:`RuleSet`.
- :mod:`~circumspect.risk.rules.registry`: :data:`RULES`, the ``@rule("id")`` decorator,
  :class:`RuleInput` (the batch as rules see it) and :class:`RuleResult`.
- the rule functions, by theme: :mod:`.parties`, :mod:`.goods`, :mod:`.transshipment`,
  :mod:`.values`, :mod:`.payments`, :mod:`.reexport` (parallel imports, re-export to Russia).

Adding a rule is one function decorated with ``@rule("my_rule")`` in the module of its
theme (a new theme module is added to the imports below) plus one ``my_rule`` entry in
``rules.yaml``. ``tests/risk/test_rules.py`` checks that both sides agree.
"""

from __future__ import annotations

from circumspect.risk.rules import goods, parties, payments, reexport, transshipment, values
from circumspect.risk.rules.config import (
    DECISIONS,
    DEFAULT_RULES,
    Rule,
    RuleSet,
    load_rules,
    parse_rules,
)
from circumspect.risk.rules.registry import RULES, RuleFunc, RuleInput, RuleResult, rule

#: The modules whose import registers rule functions (importing them is their purpose).
RULE_MODULES = (parties, goods, transshipment, values, payments, reexport)

#: Ids of every registered rule.
KNOWN_RULES: tuple[str, ...] = tuple(RULES)

__all__ = [
    "DECISIONS",
    "DEFAULT_RULES",
    "KNOWN_RULES",
    "RULES",
    "RULE_MODULES",
    "Rule",
    "RuleFunc",
    "RuleInput",
    "RuleResult",
    "RuleSet",
    "load_rules",
    "parse_rules",
    "rule",
]
