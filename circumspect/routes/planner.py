"""k-best and Pareto routes over the multimodal network, with constraints.

Method (docs/decisions/0550-routes-planner.md): the network is expanded into a networkx
directed graph of arrival/departure nodes per ``(place, class)``, where the class is the
mode with rail split by gauge (``rail1435``/``rail1520``). An edge of the network joins two
places in its class; a change of class at a place (gauge change, rail to ferry, pipeline
to tanker ...) is an arc with the transfer's time and money. Every place has a source arc
to each of its departure nodes and a sink arc from each arrival node, so one expanded
graph serves every query. Constraints (avoided countries, modes, oil-only legs for
containers, seasonal closures) are applied by the per-query weights: an arc without a
weight does not exist. The k best routes come from Yen's algorithm with place-level bans
(a route never returns to a place it has left), checked in the tests against
``networkx.shortest_simple_paths``; the Pareto set is the non-dominated subset of the k
best routes for each objective.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any

from circumspect.errors import InputError, NotFoundError
from circumspect.routes.network import (
    CARGOS,
    MODES,
    SANCTIONED,
    Edge,
    Network,
    Node,
    Transfer,
    default_network,
)
from circumspect.routes.places import resolve

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


# --------------------------------------------------------------------------- graph


class _Expanded:
    """The expanded directed graph of one network (built once, reused by every query).

    Each place has an arrival and a departure node per class: ``("I", place, class)`` and
    ``("O", place, class)``. Continuing in the same class is a free arc I->O, changing class
    an arc I->O with the transfer's time and cost; a query starts at ``("S", place)`` (arcs
    to every departure node) and ends at ``("T", place)`` (arcs from every arrival node).
    So no route can start or end with a transfer or chain two transfers.
    """

    def __init__(self, network: Network) -> None:
        import networkx as nx

        self.network = network
        g: Any = nx.DiGraph()
        classes = network.node_classes()
        for nid, cls in classes.items():
            for c in cls:
                g.add_edge(("S", nid), ("O", nid, c), kind="zero")
                g.add_edge(("I", nid, c), ("T", nid), kind="zero")
                g.add_edge(("I", nid, c), ("O", nid, c), kind="zero")
            for c1, c2 in itertools.permutations(sorted(cls), 2):
                t = network.transfer(nid, c1, c2)
                if t is not None:
                    g.add_edge(
                        ("I", nid, c1),
                        ("O", nid, c2),
                        kind="transfer",
                        transfer=t,
                        node=nid,
                        classes=(c1, c2),
                    )
        for e in network.edges.values():
            for a, b in ((e.a, e.b), (e.b, e.a)):
                u, v = ("O", a, e.mode_class), ("I", b, e.mode_class)
                if g.has_edge(u, v):  # a parallel edge of the same class: go via a mid node
                    mid = ("E", e.id, a)
                    g.add_edge(u, mid, kind="edge", edge=e, frm=a, to=b)
                    g.add_edge(mid, v, kind="zero")
                else:
                    g.add_edge(u, v, kind="edge", edge=e, frm=a, to=b)
        self.graph = g


_EXPANDED: dict[int, _Expanded] = {}


def _expanded(network: Network) -> _Expanded:
    x = _EXPANDED.get(id(network))
    if x is None or x.network is not network:
        x = _Expanded(network)
        _EXPANDED[id(network)] = x
    return x


class _Query:
    """One query's constraints, with per-edge values precomputed for the weight function."""

    def __init__(
        self,
        network: Network,
        cargo: str,
        avoid: frozenset[str],
        avoid_modes: frozenset[str],
        month: int | None,
    ) -> None:
        self.network = network
        self.cargo = cargo
        self.avoid = avoid
        self.avoid_modes = avoid_modes
        self.month = month
        self.days: dict[str, tuple[float, float]] = {}
        self.allowed: set[str] = set()
        for e in network.edges.values():
            self.days[e.id] = self._edge_days(e)
            if self._edge_allowed(e):
                self.allowed.add(e.id)

    def _edge_allowed(self, e: Edge) -> bool:
        if e.mode in self.avoid_modes or not e.carries(self.cargo):
            return False
        if self.avoid.intersection(e.countries):
            return False
        return not any(s.closed and s.applies(e, self.month) for s in self.network.seasons)

    def _edge_days(self, e: Edge) -> tuple[float, float]:
        lo, hi = e.days_min + e.border_days_min, e.days_max + e.border_days_max
        for s in self.network.seasons:
            if not s.closed and s.applies(e, self.month):
                lo, hi = lo + s.extra_days_min, hi + s.extra_days_max
        return lo, hi

    def edge_days(self, e: Edge) -> tuple[float, float]:
        return self.days[e.id]

    def weight(self, objective: str) -> Callable[[Any, Any, dict[str, Any]], float | None]:
        cargo = self.cargo
        values: dict[str, float] = {}
        for e in self.network.edges.values():
            if e.id not in self.allowed:
                continue
            if objective == "distance":
                values[e.id] = e.km + 1e-3
            elif objective == "time":
                lo, hi = self.days[e.id]
                values[e.id] = (lo + hi) / 2 + 1e-4
            else:
                values[e.id] = e.cost(cargo) + 1e-3

        def transfer_value(t: Transfer) -> float:
            if objective == "distance":
                return 1e-3
            if objective == "time":
                return (t.days_min + t.days_max) / 2 + 1e-4
            return t.cost(cargo) + 1e-3

        def w(_u: Any, _v: Any, d: dict[str, Any]) -> float | None:
            kind = d["kind"]
            if kind == "edge":
                return values.get(d["edge"].id)
            if kind == "transfer":
                return transfer_value(d["transfer"])
            return 0.0

        return w


def _leg_for_edge(q: _Query, e: Edge, frm: str, to: str) -> Leg:
    nodes = q.network.nodes
    lo, hi = q.edge_days(e)
    countries = e.countries if frm == e.a else tuple(reversed(e.countries))
    notes = []
    if e.border_days_max:
        notes.append(f"incl. border dwell {e.border_days_min:g}-{e.border_days_max:g} d")
    extra = [s for s in q.network.seasons if not s.closed and s.applies(e, q.month)]
    if extra:
        notes.append(
            "incl. seasonal waiting "
            + ", ".join(f"{s.extra_days_min:g}-{s.extra_days_max:g} d ({s.source})" for s in extra)
        )
    cost_est = q.cargo in e.cost_estimated or "cost" in e.estimated
    return Leg(
        from_id=frm,
        to_id=to,
        from_name=nodes[frm].name,
        to_name=nodes[to].name,
        mode=e.mode,
        service=e.service,
        edge_id=e.id,
        countries=countries,
        km=e.km,
        days_min=lo,
        days_max=hi,
        cost=e.cost(q.cargo),
        cost_estimated=cost_est,
        estimated=tuple(sorted(e.estimated | ({"cost"} if cost_est else set()))),
        note="; ".join(notes),
    )


def _leg_for_transfer(q: _Query, t: Transfer, node: str, classes: tuple[str, str]) -> Leg:
    n = q.network.nodes[node]
    estimated = "S69" in t.source or not t.source
    return Leg(
        from_id=node,
        to_id=node,
        from_name=n.name,
        to_name=n.name,
        mode="transfer",
        service=f"{classes[0]} -> {classes[1]}",
        edge_id=None,
        countries=(n.country,),
        km=0.0,
        days_min=t.days_min,
        days_max=t.days_max,
        cost=t.cost(q.cargo),
        cost_estimated=estimated,
        estimated=("cost", "days") if estimated else (),
        note=t.notes,
    )


def _route_from_path(q: _Query, g: Any, path: list[Any]) -> Route | None:
    legs: list[Leg] = []
    visited: list[str] = []
    for u, v in itertools.pairwise(path):
        d = g.edges[u, v]
        if d["kind"] == "edge":
            e: Edge = d["edge"]
            if not visited:
                visited.append(d["frm"])
            if d["to"] in visited:
                return None  # the physical route comes back to a place it has left
            visited.append(d["to"])
            legs.append(_leg_for_edge(q, e, d["frm"], d["to"]))
        elif d["kind"] == "transfer":
            legs.append(_leg_for_transfer(q, d["transfer"], d["node"], d["classes"]))
    if not legs or legs[0].edge_id is None or legs[-1].edge_id is None:
        return None
    countries: list[str] = []
    for leg in legs:
        for c in leg.countries:
            if not countries or countries[-1] != c:
                countries.append(c)
    unique: list[str] = []
    for c in countries:
        if c not in unique:
            unique.append(c)
    total_cost = sum(leg.cost for leg in legs)
    est_cost = sum(leg.cost for leg in legs if leg.cost_estimated)
    return Route(
        legs=tuple(legs),
        countries=tuple(unique),
        total_km=sum(leg.km for leg in legs),
        days_min=sum(leg.days_min for leg in legs),
        days_max=sum(leg.days_max for leg in legs),
        total_cost=total_cost,
        cargo=q.cargo,
        sanctioned_transit=tuple(c for c in unique if c in SANCTIONED),
        estimated_cost_share=(est_cost / total_cost) if total_cost else 0.0,
    )


def _place(x: Any) -> str | None:
    """The place of an expanded node (None for the mid nodes of parallel edges)."""
    return None if x[0] == "E" else str(x[1])


#: Adjacency of the expanded graph with one query's weights:
#: node -> [(next node, weight, place of next node or None, next node's kind)].
_Adj = dict[Any, list[tuple[Any, float, str | None, str]]]
_ADJ_CACHE: dict[tuple[Any, ...], tuple[Network, _Adj]] = {}


def _adjacency(q: _Query, objective: str) -> _Adj:
    """The weighted adjacency for a query (cached: queries repeat their constraints)."""
    key = (id(q.network), q.cargo, q.avoid, q.avoid_modes, q.month, objective)
    hit = _ADJ_CACHE.get(key)
    if hit is not None and hit[0] is q.network:
        return hit[1]
    g = _expanded(q.network).graph
    weight = q.weight(objective)
    adj: _Adj = {}
    for u, nbrs in g.succ.items():
        out = adj.setdefault(u, [])
        for v, data in nbrs.items():
            w = weight(u, v, data)
            if w is not None:
                out.append((v, w, _place(v), v[0]))
    if len(_ADJ_CACHE) > 256:
        _ADJ_CACHE.clear()
    _ADJ_CACHE[key] = (q.network, adj)
    return adj


def _dijkstra(
    adj: _Adj,
    source: Any,
    target: Any,
    origin: str,
    destination: str,
    banned_places: set[str],
    banned_nodes: set[Any],
    banned_edges: set[tuple[Any, Any]],
    spur_place: str | None,
) -> tuple[float, list[Any]] | None:
    """Shortest path from ``source`` to ``target`` that enters no banned place or node.

    Rules that keep routes place-simple: never arrive at the origin again, never leave the
    destination once arrived, never arrive again at the spur's own place.
    """
    import heapq

    dist: dict[Any, float] = {source: 0.0}
    prev: dict[Any, Any] = {}
    done: set[Any] = set()
    counter = itertools.count()
    heap: list[tuple[float, int, Any]] = [(0.0, next(counter), source)]
    while heap:
        d, _, u = heapq.heappop(heap)
        if u in done:
            continue
        done.add(u)
        if u == target:
            path = [u]
            while path[-1] in prev:
                path.append(prev[path[-1]])
            path.reverse()
            return d, path
        leaving_destination = u[0] == "I" and u[1] == destination
        for v, w, pv, kind in adj[u]:
            if v in done or v in banned_nodes:
                continue
            if pv is not None:
                if pv in banned_places:
                    continue
                if kind == "I" and pv in (origin, spur_place):
                    continue
            if leaving_destination and kind == "O":
                continue
            if banned_edges and (u, v) in banned_edges:
                continue
            nd = d + w
            if nd < dist.get(v, math.inf):
                dist[v] = nd
                prev[v] = u
                heapq.heappush(heap, (nd, next(counter), v))
    return None


def _k_place_simple_paths(adj: _Adj, origin: str, destination: str) -> Iterator[list[Any]]:
    """Yen's k-shortest paths in the expanded graph, in order of weight, where a path may
    not come back to a place it has left (the deviation bans whole places, not only the
    expanded nodes of the root path, so far fewer useless paths are generated than by
    ``networkx.shortest_simple_paths`` on the same graph)."""
    import heapq

    source, target = ("S", origin), ("T", destination)
    if source not in adj or target not in adj:
        return
    first = _dijkstra(adj, source, target, origin, destination, set(), set(), set(), None)
    if first is None:
        return
    accepted: list[list[Any]] = [first[1]]
    yield first[1]
    candidates: list[tuple[float, int, list[Any]]] = []
    known: set[tuple[Any, ...]] = {tuple(first[1])}
    counter = itertools.count()
    while True:
        last = accepted[-1]
        prefix = [0.0]
        for u, v in itertools.pairwise(last):
            prefix.append(prefix[-1] + next(w for x, w, _p, _k in adj[u] if x == v))
        for i in range(len(last) - 1):
            spur = last[i]
            root = last[: i + 1]
            banned_edges = {
                (p[i], p[i + 1]) for p in accepted if len(p) > i + 1 and p[: i + 1] == root
            }
            spur_place = _place(spur)
            banned_places = {pl for x in root[:-1] if (pl := _place(x)) is not None}
            banned_places.discard(spur_place or "")
            found = _dijkstra(
                adj,
                spur,
                target,
                origin,
                destination,
                banned_places,
                set(root[:-1]),
                banned_edges,
                spur_place,
            )
            if found is None:
                continue
            path = root[:-1] + found[1]
            key = tuple(path)
            if key in known:
                continue
            known.add(key)
            heapq.heappush(candidates, (prefix[i] + found[0], next(counter), path))
        if not candidates:
            return
        _, _, best = heapq.heappop(candidates)
        accepted.append(best)
        yield best


def _iter_routes(
    q: _Query, origin: str, destination: str, objective: str, limit: int
) -> Iterator[Route]:
    g = _expanded(q.network).graph
    seen: set[tuple[str, ...]] = set()
    found = 0
    paths = _k_place_simple_paths(_adjacency(q, objective), origin, destination)
    for path in itertools.islice(paths, limit * _SCAN_FACTOR):
        route = _route_from_path(q, g, path)
        if route is None or route.key in seen:
            continue
        seen.add(route.key)
        yield route
        found += 1
        if found >= limit:
            return


def _metric(route: Route, objective: str) -> float:
    if objective == "cost":
        return route.total_cost
    if objective == "time":
        return route.days_mid
    return route.total_km


def pareto_front(routes: Iterable[Route]) -> list[Route]:
    """Routes not dominated on (cost, mean days, km); ties keep the first."""
    pool = list(routes)
    front: list[Route] = []
    for r in pool:
        a = (r.total_cost, r.days_mid, r.total_km)
        dominated = False
        for o in pool:
            if o is r:
                continue
            b = (o.total_cost, o.days_mid, o.total_km)
            if all(x <= y for x, y in zip(b, a, strict=True)) and b != a:
                dominated = True
                break
        if not dominated and all(f.key != r.key for f in front):
            front.append(r)
    return front


# --------------------------------------------------------------------------- API


#: English and Russian names of the countries in the network (others: FollowTheMoney).
_COUNTRY_NAMES: dict[str, str] = {
    "russia": "RU",
    "russian federation": "RU",
    "россия": "RU",
    "belarus": "BY",
    "беларусь": "BY",
    "iran": "IR",
    "иран": "IR",
    "kazakhstan": "KZ",
    "казахстан": "KZ",
    "china": "CN",
    "китай": "CN",
    "azerbaijan": "AZ",
    "georgia": "GE",
    "turkey": "TR",
    "turkiye": "TR",
    "türkiye": "TR",
    "turkmenistan": "TM",
    "uzbekistan": "UZ",
    "poland": "PL",
    "germany": "DE",
    "netherlands": "NL",
    "romania": "RO",
    "hungary": "HU",
    "egypt": "EG",
    "bulgaria": "BG",
    "serbia": "RS",
    "austria": "AT",
}


def _country_code(value: str) -> str:
    from followthemoney.types import registry

    code = value.strip()
    if len(code) == 2 and code.isalpha() and code.lower() in registry.country.names:
        return code.upper()
    if code.casefold() in _COUNTRY_NAMES:
        return _COUNTRY_NAMES[code.casefold()]
    cleaned = registry.country.clean(code)  # names, UK -> GB, EL -> GR; None for XX
    if cleaned and len(cleaned) == 2:
        return str(cleaned).upper()
    raise InputError(f"not a country: {value!r} (use ISO codes such as RU, BY, IR)", field="avoid")


def _split(values: str | Iterable[str] | None) -> list[str]:
    if values is None:
        return []
    items = values.split(",") if isinstance(values, str) else list(values)
    out: list[str] = []
    for item in items:
        out.extend(p for p in str(item).split(",") if p.strip())
    return out


def _check_options(
    optimize: str, cargo: str, k: int, month: int | None, avoid_modes: list[str]
) -> None:
    import difflib

    def bad(value: str, allowed: tuple[str, ...], name: str) -> InputError:
        close = difflib.get_close_matches(value, allowed, n=1)
        hint = f"; did you mean {close[0]!r}?" if close else ""
        return InputError(
            f"{name} must be one of {', '.join(allowed)}, not {value!r}{hint}", field=name
        )

    if optimize not in OBJECTIVES:
        raise bad(optimize, OBJECTIVES, "optimize")
    if cargo not in CARGOS:
        raise bad(cargo, CARGOS, "cargo")
    for m in avoid_modes:
        if m not in MODES:
            raise bad(m, MODES, "avoid_mode")
    if not 1 <= k <= MAX_K:
        raise InputError(f"k must be between 1 and {MAX_K}, not {k}", field="k")
    if month is not None and not 1 <= month <= 12:
        raise InputError(f"month must be 1-12, not {month}", field="month")


def plan_routes(
    origin: str,
    destination: str,
    *,
    avoid: str | Iterable[str] | None = None,
    avoid_modes: str | Iterable[str] | None = None,
    optimize: str = "cost",
    k: int = 3,
    cargo: str = "feu",
    month: int | None = None,
    pareto: bool = True,
    network: Network | None = None,
) -> RoutePlan:
    """Plan the ``k`` best routes from ``origin`` to ``destination``.

    ``origin``/``destination`` are node ids or place names in any spelling (Latin, Cyrillic,
    Kazakh, ...). ``avoid`` lists countries (ISO codes or names) whose territory, nodes and
    legs (including sea legs) must not be used; ``avoid_modes`` lists modes. ``optimize`` is
    ``cost`` (USD per ``cargo`` unit), ``time`` (mean of min/max days) or ``distance``.
    ``month`` (1-12) applies seasonal waiting and closures. With ``pareto`` the result also
    holds the routes not dominated on cost, time and distance among the candidates found.

    Raises :class:`InputError` for bad options, :class:`NotFoundError` for unknown places
    and when no route satisfies the constraints.
    """
    net = network or default_network()
    avoid_codes = sorted({_country_code(c) for c in _split(avoid)})
    modes = sorted({m.strip().lower() for m in _split(avoid_modes)})
    optimize, cargo = optimize.strip().lower(), cargo.strip().lower()
    _check_options(optimize, cargo, k, month, modes)
    a = resolve(net, origin, field="from")
    b = resolve(net, destination, field="to")
    if a.id == b.id:
        raise InputError(f"origin and destination are the same place ({a.id})", field="to")
    for node, name in ((a, "from"), (b, "to")):
        if node.country in avoid_codes:
            raise InputError(
                f"{node.name} ({node.id}) is in {node.country}, which is avoided", field=name
            )
    q = _Query(net, cargo, frozenset(avoid_codes), frozenset(modes), month)
    routes = list(_iter_routes(q, a.id, b.id, optimize, k))
    if not routes:
        raise NotFoundError(_no_route_message(net, a, b, q), field="to")
    front: list[Route] = []
    if pareto:
        pool = {r.key: r for r in routes}
        for objective in OBJECTIVES:
            if objective == optimize:
                continue
            for r in _iter_routes(q, a.id, b.id, objective, max(k, 3)):
                pool.setdefault(r.key, r)
        front = sorted(pareto_front(pool.values()), key=lambda r: _metric(r, optimize))
        keys = {r.key for r in front}
        routes = [_with_pareto(r, r.key in keys) for r in routes]
        front = [_with_pareto(r, True) for r in front]
    return RoutePlan(
        a, b, optimize, cargo, tuple(avoid_codes), tuple(modes), month, tuple(routes), tuple(front)
    )


def _with_pareto(route: Route, flag: bool) -> Route:
    from dataclasses import replace

    return replace(route, pareto=flag)


def _no_route_message(net: Network, a: Node, b: Node, q: _Query) -> str:
    parts = []
    if q.avoid:
        parts.append(f"avoiding {', '.join(sorted(q.avoid))}")
    if q.avoid_modes:
        parts.append(f"without {', '.join(sorted(q.avoid_modes))}")
    if q.cargo != "tonne":
        parts.append(f"for {q.cargo} containers (pipelines and tankers carry only oil)")
    if q.month is not None:
        parts.append(f"in month {q.month}")
    what = f"no route from {a.name} ({a.id}) to {b.name} ({b.id})"
    if parts:
        what += " " + " ".join(parts)
    relaxed = _Query(net, "tonne", frozenset(), frozenset(), None)
    if not any(True for _ in _iter_routes(relaxed, a.id, b.id, "distance", 1)):
        return what + "; the two places are not connected in the network at all"
    return what + "; relax a constraint"


def compare_routes(
    origin: str,
    destination: str,
    *,
    avoid: str | Iterable[str] = ("RU", "BY"),
    avoid_modes: str | Iterable[str] | None = None,
    optimize: str = "time",
    cargo: str = "feu",
    month: int | None = None,
    network: Network | None = None,
) -> Comparison:
    """The best route without country constraints vs the best route avoiding ``avoid``."""
    base = plan_routes(
        origin,
        destination,
        avoid_modes=avoid_modes,
        optimize=optimize,
        k=1,
        cargo=cargo,
        month=month,
        pareto=False,
        network=network,
    )
    try:
        alt_plan = plan_routes(
            origin,
            destination,
            avoid=avoid,
            avoid_modes=avoid_modes,
            optimize=optimize,
            k=1,
            cargo=cargo,
            month=month,
            pareto=False,
            network=network,
        )
        alt: Route | None = alt_plan.routes[0]
        codes = alt_plan.avoid
    except NotFoundError:
        alt = None
        codes = tuple(sorted({_country_code(c) for c in _split(avoid)}))
    return Comparison(base.routes[0], alt, codes, optimize, cargo)


def route_touches(route: Route, network: Network, countries: Iterable[str]) -> list[str]:
    """Reasons why ``route`` touches any of ``countries`` (node, leg, or sea path)."""
    bad = set(countries)
    reasons: list[str] = []
    for leg in route.legs:
        for nid in (leg.from_id, leg.to_id):
            if network.nodes[nid].country in bad:
                reasons.append(f"node {nid}")
        if bad.intersection(leg.countries):
            reasons.append(f"leg {leg.edge_id} countries {'/'.join(leg.countries)}")
    return sorted(set(reasons))
