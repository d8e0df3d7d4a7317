"""Route results: legs, routes, plans and comparisons (split out of ``routes/planner.py``)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from circumspect.routes.network import (
    Node,
)

OBJECTIVES: tuple[str, ...] = ("cost", "time", "distance")
MAX_K = 20
#: Expanded paths examined per requested route before giving up (bounds the query time).
_SCAN_FACTOR = 25


@dataclass(frozen=True, slots=True)
class Leg:
    """One leg of a route: an edge travelled, or a transfer at a place (``mode='transfer'``)."""

    from_id: str
    to_id: str
    from_name: str
    to_name: str
    mode: str
    service: str
    edge_id: str | None
    countries: tuple[str, ...]
    km: float
    days_min: float
    days_max: float
    cost: float
    cost_estimated: bool
    estimated: tuple[str, ...]
    note: str = ""

    def to_dict(self) -> dict[str, Any]:
        return {
            "from": self.from_id,
            "to": self.to_id,
            "from_name": self.from_name,
            "to_name": self.to_name,
            "mode": self.mode,
            "service": self.service,
            "edge_id": self.edge_id,
            "countries": list(self.countries),
            "km": round(self.km, 1),
            "days_min": round(self.days_min, 2),
            "days_max": round(self.days_max, 2),
            "cost": round(self.cost, 2),
            "cost_estimated": self.cost_estimated,
            "estimated": list(self.estimated),
            "note": self.note,
        }


@dataclass(frozen=True, slots=True)
class Route:
    """A route from origin to destination with its totals."""

    legs: tuple[Leg, ...]
    countries: tuple[str, ...]
    total_km: float
    days_min: float
    days_max: float
    total_cost: float
    cargo: str
    sanctioned_transit: tuple[str, ...]
    estimated_cost_share: float
    pareto: bool = False

    @property
    def days_mid(self) -> float:
        return (self.days_min + self.days_max) / 2

    @property
    def key(self) -> tuple[str, ...]:
        return tuple(f"{leg.edge_id}:{leg.from_id}" for leg in self.legs if leg.edge_id)

    @property
    def places(self) -> tuple[str, ...]:
        """Place ids in travel order."""
        out = [self.legs[0].from_id] if self.legs else []
        for leg in self.legs:
            if leg.edge_id:
                out.append(leg.to_id)
        return tuple(out)

    def via(self, limit: int = 6) -> str:
        """Short description ``A - B - C`` of the places travelled."""
        ids = self.places
        if len(ids) > limit:
            step = (len(ids) - 1) / (limit - 1)
            ids = tuple(ids[round(i * step)] for i in range(limit))
        return " - ".join(ids)

    def to_dict(self) -> dict[str, Any]:
        return {
            "legs": [leg.to_dict() for leg in self.legs],
            "countries": list(self.countries),
            "total_km": round(self.total_km, 1),
            "days_min": round(self.days_min, 2),
            "days_max": round(self.days_max, 2),
            "total_cost": round(self.total_cost, 2),
            "cargo": self.cargo,
            "currency": "USD",
            "sanctioned_transit": list(self.sanctioned_transit),
            "estimated_cost_share": round(self.estimated_cost_share, 3),
            "pareto": self.pareto,
        }


@dataclass(frozen=True, slots=True)
class RoutePlan:
    """The answer to one query: the k best routes and the Pareto set."""

    origin: Node
    destination: Node
    optimize: str
    cargo: str
    avoid: tuple[str, ...]
    avoid_modes: tuple[str, ...]
    month: int | None
    routes: tuple[Route, ...]
    pareto: tuple[Route, ...] = field(default=())

    def to_dict(self) -> dict[str, Any]:
        return {
            "from": {
                "id": self.origin.id,
                "name": self.origin.name,
                "country": self.origin.country,
            },
            "to": {
                "id": self.destination.id,
                "name": self.destination.name,
                "country": self.destination.country,
            },
            "optimize": self.optimize,
            "cargo": self.cargo,
            "avoid": list(self.avoid),
            "avoid_modes": list(self.avoid_modes),
            "month": self.month,
            "routes": [r.to_dict() for r in self.routes],
            "pareto": [r.to_dict() for r in self.pareto],
        }


@dataclass(frozen=True, slots=True)
class Comparison:
    """Best route without constraints vs best route avoiding the given countries."""

    baseline: Route
    alternative: Route | None
    avoid: tuple[str, ...]
    optimize: str
    cargo: str

    @property
    def premium_days(self) -> tuple[float, float] | None:
        if self.alternative is None:
            return None
        return (
            self.alternative.days_min - self.baseline.days_min,
            self.alternative.days_max - self.baseline.days_max,
        )

    @property
    def premium_cost(self) -> float | None:
        if self.alternative is None:
            return None
        return self.alternative.total_cost - self.baseline.total_cost

    @property
    def premium_km(self) -> float | None:
        if self.alternative is None:
            return None
        return self.alternative.total_km - self.baseline.total_km

    def rows(self) -> list[dict[str, Any]]:
        """Table rows: baseline, alternative, premium."""
        out: list[dict[str, Any]] = []
        for label, r in (
            ("shortest", self.baseline),
            (f"avoiding {','.join(self.avoid)}", self.alternative),
        ):
            if r is None:
                out.append(
                    {
                        "route": label,
                        "via": "no route",
                        "countries": "",
                        "km": "",
                        "days_min": "",
                        "days_max": "",
                        "cost_usd": "",
                        "sanctioned_transit": "",
                    }
                )
                continue
            out.append(
                {
                    "route": label,
                    "via": r.via(limit=99),
                    "countries": "-".join(r.countries),
                    "km": round(r.total_km),
                    "days_min": round(r.days_min, 1),
                    "days_max": round(r.days_max, 1),
                    "cost_usd": round(r.total_cost),
                    "sanctioned_transit": ",".join(r.sanctioned_transit),
                }
            )
        pd = self.premium_days
        if pd is not None and self.premium_cost is not None and self.premium_km is not None:
            out.append(
                {
                    "route": "premium",
                    "via": "",
                    "countries": "",
                    "km": round(self.premium_km),
                    "days_min": round(pd[0], 1),
                    "days_max": round(pd[1], 1),
                    "cost_usd": round(self.premium_cost),
                    "sanctioned_transit": "",
                }
            )
        return out

    def to_dict(self) -> dict[str, Any]:
        pd = self.premium_days
        return {
            "optimize": self.optimize,
            "cargo": self.cargo,
            "avoid": list(self.avoid),
            "baseline": self.baseline.to_dict(),
            "alternative": None if self.alternative is None else self.alternative.to_dict(),
            "premium": None
            if pd is None
            else {
                "days_min": round(pd[0], 2),
                "days_max": round(pd[1], 2),
                "cost": round(self.premium_cost or 0.0, 2),
                "km": round(self.premium_km or 0.0, 1),
            },
        }
