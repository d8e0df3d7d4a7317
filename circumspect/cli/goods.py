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
        origin: str = typer.Option("", "--origin", help="Origin country (ISO alpha-2)."),
        to: str = typer.Option("", "--to", help="Destination country (ISO alpha-2)."),
        exporter: str = typer.Option("", "--exporter", help="Exporter's country (ISO alpha-2)."),
        ban_file: list[Path] = typer.Option(
            [], "--bans", help="An extra ban list CSV (repeatable; docs/goods.md)."
        ),
        as_json: bool = typer.Option(False, "--json", help="Print JSON."),
    ) -> None:
        """Normalise a code, describe it, and print every ban and list that covers it.

        With --origin/--to, bans are split into those that apply to that origin and
        destination and those that cover the code but bind other origins/destinations.
        """
        from circumspect.goods.bans import load_bans
        from circumspect.goods.lists import build_index
        from circumspect.goods.nomenclature import default_nomenclature

        nom = default_nomenclature()
        hs = nom.validate(code)
        status = build_index(extra_list).status(hs)
        bans = load_bans(ban_file).check(hs, origin=origin, to=to, exporter=exporter)
        if as_json:
            data = status.to_dict()
            data["level"] = hs.level
            data["description"] = nom.describe(hs)
            data["origin"], data["to"] = origin.upper(), to.upper()
            data["bans"] = [b.to_dict() for b in bans]
            typer.echo(json.dumps(data, ensure_ascii=False, indent=2))
            return
        typer.echo(f"{hs.dotted()}  ({hs.level}, {nom.version})")
        for entry in nom.path(hs):
            typer.echo(f"  {entry.code:<6} {entry.description}")
        if len(hs.digits) > 6:
            typer.echo("  (national digits beyond HS-6 are not checked against a CN/TN VED table)")
        typer.echo(
            ("CONTROLLED  " if status.controlled else "controlled lists: ") + status.summary()
        )
        if status.chpl_tier:
            typer.echo(f"CHPL tier {status.chpl_tier}")
        applying = [b for b in bans if b.applies]
        other = [b for b in bans if not b.applies]
        where = " ".join(
            x
            for x in (
                f"origin {origin.upper()}" if origin else "",
                f"to {to.upper()}" if to else "",
            )
            if x
        )
        typer.echo(
            f"bans and lists that apply{' (' + where + ')' if where else ''}: {len(applying)}"
        )
        for b in applying:
            tag = "PARALLEL-IMPORT LIST" if b.list.kind == "parallel_import" else "BANNED"
            typer.echo(f"  {tag}  {b.text()}")
        if other:
            typer.echo(f"covering the code but not for this origin/destination: {len(other)}")
            for b in other:
                typer.echo(f"  -  {b.text()}  ({b.why})")

    lists_cmd = typer.Typer(help="Shipped ban lists and controlled lists.", no_args_is_help=True)
    goods.add_typer(lists_cmd, name="lists")

    @lists_cmd.command("status")
    def lists_status(
        ban_file: list[Path] = typer.Option([], "--bans", help="An extra ban list CSV."),
        as_json: bool = typer.Option(False, "--json", help="Print JSON."),
    ) -> None:
        """Each ban list: legal basis, version, lines shipped against the source's count."""
        from circumspect.goods.bans import load_bans
        from circumspect.goods.lists import shipped_lists

        index = load_bans(ban_file)
        rows = []
        for b in index.lists:
            rows.append(
                {
                    **b.meta(),
                    "state": "COMPLETE" if b.complete else "PARTIAL",
                    "lines": len(b.entries),
                }
            )
        controlled = [
            {"id": c.id, "name": c.name, "version": c.version, "lines": len(c)}
            for c in shipped_lists()
        ]
        if as_json:
            typer.echo(
                json.dumps({"bans": rows, "controlled": controlled}, ensure_ascii=False, indent=2)
            )
            return
        for r in rows:
            expected = r["expected_count"]
            typer.echo(
                f"{r['state']:<9} {r['id']:<26} {r['lines']:>4} lines (source states: "
                f"{expected}) {r['regime']} {r['article']}"
            )
            typer.echo(f"          {r['name']}; version: {r['version']}")
            if r["state"] == "PARTIAL":
                typer.echo(f"          partial: {r['expected_count_source']}")
        for c in controlled:
            typer.echo(f"{'LIST':<9} {c['id']:<26} {c['lines']:>4} lines  {c['name']}")

    @lists_cmd.command("import")
    def lists_import(
        text_file: Path = typer.Argument(..., help="Official publication text (copied table)."),
        fmt: str = typer.Option(..., "--format", help="eu-annex | ear-supplement | minpromtorg"),
        like: str = typer.Option(
            ..., "--like", help="Id of the shipped list whose metadata the new file takes."
        ),
        version: str = typer.Option(..., "--version", help="Version of the publication."),
        out: Path = typer.Option(..., "-o", "--out", help="Ban list CSV to write."),
    ) -> None:
        """Convert an official publication table into a ban list CSV (use it with --bans)."""
        from circumspect.errors import InputError
        from circumspect.goods.bans import default_bans, import_official, write_ban_file

        template = default_bans().get(like)
        if template is None:
            raise InputError(f"no shipped ban list {like!r} (see `goods lists status`)")
        blist = import_official(text_file, fmt, template, version)
        write_ban_file(blist, out)
        typer.echo(f"wrote {out}: {len(blist.entries)} lines of {blist.name}, version {version}")

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
