"""A small in-test party screener and a declaration row builder."""

from __future__ import annotations

from typing import Any

from circumspect.model.screening import Candidate, Query


class FakeScreener:
    """Exact (case-insensitive) name and identifier matches; counts calls."""

    def __init__(
        self,
        names: dict[str, str],
        identifiers: dict[str, str] | None = None,
        threshold: float = 0.7,
    ) -> None:
        self._names = {k.casefold(): v for k, v in names.items()}
        self._ids = {k.upper(): v for k, v in (identifiers or {}).items()}
        self._threshold = threshold
        self.calls: list[str] = []

    @property
    def threshold(self) -> float:
        return self._threshold

    def _cand(self, caption: str, score: float) -> Candidate:
        return Candidate(
            entity_id=f"test-{caption.lower().replace(' ', '-')}",
            source="ofac_sdn",
            source_id="1",
            caption=caption,
            schema="Company",
            score=score,
            alert=score >= self._threshold,
            explanation="test",
        )

    def screen(self, query: Query, limit: int = 5) -> list[Candidate]:
        self.calls.append(query.name)
        caption = self._names.get(query.name.casefold())
        return [self._cand(caption, 0.92)] if caption else []

    def by_identifier(self, value: str) -> list[Candidate]:
        self.calls.append("id:" + value)
        caption = self._ids.get(value.upper())
        return [self._cand(caption, 1.0)] if caption else []


BASE: dict[str, Any] = {
    "declaration_id": "D1",
    "date": "2024-03-05",
    "declarant_name": "Kedendik Broker LLP",
    "exporter_name": "Weber Elektronik GmbH",
    "exporter_country": "DE",
    "consignee_name": "Alatau Electronics LLP",
    "consignee_country": "KZ",
    "consignee_id": "",
    "end_user_name": "Alatau Electronics LLP",
    "end_user_country": "KZ",
    "origin_country": "DE",
    "dispatch_country": "DE",
    "destination_country": "KZ",
    "transit_countries": "",
    "hs_code": "0901210000",
    "goods_description": "roasted coffee",
    "quantity": "100",
    "unit": "kg",
    "net_weight_kg": "100",
    "value": "1000",
    "currency": "EUR",
    "payment_bank_bic": "HSBKKZKX",
    "payment_country": "KZ",
}


def row(**changes: Any) -> dict[str, Any]:
    out = dict(BASE)
    out.update(changes)
    return out


def frame(rows: list[dict[str, Any]]) -> Any:
    import pandas as pd

    data = []
    for i, r in enumerate(rows, start=1):
        r = dict(r)
        if r["declaration_id"] == "D1" and len(rows) > 1:
            r["declaration_id"] = f"D{i}"
        data.append({k: str(v) for k, v in r.items()})
    return pd.DataFrame(data)
