"""`circumspect screen`, `screen-file` and `compare`: party screening from the command line.

Screening runs against the active list snapshots of the store (``--db URL``, else
``$CIRCUMSPECT_DB``, else SQLite under ``$CIRCUMSPECT_HOME``); the candidate index is
cached under ``$CIRCUMSPECT_HOME/index/`` and rebuilt when the active snapshots change.
Formats: ``docs/screening.md``.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import TYPE_CHECKING

import typer

from circumspect.cli._progress import progress_bar

if TYPE_CHECKING:
    from circumspect.matching.screener import Screener

DB_OPTION = typer.Option(None, "--db", help="Database URL (default: $CIRCUMSPECT_DB or SQLite).")


def register(app: typer.Typer) -> None:
    app.command("screen")(screen)
    app.command("screen-file")(screen_file)
    app.command("compare")(compare)


GROUP_OPTION = typer.Option(
    True,
    "--group/--no-group",
    help="One result per entity listed on several lists, with every entry in `sources` "
    "(see `circumspect entities explain`); --no-group lists every entry.",
)


def _screener(db: str | None, threshold: float | None, group: bool = True) -> Screener:
    from circumspect.errors import NotFoundError
    from circumspect.matching.screener import Screener
    from circumspect.store import open_store

    store = open_store(db)
    try:
        if not store.active_snapshots():
            raise NotFoundError(
                "no list is loaded: load one with `circumspect lists load SOURCE FILES...`"
            )
        screener = Screener.from_store(store, threshold=threshold)
        screener.group = group
        return screener
    finally:
        store.close()


def screen(
    name: str = typer.Argument(..., help="Name of the party (any script)."),
    schema: str = typer.Option(
        "LegalEntity",
        "--schema",
        help="Person, Company, Organization, LegalEntity, Vessel, Airplane.",
    ),
    country: str | None = typer.Option(None, "--country", help="Country code or name."),
    birth_date: str | None = typer.Option(
        None, "--birth-date", help="YYYY, YYYY-MM or YYYY-MM-DD."
    ),
    identifier: str | None = typer.Option(
        None, "--id", help="BIN/IIN, INN, OGRN, BIC, IMO, LEI..."
    ),
    limit: int = typer.Option(5, "--limit", help="Most candidates to show."),
    threshold: float | None = typer.Option(
        None, "--threshold", help="Alert threshold (default: $CIRCUMSPECT_ALERT_THRESHOLD)."
    ),
    as_json: bool = typer.Option(False, "--json", help="Print JSON instead of a table."),
    db: str | None = DB_OPTION,
    group: bool = GROUP_OPTION,
) -> None:
    """Screen one party against the loaded sanctions lists."""
    from circumspect.model.records import candidate_json
    from circumspect.model.screening import Query

    screener = _screener(db, threshold, group)
    query = Query(name, schema, country, birth_date, identifier)
    candidates = screener.screen(query, limit=limit)
    if as_json:
        payload = {
            "query": {
                "name": name,
                "schema": schema,
                "country": country,
                "birth_date": birth_date,
                "identifier": identifier,
            },
            "threshold": screener.threshold,
            "candidates": [candidate_json(c) for c in candidates],
        }
        typer.echo(json.dumps(payload, ensure_ascii=False, indent=2))
        return
    if not candidates:
        typer.echo("no candidates")
        return
    from rich.console import Console
    from rich.table import Table

    table = Table(title=f"{name} ({schema}) - alert at {screener.threshold:.2f}")
    for col in ("#", "score", "alert", "source", "caption", "explanation"):
        table.add_column(col, overflow="fold")
    for rank, c in enumerate(candidates, start=1):
        table.add_row(
            str(rank),
            f"{c.score:.2f}",
            "ALERT" if c.alert else "",
            f"{c.source}:{c.source_id}",
            c.caption,
            c.explanation,
        )
    Console().print(table)


def screen_file(
    in_path: str = typer.Argument(
        ..., help="CSV: query_id,name,schema[,country,birth_date,identifier] (path or URL)"
    ),
    out: str = typer.Option(..., "-o", "--out", help="Output CSV (one row per candidate)."),
    limit: int = typer.Option(5, "--limit", help="Most candidates per query."),
    min_score: float = typer.Option(0.5, "--min-score", help="Lowest candidate score written."),
    errors: str | None = typer.Option(
        None, "--errors", help="CSV of rejected rows (default: OUT with .errors.csv)."
    ),
    threshold: float | None = typer.Option(None, "--threshold", help="Alert threshold."),
    db: str | None = DB_OPTION,
    engine: str = typer.Option("local", "--engine", help="local | spark (docs/scale.md)."),
    spark_master: str | None = typer.Option(
        None, "--spark-master", help="Spark master URL (default local[2]; spark://, yarn, k8s://)."
    ),
    group: bool = GROUP_OPTION,
    workers: int = typer.Option(
        0,
        "--workers",
        min=0,
        max=64,
        help="Processes screening the distinct names (local engine; 0 = one per core).",
    ),
) -> None:
    """Screen every row of a CSV file; every row is screened or reported as rejected."""
    from circumspect.engines import get_engine
    from circumspect.engines.jobs import errors_path_for, screen_file_job

    runner = get_engine(engine, spark_master)
    screener = _screener(db, threshold, group)
    errors_path = errors or errors_path_for(out)
    try:
        with progress_bar("screening") as progress:
            stats = screen_file_job(
                runner,
                in_path,
                out,
                screener,
                limit=limit,
                min_score=min_score,
                errors=errors_path,
                progress=progress,
                workers=workers or (os.cpu_count() or 1),
            )
    finally:
        runner.close()
    for line, qid, fld, message in stats.errors[:20]:
        where = f"line {line}" + (f" (query {qid})" if qid else "") + (f" {fld}" if fld else "")
        typer.echo(f"rejected {in_path}:{where}: {message}", err=True)
    if len(stats.errors) > 20:
        typer.echo(f"... {len(stats.errors) - 20} more rejected rows in {errors_path}", err=True)
    typer.echo(stats.summary())
    typer.echo(f"wrote {out}" + (f"; rejected rows in {errors_path}" if stats.errors else ""))


def compare(
    pairs: Path = typer.Option(..., "--pairs", help="CSV with schema,name1,name2 (others kept)."),
    out: Path = typer.Option(..., "-o", "--out", help="Output CSV with score,match,explanation."),
    threshold: float | None = typer.Option(None, "--threshold", help="Match threshold."),
) -> None:
    """Score pairs of names without any list loaded."""
    from circumspect import settings
    from circumspect.matching.batch import compare_file

    errors_path = out.with_name(out.stem + ".errors.csv")
    limit = settings.alert_threshold() if threshold is None else threshold
    with progress_bar("comparing") as progress:
        stats = compare_file(
            pairs, out, threshold=limit, errors_path=errors_path, progress=progress
        )
    for line, _, fld, message in stats.errors[:20]:
        typer.echo(f"rejected {pairs}:line {line}{' ' + fld if fld else ''}: {message}", err=True)
    typer.echo(
        f"read {stats.read:,} pairs: {stats.screened:,} scored, {stats.rejected:,} rejected; "
        f"{stats.alerts:,} match at {limit:.2f}"
    )
    typer.echo(f"wrote {out}")
