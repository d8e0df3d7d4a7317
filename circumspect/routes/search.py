"""Route search on the time-expanded network: edges allowed by a query, Dijkstra, k
simple paths and the Pareto front (split out of ``routes/planner.py``)."""

from __future__ import annotations

import itertools
import math
from collections.abc import Callable, Iterable, Iterator
from typing import Any

from circumspect.routes.network import (
    SANCTIONED,
    Edge,
    Network,
    Transfer,
)
from circumspect.routes.results import (
    _SCAN_FACTOR,
    Leg,
    Route,
)

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
