"""``circumspect route FROM TO``: freight routes, optionally avoiding countries."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import typer


def _console() -> Any:
    import sys

    from rich.console import Console

    return Console() if sys.stdout.isatty() else Console(width=160)


def _table(plan: Any) -> None:
    from rich.table import Table

    console = _console()
    head = (
        f"{plan.origin.name} ({plan.origin.id}) -> {plan.destination.name} "
        f"({plan.destination.id}); optimize {plan.optimize}, cargo {plan.cargo}"
    )
    if plan.avoid:
        head += f", avoiding {','.join(plan.avoid)}"
    if plan.avoid_modes:
        head += f", without {','.join(plan.avoid_modes)}"
    if plan.month:
        head += f", month {plan.month}"
    console.print(head)
    for i, r in enumerate(plan.routes, 1):
        flag = (
            f"  [bold red]SANCTIONED TRANSIT: {', '.join(r.sanctioned_transit)}[/]"
            if r.sanctioned_transit
            else ""
        )
        pareto = " (Pareto-optimal)" if r.pareto else ""
        console.print(
            f"\n[bold]Route {i}[/]{pareto}: {r.total_km:,.0f} km, {r.days_min:.1f}-"
            f"{r.days_max:.1f} days, USD {r.total_cost:,.0f} per {r.cargo} "
            f"({r.estimated_cost_share:.0%} of the cost estimated); countries "
            f"{'-'.join(r.countries)}{flag}"
        )
        t = Table(show_header=True, header_style="bold")
        for col in ("from", "to", "mode", "countries", "km", "days", "USD", "est.", "note"):
            t.add_column(col, justify="right" if col in ("km", "days", "USD") else "left")
        for leg in r.legs:
            to = leg.to_id if leg.edge_id else f"({leg.service})"
            t.add_row(
                leg.from_id,
                to,
                leg.mode,
                "-".join(leg.countries),
                f"{leg.km:,.0f}" if leg.edge_id else "",
                f"{leg.days_min:g}-{leg.days_max:g}",
                f"{leg.cost:,.0f}",
                ",".join(leg.estimated),
                leg.note if leg.edge_id else "",
            )
        console.print(t)
    if plan.pareto:
        console.print(
            "\nPareto set (cost, time, distance): "
            + "; ".join(
                f"USD {r.total_cost:,.0f} / {r.days_mid:.1f} d / {r.total_km:,.0f} km via {r.via()}"
                for r in plan.pareto
            )
        )


def _comparison_table(cmp: Any) -> None:
    from rich.table import Table

    t = Table(
        title=f"shortest ({cmp.optimize}) vs avoiding {','.join(cmp.avoid)}, USD per {cmp.cargo}"
    )
    for col in ("route", "via", "km", "days", "USD", "sanctioned transit"):
        t.add_column(col)
    for row in cmp.rows():
        days = "" if row["days_min"] == "" else f"{row['days_min']}-{row['days_max']}"
        if row["route"] == "premium":
            days = f"+{row['days_min']} / +{row['days_max']}"
        t.add_row(
            row["route"],
            row["via"],
            str(row["km"]),
            days,
            str(row["cost_usd"]),
            row["sanctioned_transit"],
        )
    _console().print(t)


def route(
    origin: str = typer.Argument(..., metavar="FROM", help="Node id or place name."),
    destination: str = typer.Argument(..., metavar="TO", help="Node id or place name."),
    avoid: str = typer.Option("", "--avoid", help="Countries to avoid, e.g. RU,BY."),
    avoid_mode: str = typer.Option(
        "", "--avoid-mode", help="Modes to avoid: rail,road,sea,ferry,pipeline."
    ),
    optimize: str = typer.Option("cost", "--optimize", help="cost | time | distance."),
    k: int = typer.Option(3, "--k", help="Number of routes."),
    cargo: str = typer.Option("feu", "--cargo", help="teu | feu | tonne (tonne: oil/bulk)."),
    month: int = typer.Option(0, "--month", help="1-12: apply seasonal waiting/closures."),
    as_json: bool = typer.Option(False, "--json", help="Print JSON."),
    map_out: Path | None = typer.Option(
        None, "--map", help="Write an HTML map here (and a PNG beside it)."
    ),
    compare: bool = typer.Option(
        False,
        "--compare",
        help="Compare the shortest route with one avoiding --avoid (default RU,BY).",
    ),
) -> None:
    """Plan freight routes from FROM to TO (k best, Pareto set, sanctioned transit flag)."""
    import orjson

    from circumspect.routes.network import default_network
    from circumspect.routes.planner import compare_routes, plan_routes

    net = default_network()
    the_month = month or None
    if map_out is not None:  # refuse an unwritable --map before planning, write both or none
        from circumspect.routes.render import check_writable

        check_writable(map_out)
        check_writable(map_out.with_suffix(".png"))
    plan = plan_routes(
        origin,
        destination,
        avoid=avoid,
        avoid_modes=avoid_mode,
        optimize=optimize,
        k=k,
        cargo=cargo,
        month=the_month,
        network=net,
    )
    cmp = None
    if compare:
        cmp = compare_routes(
            origin,
            destination,
            avoid=avoid or "RU,BY",
            avoid_modes=avoid_mode,
            optimize=optimize,
            cargo=cargo,
            month=the_month,
            network=net,
        )
    written: list[Path] = []
    if map_out is not None:
        from circumspect.routes.render import write_map_html, write_map_png

        groups: list[tuple[str, list[Any], list[str]]] = [
            ("route", list(plan.routes), list(plan.avoid))
        ]
        if cmp is not None:
            groups = [("shortest", [cmp.baseline], [])]
            if cmp.alternative is not None:
                groups.append(
                    (f"avoiding {','.join(cmp.avoid)}", [cmp.alternative], list(cmp.avoid))
                )
        written.append(write_map_html(map_out, groups, net))
        written.append(write_map_png(map_out.with_suffix(".png"), groups, net))
    if as_json:
        doc: dict[str, Any] = plan.to_dict()
        if cmp is not None:
            doc["comparison"] = cmp.to_dict()
        if written:
            doc["files"] = [str(p) for p in written]
        typer.echo(orjson.dumps(doc, option=orjson.OPT_INDENT_2).decode())
        return
    _table(plan)
    if cmp is not None:
        _comparison_table(cmp)
    for p in written:
        typer.echo(f"wrote {p}")


def register(app: typer.Typer) -> None:
    app.command("route")(route)
