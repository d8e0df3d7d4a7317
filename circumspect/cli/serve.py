"""`circumspect serve`: run the API and web pages with uvicorn."""

from __future__ import annotations

import os

import typer


def serve(
    host: str = typer.Option("127.0.0.1", "--host", help="Address to bind."),
    port: int = typer.Option(8000, "--port", min=1, max=65535),
    workers: int = typer.Option(1, "--workers", min=1, max=64, help="Worker processes."),
    db: str | None = typer.Option(None, "--db", help="Database URL (default CIRCUMSPECT_DB)."),
    log_level: str = typer.Option("warning", "--log-level"),
) -> None:
    """Serve the HTTP API (/v1, /openapi.json, /health) and the web pages (/ui)."""
    import uvicorn

    from circumspect.cases.service import CaseService
    from circumspect.settings import db_url

    url = db_url(db)
    os.environ["CIRCUMSPECT_DB"] = url  # workers inherit the database
    # Migrate once before the workers start.
    CaseService(url).close()
    typer.echo(f"circumspect serving on http://{host}:{port} (db {url.split('@')[-1]})",
               err=True)
    uvicorn.run(
        "circumspect.api.app:app_factory", factory=True, host=host, port=port,
        workers=workers, log_level=log_level, access_log=False,
    )


def register(app: typer.Typer) -> None:
    app.command("serve")(serve)
