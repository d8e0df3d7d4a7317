"""`circumspect goods ...`: HS code checks and description search."""

from __future__ import annotations

import json
from pathlib import Path

import typer


def register(app: typer.Typer) -> None:
    goods = typer.Typer(
        help="HS codes, controlled goods lists, description search.", no_args_is_help=True
    )
    app.add_typer(goods, name="goods")

    @goods.command("check")
    def check(
        code: str = typer.Argument(..., help="HS-6, CN-8 or TN VED 10 code; dots/spaces ok."),
        extra_list: list[Path] = typer.Option(
            [], "--list", help="Your own controlled list CSV (repeatable)."
        ),
        as_json: bool = typer.Option(False, "--json", help="Print JSON."),
    ) -> None:
        """Normalise a code, describe it and say whether it is on a controlled list."""
        from circumspect.goods.lists import build_index
        from circumspect.goods.nomenclature import default_nomenclature

        nom = default_nomenclature()
        hs = nom.validate(code)
        status = build_index(extra_list).status(hs)
        if as_json:
            data = status.to_dict()
            data["level"] = hs.level
            data["description"] = nom.describe(hs)
            typer.echo(json.dumps(data, ensure_ascii=False, indent=2))
            return
        typer.echo(f"{hs.dotted()}  ({hs.level}, {nom.version})")
        for entry in nom.path(hs):
            typer.echo(f"  {entry.code:<6} {entry.description}")
        if len(hs.digits) > 6:
            typer.echo("  (national digits beyond HS-6 are not checked against a CN/TN VED table)")
        typer.echo(("CONTROLLED  " if status.controlled else "not controlled  ") + status.summary())
        if status.chpl_tier:
            typer.echo(f"CHPL tier {status.chpl_tier}")

    @goods.command("suggest")
    def suggest_cmd(
        text: str = typer.Argument(..., help="Goods description (English or Russian)."),
        limit: int = typer.Option(5, "--limit", "-n", min=1, max=50),
        as_json: bool = typer.Option(False, "--json", help="Print JSON."),
    ) -> None:
        """Top HS-6 candidates for a goods description, with control status."""
        from circumspect.goods.suggest import suggest

        results = suggest(text, limit)
        if as_json:
            typer.echo(json.dumps([s.to_dict() for s in results], ensure_ascii=False, indent=2))
            return
        if not results:
            typer.echo("no candidates: try other words or an HS heading")
            return
        for rank, s in enumerate(results, start=1):
            flag = (
                f"CONTROLLED tier {s.status.chpl_tier}"
                if s.status.chpl_tier
                else ("CONTROLLED" if s.status.controlled else "-")
            )
            typer.echo(f"{rank}. {s.code[:4]}.{s.code[4:]}  {s.score:6.3f}  {flag}")
            typer.echo(f"   {s.description[:110]}")
            typer.echo(f"   why: {s.why}")

    @goods.command("build-data")
    def build_data_cmd(
        csv_path: Path = typer.Argument(..., help="datasets/harmonized-system CSV."),
        out: Path = typer.Option(..., "-o", "--out", help="Output .json.gz file."),
        sections: Path | None = typer.Option(None, "--sections", help="sections.csv"),
    ) -> None:
        """Convert the public HS nomenclature CSV into the compact shipped data file."""
        from circumspect.goods.nomenclature import build_data

        nom = build_data(csv_path, out, sections)
        typer.echo(f"wrote {out}: {len(nom)} codes")
