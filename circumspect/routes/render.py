"""Outputs: an interactive map (folium HTML), a static PNG (matplotlib) and comparison CSV.

Everything is produced offline. The HTML references the OpenStreetMap tile server and the
Leaflet scripts by URL, so the background map appears when the file is viewed online;
the routes themselves are embedded in the file. Files are written atomically.
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from circumspect import fsutil
from circumspect.routes.network import Network
from circumspect.routes.planner import Comparison, Leg, Route
from circumspect.tabular import write_dicts

COLOURS: tuple[str, ...] = (
    "#d62728",
    "#1f77b4",
    "#2ca02c",
    "#ff7f0e",
    "#9467bd",
    "#8c564b",
    "#e377c2",
    "#17becf",
)
_DASH = {"rail": None, "road": "2 6", "sea": "8 6", "ferry": "8 6", "pipeline": "1 4"}


def check_writable(path: Path) -> None:
    """Raise InputError (naming PATH) unless a file can be written at PATH."""
    fsutil.check_writable(path, example="map.html")


def _atomic_write_bytes(path: Path, data: bytes) -> None:
    check_writable(path)
    try:
        with fsutil.atomic_path(path) as tmp:
            tmp.write_bytes(data)
    except OSError as exc:
        raise fsutil.unwritable(path, exc) from exc


_SEA_CACHE: dict[tuple[str, str, bool], list[tuple[float, float]]] = {}


def leg_coords(leg: Leg, network: Network, avoid: Sequence[str] = ()) -> list[tuple[float, float]]:
    """(lon, lat) points of a leg: the searoute path for sea and ferry legs, else a line.

    With ``RU`` in ``avoid`` a sea path entering Russian waters raises VolgaDonError: a last
    guard that the drawn (and planned) sea legs stay out of Russia.
    """
    a, b = network.nodes[leg.from_id], network.nodes[leg.to_id]
    straight = [(a.lon, a.lat), (b.lon, b.lat)]
    if leg.mode not in ("sea", "ferry"):
        return straight
    from circumspect.routes.sea import sea_leg

    key = (leg.from_id, leg.to_id, "RU" in avoid)
    if key not in _SEA_CACHE:
        path = sea_leg((a.lon, a.lat), (b.lon, b.lat), avoid=frozenset(avoid))
        _SEA_CACHE[key] = [(a.lon, a.lat), *path.coords, (b.lon, b.lat)]
    return _SEA_CACHE[key]


def _label(i: int, title: str, r: Route) -> str:
    flag = f" - transits {','.join(r.sanctioned_transit)}" if r.sanctioned_transit else ""
    return (
        f"{title} #{i + 1}: {r.total_km:,.0f} km, {r.days_min:.0f}-{r.days_max:.0f} d, "
        f"USD {r.total_cost:,.0f}/{r.cargo}{flag}"
    )


def write_map_html(
    path: Path, groups: Sequence[tuple[str, Sequence[Route], Sequence[str]]], network: Network
) -> Path:
    """Folium map of route groups ``(title, routes, avoided countries)``; returns ``path``."""
    import folium

    lats = [n.lat for n in network.nodes.values()]
    lons = [n.lon for n in network.nodes.values()]
    fmap = folium.Map(
        location=[sum(lats) / len(lats), sum(lons) / len(lons)],
        zoom_start=4,
        tiles="OpenStreetMap",
        control_scale=True,
    )
    used: set[str] = set()
    colour = 0
    for title, routes, avoid in groups:
        for i, r in enumerate(routes):
            layer = folium.FeatureGroup(name=_label(i, title, r), show=True)
            c = COLOURS[colour % len(COLOURS)]
            colour += 1
            for leg in r.legs:
                if leg.edge_id is None:
                    continue
                used.update((leg.from_id, leg.to_id))
                pts = [(lat, lon) for lon, lat in leg_coords(leg, network, avoid)]
                tip = (
                    f"{leg.from_name} - {leg.to_name}: {leg.mode}, {leg.km:,.0f} km, "
                    f"{leg.days_min:g}-{leg.days_max:g} d, USD {leg.cost:,.0f}"
                )
                folium.PolyLine(  # type: ignore[no-untyped-call]
                    pts, color=c, weight=4, opacity=0.8, tooltip=tip, dash_array=_DASH.get(leg.mode)
                ).add_to(layer)
            layer.add_to(fmap)
    for nid in sorted(used):
        n = network.nodes[nid]
        folium.CircleMarker(
            [n.lat, n.lon],
            radius=4,
            color="#333",
            fill=True,
            tooltip=f"{n.name} ({n.id}, {n.country})",
        ).add_to(fmap)
    folium.LayerControl(collapsed=False).add_to(fmap)
    buf = io.BytesIO()
    fmap.save(buf, close_file=False)
    _atomic_write_bytes(path, buf.getvalue())
    return path


def write_map_png(
    path: Path,
    groups: Sequence[tuple[str, Sequence[Route], Sequence[str]]],
    network: Network,
    title: str = "",
) -> Path:
    """Plain lon/lat plot of the network and the routes (no basemap, no network access)."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(13, 6.5), dpi=110)
    for e in network.edges.values():
        if e.water == "open":
            continue  # ocean legs leave the frame; they are drawn when a route uses them
        a, b = network.nodes[e.a], network.nodes[e.b]
        ax.plot([a.lon, b.lon], [a.lat, b.lat], color="#cccccc", lw=0.8, zorder=1)
    colour = 0
    for gtitle, routes, avoid in groups:
        for i, r in enumerate(routes):
            c = COLOURS[colour % len(COLOURS)]
            colour += 1
            first = True
            for leg in r.legs:
                if leg.edge_id is None:
                    continue
                pts = leg_coords(leg, network, avoid)
                style = (
                    "-"
                    if leg.mode in ("rail", "road")
                    else (":" if leg.mode == "pipeline" else "--")
                )
                ax.plot(
                    [p[0] for p in pts],
                    [p[1] for p in pts],
                    style,
                    color=c,
                    lw=2.2,
                    alpha=0.85,
                    zorder=3,
                    label=_label(i, gtitle, r) if first else None,
                )
                first = False
    for n in network.nodes.values():
        ax.scatter([n.lon], [n.lat], s=10, color="#444444", zorder=4)
        ax.annotate(
            n.id.split("_", 1)[1].title().replace("_", " "),
            (n.lon, n.lat),
            fontsize=6,
            xytext=(2, 2),
            textcoords="offset points",
            color="#333333",
        )
    lons = [n.lon for n in network.nodes.values()]
    lats = [n.lat for n in network.nodes.values()]
    ax.set_xlim(min(lons) - 3, max(lons) + 3)
    ax.set_ylim(min(lats) - 3, max(lats) + 3)
    ax.set_xlabel("longitude")
    ax.set_ylabel("latitude")
    ax.set_aspect(1.3)
    ax.grid(True, lw=0.3)
    ax.set_title(
        title or "circumspect routes (solid: rail/road, dashed: sea/ferry, dotted: pipeline)"
    )
    ax.legend(loc="lower left", fontsize=7)
    fig.tight_layout()
    buf = io.BytesIO()
    fig.savefig(buf, format="png")
    plt.close(fig)
    _atomic_write_bytes(path, buf.getvalue())
    return path


COMPARISON_FIELDS: tuple[str, ...] = (
    "case",
    "route",
    "via",
    "countries",
    "km",
    "days_min",
    "days_max",
    "cost_usd",
    "cargo",
    "sanctioned_transit",
)


def comparison_rows(case: str, cmp: Comparison) -> list[dict[str, Any]]:
    return [{"case": case, "cargo": cmp.cargo, **row} for row in cmp.rows()]


def write_comparison_csv(path: Path, rows: Sequence[dict[str, Any]]) -> Path:
    check_writable(path)
    write_dicts(path, rows, list(COMPARISON_FIELDS), fmt=".csv")
    return path
