"""From trade statistics to customs targets: a watchlist of HS-6 codes.

``circumspect flows watchlist --hub KZ --target RU --baseline 2019-2021 -o watchlist.csv``

For every HS-6 code with product detail in the loaded flows:

* ``coalition_base`` / ``coalition_post``: yearly exports of the sanctioning coalition
  (:data:`circumspect.goods.bans.COALITION`, by its member countries or the EU27 aggregate,
  never both) to the hub, mean over the baseline years and over the years after the
  invasion (2022 on; complete years only: an annual row or 12 months);
* ``hub_base`` / ``hub_post``: the hub's exports to the target (hub-reported), or where the
  hub reports none for the code, the target's imports from the hub (mirror);
* ``growth`` = ``coalition_post - coalition_base`` and ``score`` =
  ``sqrt(max(growth, 0) * hub_post)``: a code ranks high only when exports into the hub grew
  *and* the hub sends the goods on to the target. Values stay in each source's currency, so
  the score is a ranking measure, not money.

The output is a controlled-goods list CSV (``code, description, category, source`` plus the
figures) that ``circumspect declarations score --list watchlist.csv`` reads. Without HS-6
detail (e.g. the Eurostat fixture, totals only) :func:`watchlist` refuses with the reason.
"""

from __future__ import annotations

import csv
import io
import math
from dataclasses import dataclass
from pathlib import Path

from circumspect.errors import InputError
from circumspect.flows import queries as q
from circumspect.flows.countries import GROUP_ALIASES
from circumspect.fsutil import atomic_path
from circumspect.goods.bans import COALITION, EU27

COLUMNS = (
    "rank",
    "code",
    "description",
    "category",
    "source",
    "coalition_base",
    "coalition_post",
    "growth",
    "growth_pct",
    "hub_base",
    "hub_post",
    "hub_basis",
    "score",
)


@dataclass(frozen=True, slots=True)
class WatchRow:
    code: str
    coalition_base: float
    coalition_post: float
    hub_base: float
    hub_post: float
    hub_basis: str

    @property
    def growth(self) -> float:
        return self.coalition_post - self.coalition_base

    @property
    def growth_pct(self) -> float | None:
        if self.coalition_base <= 0:
            return None
        return 100.0 * self.growth / self.coalition_base

    @property
    def score(self) -> float:
        return math.sqrt(max(self.growth, 0.0) * max(self.hub_post, 0.0))


def _years(baseline: str) -> tuple[int, int]:
    parts = baseline.split("-")
    try:
        first, last = int(parts[0]), int(parts[-1])
    except ValueError as exc:
        raise InputError(
            f"baseline must be YYYY or YYYY-YYYY, not {baseline!r}", field="baseline"
        ) from exc
    if len(parts) > 2 or first > last or last >= 2022:
        raise InputError(
            f"baseline {baseline!r} must be years before 2022 (e.g. 2019-2021)", field="baseline"
        )
    return first, last


def _yearly_hs6(
    engine: q.SqlSource, reporters: list[str], partner: str, flow: str
) -> dict[tuple[str, int], float]:
    """HS-6 yearly values: annual rows, else complete (12-month) sums; one value per code."""
    rep = ", ".join(q.lit(r) for r in reporters)
    sql = f"""
        WITH c AS (
            SELECT reporter, SUBSTR(product, 1, 6) AS code, freq, year, month, SUM(value) AS v
            FROM flows
            WHERE flow = {q.lit(flow)} AND partner = {q.lit(partner)}
              AND reporter IN ({rep}) AND product_level >= 6
            GROUP BY reporter, code, freq, year, month),
        a AS (SELECT reporter, code, year, SUM(v) AS v FROM c WHERE freq = 'A'
              GROUP BY reporter, code, year),
        m AS (SELECT reporter, code, year, SUM(v) AS v, COUNT(DISTINCT month) AS months
              FROM c WHERE freq = 'M' GROUP BY reporter, code, year)
        SELECT COALESCE(a.reporter, m.reporter) AS reporter, COALESCE(a.code, m.code) AS code,
               COALESCE(a.year, m.year) AS year, COALESCE(a.v, m.v) AS v,
               CASE WHEN a.v IS NOT NULL THEN 12 ELSE m.months END AS months
        FROM a FULL OUTER JOIN m
          ON a.reporter = m.reporter AND a.code = m.code AND a.year = m.year"""
    out: dict[tuple[str, int], float] = {}
    for r in engine.query(sql):
        if int(r["months"]) != 12:
            continue
        key = (str(r["code"]), int(r["year"]))
        out[key] = out.get(key, 0.0) + float(r["v"])
    return out


def _coalition_reporters(engine: q.SqlSource, hub: str) -> list[str]:
    """Coalition members reporting HS-6 exports to the hub; the EU27 aggregate only when no
    EU member reports (so the EU is never counted twice)."""
    rows = engine.query(
        f"SELECT DISTINCT reporter FROM flows WHERE flow = 'export' AND partner = {q.lit(hub)} "
        "AND product_level >= 6"
    )
    present = {str(r["reporter"]) for r in rows}
    members = sorted(present & COALITION)
    eu_group = GROUP_ALIASES.get("EU27", "EU27")
    if not (present & EU27) and eu_group in present:
        members.append(eu_group)
    return members


def watchlist(
    engine: q.SqlSource, hub: str, target: str, baseline: str = "2019-2021"
) -> list[WatchRow]:
    """Ranked rows (best first); refuses data without HS-6 product detail."""
    from circumspect.flows.indicators import has_product_detail

    first, last = _years(baseline)
    if not has_product_detail(engine, "export"):
        raise InputError(
            "the loaded flows have no HS-6 product detail (totals only, e.g. the Eurostat "
            "TOTAL extract): a watchlist ranks HS-6 codes, so load exports by HS-6 product "
            "(Comext bulk full_v2, or UN Comtrade / national data at HS-6) first"
        )
    reporters = _coalition_reporters(engine, hub)
    if not reporters:
        raise InputError(
            f"no coalition country reports HS-6 exports to {hub} in the loaded flows",
            field="hub",
        )
    into_hub = _yearly_hs6(engine, reporters, hub, "export")
    hub_out = _yearly_hs6(engine, [hub], target, "export")
    basis = "hub exports"
    mirror = _yearly_hs6(engine, [target], hub, "import")
    if not into_hub:
        raise InputError(f"no complete years of coalition exports to {hub} at HS-6")
    if not hub_out and not mirror:
        raise InputError(
            f"no HS-6 exports from {hub} to {target} (nor {target}'s imports from {hub}) are "
            "loaded: load the hub's national or Comtrade data first",
            field="target",
        )
    years = {y for _, y in into_hub}
    base_years = [y for y in range(first, last + 1)]
    post_years = sorted(y for y in years if y >= 2022)
    if not post_years:
        raise InputError("no complete year from 2022 on in the coalition's exports to the hub")

    def mean(values: dict[tuple[str, int], float], code: str, ys: list[int]) -> float:
        return sum(values.get((code, y), 0.0) for y in ys) / len(ys)

    codes = sorted({c for c, _ in into_hub})
    rows = []
    for code in codes:
        if any((code, y) in hub_out for y in post_years):
            hub_vals, b = hub_out, basis
        else:
            hub_vals, b = mirror, "target imports (mirror)"
        rows.append(
            WatchRow(
                code=code,
                coalition_base=mean(into_hub, code, base_years),
                coalition_post=mean(into_hub, code, post_years),
                hub_base=mean(hub_vals, code, base_years),
                hub_post=mean(hub_vals, code, post_years),
                hub_basis=b,
            )
        )
    rows.sort(key=lambda r: (-r.score, -r.growth, r.code))
    return rows


def write_watchlist(
    rows: list[WatchRow], out: Path, hub: str, target: str, baseline: str, top: int = 50
) -> int:
    """Write the first ``top`` rows with a positive score as a controlled-goods list CSV."""
    from circumspect.goods.nomenclature import default_nomenclature

    nom = default_nomenclature()
    keep = [r for r in rows if r.score > 0][:top]
    source = f"circumspect flows watchlist --hub {hub} --target {target} --baseline {baseline}"
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\n")
    writer.writerow(COLUMNS)
    for rank, r in enumerate(keep, start=1):
        entry = nom.get(r.code)
        pct = r.growth_pct
        writer.writerow(
            [
                rank,
                r.code,
                _safe(entry.description if entry else ""),
                f"watchlist {hub}->{target}",
                source,
                f"{r.coalition_base:.2f}",
                f"{r.coalition_post:.2f}",
                f"{r.growth:.2f}",
                "" if pct is None else f"{pct:.1f}",
                f"{r.hub_base:.2f}",
                f"{r.hub_post:.2f}",
                r.hub_basis,
                f"{r.score:.2f}",
            ]
        )
    with atomic_path(Path(out)) as tmp:
        Path(tmp).write_text(buf.getvalue(), encoding="utf-8")
    return len(keep)


def _safe(text: str) -> str:
    """No live spreadsheet formulas in output cells."""
    return "'" + text if text[:1] in ("=", "+", "-", "@") else text
