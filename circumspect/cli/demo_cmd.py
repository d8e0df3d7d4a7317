"""`circumspect demo`."""

from __future__ import annotations

from pathlib import Path

import typer


def register(app: typer.Typer) -> None:
    @app.command("demo")
    def demo(
        out: Path = typer.Option(Path("demo-out"), "--out", help="Folder for demo outputs."),
    ) -> None:
        """Run every capability offline on the bundled demo data and say what it did."""
        from circumspect.demo import run_demo

        results = run_demo(out, echo=typer.echo)
        typer.echo(f"demo finished: {len(results)} steps, outputs in {out}")
