"""The multimodal freight network: nodes, edges, unit rates, transfers, borders, seasons.

The network ships as CSV files in ``circumspect/routes/data/`` (see docs/routes.md). This
module reads and validates them; every problem is reported with its file, line and field.
Costs missing on an edge are filled from the unit rates (``rates.csv``) and the leg is then
flagged as a cost estimate.
"""

from __future__ import annotations

import csv
import itertools
import math
import re
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

from circumspect.errors import InputError, ParseError

DATA_DIR = Path(__file__).resolve().parent / "data"

MODES: tuple[str, ...] = ("rail", "road", "sea", "ferry", "pipeline")
CARGOS: tuple[str, ...] = ("teu", "feu", "tonne")
WATERS: tuple[str, ...] = ("", "caspian", "black", "open", "volga_don")
#: Territories whose transit is flagged on every route that touches them.
SANCTIONED: frozenset[str] = frozenset({"RU", "BY", "IR"})
_ISO2 = re.compile(r"^[A-Z]{2}$")
_SOURCE_ID = re.compile(r"\bS\d{2}\b")


@dataclass(frozen=True, slots=True)
class Node:
    """A hub, port, border station, junction, oil field or terminal."""

    id: str
    name: str
    alt_names: tuple[str, ...]
    country: str
    lat: float
    lon: float
    kind: str
    coord_source: str
    coord_estimate: bool
    notes: str


@dataclass(frozen=True, slots=True)
class Edge:
    """A leg between two nodes by one mode; usable in both directions."""

    id: str
    a: str
    b: str
    mode: str
    service: str
    cargo: str  # "any" or "oil"
    gauge: str  # "1435"/"1520" for rail, "" otherwise
    water: str  # "caspian", "black", "open" for sea and ferry legs
    countries: tuple[str, ...]
    km: float
    days_min: float
    days_max: float
    border_days_min: float
    border_days_max: float
    usd_per_teu: float
    usd_per_feu: float
    usd_per_tonne: float
    cost_year: str
    cost_estimated: frozenset[str]  # cargos whose cost comes from the unit rates
    estimated: frozenset[str]  # subset of {"distance", "days", "cost"} as given in the file
    distance_source: str
    days_source: str
    cost_source: str
    capacity: str
    capacity_source: str
    notes: str

    @property
    def mode_class(self) -> str:
        """The class a vehicle keeps along the route: rail by gauge, otherwise the mode."""
        return f"rail{self.gauge}" if self.mode == "rail" else self.mode

    def cost(self, cargo: str) -> float:
        """Indicative cost in USD for one unit of ``cargo`` (teu, feu or tonne)."""
        return {"teu": self.usd_per_teu, "feu": self.usd_per_feu, "tonne": self.usd_per_tonne}[
            cargo
        ]

    def carries(self, cargo: str) -> bool:
        """Oil-only edges (pipelines, tankers) do not carry containers."""
        return self.cargo == "any" or cargo == "tonne"


@dataclass(frozen=True, slots=True)
class Transfer:
    """Cost of changing mode or gauge at a node (``node_id`` ``*`` = every node)."""

    node_id: str
    classes: frozenset[str]
    days_min: float
    days_max: float
    usd_per_teu: float
    usd_per_feu: float
    usd_per_tonne: float
    source: str
    notes: str

    def cost(self, cargo: str) -> float:
        return {"teu": self.usd_per_teu, "feu": self.usd_per_feu, "tonne": self.usd_per_tonne}[
            cargo
        ]


@dataclass(frozen=True, slots=True)
class Season:
    """Extra waiting (or closure) on matching edges in the listed months."""

    mode: str
    water: str
    edge_ids: frozenset[str]
    months: frozenset[int]
    extra_days_min: float
    extra_days_max: float
    closed: bool
    source: str
    notes: str

    def applies(self, edge: Edge, month: int | None) -> bool:
        if month is None or month not in self.months:
            return False
        if self.edge_ids:
            return edge.id in self.edge_ids
        return (not self.mode or self.mode == edge.mode) and (
            not self.water or self.water == edge.water
        )


@dataclass(frozen=True, slots=True)
class Source:
    id: str
    publisher: str
    date: str
    url: str
    what_it_says: str


@dataclass
class Network:
    """The whole network with lookup tables."""

    nodes: dict[str, Node]
    edges: dict[str, Edge]
    transfers: list[Transfer]
    seasons: list[Season]
    sources: dict[str, Source]
    data_dir: Path
    _transfer_index: dict[tuple[str, frozenset[str]], Transfer] = field(default_factory=dict)

    def __post_init__(self) -> None:
        for t in self.transfers:
            self._transfer_index[(t.node_id, t.classes)] = t

    def transfer(self, node_id: str, c1: str, c2: str) -> Transfer | None:
        """The transfer rule between two classes at a node (node-specific rule first)."""
        key = frozenset({c1, c2})
        return self._transfer_index.get((node_id, key)) or self._transfer_index.get(("*", key))

    def node_classes(self) -> dict[str, set[str]]:
        """Which mode classes meet at each node."""
        out: dict[str, set[str]] = {n: set() for n in self.nodes}
        for e in self.edges.values():
            out[e.a].add(e.mode_class)
            out[e.b].add(e.mode_class)
        return out


class _Rows:
    """CSV reader that knows its file name and line numbers for error messages."""

    def __init__(self, path: Path, required: tuple[str, ...]) -> None:
        self.path = path
        self.name = path.name
        try:
            text = path.read_text(encoding="utf-8")
        except FileNotFoundError as exc:
            raise InputError("network data file not found", file=str(path)) from exc
        except UnicodeDecodeError as exc:
            raise ParseError(f"not UTF-8 text ({exc.reason})", file=str(path)) from exc
        self.reader = csv.DictReader(text.splitlines())
        header = self.reader.fieldnames or []
        missing = [c for c in required if c not in header]
        if missing:
            raise ParseError(f"missing column(s): {', '.join(missing)}", file=self.name, line=1)

    def __iter__(self) -> _Rows:
        return self

    def __next__(self) -> tuple[int, dict[str, str]]:
        row = next(self.reader)
        line = self.reader.line_num
        if None in row:
            raise ParseError("more values than columns", file=self.name, line=line)
        return line, {k: (v or "").strip() for k, v in row.items()}

    def number(
        self, row: dict[str, str], line: int, name: str, *, default: float | None = None
    ) -> float:
        raw = row.get(name, "")
        if raw == "":
            if default is not None:
                return default
            raise ParseError("value required", file=self.name, line=line, field=name)
        try:
            value = float(raw.replace(",", ""))
        except ValueError as exc:
            raise ParseError(
                f"not a number: {raw!r}", file=self.name, line=line, field=name
            ) from exc
        if not math.isfinite(value) or value < 0:
            raise ParseError(
                f"must be a finite number >= 0: {raw!r}", file=self.name, line=line, field=name
            )
        return value


def _countries(raw: str, rows: _Rows, line: int, name: str) -> tuple[str, ...]:
    codes = tuple(c.strip() for c in raw.split(";") if c.strip())
    if not codes:
        raise ParseError("value required", file=rows.name, line=line, field=name)
    for c in codes:
        if not _ISO2.match(c):
            raise ParseError(
                f"not an ISO 3166-1 alpha-2 code: {c!r}", file=rows.name, line=line, field=name
            )
    return codes


def _load_nodes(path: Path) -> dict[str, Node]:
    rows = _Rows(path, ("node_id", "name", "alt_names", "iso2", "lat", "lon", "kind"))
    nodes: dict[str, Node] = {}
    for line, r in rows:
        nid = r["node_id"]
        if not nid:
            raise ParseError("value required", file=rows.name, line=line, field="node_id")
        if nid in nodes:
            raise ParseError(
                f"duplicate node id {nid}", file=rows.name, line=line, record=nid, field="node_id"
            )
        country = _countries(r["iso2"], rows, line, "iso2")
        if len(country) != 1:
            raise ParseError(
                "a node has exactly one country", file=rows.name, line=line, field="iso2"
            )
        try:
            lat, lon = float(r["lat"]), float(r["lon"])
        except ValueError as exc:
            raise ParseError(
                "lat/lon must be numbers", file=rows.name, line=line, record=nid, field="lat"
            ) from exc
        if not (-90 <= lat <= 90 and -180 <= lon <= 180):
            raise ParseError(
                "coordinates out of range", file=rows.name, line=line, record=nid, field="lat"
            )
        alts = tuple(a.strip() for a in r["alt_names"].split("|") if a.strip())
        nodes[nid] = Node(
            id=nid,
            name=r["name"],
            alt_names=alts,
            country=country[0],
            lat=lat,
            lon=lon,
            kind=r["kind"],
            coord_source=r.get("coord_source", ""),
            coord_estimate=r.get("coord_estimate", "yes") != "no",
            notes=r.get("notes", ""),
        )
    return nodes


@dataclass(frozen=True, slots=True)
class _Rate:
    feu_fixed: float
    feu_km: float
    teu_factor: float
    tonne_fixed: float
    tonne_km: float
    year: str
    source: str


def _load_rates(path: Path) -> dict[tuple[str, str], _Rate]:
    rows = _Rows(
        path,
        (
            "mode",
            "water",
            "usd_per_feu_fixed",
            "usd_per_feu_km",
            "teu_factor",
            "usd_per_tonne_fixed",
            "usd_per_tonne_km",
            "year",
            "source",
        ),
    )
    rates: dict[tuple[str, str], _Rate] = {}
    for line, r in rows:
        if r["mode"] not in MODES:
            raise ParseError(f"unknown mode {r['mode']!r}", file=rows.name, line=line, field="mode")
        rates[(r["mode"], r["water"])] = _Rate(
            rows.number(r, line, "usd_per_feu_fixed"),
            rows.number(r, line, "usd_per_feu_km"),
            rows.number(r, line, "teu_factor"),
            rows.number(r, line, "usd_per_tonne_fixed"),
            rows.number(r, line, "usd_per_tonne_km"),
            r["year"],
            r["source"],
        )
    return rates


def _load_borders(path: Path) -> dict[str, tuple[float, float]]:
    rows = _Rows(path, ("pair", "days_min", "days_max"))
    out: dict[str, tuple[float, float]] = {}
    for line, r in rows:
        lo, hi = rows.number(r, line, "days_min"), rows.number(r, line, "days_max")
        if lo > hi:
            raise ParseError("days_min > days_max", file=rows.name, line=line, field="days_min")
        pair = r["pair"] if r["pair"] == "*" else "-".join(sorted(r["pair"].split("-")))
        out[pair] = (lo, hi)
    if "*" not in out:
        raise ParseError("a default row with pair '*' is required", file=rows.name)
    return out


def _border_dwell(
    countries: tuple[str, ...], borders: dict[str, tuple[float, float]]
) -> tuple[float, float]:
    lo = hi = 0.0
    for c1, c2 in itertools.pairwise(countries):
        if c1 == c2:
            continue
        d = borders.get("-".join(sorted((c1, c2))), borders["*"])
        lo, hi = lo + d[0], hi + d[1]
    return lo, hi


def _load_edges(
    path: Path,
    nodes: dict[str, Node],
    rates: dict[tuple[str, str], _Rate],
    borders: dict[str, tuple[float, float]],
) -> dict[str, Edge]:
    rows = _Rows(
        path,
        (
            "edge_id",
            "from_id",
            "to_id",
            "mode",
            "cargo",
            "gauge",
            "water",
            "countries",
            "distance_km",
            "days_min",
            "days_max",
            "usd_per_teu",
            "usd_per_feu",
            "usd_per_tonne",
            "cost_year",
            "estimated",
        ),
    )
    edges: dict[str, Edge] = {}
    for line, r in rows:
        eid = r["edge_id"]
        if not eid or eid in edges:
            raise ParseError(
                f"missing or duplicate edge id {eid!r}", file=rows.name, line=line, field="edge_id"
            )
        for col in ("from_id", "to_id"):
            if r[col] not in nodes:
                raise ParseError(
                    f"unknown node {r[col]!r}", file=rows.name, line=line, record=eid, field=col
                )
        mode = r["mode"]
        if mode not in MODES:
            raise ParseError(
                f"unknown mode {mode!r} (expected one of {', '.join(MODES)})",
                file=rows.name,
                line=line,
                record=eid,
                field="mode",
            )
        if r["cargo"] not in ("any", "oil"):
            raise ParseError(
                "cargo must be 'any' or 'oil'", file=rows.name, line=line, record=eid, field="cargo"
            )
        if (mode == "rail") != (r["gauge"] in ("1435", "1520")):
            raise ParseError(
                "rail edges need gauge 1435 or 1520; other modes none",
                file=rows.name,
                line=line,
                record=eid,
                field="gauge",
            )
        if r["water"] not in WATERS or ((mode in ("sea", "ferry")) != bool(r["water"])):
            raise ParseError(
                "sea/ferry edges need water caspian/black/open/volga_don; other modes none",
                file=rows.name,
                line=line,
                record=eid,
                field="water",
            )
        countries = _countries(r["countries"], rows, line, "countries")
        if r["water"] == "volga_don" and "RU" not in countries:
            raise ParseError(
                "a Volga-Don leg crosses Russia: countries must include RU",
                file=rows.name,
                line=line,
                record=eid,
                field="countries",
            )
        for col in ("from_id", "to_id"):
            if nodes[r[col]].country not in countries:
                raise ParseError(
                    f"countries must include the country of {r[col]} ({nodes[r[col]].country})",
                    file=rows.name,
                    line=line,
                    record=eid,
                    field="countries",
                )
        km = rows.number(r, line, "distance_km")
        dmin, dmax = rows.number(r, line, "days_min"), rows.number(r, line, "days_max")
        if dmin > dmax:
            raise ParseError(
                "days_min > days_max", file=rows.name, line=line, record=eid, field="days_min"
            )
        estimated = {f for f in r["estimated"].split(";") if f}
        if not estimated <= {"distance", "days", "cost"}:
            raise ParseError(
                "estimated lists distance/days/cost separated by ';'",
                file=rows.name,
                line=line,
                record=eid,
                field="estimated",
            )
        teu = rows.number(r, line, "usd_per_teu", default=-1)
        feu = rows.number(r, line, "usd_per_feu", default=-1)
        tonne = rows.number(r, line, "usd_per_tonne", default=-1)
        rate = rates.get((mode, r["water"])) or rates.get((mode, ""))
        if rate is None and min(teu, feu, tonne) < 0:
            raise ParseError(
                f"no cost given and no rate for mode {mode} in rates.csv",
                file=rows.name,
                line=line,
                record=eid,
                field="usd_per_feu",
            )
        cost_estimated: set[str] = set()
        year = r["cost_year"]
        if rate is not None:
            rate_feu = rate.feu_fixed + rate.feu_km * km
            if feu < 0 and teu >= 0 and rate.teu_factor:
                feu = teu / rate.teu_factor
                cost_estimated.add("feu")
            elif feu < 0:
                feu = rate_feu
                cost_estimated.add("feu")
            if teu < 0:
                teu = feu * rate.teu_factor
                cost_estimated.add("teu")
            if tonne < 0:
                tonne = rate.tonne_fixed + rate.tonne_km * km
                cost_estimated.add("tonne")
            year = year or rate.year
        # border crossings inside a non-border edge add dwell time
        bmin = bmax = 0.0
        if mode in ("rail", "road") and r.get("service") != "border crossing":
            bmin, bmax = _border_dwell(countries, borders)
        edges[eid] = Edge(
            id=eid,
            a=r["from_id"],
            b=r["to_id"],
            mode=mode,
            service=r.get("service", ""),
            cargo=r["cargo"],
            gauge=r["gauge"],
            water=r["water"],
            countries=countries,
            km=km,
            days_min=dmin,
            days_max=dmax,
            border_days_min=bmin,
            border_days_max=bmax,
            usd_per_teu=teu,
            usd_per_feu=feu,
            usd_per_tonne=tonne,
            cost_year=year,
            cost_estimated=frozenset(cost_estimated),
            estimated=frozenset(estimated),
            distance_source=r.get("distance_source", ""),
            days_source=r.get("days_source", ""),
            cost_source=r.get("cost_source", "") or (rate.source if rate else ""),
            capacity=r.get("capacity", ""),
            capacity_source=r.get("capacity_source", ""),
            notes=r.get("notes", ""),
        )
    return edges


def _load_transfers(path: Path, nodes: dict[str, Node]) -> list[Transfer]:
    rows = _Rows(
        path,
        (
            "node_id",
            "from_class",
            "to_class",
            "days_min",
            "days_max",
            "usd_per_teu",
            "usd_per_feu",
            "usd_per_tonne",
            "source",
        ),
    )
    out: list[Transfer] = []
    for line, r in rows:
        if r["node_id"] != "*" and r["node_id"] not in nodes:
            raise ParseError(
                f"unknown node {r['node_id']!r}", file=rows.name, line=line, field="node_id"
            )
        out.append(
            Transfer(
                node_id=r["node_id"],
                classes=frozenset({r["from_class"], r["to_class"]}),
                days_min=rows.number(r, line, "days_min"),
                days_max=rows.number(r, line, "days_max"),
                usd_per_teu=rows.number(r, line, "usd_per_teu", default=0),
                usd_per_feu=rows.number(r, line, "usd_per_feu", default=0),
                usd_per_tonne=rows.number(r, line, "usd_per_tonne", default=0),
                source=r["source"],
                notes=r.get("notes", ""),
            )
        )
    return out


def _load_seasons(path: Path) -> list[Season]:
    rows = _Rows(
        path,
        (
            "mode",
            "water",
            "edge_ids",
            "months",
            "extra_days_min",
            "extra_days_max",
            "closed",
            "source",
        ),
    )
    out: list[Season] = []
    for line, r in rows:
        try:
            months = frozenset(int(m) for m in r["months"].split(";") if m)
        except ValueError as exc:
            raise ParseError(
                "months must be numbers 1-12 separated by ';'",
                file=rows.name,
                line=line,
                field="months",
            ) from exc
        if not months or not all(1 <= m <= 12 for m in months):
            raise ParseError(
                "months must be numbers 1-12 separated by ';'",
                file=rows.name,
                line=line,
                field="months",
            )
        out.append(
            Season(
                mode=r["mode"],
                water=r["water"],
                edge_ids=frozenset(e for e in r["edge_ids"].split(";") if e),
                months=months,
                extra_days_min=rows.number(r, line, "extra_days_min"),
                extra_days_max=rows.number(r, line, "extra_days_max"),
                closed=r["closed"] == "yes",
                source=r["source"],
                notes=r.get("notes", ""),
            )
        )
    return out


def _load_sources(path: Path) -> dict[str, Source]:
    rows = _Rows(path, ("source_id", "publisher", "date", "url", "what_it_says"))
    out: dict[str, Source] = {}
    for _line, r in rows:
        out[r["source_id"]] = Source(
            r["source_id"], r["publisher"], r["date"], r["url"], r["what_it_says"]
        )
    return out


def load_network(data_dir: Path | str | None = None) -> Network:
    """Read and validate the network files in ``data_dir`` (default: the shipped data)."""
    d = Path(data_dir) if data_dir is not None else DATA_DIR
    nodes = _load_nodes(d / "nodes.csv")
    rates = _load_rates(d / "rates.csv")
    borders = _load_borders(d / "borders.csv")
    edges = _load_edges(d / "edges.csv", nodes, rates, borders)
    transfers = _load_transfers(d / "transfers.csv", nodes)
    seasons = _load_seasons(d / "seasons.csv")
    sources = _load_sources(d / "sources.csv")
    # every cited source id must exist
    for name in (
        "edges.csv",
        "rates.csv",
        "transfers.csv",
        "seasons.csv",
        "borders.csv",
        "nodes.csv",
    ):
        for lineno, text in enumerate((d / name).read_text(encoding="utf-8").splitlines(), 1):
            for sid in _SOURCE_ID.findall(text):
                if sid not in sources:
                    raise ParseError(f"cites unknown source {sid}", file=name, line=lineno)
    return Network(nodes, edges, transfers, seasons, sources, d)


@lru_cache(maxsize=1)
def default_network() -> Network:
    """The shipped network, loaded once per process."""
    return load_network()
