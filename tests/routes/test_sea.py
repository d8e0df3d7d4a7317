"""searoute reaches the ocean from the Caspian through the Volga-Don: refuse it when RU is
avoided."""

from __future__ import annotations

import pytest

from circumspect.routes.sea import VolgaDonError, in_caspian, sea_leg

AKTAU = (51.213, 43.682)
ALAT = (49.41, 39.94)
ROTTERDAM = (4.442, 51.904)
POTI = (41.672, 42.178)
CONSTANTA = (28.664, 44.172)


def test_searoute_uses_the_volga_don_out_of_the_caspian() -> None:
    leg = sea_leg(AKTAU, ROTTERDAM)
    assert leg.volga_don
    assert any(h.startswith("Volga") for h in leg.russian_waters)


@pytest.mark.parametrize("dest", [ROTTERDAM, POTI, CONSTANTA])
def test_volga_don_path_refused_when_russia_is_avoided(dest: tuple[float, float]) -> None:
    with pytest.raises(VolgaDonError, match="Volga-Don"):
        sea_leg(AKTAU, dest, avoid={"RU"})


def test_caspian_internal_ferry_is_allowed_without_russia() -> None:
    leg = sea_leg(AKTAU, ALAT, avoid={"RU"})
    assert not leg.volga_don and not leg.russian_waters
    assert leg.km == pytest.approx(468, rel=0.05)  # TITR states 508 km shipping (S11)
    assert all(in_caspian(lon, lat) for lon, lat in leg.coords)


def test_black_sea_leg_stays_out_of_russian_waters() -> None:
    leg = sea_leg(POTI, CONSTANTA, avoid={"RU"})
    assert leg.russian_waters == ()
    assert 1000 < leg.km < 1200


def test_path_into_russian_caspian_sector_refused() -> None:
    makhachkala = (47.5, 42.983)
    assert sea_leg(AKTAU, makhachkala).russian_waters
    with pytest.raises(VolgaDonError):
        sea_leg(AKTAU, makhachkala, avoid={"RU"})


def test_drawing_guard_refuses_a_russian_sea_leg_when_russia_is_avoided() -> None:
    from circumspect.routes.network import default_network
    from circumspect.routes.planner import plan_routes
    from circumspect.routes.render import leg_coords

    net = default_network()
    plan = plan_routes(
        "Aktau", "Makhachkala", cargo="tonne", avoid_modes="pipeline,rail,road", k=1, pareto=False
    )
    leg = plan.routes[0].legs[0]
    assert leg.edge_id == "E24" and plan.routes[0].sanctioned_transit == ("RU",)
    assert len(leg_coords(leg, net)) > 2  # drawn along the searoute path
    with pytest.raises(VolgaDonError):
        leg_coords(leg, net, ["RU"])
