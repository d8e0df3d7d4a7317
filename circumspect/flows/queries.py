"""The flows query layer: SQL strings over one named table, run by a small engine interface.

Every indicator is computed from the SQL built here, over a table (or view) called
``flows`` with the columns of :data:`circumspect.flows.store.FLOW_COLUMNS`. The SQL uses
only common constructs (CTEs, CASE, GROUP BY, window functions, FULL OUTER JOIN, literal
values quoted here, no bound parameters), so the same strings run on DuckDB and, over the
same data registered as a temp view from Parquet, on Spark SQL.

Rules the SQL enforces:

* A reporter group (``EU27``) is read from its aggregate row when the file has one; only
  when the aggregate is missing for a cell is it the sum of its member countries. An
  aggregate row and its members are never added together. Without a group, only
  ``country`` reporters are summed.
* Products: with no product, the TOTAL rows are used, and where a cell has no TOTAL row,
  the coarsest product level present; with a product prefix ``P`` (HS-2/4/6, CN-8), the
  coarsest level at or below ``P`` present in each cell. Levels are never mixed in a sum.
* Years: an annual row where present, otherwise the sum of the monthly rows, with the
  number of months it covers (incomplete years are flagged, and left out by default).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Protocol

from circumspect.errors import InputError
from circumspect.flows import countries


class SqlSource(Protocol):
    """Where the flows SQL runs (DuckDB store, Spark view): a SQL string -> rows as dicts.

    Named ``SqlSource`` so that "engine" means only :mod:`circumspect.engines`.
    """

    def query(self, sql: str, params: Sequence[object] | None = None) -> list[dict[str, Any]]:
        """Rows of ``sql`` (params unused by the portable SQL built here)."""
        ...


def lit(value: str) -> str:
    """A SQL string literal."""
    return "'" + value.replace("'", "''") + "'"


@dataclass(frozen=True)
class Selection:
    """Which cells an indicator reads."""

    partners: tuple[str, ...]
    flow: str = "export"
    reporter_group: str | None = None
    reporter: str | None = None
    product: str | None = None
    source: str | None = None

    def __post_init__(self) -> None:
        if self.flow not in ("export", "import"):
            raise InputError(f"flow must be export or import, not {self.flow!r}", field="flow")
        if self.product is not None and not re.fullmatch(r"TOTAL|\d{2,10}", self.product):
            raise InputError(
                f"product must be TOTAL or an HS/CN code (2-10 digits), not {self.product!r}",
                field="product",
            )
        for code in self.partners:
            if not re.fullmatch(r"[A-Z0-9_]{2,20}", code):
                raise InputError(f"not a partner code: {code!r}", field="partner")


def resolve_code(label: str, what: str) -> str:
    """A CLI code or name (``KZ``, ``Kazakhstan``, ``Казахстан``, ``EU27``) to a store code."""
    text = label.strip()
    if text.upper() in countries.GROUP_ALIASES:
        return countries.GROUP_ALIASES[text.upper()]
    place = countries.table().resolve(text)
    if place is None:
        raise InputError(f"unknown {what}: {label!r}", field=what)
    return place.code


def _reporter_rows(sel: Selection) -> str:
    """SQL (CTE body) of the reporter cells: one value per partner/product/level/period."""
    partners = ", ".join(lit(p) for p in sel.partners)
    where = [f"flow = {lit(sel.flow)}", f"partner IN ({partners})"]
    if sel.source:
        where.append(f"source = {lit(sel.source)}")
    if sel.product and sel.product != "TOTAL":
        where.append(f"product LIKE {lit(sel.product + '%')}")
        where.append(f"product_level >= {len(sel.product)}")
    cols = "partner, currency, product_level, freq, period, year, month"
    base = f"SELECT reporter, reporter_kind, {cols}, value FROM flows WHERE " + " AND ".join(where)
    if sel.reporter:
        return (
            f"SELECT {cols}, SUM(value) AS value, 'reporter' AS method FROM ({base}) b "
            f"WHERE reporter = {lit(sel.reporter)} GROUP BY {cols}"
        )
    if sel.reporter_group:
        group = countries.GROUP_ALIASES.get(sel.reporter_group.upper(), sel.reporter_group)
        members = sorted(countries.table().members(group))
        if not members:
            raise InputError(f"unknown reporter group {sel.reporter_group!r}", field="reporter")
        mem = ", ".join(lit(m) for m in members)
        # One scan: the aggregate's own rows and its members' rows side by side per cell;
        # the aggregate wins wherever it has a row, the member sum fills the other cells.
        return f"""SELECT {cols},
                CASE WHEN n_agg > 0 THEN agg ELSE mem END AS value,
                CASE WHEN n_agg > 0 THEN 'aggregate' ELSE 'members' END AS method
            FROM (SELECT {cols},
                    SUM(CASE WHEN reporter = {lit(group)} THEN value END) AS agg,
                    COUNT(CASE WHEN reporter = {lit(group)} THEN 1 END) AS n_agg,
                    SUM(CASE WHEN reporter <> {lit(group)} THEN value END) AS mem
                  FROM ({base}) b WHERE reporter IN ({lit(group)}, {mem})
                  GROUP BY {cols}) g"""
    return (
        f"SELECT {cols}, SUM(value) AS value, 'countries' AS method FROM ({base}) b "
        f"WHERE reporter_kind = 'country' GROUP BY {cols}"
    )


def cells_sql(sel: Selection) -> str:
    """SQL of period cells: partner, currency, freq, period, year, month, value, method."""
    rows = _reporter_rows(sel)
    return f"""WITH r AS ({rows}),
        lv AS (SELECT r.*, MIN(product_level) OVER (
                   PARTITION BY partner, currency, freq, period) AS min_level FROM r)
        SELECT partner, currency, freq, period, year, month, SUM(value) AS value,
               MIN(method) AS method
        FROM lv WHERE product_level = min_level
        GROUP BY partner, currency, freq, period, year, month"""


def monthly_sql(sel: Selection) -> str:
    """SQL of monthly totals: partner, currency, period (YYYY-MM), year, month, value."""
    return f"""SELECT partner, currency, period, year, month, value, method
        FROM ({cells_sql(sel)}) c WHERE freq = 'M'"""


def yearly_sql(sel: Selection) -> str:
    """SQL of yearly totals: annual rows, else the sum of months (with the month count)."""
    return f"""WITH c AS ({cells_sql(sel)}),
        a AS (SELECT partner, currency, year, SUM(value) AS value FROM c WHERE freq = 'A'
              GROUP BY partner, currency, year),
        m AS (SELECT partner, currency, year, SUM(value) AS value, COUNT(*) AS months
              FROM c WHERE freq = 'M' GROUP BY partner, currency, year)
        SELECT COALESCE(a.partner, m.partner) AS partner,
               COALESCE(a.currency, m.currency) AS currency,
               COALESCE(a.year, m.year) AS year,
               COALESCE(a.value, m.value) AS value,
               CASE WHEN a.value IS NOT NULL THEN 12 ELSE m.months END AS months,
               CASE WHEN a.value IS NOT NULL THEN 'annual' ELSE 'sum of months' END AS basis
        FROM a FULL OUTER JOIN m
          ON a.partner = m.partner AND a.currency = m.currency AND a.year = m.year"""


@dataclass(frozen=True)
class Total:
    """One record of ``flows totals``."""

    partner: str
    period: str
    value: float
    currency: str
    months: int = 12

    def public(self) -> dict[str, object]:
        return {"partner": self.partner, "period": self.period, "value": self.value}


def totals(
    engine: SqlSource, sel: Selection, by: str = "year", *, include_partial: bool = False
) -> list[Total]:
    """Totals per partner and period, sorted; one currency only (else an InputError)."""
    if by == "year":
        rows = engine.query(f"SELECT * FROM ({yearly_sql(sel)}) t ORDER BY partner, year")
        out = [
            Total(
                str(r["partner"]),
                str(r["year"]),
                float(r["value"]),
                str(r["currency"]),
                int(r["months"]),
            )
            for r in rows
            if include_partial or int(r["months"]) == 12
        ]
    elif by == "month":
        rows = engine.query(f"SELECT * FROM ({monthly_sql(sel)}) t ORDER BY partner, period")
        out = [
            Total(str(r["partner"]), str(r["period"]), float(r["value"]), str(r["currency"]), 1)
            for r in rows
        ]
    else:
        raise InputError(f"--by must be year or month, not {by!r}", field="by")
    currencies = {t.currency for t in out}
    if len(currencies) > 1:
        raise InputError(
            f"the selection mixes currencies ({', '.join(sorted(currencies))}): "
            "pass --source to choose one dataset",
            field="source",
        )
    return out


@dataclass(frozen=True)
class Growth:
    """Value of a period against the pre-invasion baseline."""

    partner: str
    period: str
    value: float
    baseline: float
    growth_pct: float | None


BASELINES = {"2021": (2021,), "2019-2021": (2019, 2020, 2021)}


def growth(
    engine: SqlSource, sel: Selection, baseline: str = "2021", *, include_partial: bool = False
) -> list[Growth]:
    """Yearly growth per partner against 2021 or the 2019-2021 mean (percent)."""
    years = BASELINES.get(baseline)
    if years is None:
        raise InputError(
            f"baseline must be one of {', '.join(BASELINES)}, not {baseline!r}", field="baseline"
        )
    rows = totals(engine, sel, "year", include_partial=include_partial)
    out: list[Growth] = []
    for partner in sorted({t.partner for t in rows}):
        mine = {t.period: t for t in rows if t.partner == partner}
        base_vals = [mine[str(y)].value for y in years if str(y) in mine]
        if len(base_vals) != len(years):
            continue  # no complete baseline: no growth figure rather than a wrong one
        base = sum(base_vals) / len(base_vals)
        for period in sorted(mine):
            t = mine[period]
            pct = None if base == 0 else (t.value / base - 1.0) * 100.0
            out.append(Growth(partner, period, t.value, base, pct))
    return out


def window_total(
    engine: SqlSource, sel: Selection, months: Sequence[tuple[int, int]]
) -> dict[str, tuple[float, int]]:
    """Per partner: sum of the given (year, month) cells and how many of them were present."""
    wanted = {f"{y}-{m:02d}" for y, m in months}
    rows = engine.query(f"SELECT * FROM ({monthly_sql(sel)}) t")
    out: dict[str, tuple[float, int]] = {}
    for r in rows:
        if str(r["period"]) in wanted:
            value, n = out.get(str(r["partner"]), (0.0, 0))
            out[str(r["partner"])] = (value + float(r["value"]), n + 1)
    return out


def month_range(start: tuple[int, int], end: tuple[int, int]) -> list[tuple[int, int]]:
    """Inclusive list of (year, month) from start to end."""
    out: list[tuple[int, int]] = []
    y, m = start
    while (y, m) <= end:
        out.append((y, m))
        y, m = (y + 1, 1) if m == 12 else (y, m + 1)
    return out
