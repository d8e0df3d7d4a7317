"""`circumspect flows ...`: load trade statistics, print totals and indicators, write the report."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import typer

FORMATS_HELP = "relational | comext | comext-legacy | comtrade | auto"


def _check_source(store: Any, source: str | None) -> None:
    """Refuse a --source with no loaded rows (instead of printing nothing)."""
    if source is None:
        return
    from circumspect.errors import InputError

    loaded = [
        str(r["source"]) for r in store.query("SELECT DISTINCT source FROM flows ORDER BY source")
    ]
    if source not in loaded:
        raise InputError(
            f"no data of source {source!r} is loaded (loaded: {', '.join(loaded) or 'none'})",
            field="source",
        )


def register(app: typer.Typer) -> None:
    flows = typer.Typer(
        help="Trade flows: Eurostat/Comtrade loaders and diversion indicators.",
        no_args_is_help=True,
    )
    app.add_typer(flows, name="flows")

    @flows.command("load")
    def load(
        paths: list[Path] = typer.Argument(..., help="Files or folders (CSV/DAT) to load."),
        fmt: str = typer.Option(..., "--format", help=FORMATS_HELP),
        source: str | None = typer.Option(
            None,
            "--source",
            help="Dataset name stored with the rows (default: eurostat or comtrade; use e.g. "
            "'national' for a partner's own import statistics).",
        ),
        as_json: bool = typer.Option(False, "--json", help="Print the load report as JSON."),
    ) -> None:
        """Load files into $CIRCUMSPECT_HOME/flows.duckdb (idempotent, one transaction)."""
        from rich.console import Console

        from circumspect.flows.store import FlowStore

        console = Console(stderr=True)
        with FlowStore() as store, console.status("loading trade files..."):
            report = store.load(paths, fmt, source=source, progress=lambda m: console.log(m))
        if as_json:
            typer.echo(
                json.dumps(
                    {
                        "files": [f.__dict__ for f in report.files],
                        "problems": report.problems,
                        "storage": report.storage,
                    },
                    indent=1,
                )
            )
        else:
            typer.echo(report.summary())
            for f in report.files:
                for note in f.notes:
                    typer.echo(f"  {f.path}: {note}")

    @flows.command("totals")
    def totals(
        partner: list[str] = typer.Option(..., "--partner", help="Partner code or name."),
        flow: str = typer.Option("export", "--flow", help="export | import"),
        reporter_group: str | None = typer.Option(None, "--reporter-group", help="e.g. EU27"),
        reporter: str | None = typer.Option(None, "--reporter", help="One reporter, e.g. DE"),
        product: str | None = typer.Option(None, "--product", help="TOTAL or HS/CN code"),
        by: str = typer.Option("year", "--by", help="year | month"),
        source: str | None = typer.Option(None, "--source", help="eurostat, comtrade, ..."),
        include_partial: bool = typer.Option(
            False, "--include-partial", help="Also print years with fewer than 12 months."
        ),
        as_json: bool = typer.Option(False, "--json", help="Print a JSON list."),
        engine: str = typer.Option("local", "--engine", help="local | spark (docs/scale.md)."),
        spark_master: str | None = typer.Option(
            None, "--spark-master", help="Spark master URL (default local[2])."
        ),
        parquet: str | None = typer.Option(
            None, "--parquet", help="Query this Parquet export of the flows (path or URL)."
        ),
    ) -> None:
        """Totals per period: a JSON list of {"partner", "period", "value"}."""
        from circumspect.engines.flows_job import run_on_flows
        from circumspect.flows import queries as q

        sel = q.Selection(
            tuple(q.resolve_code(p, "partner") for p in partner),
            flow=flow,
            reporter_group=reporter_group,
            reporter=q.resolve_code(reporter, "reporter") if reporter else None,
            product=product,
            source=source,
        )
        rows = run_on_flows(
            engine,
            spark_master,
            parquet,
            lambda src: q.totals(src, sel, by, include_partial=include_partial),
            lambda store: _check_source(store, source),
        )
        if as_json:
            typer.echo(json.dumps([r.public() for r in rows]))
        elif not rows:
            typer.echo(
                "no data for this selection (see `flows issues` for rows not loaded; "
                "--include-partial for incomplete years)",
                err=True,
            )
        else:
            for r in rows:
                typer.echo(f"{r.partner}\t{r.period}\t{r.value:,.0f} {r.currency}")

    @flows.command("growth")
    def growth(
        partner: list[str] = typer.Option(..., "--partner", help="Partner code or name."),
        flow: str = typer.Option("export", "--flow"),
        reporter_group: str | None = typer.Option("EU27", "--reporter-group"),
        product: str | None = typer.Option(None, "--product"),
        baseline: str = typer.Option("2021", "--baseline", help="2021 | 2019-2021"),
        source: str | None = typer.Option(None, "--source"),
        as_json: bool = typer.Option(False, "--json"),
        engine: str = typer.Option("local", "--engine", help="local | spark (docs/scale.md)."),
        spark_master: str | None = typer.Option(
            None, "--spark-master", help="Spark master URL (default local[2])."
        ),
        parquet: str | None = typer.Option(
            None, "--parquet", help="Query this Parquet export of the flows (path or URL)."
        ),
    ) -> None:
        """Yearly growth against the pre-invasion baseline (percent)."""
        from circumspect.engines.flows_job import run_on_flows
        from circumspect.flows import queries as q

        sel = q.Selection(
            tuple(q.resolve_code(p, "partner") for p in partner),
            flow=flow,
            reporter_group=reporter_group,
            product=product,
            source=source,
        )
        rows = run_on_flows(
            engine,
            spark_master,
            parquet,
            lambda src: q.growth(src, sel, baseline),
            lambda store: _check_source(store, source),
        )
        if as_json:
            typer.echo(json.dumps([r.__dict__ for r in rows]))
        else:
            for r in rows:
                pct = "" if r.growth_pct is None else f"{r.growth_pct:+.1f}%"
                typer.echo(f"{r.partner}\t{r.period}\t{r.value:,.0f}\t{pct}")

    @flows.command("watchlist")
    def watchlist_cmd(
        hub: str = typer.Option("KZ", "--hub", help="Transit hub (partner code or name)."),
        target: str = typer.Option("RU", "--target", help="Final destination."),
        baseline: str = typer.Option("2019-2021", "--baseline", help="2021 | 2019-2021"),
        out: Path = typer.Option(..., "-o", "--out", help="Controlled-goods list CSV to write."),
        top: int = typer.Option(50, "--top", min=1, help="Codes written to the list."),
        as_json: bool = typer.Option(False, "--json"),
    ) -> None:
        """Rank HS-6 codes by coalition export growth to the hub and the hub's exports to the
        target; write the top ones as a list for `declarations score --list`."""
        from circumspect.flows import queries as q
        from circumspect.flows.store import FlowStore
        from circumspect.flows.watchlist import watchlist, write_watchlist

        hub_code = q.resolve_code(hub, "partner")
        target_code = q.resolve_code(target, "partner")
        with FlowStore(read_only=True) as store:
            rows = watchlist(store, hub_code, target_code, baseline)
        n = write_watchlist(rows, out, hub_code, target_code, baseline, top)
        if as_json:
            typer.echo(
                json.dumps(
                    [
                        {
                            "code": r.code,
                            "score": r.score,
                            "growth": r.growth,
                            "hub_post": r.hub_post,
                        }
                        for r in rows[:top]
                    ]
                )
            )
        else:
            for rank, r in enumerate(rows[: min(top, 20)], start=1):
                pct = "" if r.growth_pct is None else f"{r.growth_pct:+.0f}%"
                typer.echo(
                    f"{rank:>3}. {r.code}  into {hub_code} {r.coalition_base:,.0f} -> "
                    f"{r.coalition_post:,.0f} ({pct}); {hub_code}->{target_code} "
                    f"{r.hub_post:,.0f}  score {r.score:,.0f}"
                )
            typer.echo(f"wrote {out}: {n} codes (use it with `declarations score --list {out}`)")

    @flows.command("roundabout")
    def roundabout(
        baseline: str = typer.Option("2021", "--baseline", help="2021 | 2019-2021"),
        as_json: bool = typer.Option(False, "--json"),
    ) -> None:
        """Exports to Russia's neighbours beside the fall of exports to Russia."""
        from circumspect.flows import indicators
        from circumspect.flows.store import FlowStore

        with FlowStore(read_only=True) as store:
            _rows, summary, note = indicators.roundabout(store, baseline=baseline)
        if as_json:
            typer.echo(json.dumps({"summary": summary, "note": note}))
        else:
            typer.echo(note)
            for s in summary:
                off = s["offset_pct"]
                ru = float(str(s["russia_change"])) / 1e9
                nb = float(str(s["neighbours_change"])) / 1e9
                offset = "" if off is None else f"{float(str(off)):.0f}%"
                typer.echo(
                    f"{s['goods']}\t{s['year']}\tRussia {ru:+.1f} bn\t"
                    f"neighbours {nb:+.1f} bn\toffset {offset}"
                )

    @flows.command("mirror")
    def mirror(
        partner: list[str] = typer.Option(["KZ", "KG", "AM", "UZ"], "--partner"),
        as_json: bool = typer.Option(False, "--json"),
    ) -> None:
        """EU27-reported exports vs partner-reported imports from the EU27."""
        from circumspect.flows import indicators
        from circumspect.flows import queries as q
        from circumspect.flows.store import FlowStore

        codes = tuple(q.resolve_code(p, "partner") for p in partner)
        with FlowStore(read_only=True) as store:
            rows = indicators.mirror(store, codes)
        if as_json:
            typer.echo(json.dumps([r.__dict__ for r in rows]))
        else:
            for r in rows:
                ratio = "" if r.ratio is None else f"{r.ratio:.2f}"
                typer.echo(
                    f"{r.partner}\t{r.year}\texporter {r.exporter_value:,.0f}\t"
                    f"importer {r.importer_value:,.0f}\tratio {ratio}"
                )

    @flows.command("did")
    def did_cmd(
        source: str | None = typer.Option(None, "--source", help="e.g. comtrade"),
        post_from: str = typer.Option("2022-03", "--post-from", help="First post month."),
        cluster: str = typer.Option("product", "--cluster", help="product | pair | robust"),
        as_json: bool = typer.Option(False, "--json"),
    ) -> None:
        """Difference-in-differences: CHPL goods x Russia's neighbours x post (HS-6 data)."""
        from circumspect.errors import InputError
        from circumspect.flows import did, indicators
        from circumspect.flows.store import FlowStore

        if cluster not in ("product", "pair", "robust"):
            raise InputError(f"--cluster must be product, pair or robust, not {cluster!r}")
        with FlowStore(read_only=True) as store:
            _check_source(store, source)
            result, note = did.from_store(
                store,
                neighbours=indicators.NEIGHBOURS,
                sanctioned_hs6=indicators.chpl_hs6(),
                post_from=post_from,
                source=source,
                cluster=cluster,
            )
        if as_json:
            typer.echo(json.dumps({"result": result.as_dict() if result else None, "note": note}))
        elif result is None:
            typer.echo(note)
        else:
            typer.echo(
                f"beta {result.beta:.4f}  se {result.se:.4f}  t {result.t:.2f}  "
                f"p {result.p_value:.3g}  ({note}; SE {cluster})"
            )

    @flows.command("issues")
    def issues(
        limit: int = typer.Option(
            20, "--limit", min=0, help="Rows and conflicts to list (0: counts only)."
        ),
    ) -> None:
        """Rows not loaded: counts by reason, then the first ones (file:line, field, value)
        and the conflicting cells with both files."""
        from circumspect.flows.store import FlowStore

        n = int(limit)
        with FlowStore(read_only=True) as store:
            for r in store.query(
                "SELECT problem, category, COUNT(*) AS n FROM issues "
                "GROUP BY problem, category ORDER BY n DESC"
            ):
                typer.echo(f"{r['n']}\t{r['category']}\t{r['problem']}")
            rows = store.query(
                "SELECT path, line, field, value, problem FROM issues WHERE category <> 'note' "
                f"AND category <> 'conflict' ORDER BY path, line LIMIT {n}"
            )
            if rows:
                typer.echo(f"\nfirst {len(rows)} row(s) not loaded:")
            for r in rows:
                where = f"{r['path']}:{r['line']}" if r["line"] is not None else str(r["path"])
                field = f" {r['field']}" if r["field"] else ""
                value = f" {r['value']!r}" if r["value"] is not None else ""
                typer.echo(f"  {where}:{field}{value}: {r['problem']}")
            conflicts = store.query(
                "SELECT c.*, kf.path AS kept_path, ofl.path AS other_path FROM conflicts c "
                "LEFT JOIN files kf ON kf.file_id = c.kept_file "
                f"LEFT JOIN files ofl ON ofl.file_id = c.other_file LIMIT {n}"
            )
            if conflicts:
                typer.echo(f"\nfirst {len(conflicts)} conflict(s) (kept value first):")
            for c in conflicts:
                cell = (
                    f"{c['source']} {c['reporter']}->{c['partner']} {c['product']} "
                    f"{c['flow']} {c['period']} ({c['stat_procedure']})"
                )
                kept = f"{c['kept_path'] or c['kept_file']}:{c['kept_line']}"
                other = f"{c['other_path'] or c['other_file']}:{c['other_line']}"
                typer.echo(
                    f"  {cell}: {c['kept_value']:,.0f} at {kept} vs "
                    f"{c['other_value']:,.0f} at {other}"
                )

    @flows.command("report")
    def report(
        out: Path = typer.Option(..., "--out", help="Folder for index.html, PNGs and CSVs."),
        baseline: str = typer.Option("2021", "--baseline", help="2021 | 2019-2021"),
        source: str | None = typer.Option(
            None, "--source", help="Exporter dataset to chart (default: eurostat if loaded)."
        ),
    ) -> None:
        """Write the HTML report (plotly), PNG charts and CSV tables."""
        from circumspect.flows import report as rep
        from circumspect.flows.store import FlowStore

        with FlowStore(read_only=True) as store:
            result = rep.build(store, out, baseline=baseline, source=source)
        typer.echo(
            f"report: {out / 'index.html'} ({len(result.charts)} charts, "
            f"{len(result.tables)} tables)"
        )
