"""Demo step: screen declaration and payment parties against the demo lists.

Reads ``circumspect/data/demo/matching/queries.csv`` (Kazakh, Russian and Latin names,
legal forms in both scripts, a BIN, a BIC, an IMO; two deliberately bad rows) and screens
them against the lists the store step loaded (``ctx.shared["db_url"]``); without that
step it parses the demo lists itself. Writes ``matching/screening_results.csv`` and
``matching/screening_errors.csv`` under ``ctx.out``.
"""

from __future__ import annotations

import csv

from circumspect.demo.context import DemoContext
from circumspect.matching.batch import screen_file
from circumspect.matching.screener import Screener
from circumspect.model.entities import ListedEntity


def _screener(ctx: DemoContext) -> tuple[Screener, str]:
    url = ctx.shared.get("db_url")
    if url:
        from circumspect.store import open_store

        store = open_store(url)
        try:
            if store.active_snapshots():
                return Screener.from_store(store), "the store loaded by the store step"
        finally:
            store.close()
    from circumspect.sources import parse_source

    entities: list[ListedEntity] = []
    lists_dir = ctx.data / "lists"
    for folder in sorted(p for p in lists_dir.iterdir() if p.is_dir()):
        files = sorted(p for p in folder.iterdir() if p.is_file())
        entities.extend(parse_source(folder.name, files).entities())
    return Screener(entities), f"demo lists parsed from {lists_dir}"


def run(ctx: DemoContext) -> str:
    screener, origin = _screener(ctx)
    out_dir = ctx.out / "matching"
    out_dir.mkdir(parents=True, exist_ok=True)
    out = out_dir / "screening_results.csv"
    errors = out_dir / "screening_errors.csv"
    stats = screen_file(
        screener, ctx.data / "matching" / "queries.csv", out, limit=3, errors_path=errors
    )
    with out.open(encoding="utf-8", newline="") as fh:
        rows = list(csv.DictReader(fh))
    best: dict[str, dict[str, str]] = {}
    for row in rows:
        if row["rank"] == "1":
            best[row["query_id"]] = row
    examples = []
    for qid in ("D-001", "D-005", "D-008", "D-012", "D-014"):
        top = best.get(qid)
        if top:
            examples.append(f"{qid} -> {top['caption']} ({top['score']})")
    ctx.shared["screener"] = screener
    return (
        f"screened {stats.read} parties against {len(screener):,} listed entities ({origin}): "
        f"{stats.screened} screened, {stats.rejected} rejected (see {errors.name}), "
        f"{stats.queries_alerting} alerting at {screener.threshold:.2f}; "
        + "; ".join(examples)
        + f". Results: {out}"
    )
