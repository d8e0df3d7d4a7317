"""Benchmark: declaration scoring on the local engine and on Spark local[1] / local[2]
(issue 8), plus the size and executor memory of the broadcast screening index.

    .venv/bin/python benchmarks/bench_spark.py [--rows 1000000] [--parties 20000]
        [--masters local[2],local[1]] [--lists ofac|demo|none] [--skip-index]

The input (the risk generator's scenario set, ``circumspect.synth.declarations``) is written to
Parquet first and not timed. Every engine scores the same file; the outputs are compared
row by row. Times are wall-clock for the whole job (read, validate, aggregate, screen, score,
write), Spark session start-up excluded (reported separately). Party screening uses the
OFAC SDN 2021 + UN fixtures by default, as ``bench_declarations.py`` does.
"""

from __future__ import annotations

import argparse
import os
import pickle
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
SHARED = Path(os.environ.get("CIRCUMSPECT_SHARED", ROOT.parent / "shared"))
LISTS = SHARED / "fixtures" / "lists"


def screening_entities(which: str) -> list[Any]:
    from circumspect.sources import parse_source

    if which == "none":
        return []
    if which == "demo":
        from circumspect.sources import demo_entities

        return list(demo_entities())
    return [
        *parse_source("ofac_sdn", sorted((LISTS / "ofac_sdn_2021").glob("*.csv"))).entities(),
        *parse_source("un_sc", [LISTS / "un" / "UN_consolidated.xml"]).entities(),
    ]


def full_list_entities() -> list[Any]:
    """OFAC SDN + OFAC consolidated + UN: the 'full lists' of the memory measurement."""
    from circumspect.sources import parse_source

    return [
        *parse_source("ofac_sdn", sorted((LISTS / "ofac_sdn_2021").glob("*.csv"))).entities(),
        *parse_source("ofac_cons", sorted((LISTS / "ofac_consolidated").glob("*.csv"))).entities(),
        *parse_source("un_sc", [LISTS / "un" / "UN_consolidated.xml"]).entities(),
    ]


def _worker_rss(_: Any) -> Any:
    import resource

    import psutil

    yield (
        psutil.Process().memory_info().rss,
        resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024,
    )


def index_memory(master: str) -> dict[str, float]:
    """Pickled size of the screener over the full lists and the RSS of a Spark Python
    worker before and after it loads the broadcast screener."""
    from circumspect.engines.spark import spark_session
    from circumspect.matching import Screener

    t0 = time.perf_counter()
    entities = full_list_entities()
    screener = Screener(entities)
    built = time.perf_counter() - t0
    blob = pickle.dumps(screener, protocol=pickle.HIGHEST_PROTOCOL)
    t0 = time.perf_counter()
    pickle.loads(blob)
    load_s = time.perf_counter() - t0
    session = spark_session(master)
    sc = session.sparkContext
    base = sc.parallelize([0], 1).mapPartitions(_worker_rss).collect()[0]
    shipped = sc.broadcast(screener)

    def with_index(_: Any) -> Any:
        import resource

        import psutil

        from circumspect.model.screening import Query

        shipped.value.screen(Query(name="Bank Rossiya"), 3)
        yield (
            psutil.Process().memory_info().rss,
            resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024,
        )

    after = sc.parallelize([0], 1).mapPartitions(with_index).collect()[0]
    shipped.unpersist()
    session.stop()
    mb = 1024 * 1024
    return {
        "entities": float(len(entities)),
        "index build s": built,
        "pickled MB": len(blob) / mb,
        "unpickle s": load_s,
        "worker RSS before MB": base[0] / mb,
        "worker RSS with index MB": after[0] / mb,
        "worker peak RSS MB": after[1] / mb,
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--parties", type=int, default=20_000)
    parser.add_argument("--masters", default="local[2],local[1]")
    parser.add_argument("--lists", choices=("ofac", "demo", "none"), default="ofac")
    parser.add_argument("--skip-index", action="store_true")
    parser.add_argument("--skip-local", action="store_true")
    parser.add_argument(
        "--workers",
        type=int,
        default=1,
        help="screening processes of the local engine (PartyCache workers)",
    )
    parser.add_argument("--keep", type=Path, default=None)
    parser.add_argument(
        "--input",
        type=Path,
        default=None,
        help="score this declarations file instead of generating one",
    )
    args = parser.parse_args()

    import pandas as pd

    from circumspect.engines import get_engine
    from circumspect.engines.jobs import score_declarations_job
    from circumspect.matching import Screener
    from circumspect.synth.declarations import generate

    folder = args.keep or Path(tempfile.mkdtemp(prefix="bench-spark-"))
    folder.mkdir(parents=True, exist_ok=True)
    entities = screening_entities(args.lists)
    screener = Screener(entities) if entities else None
    companies = [e for e in entities if e.schema in ("Company", "Organization")]
    src = args.input or folder / f"declarations-{args.rows}.parquet"
    t0 = time.perf_counter()
    if not src.exists():
        data = generate(
            args.rows,
            parties=args.parties,
            planted_share=0.01,
            seed=2026,
            listed_names=[e.caption for e in companies[:200]],
            listed_bics=sorted({b for e in companies for b in e.get("swiftBic")})[:20],
            bad_rows=100,
        )
        data.astype(str).to_parquet(src, index=False, row_group_size=100_000)
        del data
    print(
        f"input {src} ({args.rows:,} rows + 100 bad) ready in {time.perf_counter() - t0:.0f} s",
        flush=True,
    )

    results: list[tuple[str, float, float, int, Any]] = []
    outputs: dict[str, Path] = {}
    if not args.skip_local:
        out = folder / "scored-local.parquet"
        engine = get_engine("local")
        t0 = time.perf_counter()
        report = score_declarations_job(
            engine, src, out, folder / "errors-local.csv", screener=screener, workers=args.workers
        )
        secs = time.perf_counter() - t0
        results.append((f"local ({args.workers} proc)", secs, 0.0, args.workers, report))
        outputs["local"] = out
        print(f"local: {secs:.1f} s  {report.summary()}", flush=True)
    for master in [m for m in args.masters.split(",") if m]:
        engine = get_engine("spark", master)
        t0 = time.perf_counter()
        getattr(engine, "session")  # noqa: B009 - start the session outside the timed part
        startup = time.perf_counter() - t0
        cores = int(master[master.index("[") + 1 : -1]) if "[" in master else 0
        sc = getattr(engine, "session").sparkContext  # noqa: B009
        print(f"spark master {sc.master}, default parallelism {sc.defaultParallelism}", flush=True)
        out = folder / f"scored-{master}.parquet"
        marks: dict[str, float] = {}
        t0 = time.perf_counter()

        def mark(
            stage: str, k: int, total: int | None, t0: float = t0, marks: dict[str, float] = marks
        ) -> None:
            marks[stage] = time.perf_counter() - t0

        report = score_declarations_job(
            engine,
            src,
            out,
            folder / f"errors-{master}.csv",
            screener=screener,
            partitions=max(2, 2 * cores),
            progress=mark,
        )
        secs = time.perf_counter() - t0
        last = 0.0
        for stage, at in marks.items():
            print(f"  stage ending '{stage}': {at - last:.1f} s", flush=True)
            last = at
        engine.close()
        results.append((f"spark {master}", secs, startup, cores, report))
        outputs[master] = out
        print(
            f"spark {master}: {secs:.1f} s (+{startup:.0f} s start-up)  {report.summary()}",
            flush=True,
        )

    same: dict[str, bool] = {}
    if "local" in outputs:
        want = pd.read_parquet(outputs["local"]).astype(str)
        for name, path in outputs.items():
            if name != "local":
                same[name] = pd.read_parquet(path).astype(str).equals(want)

    print()
    print(
        f"{'engine':<22} {'seconds':>8} {'rows/s':>9} {'rows/s/core':>11} {'startup s':>9} "
        f"{'identical':>9}"
    )
    by_name = {}
    for name, secs, startup, cores, report in results:
        by_name[name] = secs
        per_core = report.read / secs / max(cores, 1)
        ident = "ref" if name.startswith("local") else str(same.get(name.split()[-1], "-"))
        print(
            f"{name:<22} {secs:>8.1f} {report.read / secs:>9,.0f} {per_core:>11,.0f} "
            f"{startup:>9.0f} {ident:>9}"
        )
    local_s = by_name.get(f"local ({args.workers} proc)")
    two, one = by_name.get("spark local[2]"), by_name.get("spark local[1]")
    if local_s and two:
        print(
            f"spark local[2] / local: {two / local_s:.2f}x (target <= 2x: "
            f"{'MET' if two <= 2 * local_s else 'MISSED'})"
        )
    if one and two:
        print(
            f"scaling local[1] -> local[2]: {one / two:.2f}x speed-up "
            f"(parallel efficiency {one / two / 2:.0%})"
        )
    if not args.skip_index:
        print()
        for key, value in index_memory("local[1]").items():
            print(f"{'index: ' + key:<34} {value:,.1f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
