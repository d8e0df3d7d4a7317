"""`circumspect settings`: the configuration table with the values in force."""

from __future__ import annotations

import typer


def register(app: typer.Typer) -> None:
    @app.command("settings")
    def settings_cmd() -> None:
        """Print every CIRCUMSPECT_* setting, its value and its meaning."""
        from circumspect import settings

        for s in settings.SETTINGS:
            typer.echo(f"{s.name}={settings.get(s.name)!r}\n    {s.help}")
