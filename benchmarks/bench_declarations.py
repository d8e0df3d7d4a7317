"""Benchmark: score generated customs declarations (issue 4 target: 1,000,000 declarations
with 20,000 distinct parties in <= 5 minutes on a 2-core machine, peak memory reported).

    .venv/bin/python benchmarks/bench_declarations.py [--rows 1000000] [--parties 20000]
        [--workers 2] [--lists ofac|demo|none]

Lists: ``ofac`` = the OFAC SDN 2021 + UN consolidated fixtures in ../shared (9,979 entities),
``demo`` = the bundled demo lists, ``none`` = no party screening. Generation of the input
file is timed separately and not part of the scoring time.
"""

from __future__ import annotations

import argparse
import os
import resource
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
SHARED = Path(os.environ.get("CIRCUMSPECT_SHARED", ROOT.parent / "shared"))


def _peak_mb() -> tuple[float, float]:
    own = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    kids = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    return own, kids


def load_entities(which: str) -> list[Any]:
    from circumspect.sources import parse_source

    if which == "none":
        return []
    if which == "demo":
        from circumspect.sources import demo_entities

        return list(demo_entities())
    lists = SHARED / "fixtures" / "lists"
    sdn = sorted((lists / "ofac_sdn_2021").glob("*.csv"))
    return [
        *parse_source("ofac_sdn", sdn).entities(),
        *parse_source("un_sc", [lists / "un" / "UN_consolidated.xml"]).entities(),
    ]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--parties", type=int, default=20_000)
    parser.add_argument("--workers", type=int, default=os.cpu_count() or 1)
    parser.add_argument("--lists", choices=("ofac", "demo", "none"), default="ofac")
    parser.add_argument("--keep", type=Path, default=None, help="keep files in this folder")
    parser.add_argument(
        "--reuse", action="store_true", help="reuse <keep>/declarations.parquet from an earlier run"
    )
    parser.add_argument("--generate-only", type=Path, default=None, help=argparse.SUPPRESS)
    parser.add_argument(
        "--candidates",
        type=int,
        default=None,
        help="Screener candidates scored per query (default: the Screener's)",
    )
    args = parser.parse_args()

    from circumspect.risk.pipeline import PartyCache
    from circumspect.risk.score import score_declarations
    from circumspect.synth.declarations import evaluate, generate

    timings: dict[str, float] = {}
    if args.generate_only is not None:
        entities = load_entities(args.lists)
        companies = [e for e in entities if e.schema in ("Company", "Organization")]
        data = generate(
            args.rows,
            parties=args.parties,
            planted_share=0.01,
            seed=2026,
            listed_names=[e.caption for e in companies[:200]],
            listed_bics=sorted({b for e in companies for b in e.get("swiftBic")})[:20],
            bad_rows=100,
        )
        data.to_parquet(args.generate_only, index=False)
        return 0
    t0 = time.perf_counter()
    entities = load_entities(args.lists)
    timings["parse lists"] = time.perf_counter() - t0
    screener = None
    if entities:
        from circumspect.matching import Screener

        t0 = time.perf_counter()
        screener = (
            Screener(entities)
            if args.candidates is None
            else Screener(entities, candidates=args.candidates)
        )
        timings["index lists"] = time.perf_counter() - t0

    import pandas as pd

    folder = args.keep or Path(tempfile.mkdtemp(prefix="bench-decl-"))
    folder.mkdir(parents=True, exist_ok=True)
    src = folder / "declarations.parquet"
    name_cols = ["exporter_name", "consignee_name", "end_user_name", "declarant_name"]
    if not (args.reuse and src.exists()):
        # generate in a child process so its memory does not count in the peak below
        import subprocess

        t0 = time.perf_counter()
        subprocess.run(
            [
                sys.executable,
                __file__,
                "--rows",
                str(args.rows),
                "--parties",
                str(args.parties),
                "--lists",
                args.lists,
                "--generate-only",
                str(src),
            ],
            check=True,
        )
        timings["generate (child process)"] = time.perf_counter() - t0
    data = pd.read_parquet(src, columns=name_cols)
    distinct_parties = len(set().union(*(set(data[c]) for c in name_cols)) - {""})
    del data

    stages: dict[str, float] = {}
    last = [time.perf_counter()]
    counts: dict[str, int] = {}

    def progress(stage: str, k: int, total: int | None) -> None:
        now = time.perf_counter()
        stages[stage] = stages.get(stage, 0.0) + (now - last[0])
        last[0] = now
        counts[stage] = counts.get(stage, 0) + k
        if stage == "parties" and counts[stage] % 2000 == 0:
            print(
                f"  screened {counts[stage]} parties "
                f"({counts[stage] / max(stages[stage], 1e-9):.0f}/s)",
                flush=True,
            )

    out = folder / "scored.parquet"
    cache = PartyCache(screener, workers=args.workers)
    mem_before = _peak_mb()
    t0 = time.perf_counter()
    report = score_declarations(
        src, out, folder / "errors.csv", screener=screener, cache=cache, progress=progress
    )
    total = time.perf_counter() - t0
    own, kids = _peak_mb()

    scored = pd.read_parquet(out, columns=["planted", "decision", "flags"])
    ev = evaluate(scored)

    print()
    print(f"{'measure':<44} value")
    print(
        f"{'rows read / scored / rejected':<44} {report.read} / {report.scored} / {report.rejected}"
    )
    print(f"{'distinct party names in input':<44} {distinct_parties}")
    print(f"{'screener queries (distinct name+country, ids)':<44} {report.parties_screened}")
    print(f"{'listed entities (' + args.lists + ')':<44} {len(entities)}")
    print(f"{'workers for screening':<44} {args.workers}")
    print(
        f"{'screener candidates per query':<44} "
        f"{screener.candidates if screener is not None else '-'}"
    )
    for name, secs in timings.items():
        print(f"{'time: ' + name:<44} {secs:.1f} s")
    for name, secs in stages.items():
        print(f"{'time: stage ending ' + name:<44} {secs:.1f} s")
    print(f"{'time: scoring total (read..write)':<44} {total:.1f} s")
    print(f"{'throughput':<44} {report.read / total:,.0f} rows/s")
    print(f"{'peak RSS main process':<44} {own:,.0f} MB (before scoring {mem_before[0]:,.0f} MB)")
    print(
        f"{'peak RSS largest child process':<44} {kids:,.0f} MB "
        "(screening worker, or the generator)"
    )
    print(f"{'decisions':<44} {report.decisions}")
    print(f"{'target <= 300 s':<44} {'MET' if total <= 300 else 'MISSED'}")
    print()
    print(ev.table())
    return 0


if __name__ == "__main__":
    sys.exit(main())
