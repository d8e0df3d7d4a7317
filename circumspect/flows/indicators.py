"""Diversion indicators built on :mod:`circumspect.flows.queries`.

* :func:`roundabout`: growth of exports to Russia's neighbours beside the fall of exports to
  Russia (EUR change against the baseline, and the neighbours' gain as a share of Russia's
  loss), for all goods and, where the data has product detail, CHPL goods vs the rest.
* :func:`mirror`: exporter-reported vs importer-reported values (e.g. EU27 exports to KZ
  from Eurostat vs Kazakh imports from the EU27 from national statistics): ratio, its
  change since 2021, and the part of the additional exports that no importer recorded.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from circumspect.flows import queries as q

DATA = Path(__file__).resolve().parent / "data"

#: Russia's neighbours and transit hubs named by the issue and the EBRD paper.
NEIGHBOURS = ("KZ", "KG", "AM", "GE", "UZ", "TJ", "TR", "AE")
CCA3 = ("AM", "KZ", "KG")


@lru_cache(maxsize=1)
def chpl_hs6() -> tuple[str, ...]:
    """HS-6 codes of the Common High Priority List (``data/chpl.csv``, BIS 2024-02-23)."""
    with (DATA / "chpl.csv").open(encoding="utf-8") as fh:
        return tuple(sorted({row["hs6"].strip() for row in csv.DictReader(fh)}))


def has_product_detail(engine: q.SqlSource, flow: str = "export") -> bool:
    """Whether any cell below the TOTAL level (HS-6 or finer) is loaded."""
    rows = engine.query(
        f"SELECT COUNT(*) AS n FROM flows WHERE flow = {q.lit(flow)} AND product_level >= 6"
    )
    return bool(rows and int(rows[0]["n"]) > 0)


@dataclass(frozen=True)
class RoundaboutRow:
    goods: str  # "all", "CHPL", "other"
    partner: str
    year: str
    value: float
    baseline: float
    change: float
    growth_pct: float | None


def _yearly(engine: q.SqlSource, sel: q.Selection) -> dict[tuple[str, str], float]:
    return {(t.partner, t.period): t.value for t in q.totals(engine, sel, "year")}


def _chpl_yearly(
    engine: q.SqlSource, partners: tuple[str, ...], reporter_group: str, source: str | None
) -> dict[tuple[str, str], float]:
    codes = ", ".join(q.lit(c) for c in chpl_hs6())
    sql = f"""WITH c AS (SELECT reporter, partner, freq, period, year, product, product_level,
                   value FROM flows
            WHERE flow = 'export' AND product_level >= 6 AND SUBSTR(product, 1, 6) IN ({codes})
              AND partner IN ({", ".join(q.lit(p) for p in partners)})
              {f"AND source = {q.lit(source)}" if source else ""}
              AND reporter IN ({", ".join(q.lit(m) for m in _members(reporter_group))})),
        lv AS (SELECT c.*, MIN(product_level) OVER (PARTITION BY reporter, partner, freq,
                   period, SUBSTR(product, 1, 6)) AS ml FROM c)
        SELECT partner, freq, year, SUM(value) AS value, COUNT(DISTINCT period) AS n
        FROM lv WHERE product_level = ml GROUP BY partner, freq, year"""
    out: dict[tuple[str, str], float] = {}
    annual = {
        (str(r["partner"]), str(r["year"])): float(r["value"])
        for r in engine.query(sql)
        if r["freq"] == "A"
    }
    monthly = {
        (str(r["partner"]), str(r["year"])): (float(r["value"]), int(r["n"]))
        for r in engine.query(sql)
        if r["freq"] == "M"
    }
    for key, (value, n) in monthly.items():
        if n == 12:
            out[key] = value
    out.update(annual)
    return out


def _members(group: str) -> list[str]:
    from circumspect.flows import countries

    code = countries.GROUP_ALIASES.get(group.upper(), group)
    return sorted(countries.table().members(code))


def roundabout(
    engine: q.SqlSource,
    *,
    neighbours: tuple[str, ...] = NEIGHBOURS,
    reporter_group: str = "EU27",
    baseline: str = "2021",
    source: str | None = None,
) -> tuple[list[RoundaboutRow], list[dict[str, object]], str]:
    """Rows per goods class, partner (RU and each neighbour) and year, a per-year summary
    (neighbours' gain vs Russia's loss), and a note on product detail."""
    partners = ("RU", *tuple(p for p in neighbours if p != "RU"))
    base_years = [str(y) for y in q.BASELINES[baseline]]
    series: dict[str, dict[tuple[str, str], float]] = {
        "all": _yearly(engine, q.Selection(partners, reporter_group=reporter_group, source=source))
    }
    note = "product detail: none in the loaded data (totals only); CHPL split not computed"
    if has_product_detail(engine):
        chpl = _chpl_yearly(engine, partners, reporter_group, source)
        if chpl:
            series["CHPL"] = chpl
            series["other"] = {
                k: v - chpl.get(k, 0.0) for k, v in series["all"].items() if k in chpl
            }
            note = "product detail: CHPL HS-6 goods vs the rest (total minus CHPL)"
    rows: list[RoundaboutRow] = []
    for goods, values in series.items():
        for partner in partners:
            base_vals = [values.get((partner, y)) for y in base_years]
            if any(v is None for v in base_vals):
                continue
            base = sum(v for v in base_vals if v is not None) / len(base_vals)
            for (p, year), value in sorted(values.items()):
                if p != partner:
                    continue
                pct = None if base == 0 else (value / base - 1) * 100
                rows.append(RoundaboutRow(goods, partner, year, value, base, value - base, pct))
    summary: list[dict[str, object]] = []
    for goods in series:
        years = sorted({r.year for r in rows if r.goods == goods and r.year > base_years[-1]})
        for year in years:
            ru = [r for r in rows if r.goods == goods and r.partner == "RU" and r.year == year]
            nb = [r for r in rows if r.goods == goods and r.partner != "RU" and r.year == year]
            if not ru or not nb:
                continue
            gain = sum(r.change for r in nb)
            loss = -ru[0].change
            summary.append(
                {
                    "goods": goods,
                    "year": year,
                    "russia_change": ru[0].change,
                    "neighbours_change": gain,
                    "neighbours": " ".join(sorted(r.partner for r in nb)),
                    "offset_pct": (gain / loss * 100) if loss > 0 else None,
                }
            )
    return rows, summary, note


@dataclass(frozen=True)
class MirrorRow:
    partner: str
    year: str
    exporter_value: float
    importer_value: float
    ratio: float | None
    ratio_change_since_2021: float | None
    extra_exports: float | None
    extra_imports: float | None
    unrecorded_share_pct: float | None


def mirror(
    engine: q.SqlSource,
    partners: tuple[str, ...],
    *,
    reporter_group: str = "EU27",
    exporter_source: str | None = "eurostat",
    importer_source: str | None = None,
) -> list[MirrorRow]:
    """EU27 exports to each partner (exporter-reported) against the partner's imports from
    the EU27 (importer-reported); ratio = exporter / importer."""
    from circumspect.flows import countries

    group = countries.GROUP_ALIASES.get(reporter_group.upper(), reporter_group)
    exp = _yearly(
        engine, q.Selection(partners, reporter_group=reporter_group, source=exporter_source)
    )
    out: list[MirrorRow] = []
    for partner in partners:
        imp_rows = q.totals(
            engine,
            q.Selection((group,), flow="import", reporter=partner, source=importer_source),
            "year",
        )
        imp = {t.period: t.value for t in imp_rows}
        if not imp:  # no aggregate partner row: sum the member countries
            members = tuple(sorted(countries.table().members(group)))
            sums: dict[str, float] = {}
            for t in q.totals(
                engine,
                q.Selection(members, flow="import", reporter=partner, source=importer_source),
                "year",
            ):
                sums[t.period] = sums.get(t.period, 0.0) + t.value
            imp = sums
        base_ratio = None
        if "2021" in imp and (partner, "2021") in exp and imp["2021"]:
            base_ratio = exp[(partner, "2021")] / imp["2021"]
        for year in sorted(imp):
            if (partner, year) not in exp:
                continue
            e, i = exp[(partner, year)], imp[year]
            ratio = e / i if i else None
            extra_e = extra_i = share = None
            if "2021" in imp and (partner, "2021") in exp and year > "2021":
                extra_e = e - exp[(partner, "2021")]
                extra_i = i - imp["2021"]
                share = (extra_e - extra_i) / extra_e * 100 if extra_e > 0 else None
            change = None
            if ratio is not None and base_ratio is not None:
                change = ratio - base_ratio
            out.append(MirrorRow(partner, year, e, i, ratio, change, extra_e, extra_i, share))
    return out
