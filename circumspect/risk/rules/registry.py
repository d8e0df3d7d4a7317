"""The risk rule registry: one registered function per rule id.

A rule is a function ``(RuleInput, Rule) -> RuleResult`` registered with :func:`rule` under
the id that names it in ``rules.yaml``. The YAML entry holds its weight, description,
evidence, source and ``params``; the function reads its parameters with
``config.param(name, default)`` and returns, for every row of the batch, whether it fires
(``mask``), how strongly (``strength`` in [0, 1]) and the sentence a reviewer reads for a
row that fired (``message``). This is the pattern of :mod:`circumspect.matching.scoring`
(and nomenklatura's ``Feature`` list): adding a rule is one function here plus one entry
in ``rules.yaml`` (see ``docs/architecture.md``).

:class:`RuleInput` gives rules the batch and the arrays most of them need, computed once
per batch (``functools.cached_property``), so rules stay small and vectorised.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from functools import cached_property
from typing import TYPE_CHECKING, Any

import numpy as np

from circumspect.risk.columns import COUNTRY_COLUMNS, STR

if TYPE_CHECKING:
    import pandas as pd

    from circumspect.risk.pipeline import PartyHit, ScoringContext
    from circumspect.risk.rules.config import Rule, RuleSet

Array = np.ndarray[Any, Any]


@dataclass(slots=True)
class RuleResult:
    """Per row of a batch: fired or not, strength in [0, 1], and the reviewer's sentence."""

    mask: Array
    strength: Array
    message: Callable[[int], str]
    evidence: Callable[[int], dict[str, Any]] = field(default=lambda i: {})


#: A rule: the batch (with its shared arrays) and the rule's YAML entry -> per-row result.
RuleFunc = Callable[["RuleInput", "Rule"], RuleResult]

#: Every rule the pipeline implements, by id, in registration order.
RULES: dict[str, RuleFunc] = {}


def rule(rule_id: str) -> Callable[[RuleFunc], RuleFunc]:
    """Decorator registering a rule function under ``rule_id`` (its id in ``rules.yaml``)."""

    def register(func: RuleFunc) -> RuleFunc:
        if rule_id in RULES:
            raise ValueError(f"risk rule {rule_id!r} registered twice")
        RULES[rule_id] = func
        return func

    return register


class RuleInput:
    """A validated batch with its history columns, as every rule sees it.

    The frame carries the typed columns of :func:`~circumspect.risk.pipeline.validate_frame`
    (``_hs``, ``_usd``, ``_transit``, the ``_<country column>`` codes ...) and those of
    :func:`~circumspect.risk.pipeline.history_features` (``_controlled``, ``_tierw``,
    ``_uv_median``, ``_prev_n`` ...). Properties derive the arrays shared by several rules
    once per batch.
    """

    def __init__(
        self,
        frame: pd.DataFrame,
        ctx: ScoringContext,
        party_hits: Mapping[Any, list[PartyHit]] | None = None,
    ) -> None:
        self.frame = frame
        self.ctx = ctx
        self.party_hits: Mapping[Any, list[PartyHit]] = party_hits or {}

    def __len__(self) -> int:
        return len(self.frame)

    @property
    def rules(self) -> RuleSet:
        return self.ctx.rules

    def text(self, column: str) -> Array:
        """A column as stripped strings (blank for missing)."""
        return np.asarray(self.frame[column].astype(STR).fillna("").str.strip().to_numpy())

    @cached_property
    def controlled(self) -> Array:
        return np.asarray(self.frame["_controlled"].to_numpy(dtype=bool))

    @cached_property
    def tier_weight(self) -> Array:
        """The CHPL tier weight of each row's goods: the strength of most goods rules."""
        return np.asarray(self.frame["_tierw"].to_numpy(dtype="float64"))

    @cached_property
    def tier(self) -> Array:
        return np.asarray(self.frame["_tier"].astype(STR).fillna("").to_numpy())

    @cached_property
    def hs(self) -> Array:
        return np.asarray(self.frame["_hs"].to_numpy())

    @cached_property
    def country(self) -> dict[str, Array]:
        """Normalised ISO codes per country column (``country['destination_country']``)."""
        return {c: self.frame["_" + c].to_numpy() for c in COUNTRY_COLUMNS}

    @cached_property
    def transit(self) -> Array:
        """Transit countries of each row, ``;``-separated codes."""
        return np.asarray(self.frame["_transit"].to_numpy())

    @cached_property
    def consignee_id(self) -> Array:
        return self.text("consignee_id")

    @cached_property
    def consignee_name(self) -> Array:
        return np.asarray(self.frame["consignee_name"].to_numpy())

    @cached_property
    def to_transshipment(self) -> Array:
        """Destination or consignee country in the rules file's transshipment list."""
        ts = list(self.rules.transshipment)
        col = self.country
        return np.isin(col["destination_country"], ts) | np.isin(col["consignee_country"], ts)

    @cached_property
    def unit_value(self) -> Array:
        return np.asarray(self.frame["_uv"].to_numpy(dtype="float64"))

    @cached_property
    def unit_value_median(self) -> Array:
        return np.asarray(self.frame["_uv_median"].to_numpy(dtype="float64"))

    @cached_property
    def unit_value_samples(self) -> Array:
        return np.asarray(self.frame["_uv_n"].to_numpy())

    @cached_property
    def unit_value_ratio(self) -> Array:
        """Unit value over the median unit value of its HS-6 code (and unit)."""
        with np.errstate(divide="ignore", invalid="ignore"):
            return self.unit_value / self.unit_value_median

    @cached_property
    def value_unit(self) -> Array:
        """``kg`` where the unit value is per kg of net weight, else ``unit``."""
        per_kg = self.frame["_uvkey"].str.endswith("/kg").to_numpy(dtype=bool)
        return np.where(per_kg, "kg", "unit")

    def goods(self, i: int) -> str:
        """``HS <code> (CHPL tier <t>)`` for row ``i``, the goods phrase of messages."""
        t = f" (CHPL tier {self.tier[i]})" if self.tier[i] else ""
        return f"HS {self.hs[i]}{t}"
