"""Planner: published figures, constraints, sanctioned-transit flag, Pareto set, errors."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from circumspect.errors import InputError, NotFoundError
from circumspect.routes.network import DATA_DIR, SANCTIONED, default_network, load_network
from circumspect.routes.planner import (
    Route,
    compare_routes,
    pareto_front,
    plan_routes,
    route_touches,
)
from circumspect.routes.render import leg_coords

NET = default_network()
NODE_IDS = sorted(NET.nodes)


def _km(route: Route, *modes: str) -> float:
    return sum(leg.km for leg in route.legs if leg.mode in modes)


# ---------------------------------------------------------------- published figures


def test_altynkol_aktau_matches_ktz_3128_km_in_about_3_days() -> None:
    """S10 (KTZ, 2024): Altynkol -> Aktau port 3,128 km in 3 days."""
    r = plan_routes("Altynkol", "Aktau", optimize="distance").routes[0]
    assert r.total_km == pytest.approx(3128, rel=0.03)
    assert r.days_min == pytest.approx(3.0, abs=0.5)
    assert r.days_min <= 3.0 + 0.5 <= r.days_max
    assert r.countries == ("KZ",)


def test_middle_corridor_rail_and_sea_length_matches_titr() -> None:
    """S11: TITR has 4,256 km of rail and 508 km of shipping (China border to Black Sea)."""
    r = plan_routes("Altynkol", "Poti", avoid="RU", avoid_modes="road", optimize="time").routes[0]
    assert _km(r, "rail") == pytest.approx(4256, rel=0.10)
    assert _km(r, "sea", "ferry") == pytest.approx(508, rel=0.15)
    assert "AZ" in r.countries and "GE" in r.countries


def test_middle_corridor_times_bracket_the_ministry_figures() -> None:
    """S09: Altynkol -> Absheron (Baku) 9 d, -> Poti/Batumi 12 d, -> Constanta 20-22 d."""
    for dest, published in (("Alat", 9), ("Poti", 12), ("Constanta", 21)):
        r = plan_routes("Altynkol", dest, avoid="RU", avoid_modes="road", optimize="time").routes[0]
        assert r.days_min <= published <= r.days_max, (dest, r.days_min, r.days_max)


def test_xian_baku_block_train() -> None:
    """S10: Xi'an -> Baku about 7,000 km in 11 days."""
    r = plan_routes("Xi'an", "Baku", avoid="RU", optimize="time").routes[0]
    assert r.total_km == pytest.approx(7000, rel=0.15)
    assert r.days_min <= 11 <= r.days_max


def test_china_europe_middle_corridor_is_slower_than_the_northern_route() -> None:
    """S29/S63: Xi'an-Duisburg 11.5 d, Trans-Siberian 12-18 d; S08: TITR 32-37 d to
    Duisburg; S06 (World Bank): the Middle Corridor takes much longer than the Northern."""
    cmp = compare_routes("Xi'an", "Duisburg", avoid="RU,BY", optimize="time")
    north, middle = cmp.baseline, cmp.alternative
    assert middle is not None
    assert set(north.sanctioned_transit) == {"RU", "BY"}
    assert north.days_min <= 12 <= north.days_max
    assert middle.days_min <= 37 and middle.days_max >= 32  # overlaps the S08 band
    assert middle.days_mid > 1.3 * north.days_mid
    assert cmp.premium_cost is not None and cmp.premium_cost > 0
    assert not route_touches(middle, NET, ["RU", "BY"])


def test_northern_route_uses_gauge_changes() -> None:
    r = plan_routes("Xi'an", "Duisburg", optimize="time").routes[0]
    gauge = [
        leg
        for leg in r.legs
        if leg.mode == "transfer" and "rail1435" in leg.service and "rail1520" in leg.service
    ]
    assert [leg.from_id for leg in gauge] == ["KZ_DOSTYK", "PL_MALASZEWICZE"]
    assert all(leg.days_max > 0 and leg.cost > 0 for leg in gauge)


def test_oil_cpc_vs_btc() -> None:
    """S68: BTC is much more expensive than CPC; CPC transits Russia (S44)."""
    cmp = compare_routes("Tengiz", "Rotterdam", avoid="RU", optimize="cost", cargo="tonne")
    assert [leg.edge_id for leg in cmp.baseline.legs if leg.mode == "pipeline"] == ["E49"]
    assert cmp.baseline.sanctioned_transit == ("RU",)
    assert cmp.alternative is not None
    assert "E51" in {leg.edge_id for leg in cmp.alternative.legs}
    assert cmp.premium_cost is not None and cmp.premium_cost > 0
    assert cmp.alternative.sanctioned_transit == ()
    # containers cannot use pipelines or tankers
    with pytest.raises(NotFoundError, match="pipelines and tankers carry only oil"):
        plan_routes("Tengiz", "Rotterdam", cargo="feu", avoid_modes="road")


# ---------------------------------------------------------------- constraints (property)


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    st.sampled_from(NODE_IDS),
    st.sampled_from(NODE_IDS),
    st.sampled_from([("RU",), ("RU", "BY"), ("RU", "BY", "IR")]),
    st.sampled_from(["cost", "time", "distance"]),
    st.sampled_from(["feu", "tonne"]),
)
def test_avoided_countries_are_never_touched(
    a: str, b: str, avoid: tuple[str, ...], optimize: str, cargo: str
) -> None:
    if a == b or NET.nodes[a].country in avoid or NET.nodes[b].country in avoid:
        return
    try:
        plan = plan_routes(a, b, avoid=avoid, optimize=optimize, cargo=cargo, k=3)
    except NotFoundError:
        return
    for r in plan.routes + plan.pareto:
        assert not route_touches(r, NET, avoid), (a, b, r.via(99))
        assert not set(avoid) & set(r.countries)
        assert not set(avoid) & set(r.sanctioned_transit)
        for leg in r.legs:
            if leg.mode in ("sea", "ferry"):
                leg_coords(leg, NET, avoid)  # raises VolgaDonError on Russian waters


@settings(max_examples=60, deadline=None)
@given(st.sampled_from(NODE_IDS), st.sampled_from(NODE_IDS))
def test_sanctioned_transit_flag_on_every_route_that_has_it(a: str, b: str) -> None:
    if a == b:
        return
    try:
        plan = plan_routes(a, b, cargo="tonne", k=3)
    except NotFoundError:
        return
    for r in plan.routes:
        touched = {NET.nodes[p].country for p in r.places} | {
            c for leg in r.legs for c in leg.countries
        }
        assert set(r.sanctioned_transit) == touched & SANCTIONED


def test_k_best_are_ordered_distinct_and_pareto_is_non_dominated() -> None:
    plan = plan_routes("Almaty", "Duisburg", optimize="cost", k=5, avoid="RU")
    costs = [r.total_cost for r in plan.routes]
    assert costs == sorted(costs) and len(plan.routes) == 5
    assert len({r.key for r in plan.routes}) == 5
    assert plan.pareto
    for p in plan.pareto:
        for o in plan.routes + plan.pareto:
            assert not (
                o.total_cost < p.total_cost and o.days_mid < p.days_mid and o.total_km < p.total_km
            )
    assert pareto_front(plan.routes)[0].total_cost == costs[0]
    # the totals are the sums of the legs
    r = plan.routes[0]
    assert r.total_cost == pytest.approx(sum(leg.cost for leg in r.legs))
    assert r.days_max == pytest.approx(sum(leg.days_max for leg in r.legs))


def test_avoid_modes_and_country_names() -> None:
    plan = plan_routes("Almaty", "Duisburg", avoid="Russia, Belarus", avoid_modes="sea")
    assert plan.avoid == ("BY", "RU")
    assert all(leg.mode != "sea" for r in plan.routes for leg in r.legs)


def test_winter_adds_caspian_waiting() -> None:
    summer = plan_routes("Aktau", "Baku", optimize="time", month=7).routes[0]
    winter = plan_routes("Aktau", "Baku", optimize="time", month=12).routes[0]
    assert winter.days_min > summer.days_min
    assert any("seasonal" in leg.note for leg in winter.legs)


def test_seasonal_closure_removes_an_edge(tmp_path: Path) -> None:
    d = tmp_path / "net"
    shutil.copytree(DATA_DIR, d)
    with (d / "seasons.csv").open("a", encoding="utf-8") as fh:
        fh.write(",,E21;E22;E75;E23,1;2,0,0,yes,S69,test closure\n")
    net = load_network(d)
    open_ = plan_routes("Aktau", "Poti", avoid="RU", month=7, network=net)
    assert open_.routes
    with pytest.raises(NotFoundError, match="in month 1"):
        plan_routes("Aktau", "Poti", avoid="RU", avoid_modes="sea", month=1, network=net)


# ---------------------------------------------------------------- places and errors


@pytest.mark.parametrize(
    ("text", "node"),
    [
        ("Алматы", "KZ_ALMATY"),
        ("alma-ata", "KZ_ALMATY"),
        ("Nur-Sultan", "KZ_ASTANA"),
        ("Қорғас", "KZ_ALTYNKOL"),
        ("Khorgos", "KZ_ALTYNKOL"),
        ("Türkmenbaşy", "TM_TURKMENBASHI"),
        ("Małaszewicze", "PL_MALASZEWICZE"),
        ("kz_aktau", "KZ_AKTAU"),
        ("Констанца", "RO_CONSTANTA"),
        ("Шымкент", "KZ_SHYMKENT"),
        ("Сарыағаш", "KZ_SARYAGASH"),
    ],
)
def test_places_in_any_spelling(text: str, node: str) -> None:
    assert (
        plan_routes(
            text, "Duisburg" if node != "DE_DUISBURG" else "Almaty", k=1, pareto=False
        ).origin.id
        == node
    )


def test_unknown_place_suggests() -> None:
    with pytest.raises(NotFoundError, match="did you mean: Duisburg") as info:
        plan_routes("Almaty", "Duisberg")
    assert info.value.field == "to"


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"optimize": "fastest"}, "optimize must be one of"),
        ({"cargo": "teus"}, "did you mean 'teu'"),
        ({"k": 0}, "k must be between"),
        ({"month": 13}, "month must be 1-12"),
        ({"avoid_modes": "plane"}, "avoid_mode must be one of"),
        ({"avoid": "Atlantis"}, "not a country"),
        ({"avoid": "XX"}, "not a country"),  # two letters, but no ISO 3166 code
        ({"avoid": "KZ"}, "which is avoided"),
    ],
)
def test_bad_options_raise_input_error(kwargs: dict[str, object], match: str) -> None:
    with pytest.raises(InputError, match=match):
        plan_routes("Almaty", "Duisburg", **kwargs)  # type: ignore[arg-type]


def test_impossible_constraints_give_a_clear_message() -> None:
    with pytest.raises(NotFoundError, match=r"no route .* avoiding RU without rail, road"):
        plan_routes("Almaty", "Duisburg", avoid="RU", avoid_modes="rail,road")
    with pytest.raises(InputError, match="same place"):
        plan_routes("Almaty", "Алматы")


@pytest.mark.parametrize(
    ("a", "b", "objective", "avoid"),
    [
        ("Almaty", "Duisburg", "cost", "RU,BY"),
        ("Dostyk", "Poti", "time", "RU"),
        ("Xi'an", "Duisburg", "time", ""),
        ("Tashkent", "Istanbul", "distance", "RU"),
    ],
)
def test_k_best_agree_with_networkx_oracle(a: str, b: str, objective: str, avoid: str) -> None:
    """Our place-simple Yen gives the same k best values as filtering the exhaustive
    ``networkx.shortest_simple_paths`` enumeration of the same expanded graph."""
    import itertools

    import networkx as nx

    from circumspect.routes import planner

    k = 4
    plan = plan_routes(a, b, optimize=objective, avoid=avoid, k=k, pareto=False)
    q = planner._Query(NET, "feu", frozenset(plan.avoid), frozenset(), None)
    g = planner._expanded(NET).graph
    oracle: list[float] = []
    seen: set[tuple[str, ...]] = set()
    paths = nx.shortest_simple_paths(
        g, ("S", plan.origin.id), ("T", plan.destination.id), weight=q.weight(objective)
    )
    for path in itertools.islice(paths, 5000):
        r = planner._route_from_path(q, g, path)
        if r is None or r.key in seen:
            continue
        seen.add(r.key)
        oracle.append(planner._metric(r, objective))
        if len(oracle) == k:
            break
    ours = [planner._metric(r, objective) for r in plan.routes]
    assert ours == pytest.approx(oracle, rel=1e-6)


def test_country_names_in_other_languages() -> None:
    assert plan_routes("Almaty", "Duisburg", avoid="Россия,Беларусь", k=1, pareto=False).avoid == (
        "BY",
        "RU",
    )


def test_volga_don_leg_only_in_season_and_never_when_avoiding_russia() -> None:
    """The only all-water way out of the Caspian is the Volga-Don (E78, Russia)."""
    by_water = {"avoid_modes": "rail,road,ferry", "k": 1, "pareto": False}
    summer = plan_routes("Aktau", "Istanbul", month=7, **by_water)  # type: ignore[arg-type]
    assert [leg.edge_id for leg in summer.routes[0].legs] == ["E78"]
    assert summer.routes[0].sanctioned_transit == ("RU",)
    with pytest.raises(NotFoundError, match="in month 1"):
        plan_routes("Aktau", "Istanbul", month=1, **by_water)  # type: ignore[arg-type]
    with pytest.raises(NotFoundError, match="avoiding RU"):
        plan_routes("Aktau", "Istanbul", avoid="RU", **by_water)  # type: ignore[arg-type]


def test_no_pair_routes_through_russia_when_avoided_exhaustive() -> None:
    """Every ordered pair of places, best route by distance, cargo tonne (so pipelines
    and tankers are in play too): nothing Russian, sea paths included."""
    planned = 0
    for a in NODE_IDS:
        for b in NODE_IDS:
            if a == b or "RU" in (NET.nodes[a].country, NET.nodes[b].country):
                continue
            try:
                plan = plan_routes(
                    a, b, avoid="RU", optimize="distance", cargo="tonne", k=1, pareto=False
                )
            except NotFoundError:
                continue
            for r in plan.routes:
                assert not route_touches(r, NET, ["RU"]), (a, b, r.via(99))
                for leg in r.legs:
                    if leg.mode in ("sea", "ferry"):
                        leg_coords(leg, NET, ["RU"])
            planned += 1
    assert planned > 2000
