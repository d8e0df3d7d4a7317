"""Shared helpers for payment tests: a small in-test screener and the demo data paths."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from circumspect.model.screening import Candidate, Query

ROOT = Path(__file__).resolve().parents[2]
DEMO = ROOT / "circumspect" / "data" / "demo" / "payments"
MESSAGES = DEMO / "messages"
DEMO_LISTS = ROOT / "circumspect" / "data" / "demo" / "lists"


def demo_message(name: str) -> bytes:
    return (MESSAGES / name).read_bytes()


@dataclass
class FakeScreener:
    """Exact-name and exact-identifier screener for decision-logic tests.

    ``names`` maps an upper-case name to (entity id, score); ``ids`` maps an identifier as
    given (BIC 8 chars, ``IMO1234567``) to an entity id. BIC 11 with ``XXX`` is treated as
    BIC 8, as the contract requires.
    """

    names: dict[str, tuple[str, float]] = field(default_factory=dict)
    ids: dict[str, str] = field(default_factory=dict)
    fail: bool = False
    calls: list[str] = field(default_factory=list)

    @property
    def threshold(self) -> float:
        return 0.7

    def _cand(self, entity_id: str, score: float) -> Candidate:
        return Candidate(
            entity_id=entity_id,
            source="test",
            source_id=entity_id,
            caption=entity_id.upper(),
            schema="Company",
            score=score,
            alert=score >= self.threshold,
            explanation=f"fake {score}",
        )

    def screen(self, query: Query, limit: int = 5) -> list[Candidate]:
        self.calls.append(query.name)
        if self.fail:
            raise RuntimeError("index unavailable")
        hit = self.names.get(query.name.upper())
        return [self._cand(*hit)] if hit else []

    def by_identifier(self, value: str) -> list[Candidate]:
        self.calls.append(value)
        key = value.upper()
        if len(key) == 11 and key.endswith("XXX"):
            key = key[:8]
        entity = self.ids.get(key)
        return [self._cand(entity, 1.0)] if entity else []
