"""The ``circumspect`` command.

Command groups live in sibling modules (``lists.py``, ``screen.py``, ...). Each defines
``register(app: typer.Typer) -> None``; this module discovers and calls them, so that
capabilities can be added without editing a central list. Modules import heavy libraries
inside their command functions to keep start-up fast.
"""

from __future__ import annotations

import importlib
import pkgutil
import sys

import typer

from circumspect import __version__
from circumspect.errors import CircumspectError

app = typer.Typer(
    name="circumspect",
    help="Sanctions-circumvention screening: lists, parties, goods, payments, flows, routes.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
)


def _version(value: bool) -> None:
    if value:
        typer.echo(f"circumspect {__version__}")
        raise typer.Exit()


@app.callback()
def _root(
    version: bool = typer.Option(
        False, "--version", callback=_version, is_eager=True, help="Print the version."
    ),
) -> None:
    """circumspect command line."""


def _register_all() -> None:
    import circumspect.cli as package

    for info in sorted(pkgutil.iter_modules(package.__path__), key=lambda m: m.name):
        if info.name in ("main",) or info.name.startswith("_"):
            continue
        module = importlib.import_module(f"circumspect.cli.{info.name}")
        register = getattr(module, "register", None)
        if callable(register):
            register(app)


_register_all()


def main() -> None:
    """Entry point: run the CLI, turning known errors into one clear line and exit code 2."""
    try:
        # Without standalone mode click returns the code of a ``typer.Exit`` instead of
        # exiting with it; pass it on.
        result = app(standalone_mode=False)
        if isinstance(result, int) and result != 0:
            sys.exit(result)
    except CircumspectError as exc:
        typer.echo(f"error: {exc}", err=True)
        sys.exit(2)
    except typer.Exit as exc:
        sys.exit(exc.exit_code)
    except typer.Abort:
        typer.echo("aborted", err=True)
        sys.exit(130)
    except KeyboardInterrupt:
        typer.echo("interrupted", err=True)
        sys.exit(130)
    except Exception as exc:  # click usage errors and the like
        import click

        # typer >= 0.20 vendors click as ``typer._click``: its usage errors derive from
        # typer.exceptions.TyperException, not from click.ClickException.
        usage_errors: tuple[type[Exception], ...] = (click.ClickException,)
        try:
            from typer._click.exceptions import ClickException as VendoredClickException

            usage_errors += (VendoredClickException,)
        except ImportError:  # pragma: no cover - older typer uses click itself
            pass
        if isinstance(exc, usage_errors):
            exc.show()  # type: ignore[attr-defined]
            sys.exit(exc.exit_code)  # type: ignore[attr-defined]
        raise


if __name__ == "__main__":
    main()
