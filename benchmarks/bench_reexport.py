"""Benchmark: rule reexport_chain (issue 15 target: 1,000,000 declarations joined with
1,000,000 transfers in <= 2 minutes, local engine), beside the same scoring without the
transfers input (the peer: what the join adds), and optionally Spark on a smaller set.

    .venv/bin/python benchmarks/bench_reexport.py [--rows 1000000] [--transfers 1000000]
        [--keep DIR] [--reuse] [--spark-rows 100000]

No party screening (the join is what is measured). Generation is timed separately.
Planted recall and the clean flagged share of the four issue-15 rules are printed.
"""

from __future__ import annotations

import argparse
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
NEW_RULES = (
    "coalition_origin_to_russia",
    "parallel_import_brand",
    "reexport_chain",
    "no_russia_clause_missing",
)


def _generate(rows: int, transfers: int, folder: Path) -> None:
    from circumspect.synth.declarations import generate, generate_transfers

    data = generate(rows, parties=20_000, planted_share=0.01, seed=2026, bad_rows=100)
    data.to_parquet(folder / "declarations.parquet", index=False)
    tr = generate_transfers(data, n=transfers, seed=2026, bad_rows=100)
    tr.drop(columns=["planted"]).to_parquet(folder / "transfers.parquet", index=False)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--transfers", type=int, default=1_000_000)
    parser.add_argument("--keep", type=Path, default=None)
    parser.add_argument("--reuse", action="store_true")
    parser.add_argument("--spark-rows", type=int, default=0, help="also compare Spark on N rows")
    parser.add_argument("--generate-only", type=Path, default=None, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.generate_only is not None:
        _generate(args.rows, args.transfers, args.generate_only)
        return 0

    import pandas as pd

    from circumspect.risk.score import score_declarations
    from circumspect.synth.declarations import evaluate

    folder = args.keep or Path(tempfile.mkdtemp(prefix="bench-rx-"))
    folder.mkdir(parents=True, exist_ok=True)
    src, tsrc = folder / "declarations.parquet", folder / "transfers.parquet"
    if not (args.reuse and src.exists() and tsrc.exists()):
        t0 = time.perf_counter()
        subprocess.run(
            [
                sys.executable,
                __file__,
                "--rows",
                str(args.rows),
                "--transfers",
                str(args.transfers),
                "--generate-only",
                str(folder),
            ],
            check=True,
        )
        print(f"generate (child process): {time.perf_counter() - t0:.1f} s", flush=True)
    print(f"load average before: {os.getloadavg()}", flush=True)

    t0, c0 = time.perf_counter(), time.process_time()
    peer = score_declarations(src, folder / "peer.parquet", folder / "peer-errors.csv")
    t_peer, c_peer = time.perf_counter() - t0, time.process_time() - c0
    t0, c0 = time.perf_counter(), time.process_time()
    report = score_declarations(
        src,
        folder / "scored.parquet",
        folder / "errors.csv",
        transfers_path=tsrc,
        transfer_errors_path=folder / "transfer-errors.csv",
    )
    t_rx, c_rx = time.perf_counter() - t0, time.process_time() - c0
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    scored = pd.read_parquet(folder / "scored.parquet", columns=["planted", "decision", "flags"])
    ev = evaluate(scored)
    print()
    print(
        f"{'rows read / scored / rejected':<48} {report.read} / {report.scored} / {report.rejected}"
    )
    print(
        f"{'transfers read / used / rejected':<48} {report.transfers_read} / "
        f"{report.transfers_used} / {report.transfers_rejected}"
    )
    print(f"{'time: scoring without transfers (peer)':<48} {t_peer:.1f} s")
    print(f"{'time: scoring with transfers (reexport_chain)':<48} {t_rx:.1f} s")
    print(f"{'time added by transfers + join':<48} {t_rx - t_peer:.1f} s")
    print(f"{'CPU time without / with transfers':<48} {c_peer:.1f} s / {c_rx:.1f} s")
    print(f"{'peak RSS':<48} {peak:,.0f} MB")
    print(f"{'target <= 120 s':<48} {'MET' if t_rx <= 120 else 'MISSED'}")
    print(f"{'flags':<48} {report.flags}")
    print(f"{'peer flags':<48} {peer.flags}")
    for rule in NEW_RULES:
        m = ev.per_rule[rule]
        print(
            f"  {rule:<34} planted {int(m['planted'])} recall {m['recall']:.3f} "
            f"precision {m['precision']:.3f}"
        )
    print(
        f"clean flagged (review/block): {ev.clean_raised} of {ev.clean} "
        f"({100 * ev.clean_raised_share:.3f} %)"
    )

    if args.spark_rows:
        from circumspect.engines import get_engine
        from circumspect.engines.jobs import score_declarations_job

        small = folder / "small.csv"
        tsmall = folder / "small-transfers.csv"
        d = pd.read_parquet(src).head(args.spark_rows)
        d.to_csv(small, index=False)
        t = pd.read_parquet(tsrc)
        t[t["bin"].isin(set(d["consignee_id"]))].to_csv(tsmall, index=False)
        score_declarations(
            small,
            folder / "small-local.csv",
            transfers_path=tsmall,
            transfer_errors_path=folder / "small-local-t.csv",
        )
        engine = get_engine("spark", None)
        try:
            t0 = time.perf_counter()
            score_declarations_job(
                engine,
                small,
                folder / "small-spark.csv",
                transfers=tsmall,
                transfer_errors=folder / "small-spark-t.csv",
            )
            t_spark = time.perf_counter() - t0
        finally:
            engine.close()
        same = (folder / "small-local.csv").read_bytes() == (
            folder / "small-spark.csv"
        ).read_bytes()
        print(
            f"spark local[2] on {args.spark_rows} rows: {t_spark:.1f} s; "
            f"output identical to local: {same}"
        )
    print(f"load average after: {os.getloadavg()}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
