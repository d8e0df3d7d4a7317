"""`circumspect declarations ...`: score customs declarations for circumvention risk."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import typer


def register(app: typer.Typer) -> None:
    group = typer.Typer(
        help="Customs declarations: circumvention risk scoring.", no_args_is_help=True
    )
    app.add_typer(group, name="declarations")

    @group.command("score")
    def score(
        input_path: str = typer.Argument(
            ..., metavar="IN", help="Declarations file (.csv, .parquet, .xlsx)."
        ),
        out: str = typer.Option(..., "-o", "--out", help="Output file (.csv, .parquet, .xlsx)."),
        errors: str | None = typer.Option(
            None, "--errors", help="Write rejected rows' errors here."
        ),
        rules: Path | None = typer.Option(None, "--rules", help="Rules YAML (default: shipped)."),
        db: str | None = typer.Option(
            None, "--db", help="Store URL with the lists (default: settings)."
        ),
        no_screening: bool = typer.Option(
            False, "--no-screening", help="Score without party screening (rule party_listed off)."
        ),
        extra_list: list[Path] = typer.Option(
            [], "--list", help="Your own controlled goods list CSV (repeatable)."
        ),
        workers: int = typer.Option(
            0, "--workers", min=0, help="Processes for party screening (0 = one per CPU)."
        ),
        transfers: str | None = typer.Option(
            None,
            "--transfers",
            help="Importers' outbound transfers (.csv, .parquet, .xlsx) for rule reexport_chain.",
        ),
        brands_file: Path | None = typer.Option(
            None,
            "--brands",
            help="Your brands CSV (replaces the shipped one; docs/goods.md). Bad rows are "
            "reported and skipped.",
        ),
        transfer_errors: str | None = typer.Option(
            None,
            "--transfer-errors",
            help="Rejected transfers (default: <OUT stem>.transfer_errors.csv).",
        ),
        html: Path | None = typer.Option(None, "--html", help="Also write an HTML report."),
        engine: str = typer.Option("local", "--engine", help="local | spark (docs/scale.md)."),
        spark_master: str | None = typer.Option(
            None,
            "--spark-master",
            help="Spark master URL (default local[2]; spark://, yarn, k8s://).",
        ),
    ) -> None:
        """Score each declaration (risk_score 0-100, decision, flags, explanation)."""
        from rich.progress import (
            BarColumn,
            MofNCompleteColumn,
            Progress,
            TextColumn,
            TimeElapsedColumn,
        )

        from circumspect.engines import get_engine
        from circumspect.engines.jobs import score_declarations_job
        from circumspect.goods.lists import build_index
        from circumspect.risk.rules import load_rules
        from circumspect.risk.score import screener_from_db

        runner = get_engine(engine, spark_master)
        ruleset = load_rules(rules)
        screener = None if no_screening else screener_from_db(db)
        # a bad --list fails here, before the input is read
        controls = build_index(extra_list) if extra_list else None
        extractor = None
        if brands_file is not None:
            from circumspect.goods.brands import BrandExtractor, load_brands

            brand_rows, brand_errors = load_brands(brands_file)
            for e in brand_errors:
                typer.echo(
                    f"brands {brands_file}:{e.line} {e.column}: {e.reason} (row skipped)", err=True
                )
            typer.echo(
                f"brands: {len(brand_rows)} loaded, {len(brand_errors)} rows rejected "
                f"from {brands_file}"
            )
            extractor = BrandExtractor(brand_rows)

        class RowsPerSecond(TextColumn):
            def __init__(self) -> None:
                super().__init__("")

            def render(self, task: Any) -> Any:
                from rich.text import Text

                speed = task.finished_speed or task.speed
                return Text(f"{speed:,.0f} rows/s" if speed else "")

        with Progress(
            TextColumn("{task.description}"),
            BarColumn(),
            MofNCompleteColumn(),
            RowsPerSecond(),
            TimeElapsedColumn(),
            transient=False,
        ) as bar:
            tasks: dict[str, Any] = {}

            def progress(stage: str, k: int, total: int | None) -> None:
                label = {
                    "read": "reading",
                    "validated": "validating",
                    "parties": "screening parties",
                    "scored": "scoring",
                }[stage]
                if stage not in tasks:
                    tasks[stage] = bar.add_task(label, total=total)
                bar.advance(tasks[stage], k)

            try:
                report = score_declarations_job(
                    runner,
                    input_path,
                    out,
                    errors,
                    screener=screener,
                    rules=ruleset,
                    workers=workers or os.cpu_count() or 1,
                    progress=progress,
                    controls=controls,
                    transfers=transfers,
                    transfer_errors=transfer_errors,
                    brands=extractor,
                )
            finally:
                runner.close()
        typer.echo(report.summary())
        if report.flags:
            typer.echo("flags: " + ", ".join(f"{k} {v}" for k, v in report.flags.items()))
        typer.echo(f"wrote {out}" + (f" and {errors}" if errors else ""))
        if report.transfer_errors:
            typer.echo(f"wrote {report.transfer_errors} (rejected transfers)")
        if html is not None:
            from circumspect.risk.report import write_report

            write_report(Path(out), Path(errors) if errors else None, ruleset, html)
            typer.echo(f"wrote {html}")
