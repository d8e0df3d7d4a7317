"""Sea legs with the ``searoute`` package (offline), and the Russian-waters guard.

``searoute`` finds a path on a maritime network. For the Caspian Sea, a closed basin, it
reaches the ocean through the Volga and the Volga-Don canal: Russian inland waterways.
Such a path must never be used when Russia is avoided. This module therefore:

* classifies a point as Caspian or not (:func:`in_caspian`);
* refuses a path between the Caspian and the outside when ``RU`` is avoided, and flags it
  as crossing ``RU`` otherwise (:func:`sea_leg`);
* checks any path against coarse boxes of Russian (or Russian-controlled) waters
  (:func:`russian_waters_hits`), used by the data tests for every sea and ferry edge.

The boxes are deliberately coarse (documented in docs/routes.md); they are a guard against
gross errors such as a Volga-Don or Sea of Azov transit, not a maritime boundary dataset.
"""

from __future__ import annotations

from dataclasses import dataclass

from circumspect.errors import InputError

# (name, lon_min, lat_min, lon_max, lat_max)
RUSSIAN_WATERS: tuple[tuple[str, float, float, float, float], ...] = (
    ("Volga / Volga-Don canal / lower Don", 38.5, 46.2, 47.9, 49.8),
    ("Sea of Azov and Kerch Strait", 34.8, 45.0, 39.5, 47.4),
    ("Crimea (Russian-occupied) coastal waters", 32.4, 44.3, 36.7, 46.2),
    ("Russian Black Sea coast (Novorossiysk-Sochi)", 36.5, 43.4, 40.0, 45.0),
    ("Russian Caspian sector (Dagestan, Kalmykia, Astrakhan)", 46.5, 41.9, 49.0, 46.2),
    ("Gulf of Finland east of 27.8E", 27.8, 59.3, 32.0, 61.0),
    ("Kaliningrad coastal waters", 19.4, 54.3, 22.9, 55.4),
    ("Barents / Northern Sea Route", 28.0, 66.0, 180.0, 82.0),
    ("Russian Pacific coast", 130.5, 42.3, 180.0, 72.0),
)

# The Caspian basin, as a union of boxes (lon_min, lat_min, lon_max, lat_max).
_CASPIAN: tuple[tuple[float, float, float, float], ...] = (
    (46.6, 44.0, 54.2, 47.4),  # northern Caspian
    (47.3, 41.0, 53.2, 44.0),  # middle Caspian
    (48.8, 36.5, 54.2, 41.0),  # southern Caspian
)


def in_caspian(lon: float, lat: float) -> bool:
    """Is the point inside the Caspian basin (coarse boxes)?"""
    return any(x0 <= lon <= x1 and y0 <= lat <= y1 for x0, y0, x1, y1 in _CASPIAN)


def russian_waters_hits(coords: list[tuple[float, float]]) -> list[str]:
    """Names of the Russian-water boxes that a path of (lon, lat) points enters."""
    hits: list[str] = []
    for name, x0, y0, x1, y1 in RUSSIAN_WATERS:
        if any(x0 <= lon <= x1 and y0 <= lat <= y1 for lon, lat in coords):
            hits.append(name)
    return hits


@dataclass(frozen=True, slots=True)
class SeaLeg:
    """A sea path from ``searoute``: length, (lon, lat) points, Russian waters entered."""

    km: float
    coords: tuple[tuple[float, float], ...]
    volga_don: bool
    russian_waters: tuple[str, ...]


class VolgaDonError(InputError):
    """A sea path would leave the Caspian through the Volga-Don canal (Russia)."""


def sea_leg(
    origin: tuple[float, float],
    destination: tuple[float, float],
    *,
    avoid: frozenset[str] | set[str] = frozenset(),
) -> SeaLeg:
    """Sea path between two (lon, lat) points.

    Raises :class:`VolgaDonError` when the path would use the Volga-Don canal or enter
    Russian waters while ``RU`` is in ``avoid``. Caspian legs must stay Caspian-internal:
    the network models them as ferry/sea edges between Caspian ports.
    """
    import searoute

    cross_basin = in_caspian(*origin) != in_caspian(*destination)
    if cross_basin and "RU" in avoid:
        raise VolgaDonError(
            "a sea path between the Caspian and the open sea exists only through the "
            "Volga-Don canal (Russian territory), which is avoided; use a Caspian ferry to "
            "Baku/Alat or Turkmenbashi and continue by land"
        )
    feature = searoute.searoute(list(origin), list(destination))
    coords = tuple((float(c[0]), float(c[1])) for c in feature.geometry["coordinates"])
    hits = russian_waters_hits(list(coords))
    volga = cross_basin or any(h.startswith("Volga") for h in hits)
    if (volga or hits) and "RU" in avoid:
        raise VolgaDonError(
            f"the sea path enters Russian waters ({'; '.join(hits) or 'Volga-Don'}), "
            "which are avoided"
        )
    return SeaLeg(float(feature.properties["length"]), coords, volga, tuple(hits))
