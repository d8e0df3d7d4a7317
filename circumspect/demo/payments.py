"""Demo step: screen the bundled payment messages against the demo lists in the store.

The messages under ``circumspect/data/demo/payments/messages/`` (ISO 20022 pacs.008,
pacs.009, pain.001 and SWIFT MT103/MT202; clean ones, ones touching Sberbank and VTB by BIC
and by Cyrillic name, a listed person, a listed front company, a listed tanker, Crimea and
Kherson addresses, and malformed ones) are screened against the lists the store step
loaded (``ctx.shared["db_url"]``); ``payments.csv`` is written to ``ctx.out/payments`` and
compared with ``expected.csv``.
"""

from __future__ import annotations

import csv
from collections import Counter
from pathlib import Path

from circumspect.demo.context import DemoContext
from circumspect.payments.batch import collect_files, engine_from_store, screen_paths, write_csv


def run(ctx: DemoContext) -> str:
    data: Path = ctx.data / "payments"
    out: Path = ctx.out / "payments"
    out.mkdir(parents=True, exist_ok=True)
    engine = engine_from_store(ctx.shared.get("db_url"))
    files = collect_files([data / "messages"])
    results = screen_paths(files, engine)
    target = out / "payments.csv"
    write_csv(results, target)
    with (data / "expected.csv").open(encoding="utf-8") as fh:
        expected = {row["file"]: row["decision"] for row in csv.DictReader(fh)}
    counts = Counter(d.decision for _, d in results)
    agree = sum(1 for path, d in results if expected.get(path.name) == d.decision)
    lines = [
        f"screened {len(results)} payment messages (pacs.008, pacs.009, pain.001, "
        f"MT103, MT202): {counts.get('pass', 0)} pass, {counts.get('hold', 0)} hold, "
        f"{counts.get('reject', 0)} reject, {counts.get('error', 0)} error; "
        f"{agree}/{len(results)} as expected; wrote {target}"
    ]
    for path, decision in results:
        if decision.decision in ("reject", "hold"):
            first = decision.explanation.split("; ")[0]
            lines.append(f"   {path.name}: {first[:150]}")
    return "\n".join(lines)
