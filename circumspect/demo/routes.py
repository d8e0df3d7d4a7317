"""Demo step: what avoiding Russia costs for Kazakh containers and crude oil.

Reads the demo shipments (``circumspect/data/demo/routes/shipments.csv``), compares for each
the best route without constraints with the best route avoiding the listed countries, and
writes ``routes_comparison.csv``, ``routes_map.html`` and ``routes_map.png`` to ``ctx.out/routes/``.
"""

from __future__ import annotations

import csv
from typing import Any

from circumspect.demo.context import DemoContext
from circumspect.errors import ParseError


def run(ctx: DemoContext) -> str:
    from circumspect.routes.network import default_network
    from circumspect.routes.planner import compare_routes
    from circumspect.routes.render import (
        comparison_rows,
        write_comparison_csv,
        write_map_html,
        write_map_png,
    )

    net = default_network()
    path = ctx.data / "routes" / "shipments.csv"
    rows: list[dict[str, Any]] = []
    groups: list[tuple[str, list[Any], list[str]]] = []
    lines: list[str] = []
    with path.open(encoding="utf-8", newline="") as fh:
        reader = csv.DictReader(fh)
        for row in reader:
            for col in ("case", "from", "to", "cargo", "optimize", "avoid"):
                if not (row.get(col) or "").strip():
                    raise ParseError(
                        "value required", file=str(path), line=reader.line_num, field=col
                    )
            cmp = compare_routes(
                row["from"],
                row["to"],
                avoid=row["avoid"].split(";"),
                optimize=row["optimize"],
                cargo=row["cargo"],
                network=net,
            )
            rows.extend(comparison_rows(row["case"], cmp))
            groups.append((f"{row['case']} shortest", [cmp.baseline], []))
            base = cmp.baseline
            if cmp.alternative is None:
                lines.append(f"{row['case']}: no route avoiding {','.join(cmp.avoid)}")
                continue
            groups.append(
                (
                    f"{row['case']} avoiding {','.join(cmp.avoid)}",
                    [cmp.alternative],
                    list(cmp.avoid),
                )
            )
            pd = cmp.premium_days or (0.0, 0.0)
            unit = "t" if cmp.cargo == "tonne" else cmp.cargo.upper()
            lines.append(
                f"{row['case']}: best ({cmp.optimize}) {base.total_km:,.0f} km "
                f"{base.days_min:.0f}-{base.days_max:.0f} d USD {base.total_cost:,.0f}/{unit}"
                f" via {'-'.join(base.countries)}"
                f"{' [transits ' + ','.join(base.sanctioned_transit) + ']' if base.sanctioned_transit else ''}"  # noqa: E501
                f"; avoiding {','.join(cmp.avoid)} {cmp.alternative.total_km:,.0f} km "
                f"{cmp.alternative.days_min:.0f}-{cmp.alternative.days_max:.0f} d "
                f"USD {cmp.alternative.total_cost:,.0f}/{unit} via "
                f"{'-'.join(cmp.alternative.countries)}; premium {pd[0]:+.1f}/{pd[1]:+.1f} d, "
                f"USD {cmp.premium_cost or 0:+,.0f}/{unit}"
            )
    out = ctx.out / "routes"  # like every other step: its own folder
    csv_path = write_comparison_csv(out / "routes_comparison.csv", rows)
    html = write_map_html(out / "routes_map.html", groups, net)
    png = write_map_png(
        out / "routes_map.png",
        groups,
        net,
        title="Shortest routes vs routes avoiding Russia/Belarus (demo)",
    )
    ctx.shared["routes_comparison"] = str(csv_path)
    return (
        f"routes: {len(net.nodes)} places, {len(net.edges)} legs; "
        + " | ".join(lines)
        + f". Wrote {csv_path.name}, {html.name}, {png.name} in {out}."
    )
