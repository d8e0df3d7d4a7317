"""The aggregation: the written ownership fixture, cycles, look-through, and properties."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from circumspect.ownership.graph import Edge, OwnershipGraph, Rule, explain
from circumspect.ownership.rules import load_rules

RULES = {r.name: r for r in load_rules()}
OFAC, EU, UK = RULES["ofac"], RULES["eu"], RULES["uk"]
NEVER = Rule("never", "", ("x",), 1.0, False, False)  # "> 100 %": no derived blocking


def _run(
    edges: list[Edge], rule: Rule, listed: set[str]
) -> tuple[OwnershipGraph, dict[str, float], dict[str, str]]:
    graph = OwnershipGraph(edges)
    result = graph.compute(rule, listed)
    assert result.converged
    return graph, result.aggregate, result.status


def test_packaged_rules_are_the_authorities_rules() -> None:
    assert (OFAC.threshold, OFAC.inclusive, OFAC.control) == (0.5, True, False)
    assert (EU.threshold, EU.inclusive, EU.control) == (0.5, False, True)
    assert (UK.threshold, UK.inclusive, UK.control) == (0.5, False, True)
    assert OFAC.meets(0.5) and not EU.meets(0.5) and EU.meets(0.5000001)


def test_30_plus_25_through_an_intermediate_alerts_under_ofac() -> None:
    # X (SDN) holds 30 % of TARGET directly; Y (SDN) holds all of HOLD, which holds 25 %.
    edges = [Edge("X", "TARGET", 0.30), Edge("Y", "HOLD", 1.0), Edge("HOLD", "TARGET", 0.25)]
    graph, agg, status = _run(edges, OFAC, {"X", "Y"})
    assert agg["TARGET"] == pytest.approx(0.55)
    assert status["TARGET"] == "owned"
    finding = graph.finding(graph.compute(OFAC, {"X", "Y"}), "TARGET")
    text = explain(finding, {"X": "X (SDN)", "Y": "Y (SDN)", "HOLD": "Z"})
    assert "owned 55 % in aggregate" in text
    assert "30 % by X (SDN) directly" in text
    assert "25 % by Z directly" in text  # HOLD is blocked itself (100 % by Y)


def test_look_through_multiplies_along_the_chain() -> None:
    # HOLD is only 50 % Y's, so it is blocked (OFAC >= 50 %) and counts in full; with a
    # 40 % stake it is not blocked and counts 40 % x 25 % = 10 %.
    edges = [Edge("X", "T", 0.30), Edge("Y", "H", 0.40), Edge("H", "T", 0.25)]
    graph, agg, status = _run(edges, OFAC, {"X", "Y"})
    assert agg["T"] == pytest.approx(0.40)
    assert "T" not in status
    finding = graph.finding(graph.compute(OFAC, {"X", "Y"}), "T")
    paths = {c.path: round(c.share, 6) for c in finding.contributions}
    assert paths == {("X", "T"): 0.3, ("Y", "H", "T"): 0.1}
    strict = Rule("strict", "", ("x",), 0.5, True, False, look_through=False)
    _, agg, _ = _run(edges, strict, {"X", "Y"})
    assert agg["T"] == pytest.approx(0.30)


def test_49_percent_does_not_alert() -> None:
    edges = [Edge("X", "T", 0.30), Edge("Y", "H", 1.0), Edge("H", "T", 0.19)]
    _, agg, status = _run(edges, OFAC, {"X", "Y"})
    assert agg["T"] == pytest.approx(0.49)
    assert "T" not in status


def test_eu_control_without_majority_alerts_under_eu_only() -> None:
    edges = [Edge("P", "C", 0.20, control=True)]
    _, agg, status = _run(edges, EU, {"P"})
    assert status["C"] == "controlled" and agg["C"] == pytest.approx(0.20)
    _, _, status = _run(edges, OFAC, {"P"})
    assert "C" not in status
    # exactly 50 % without control: OFAC blocks (>=), the EU does not (>)
    half = [Edge("P", "D", 0.5)]
    assert _run(half, OFAC, {"P"})[2].get("D") == "owned"
    assert "D" not in _run(half, EU, {"P"})[2]
    # control by a party that is not blocked blocks nothing
    assert "C" not in _run([Edge("Q", "C", 0.2, control=True)], EU, {"P"})[2]


def test_blocked_status_propagates_to_subsidiaries() -> None:
    # OFAC guidance example: X owns 50 % of A, A owns 50 % of B -> both blocked
    edges = [Edge("X", "A", 0.5), Edge("A", "B", 0.5), Edge("B", "C", 0.3)]
    _, agg, status = _run(edges, OFAC, {"X"})
    assert status == {"X": "listed", "A": "owned", "B": "owned"}
    assert agg["C"] == pytest.approx(0.3)


def test_cycles_terminate() -> None:
    # cross-holding with a listed owner
    edges = [Edge("X", "A", 0.4), Edge("A", "B", 0.5), Edge("B", "A", 0.5)]
    # without derived blocking: a(A) = .4 + .5 a(B), a(B) = .5 a(A) -> a(A) = .4 / .75
    _, agg, status = _run(edges, NEVER, {"X"})
    assert agg["A"] == pytest.approx(0.4 / 0.75)
    assert agg["B"] == pytest.approx(0.2 / 0.75)
    # OFAC: A (53 %) is blocked, so B (50 % A's) is, and B's stake in A counts in full
    _, agg, status = _run(edges, OFAC, {"X"})
    assert status["A"] == "owned" and status["B"] == "owned"
    assert agg["A"] == pytest.approx(0.9)
    # a ring of 1,000 companies each 99 % owned by the previous, one listed owner
    ring = [Edge(f"c{i}", f"c{(i + 1) % 1000}", 0.99) for i in range(1000)]
    _, agg, status = _run([*ring[1:], Edge("X", "c1", 0.01)], EU, {"X"})
    assert all(v <= 1.0 + 1e-9 for v in agg.values())
    # 100 % cycles without a listed owner and self-sustaining cycles reach nothing
    _, agg, status = _run([Edge("A", "B", 1.0), Edge("B", "A", 1.0)], OFAC, {"X"})
    assert agg == {} and status == {"X": "listed"}


def _linear_reference(edges: list[Edge], listed: set[str]) -> dict[str, float]:
    """a = S^T 1_B + S^T D a, solved densely (no derived blocking)."""
    nodes = sorted({e.owner for e in edges} | {e.owned for e in edges} | listed)
    pos = {n: i for i, n in enumerate(nodes)}
    s = np.zeros((len(nodes), len(nodes)))
    for e in edges:
        s[pos[e.owner], pos[e.owned]] += e.share or 0.0
    blocked = np.array([1.0 if n in listed else 0.0 for n in nodes])
    d = np.diag(1.0 - blocked)
    a = np.linalg.solve(np.eye(len(nodes)) - s.T @ d, s.T @ blocked)
    return {n: float(a[pos[n]]) for n in nodes}


@st.composite
def ownership_graphs(draw: st.DrawFn) -> tuple[list[Edge], set[str]]:
    n = draw(st.integers(3, 9))
    nodes = [f"n{i}" for i in range(n)]
    edges: list[Edge] = []
    for owned in nodes:
        owners = draw(st.lists(st.sampled_from(nodes), max_size=4, unique=True))
        owners = [o for o in owners if o != owned]
        if not owners:
            continue
        weights = draw(st.lists(st.integers(1, 100), min_size=len(owners), max_size=len(owners)))
        total = draw(st.integers(1, 100)) / 100.0
        scale = total / sum(weights)
        edges += [Edge(o, owned, w * scale) for o, w in zip(owners, weights, strict=True)]
    listed = set(draw(st.lists(st.sampled_from(nodes), min_size=1, max_size=3)))
    return edges, listed


@settings(max_examples=150, deadline=None)
@given(ownership_graphs(), st.randoms(use_true_random=False))
def test_the_result_does_not_depend_on_row_order(
    case: tuple[list[Edge], set[str]], rnd: object
) -> None:
    edges, listed = case
    shuffled = list(edges)
    rnd.shuffle(shuffled)  # type: ignore[attr-defined]
    for rule in (OFAC, EU, NEVER):
        a = OwnershipGraph(edges).compute(rule, listed)
        b = OwnershipGraph(shuffled).compute(rule, listed)
        assert a.status == b.status
        for node in set(a.aggregate) | set(b.aggregate):
            assert a.aggregate.get(node, 0) == pytest.approx(b.aggregate.get(node, 0), abs=1e-9)


@settings(max_examples=150, deadline=None)
@given(ownership_graphs(), st.data())
def test_adding_a_blocked_owner_never_lowers_the_aggregate(
    case: tuple[list[Edge], set[str]], data: st.DataObject
) -> None:
    edges, listed = case
    nodes = sorted({e.owner for e in edges} | {e.owned for e in edges} | listed)
    extra = data.draw(st.sampled_from(nodes))
    for rule in (OFAC, EU, NEVER):
        before = OwnershipGraph(edges).compute(rule, listed)
        after = OwnershipGraph(edges).compute(rule, listed | {extra})
        for node, value in before.aggregate.items():
            assert after.aggregate.get(node, 0.0) >= value - 1e-9
        assert set(before.status) <= set(after.status)


@settings(max_examples=150, deadline=None)
@given(ownership_graphs())
def test_matches_the_linear_system(case: tuple[list[Edge], set[str]]) -> None:
    edges, listed = case
    result = OwnershipGraph(edges).compute(NEVER, listed)
    reference = _linear_reference(edges, listed)
    for node, value in reference.items():
        assert result.aggregate.get(node, 0.0) == pytest.approx(value, abs=1e-7)
    assert all(v <= 1.0 + 1e-9 for v in result.aggregate.values())
