"""The shipped network data: loads, cites its sources, sea legs agree with searoute."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest

from circumspect.errors import ParseError
from circumspect.routes.network import DATA_DIR, MODES, load_network
from circumspect.routes.sea import russian_waters_hits, sea_leg

ISSUE_PLACES = [
    "CN_LIANYUNGANG",
    "CN_XIAN",
    "CN_URUMQI",
    "CN_KHORGOS",
    "CN_ALASHANKOU",
    "KZ_DOSTYK",
    "KZ_ALTYNKOL",
    "KZ_ALMATY",
    "KZ_ASTANA",
    "KZ_AKTAU",
    "KZ_KURYK",
    "KZ_BEINEU",
    "KZ_SARYAGASH",
    "AZ_ALAT",
    "TM_TURKMENBASHI",
    "GE_TBILISI",
    "GE_POTI",
    "GE_BATUMI",
    "TR_KARS",
    "TR_ISTANBUL",
    "TR_MERSIN",
    "RO_CONSTANTA",
    "DE_DUISBURG",
    "PL_MALASZEWICZE",
    "HU_BUDAPEST",
    "NL_ROTTERDAM",
    "UZ_TASHKENT",
    "IR_SARAKHS",
    "IR_BANDAR_ABBAS",
    "RU_MOSCOW",
    "BY_BREST",
    "RU_NOVOROSSIYSK",
    "AZ_SANGACHAL",
    "TR_CEYHAN",
    "KZ_TENGIZ",
]


def test_network_covers_the_places_the_issue_lists() -> None:
    net = load_network()
    missing = [p for p in ISSUE_PLACES if p not in net.nodes]
    assert not missing
    assert {n.country for n in net.nodes.values()} >= {"UZ", "TM", "IR", "RU", "BY"}
    assert {e.mode for e in net.edges.values()} == set(MODES)
    # CPC (through Russia) and BTC both present
    cpc = [e for e in net.edges.values() if e.mode == "pipeline" and e.a == "KZ_TENGIZ"]
    btc = [e for e in net.edges.values() if e.mode == "pipeline" and e.b == "TR_CEYHAN"]
    assert cpc and "RU" in cpc[0].countries and cpc[0].km == 1511
    assert btc and btc[0].countries == ("AZ", "GE", "TR") and btc[0].km == 1768


def test_every_edge_has_a_source_or_an_estimate_flag() -> None:
    net = load_network()
    cites = re.compile(r"\bS\d{2}\b")
    for e in net.edges.values():
        assert e.distance_source, e.id
        if "distance" not in e.estimated:
            assert cites.search(e.distance_source), e.id
        if "days" not in e.estimated:
            assert cites.search(e.days_source), e.id
        if "feu" not in e.cost_estimated or "tonne" not in e.cost_estimated:
            assert cites.search(e.cost_source), e.id
        assert e.days_min <= e.days_max
        assert e.cost_year, e.id
        for cargo in ("teu", "feu", "tonne"):
            if e.carries(cargo):
                assert e.cost(cargo) > 0, (e.id, cargo)
    assert all(n.alt_names for n in net.nodes.values())


def test_sea_and_ferry_edges_agree_with_searoute_and_declare_russian_waters() -> None:
    net = load_network()
    checked = 0
    for e in net.edges.values():
        if e.mode not in ("sea", "ferry"):
            continue
        a, b = net.nodes[e.a], net.nodes[e.b]
        leg = sea_leg((a.lon, a.lat), (b.lon, b.lat))
        # only the declared Volga-Don edge may leave the Caspian, and it lists RU
        assert leg.volga_don == (e.water == "volga_don"), e.id
        if "searoute" in e.distance_source:
            assert leg.km == pytest.approx(e.km, rel=0.03), e.id
        # a sea path in Russian waters must list RU among the edge's countries, and back
        assert bool(leg.russian_waters) == ("RU" in e.countries), (e.id, leg.russian_waters)
        checked += 1
    assert checked >= 15


def test_non_russian_nodes_are_outside_russian_waters() -> None:
    net = load_network()
    for n in net.nodes.values():
        if n.country != "RU":
            assert not russian_waters_hits([(n.lon, n.lat)]), n.id


def _copy(tmp_path: Path) -> Path:
    d = tmp_path / "net"
    shutil.copytree(DATA_DIR, d)
    return d


def _edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


@pytest.mark.parametrize(
    ("file", "old", "new", "field"),
    [
        (
            "edges.csv",
            "E12,KZ_BEINEU,KZ_AKTAU,rail,,any,1520,,KZ,456,",
            "E12,KZ_BEINEU,KZ_AKTAU,rail,,any,1520,,KZ,45x6,",
            "distance_km",
        ),
        (
            "edges.csv",
            "E12,KZ_BEINEU,KZ_AKTAU,rail,,any,1520,",
            "E12,KZ_BEINEU,KZ_AKTAUU,rail,,any,1520,",
            "to_id",
        ),
        (
            "edges.csv",
            "E12,KZ_BEINEU,KZ_AKTAU,rail,,any,1520,",
            "E12,KZ_BEINEU,KZ_AKTAU,rail,,any,,",
            "gauge",
        ),
        ("edges.csv", "E12,KZ_BEINEU,KZ_AKTAU,rail,", "E12,KZ_BEINEU,KZ_AKTAU,hovercraft,", "mode"),
        (
            "edges.csv",
            "E12,KZ_BEINEU,KZ_AKTAU,rail,,any,1520,,KZ,",
            "E12,KZ_BEINEU,KZ_AKTAU,rail,,any,1520,,Kaz,",
            "countries",
        ),
        ("nodes.csv", "KZ_AKTAU,", "KZ_ALMATY,", "node_id"),
        ("seasons.csv", "11;12;1;2", "11;13", "months"),
        ("edges.csv", "volga_don,KZ;RU;TR,", "volga_don,KZ;TR,", "countries"),
    ],
)
def test_bad_data_is_reported_with_file_line_and_field(
    tmp_path: Path, file: str, old: str, new: str, field: str
) -> None:
    d = _copy(tmp_path)
    _edit(d / file, old, new)
    with pytest.raises(ParseError) as info:
        load_network(d)
    assert info.value.file == file
    assert info.value.line is not None and info.value.line > 1
    assert info.value.field == field


def test_unknown_source_and_missing_column_are_reported(tmp_path: Path) -> None:
    d = _copy(tmp_path)
    _edit(d / "rates.csv", "S27;S36;S37;S69", "S27;S99")
    with pytest.raises(ParseError, match="unknown source S99") as info:
        load_network(d)
    assert info.value.file == "rates.csv"
    d2 = _copy(tmp_path / "b")
    _edit(d2 / "borders.csv", "pair,days_min", "pairs,days_min")
    with pytest.raises(ParseError, match="missing column"):
        load_network(d2)
