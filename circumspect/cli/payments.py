"""`circumspect payments ...`: screen payment messages; generate a labelled test set."""

from __future__ import annotations

import os
from pathlib import Path

import typer

payments_app = typer.Typer(
    name="payments",
    help="Payment messages (ISO 20022 pacs.008/pacs.009/pain.001, SWIFT MT103/MT202).",
    no_args_is_help=True,
)


def register(app: typer.Typer) -> None:
    app.add_typer(payments_app, name="payments")


@payments_app.command("screen")
def screen(
    paths: list[Path] = typer.Argument(..., help="Message files or directories."),
    out: Path = typer.Option(..., "-o", "--out", help="CSV to write (one row per file)."),
    db: str | None = typer.Option(
        None,
        "--db",
        help="Database URL with the loaded lists (default: $CIRCUMSPECT_DB or SQLite).",
    ),
    policy: Path | None = typer.Option(
        None,
        "--policy",
        help="Policy YAML (default: the bundled circumspect/payments/data/policy.yaml).",
    ),
    cases: bool = typer.Option(
        False,
        "--cases",
        help="Open a review case for every held or rejected message (in the --db database).",
    ),
    workers: int = typer.Option(
        0, "--workers", min=0, max=64, help="Processes screening the files (0 = one per core)."
    ),
) -> None:
    """Screen every message file; write file, message_id, format, decision, flags,
    explanation. Formats are detected from the content; unreadable messages are `error`."""
    from rich.console import Console
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    from circumspect.payments.batch import (
        check_writable,
        collect_files,
        engine_from_store,
        screen_paths,
        summary,
        write_csv,
    )
    from circumspect.payments.policy import Policy

    files = collect_files(paths)
    check_writable(out)
    console = Console(stderr=True)
    with console.status("loading lists and building the screening index"):
        engine = engine_from_store(db, Policy.load(policy) if policy else None)
    with Progress(
        TextColumn("screening"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=console,
        transient=True,
    ) as bar:
        task = bar.add_task("screen", total=len(files))
        results = screen_paths(
            files, engine, lambda _p, _d: bar.advance(task), workers=workers or os.cpu_count() or 1
        )
    write_csv(results, out)
    counts = summary(results)
    parts = ", ".join(f"{counts.get(k, 0)} {k}" for k in ("pass", "hold", "reject", "error"))
    typer.echo(f"{len(results)} files screened ({parts}); wrote {out}", err=True)
    if cases:
        from circumspect.services.payments import open_payment_case

        outcomes = [open_payment_case(d, file=str(p), db_url=db, actor="cli") for p, d in results]
        opened = sum(1 for o in outcomes if o is not None and o.status == "opened")
        other = sum(1 for o in outcomes if o is not None and o.status != "opened")
        typer.echo(f"cases: {opened} opened, {other} existing/reopened/suppressed", err=True)


@payments_app.command("generate")
def generate(
    out: Path = typer.Argument(..., help="Folder for messages/ and manifest.csv."),
    db: str | None = typer.Option(None, "--db", help="Database URL with the loaded lists."),
    clean: int = typer.Option(500, min=0, help="Clean KZ<->EU payments."),
    exposed: int = typer.Option(
        250, min=0, help="Payments exposed to listed banks, parties, vessels or territories."
    ),
    malformed: int = typer.Option(100, min=0, help="Malformed messages."),
    seed: int = typer.Option(9, help="Random seed."),
) -> None:
    """Write a labelled set of generated messages (see circumspect/synth/payments.py)."""
    from circumspect.store import open_store
    from circumspect.synth.payments import generate as make
    from circumspect.synth.payments import write_set

    store = open_store(db)
    try:
        entities = list(store.iter_entities())
    finally:
        store.close()
    messages = make(entities, clean=clean, exposed=exposed, malformed=malformed, seed=seed)
    manifest = write_set(messages, out)
    typer.echo(f"{len(messages)} messages in {out / 'messages'}; labels in {manifest}", err=True)
