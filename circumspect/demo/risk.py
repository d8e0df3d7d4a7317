"""Demo step ``risk``: score the bundled sample declarations against the demo lists and
write the scored file, the errors file and an HTML report under ``ctx.out/declarations``."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from circumspect.demo.context import DemoContext

SAMPLE = Path(__file__).resolve().parents[1] / "data" / "demo" / "declarations" / "declarations.csv"


def _screener(ctx: DemoContext) -> tuple[Any, str]:
    db_url = ctx.shared.get("db_url")
    if db_url:
        from circumspect.risk.score import screener_from_db

        return screener_from_db(db_url), f"lists in {db_url}"
    # the store step did not run: index the demo list files directly
    from circumspect.matching import Screener
    from circumspect.sources import parse_source

    entities: list[Any] = []
    base = ctx.data / "lists"
    for folder in sorted(p for p in base.iterdir() if p.is_dir()):
        files = sorted(p for p in folder.iterdir() if p.is_file())
        if files:
            entities.extend(parse_source(folder.name, files).entities())
    return Screener(entities), f"{len(entities)} demo list entities (files)"


def run(ctx: DemoContext) -> str:
    import pandas as pd

    from circumspect.risk.pipeline import PartyCache
    from circumspect.risk.report import write_report
    from circumspect.risk.rules import load_rules
    from circumspect.risk.score import score_declarations

    out = ctx.out / "declarations"
    out.mkdir(parents=True, exist_ok=True)
    screener, where = _screener(ctx)
    rules = load_rules()
    scored_path, errors_path = out / "scored.csv", out / "errors.csv"
    report = score_declarations(
        SAMPLE, scored_path, errors_path, screener=screener, rules=rules, cache=PartyCache(screener)
    )
    html = write_report(scored_path, errors_path, rules, out / "report.html")
    scored = pd.read_csv(scored_path, dtype=str, keep_default_na=False)
    scored["risk_score"] = scored["risk_score"].astype(float)
    top = scored.sort_values("risk_score", ascending=False).head(3)
    lines = [report.summary(), f"screened against {where}"]
    for _, r in top.iterrows():
        lines.append(f"{r['declaration_id']} {r['decision']} {r['risk_score']:.0f}: {r['flags']}")
    lines.append(f"wrote {scored_path.name}, {errors_path.name}, {html}")
    return "\n   ".join(lines)
