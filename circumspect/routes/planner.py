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

from collections.abc import Iterable

from circumspect.errors import InputError, NotFoundError
from circumspect.routes.network import (
    CARGOS,
    MODES,
    Network,
    Node,
    default_network,
)
from circumspect.routes.places import resolve
from circumspect.routes.results import (
    _SCAN_FACTOR,
    MAX_K,
    OBJECTIVES,
    Comparison,
    Leg,
    Route,
    RoutePlan,
)
from circumspect.routes.search import (
    _ADJ_CACHE,
    _EXPANDED,
    _Adj,
    _adjacency,
    _dijkstra,
    _Expanded,
    _expanded,
    _iter_routes,
    _k_place_simple_paths,
    _leg_for_edge,
    _leg_for_transfer,
    _metric,
    _place,
    _Query,
    _route_from_path,
    pareto_front,
)

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


__all__ = [
    "MAX_K",
    "OBJECTIVES",
    "_ADJ_CACHE",
    "_COUNTRY_NAMES",
    "_EXPANDED",
    "_SCAN_FACTOR",
    "Comparison",
    "Leg",
    "Route",
    "RoutePlan",
    "_Adj",
    "_Expanded",
    "_Query",
    "_adjacency",
    "_check_options",
    "_country_code",
    "_dijkstra",
    "_expanded",
    "_iter_routes",
    "_k_place_simple_paths",
    "_leg_for_edge",
    "_leg_for_transfer",
    "_metric",
    "_no_route_message",
    "_place",
    "_route_from_path",
    "_split",
    "_with_pareto",
    "compare_routes",
    "pareto_front",
    "plan_routes",
    "route_touches",
]
