"""``circumspect flows report``: an HTML report (interactive plotly charts), PNG versions of
each chart (matplotlib: kaleido needs a Chrome it cannot find here, and is slower), and CSV
tables. Every chart names its source files and its definitions.
"""

from __future__ import annotations

import html
import os
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from circumspect.flows import countries, did, indicators, reference
from circumspect.flows import queries as q
from circumspect.flows.store import FlowStore
from circumspect.fsutil import atomic_path
from circumspect.tabular import write_dicts

PARTNERS = ("RU", "KZ", "KG", "AM", "GE", "UZ")


@dataclass
class Chart:
    slug: str
    title: str
    definition: str
    sources: str
    figure: Any = None
    png: str = ""
    empty: bool = False


@dataclass
class Report:
    out: Path
    charts: list[Chart] = field(default_factory=list)
    tables: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    source: str = "eurostat"
    currency: str = "EUR"


def _write_text(path: Path, text: str) -> None:
    with atomic_path(path) as tmp:
        tmp.write_text(text, encoding="utf-8")


def _write_csv(path: Path, rows: Sequence[dict[str, Any]]) -> None:
    if rows:
        write_dicts(path, rows, list(rows[0]), fmt=".csv")
    else:
        _write_text(path, "")


def _sources(store: FlowStore, where: str) -> str:
    rows = store.query(
        f"""SELECT fi.path, COUNT(*) AS n FROM flows f JOIN files fi ON fi.file_id = f.file_id
        WHERE {where} GROUP BY fi.path"""
    )
    folders: dict[str, list[str]] = {}
    for r in rows:
        path = Path(str(r["path"]))
        folders.setdefault(path.parent.name or ".", []).append(path.name)
    if not folders:
        return "no loaded file"
    parts = []
    for folder, names in sorted(folders.items()):
        if len(names) <= 2:
            parts.append(", ".join(f"{folder}/{n}" for n in sorted(names)))
        else:
            parts.append(f"{folder}/ ({len(names)} files)")
    return "; ".join(parts)


def _legend(ax: Any) -> None:
    if ax.get_legend_handles_labels()[0]:
        ax.legend(fontsize=8)


def caption_lines(sources: str, width: int = 190) -> list[str]:
    """The PNG source caption wrapped to WIDTH characters (never cut: every file is named)."""
    import textwrap

    return textwrap.wrap(f"Source: {sources}", width=width, break_on_hyphens=False) or [""]


def _png(chart: Chart, out: Path, draw: Any) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    lines = caption_lines(chart.sources)
    height = 4.8 + 0.1 * (len(lines) - 1)
    fig, ax = plt.subplots(figsize=(9, height), dpi=100)
    draw(ax)
    if not (ax.lines or ax.patches or ax.collections):
        chart.empty = True
        ax.text(
            0.5,
            0.5,
            "No data for this chart with the loaded data and options\n"
            "(see the notes in index.html)",
            ha="center",
            va="center",
            transform=ax.transAxes,
            fontsize=11,
            color="#555",
        )
    ax.set_title(chart.title, fontsize=11)
    ax.grid(alpha=0.3)
    fig.text(0.01, 0.01, "\n".join(lines), fontsize=6, color="#555", va="bottom")
    caption_in = 0.1 * len(lines) + 0.05  # inches taken by the caption
    fig.subplots_adjust(left=0.08, right=0.98, top=0.92, bottom=(caption_in + 0.45) / height)
    path = out / f"{chart.slug}.png"
    try:
        with atomic_path(path) as tmp:
            fig.savefig(tmp, format="png")
    finally:
        plt.close(fig)
    chart.png = path.name


def default_source(store: FlowStore) -> str | None:
    """``eurostat`` when loaded, else the dataset with the most export rows."""
    rows = store.query(
        "SELECT source, COUNT(*) AS n FROM flows WHERE flow = 'export' GROUP BY source "
        "ORDER BY CASE WHEN source = 'eurostat' THEN 0 ELSE 1 END, n DESC"
    )
    return str(rows[0]["source"]) if rows else None


def build(
    store: FlowStore, out: Path, *, baseline: str = "2021", source: str | None = None
) -> Report:
    """Compute the indicators from the store and write the report folder.

    ``source`` is the exporter dataset charted (default: :func:`default_source`).
    """
    import plotly.graph_objects as go

    from circumspect.errors import InputError

    if source is not None:
        loaded = [
            str(r["source"])
            for r in store.query("SELECT DISTINCT source FROM flows ORDER BY source")
        ]
        if source not in loaded:
            raise InputError(
                f"no data of source {source!r} is loaded (loaded: {', '.join(loaded) or 'none'})",
                field="source",
            )
    try:
        out.mkdir(parents=True, exist_ok=True)
        probe = out / f".write-test-{os.getpid()}"
        probe.write_bytes(b"")
        probe.unlink()
    except OSError as exc:
        where = f": {exc.filename}" if exc.filename else ""
        raise InputError(
            f"cannot write the report folder ({exc.strerror or exc}{where})", file=str(out)
        ) from exc
    report = Report(out)
    src = source or default_source(store) or "eurostat"
    report.notes.append(f"Exporter data: source '{src}'.")
    report.source = src
    sel = q.Selection(PARTNERS, reporter_group="EU27", source=src)
    yearly = q.totals(store, sel, "year", include_partial=True)
    monthly = q.totals(store, sel, "month")
    growth = q.growth(
        store,
        q.Selection((*PARTNERS, "TJ", "TR", "AE"), reporter_group="EU27", source=src),
        baseline,
    )
    rows_ra, summary_ra, ra_note = indicators.roundabout(store, baseline=baseline, source=src)
    mirror_rows = indicators.mirror(store, ("KZ", "KG", "AM", "UZ"), exporter_source=src)
    checks = reference.run_checks(store)
    report.notes.append(ra_note)

    # -- tables
    tables = {
        "totals_yearly.csv": [
            {**t.public(), "currency": t.currency, "months": t.months} for t in yearly
        ],
        "totals_monthly.csv": [{**t.public(), "currency": t.currency} for t in monthly],
        "growth.csv": [asdict(g) for g in growth],
        "roundabout.csv": [asdict(r) for r in rows_ra],
        "roundabout_summary.csv": summary_ra,
        "mirror.csv": [asdict(m) for m in mirror_rows],
        "reference_checks.csv": [asdict(c) for c in checks],
        "load_issues.csv": store.query(
            "SELECT problem, category, COUNT(*) AS n FROM issues GROUP BY problem, category "
            "ORDER BY n DESC"
        ),
        "conflicts.csv": store.query("SELECT * FROM conflicts ORDER BY reporter, partner, period"),
        "files.csv": store.query(
            "SELECT path, format, source, rows_read, rows_loaded, rows_duplicate, "
            "rows_conflict, rows_rejected, rows_skipped FROM files ORDER BY path"
        ),
    }
    for name, rows in tables.items():
        _write_csv(out / name, rows)
        report.tables.append(name)

    partners_sql = ", ".join(q.lit(p) for p in PARTNERS)
    eu_members = ", ".join(
        q.lit(m) for m in ("EU27_2020", *sorted(countries.table().members("EU27_2020")))
    )
    eu = f"f.source = {q.lit(src)} AND f.reporter IN ({eu_members})"
    eu_src = _sources(store, f"f.partner IN ({partners_sql}) AND f.flow = 'export' AND {eu}")

    # 1. monthly index
    base_years = q.BASELINES[baseline]
    chart = Chart(
        "monthly_index",
        f"EU27 exports to Russia and its neighbours, monthly ({baseline} monthly mean = 100)",
        f"EU27 exports from source '{src}' (the 'European Union - 27 countries' row where "
        "present, else the sum of the 27 members; total goods, or the coarsest product level), "
        f"indexed to the monthly mean of {baseline}. Aggregate rows are used, never added to "
        "member rows.",
        eu_src,
    )
    fig = go.Figure()
    series: dict[str, tuple[list[str], list[float]]] = {}
    for p in PARTNERS:
        pts = [t for t in monthly if t.partner == p]
        base = [t.value for t in pts if int(t.period[:4]) in base_years]
        if not base:
            continue
        mean = sum(base) / len(base)
        xs, ys = [t.period for t in pts], [t.value / mean * 100 for t in pts]
        series[p] = (xs, ys)
        fig.add_trace(go.Scatter(x=xs, y=ys, mode="lines", name=p))
    fig.add_vline(x="2022-02", line_dash="dot")
    fig.update_layout(yaxis_title="index", height=420)
    chart.figure = fig

    def draw1(ax: Any) -> None:
        for p, (xs, ys) in series.items():
            ax.plot(range(len(xs)), ys, label=p)
        if series:
            xs = next(iter(series.values()))[0]
            ticks = [i for i, x in enumerate(xs) if x.endswith("-01")]
            ax.set_xticks(ticks, [xs[i][:4] for i in ticks])
        ax.set_ylabel("index")
        _legend(ax)

    _png(chart, out, draw1)
    report.charts.append(chart)

    # 2. growth bars
    chart = Chart(
        "growth",
        f"Growth of EU27 exports against {baseline}, by partner and year (%)",
        f"Yearly EU27 exports (annual rows where present, else 12 monthly rows) divided by the "
        f"{baseline} {'value' if baseline == '2021' else 'mean'}, minus one. Only complete "
        "years.",
        _sources(store, f"f.flow = 'export' AND {eu}"),
    )
    years = sorted({g.period for g in growth if g.period >= "2022"})
    gp = sorted({g.partner for g in growth})
    fig = go.Figure()
    for y in years:
        fig.add_trace(
            go.Bar(
                name=y,
                x=gp,
                y=[
                    next((g.growth_pct for g in growth if g.partner == p and g.period == y), None)
                    for p in gp
                ],
            )
        )
    fig.update_layout(barmode="group", yaxis_title="%", height=420)
    chart.figure = fig

    def draw2(ax: Any) -> None:
        width = 0.8 / max(len(years), 1)
        for i, y in enumerate(years):
            vals = [
                next((g.growth_pct or 0.0 for g in growth if g.partner == p and g.period == y), 0.0)
                for p in gp
            ]
            ax.bar([j + i * width for j in range(len(gp))], vals, width, label=y)
        ax.set_xticks([j + 0.4 - width / 2 for j in range(len(gp))], gp)
        ax.set_ylabel("%")
        _legend(ax)

    _png(chart, out, draw2)
    report.charts.append(chart)

    # 3. roundabout
    chart = Chart(
        "roundabout",
        "The roundabout: change in EU27 exports vs baseline, Russia vs neighbours",
        f"Change of yearly EU27 exports against {baseline}: Russia (negative) beside the "
        f"sum over its neighbours ({', '.join(indicators.NEIGHBOURS)}; those present in the "
        f"data). {ra_note}.",
        _sources(store, f"f.flow = 'export' AND {eu}"),
    )
    goods_classes = [
        g for g in ("all", "CHPL", "other") if any(s["goods"] == g for s in summary_ra)
    ]
    ra_years = sorted({str(s["year"]) for s in summary_ra})
    bars: list[tuple[str, list[float]]] = []
    for g in goods_classes:
        by_year = {str(s["year"]): s for s in summary_ra if s["goods"] == g}
        for label, key in (("Russia", "russia_change"), ("neighbours", "neighbours_change")):
            bars.append(
                (
                    f"{label} ({g} goods)",
                    [float(str(by_year[y][key])) / 1e9 if y in by_year else 0.0 for y in ra_years],
                )
            )
    fig = go.Figure([go.Bar(name=name, x=ra_years, y=vals) for name, vals in bars])
    currency = yearly[0].currency if yearly else "(data currency)"
    report.currency = currency
    fig.update_layout(barmode="group", yaxis_title=f"bn {currency} vs baseline", height=420)
    chart.figure = fig

    def draw3(ax: Any) -> None:
        idx = list(range(len(ra_years)))
        width = 0.8 / max(len(bars), 1)
        for i, (name, vals) in enumerate(bars):
            ax.bar([j - 0.4 + (i + 0.5) * width for j in idx], vals, width, label=name)
        ax.set_xticks(idx, ra_years)
        ax.axhline(0, color="black", lw=0.8)
        ax.set_ylabel(f"bn {currency} vs baseline")
        _legend(ax)

    _png(chart, out, draw3)
    report.charts.append(chart)

    # 4. mirror
    chart = Chart(
        "mirror",
        "Mirror gap: EU27-reported exports / partner-reported imports from the EU27",
        f"Ratio of EU27 exports to the partner ('{src}', FOB) to the partner's national "
        "statistics of imports from the EU27 (CIF, converted to EUR in the source files). "
        "A ratio rising after 2021 means exports declared for the partner that its customs "
        "did not record (goods lost in transit, e.g. to Russia). Armenia 2023's national "
        "figure looks truncated in the source file.",
        _sources(
            store,
            f"(f.flow = 'export' AND {eu} AND f.partner IN "
            "('KZ', 'KG', 'AM', 'UZ')) OR (f.flow = 'import' AND f.reporter IN "
            "('KZ', 'KG', 'AM', 'UZ') AND f.partner = 'EU27_2020')",
        ),
    )
    mp = sorted({m.partner for m in mirror_rows})
    fig = go.Figure()
    for p in mp:
        mpts = [m for m in mirror_rows if m.partner == p]
        fig.add_trace(
            go.Scatter(
                x=[m.year for m in mpts], y=[m.ratio for m in mpts], mode="lines+markers", name=p
            )
        )
    fig.update_layout(yaxis_title="exporter / importer", height=420, yaxis_type="log")
    chart.figure = fig

    def draw4(ax: Any) -> None:
        for p in mp:
            mp_rows = [m for m in mirror_rows if m.partner == p and m.ratio]
            ax.plot([m.year for m in mp_rows], [m.ratio for m in mp_rows], marker="o", label=p)
        ax.set_yscale("log")
        ax.set_ylabel("exporter / importer")
        _legend(ax)

    _png(chart, out, draw4)
    report.charts.append(chart)

    # 5. DiD
    did_result, did_note = did.from_store(
        store, neighbours=indicators.NEIGHBOURS, sanctioned_hs6=indicators.chpl_hs6()
    )
    if did_result is None:
        panel = did.synthetic_panel(n_products=30, n_destinations=8, n_months=36, post_from=14)
        demo = did.estimate(**panel)  # type: ignore[arg-type]
        report.notes.append(
            f"Difference-in-differences: {did_note}. The estimator is validated on a generated "
            f"panel with a known effect 0.5: beta = {demo.beta:.3f} (SE {demo.se:.3f}, "
            f"clustered by product, {demo.n_obs} observations); see tests/flows/test_did.py."
        )
        did_table = [{"data": "generated (known effect 0.5)", **demo.as_dict()}]
    else:
        report.notes.append(
            f"Difference-in-differences on loaded data ({did_note}): beta = "
            f"{did_result.beta:.3f} (SE {did_result.se:.3f}, p = {did_result.p_value:.3g})."
        )
        did_table = [{"data": did_note, **did_result.as_dict()}]
    _write_csv(out / "did.csv", did_table)
    report.tables.append("did.csv")

    _write_html(report, checks)
    return report


def _table_html(rows: Sequence[dict[str, Any]], cols: Sequence[str]) -> str:
    head = "".join(f"<th>{html.escape(c)}</th>" for c in cols)
    body = "".join(
        "<tr>" + "".join(f"<td>{html.escape(_fmt(r.get(c)))}</td>" for c in cols) + "</tr>"
        for r in rows
    )
    return f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"


def _fmt(v: Any) -> str:
    if v is None:
        return ""
    if isinstance(v, float):
        return f"{v:,.1f}"
    return str(v)


def _write_html(report: Report, checks: list[reference.Check]) -> None:
    import plotly.offline

    _write_text(report.out / "plotly.min.js", plotly.offline.get_plotlyjs())
    parts = [
        "<!doctype html><html><head><meta charset='utf-8'>",
        "<title>circumspect: trade-flow diversion indicators</title>",
        "<script src='plotly.min.js'></script>",
        "<style>body{font-family:sans-serif;max-width:1100px;margin:auto;padding:1em}"
        "table{border-collapse:collapse;font-size:12px}td,th{border:1px solid #ccc;"
        "padding:3px 6px;vertical-align:top}.src{font-size:12px;color:#444}</style>",
        "</head><body><h1>Trade-flow diversion indicators</h1>",
        f"<p>Values in {html.escape(report.currency)} as reported in the exporter dataset "
        f"'{html.escape(report.source)}' unless stated. Aggregates (EU27, euro area, World) "
        "are read from their own rows and never added to member rows.</p>",
    ]
    for note in report.notes:
        parts.append(f"<p><b>Note.</b> {html.escape(note)}</p>")
    for chart in report.charts:
        parts.append(f"<h2>{html.escape(chart.title)}</h2>")
        if chart.empty:
            parts.append(
                "<p><b>No data for this chart</b> with the loaded data and options "
                "(see the notes above).</p>"
            )
        elif chart.figure is not None:
            parts.append(chart.figure.to_html(full_html=False, include_plotlyjs=False))
        parts.append(
            f"<p class='src'><b>Definition:</b> {html.escape(chart.definition)}<br>"
            f"<b>Source files:</b> {html.escape(chart.sources)}<br>"
            f"<b>PNG:</b> <a href='{chart.png}'>{chart.png}</a></p>"
        )
    parts.append("<h2>Our figures beside published ones</h2>")
    parts.append(
        _table_html(
            [asdict(c) for c in checks],
            ["study", "metric", "published", "ours", "status", "differences"],
        )
    )
    parts.append("<h2>Tables (CSV)</h2><ul>")
    parts.extend(f"<li><a href='{t}'>{t}</a></li>" for t in report.tables)
    parts.append("</ul></body></html>")
    _write_text(report.out / "index.html", "\n".join(parts))
