"""Trade-flows benchmarks.

1. Generate N (default 10 million) UN Comtrade rows in the 47-column CSV layout (DuckDB
   ``COPY``; 25 reporters x 40 partners x 200 HS-6 products x 50 months, every cell unique),
   then in a fresh subprocess load them with ``FlowStore.load`` (``read_csv`` path,
   partitioned Parquet storage) and time the ``totals`` and ``growth`` queries over them.
2. In another fresh subprocess: load the real Eurostat fixture (../shared) into an empty
   store and write the full report (HTML + PNG + CSV), end to end.

Peak memory is each subprocess's peak RSS (``ru_maxrss``, includes DuckDB's native memory).

    .venv/bin/python benchmarks/bench_flows.py [--rows 10000000] [--keep]
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SHARED = Path(os.environ.get("CIRCUMSPECT_SHARED", ROOT.parent / "shared"))
FIXTURE = SHARED / "fixtures" / "trade" / "eu_exports_central_asia" / "data"

REPORTERS = [
    276,
    251,
    380,
    724,
    528,
    56,
    616,
    203,
    40,
    752,
    208,
    246,
    372,
    620,
    300,
    642,
    348,
    703,
    705,
    191,
    100,
    440,
    428,
    233,
    196,
]
PARTNERS = [
    398,
    417,
    51,
    268,
    860,
    762,
    792,
    784,
    643,
    112,
    156,
    842,
    826,
    392,
    410,
    356,
    76,
    484,
    36,
    124,
    756,
    578,
    710,
    818,
    566,
    360,
    458,
    764,
    704,
    608,
    682,
    376,
    32,
    152,
    170,
    604,
    12,
    504,
    788,
    0,
]


def generate(path: Path, rows: int) -> float:
    import duckdb

    from circumspect.flows.formats import COMTRADE_COLUMNS

    started = time.perf_counter()
    con = duckdb.connect()
    reps = ", ".join(str(r) for r in REPORTERS)
    pars = ", ".join(str(p) for p in PARTNERS)
    exprs = {
        "typeCode": "'C'",
        "freqCode": "'M'",
        "refYear": "CAST(2019 + mo // 12 AS VARCHAR)",
        "refMonth": "CAST(mo % 12 + 1 AS VARCHAR)",
        "period": "CAST((2019 + mo // 12) * 100 + mo % 12 + 1 AS VARCHAR)",
        "reporterCode": f"CAST(([{reps}])[i % 25 + 1] AS VARCHAR)",
        "flowCode": "'X'",
        "flowDesc": "'Export'",
        "partnerCode": f"CAST(([{pars}])[(i // 25) % 40 + 1] AS VARCHAR)",
        "partner2Code": "'0'",
        "classificationCode": "'H6'",
        "cmdCode": "CAST(840000 + ((i // 1000) % 200) * 7 AS VARCHAR)",
        "aggrLevel": "'6'",
        "isLeaf": "'true'",
        "customsCode": "'C00'",
        "motCode": "'0'",
        "primaryValue": "CAST(round(1000 + (hash(i) % 1000000) / 3.0, 2) AS VARCHAR)",
        "netWgt": "CAST(hash(i) % 5000 AS VARCHAR)",
        "isReported": "'true'",
        "isAggregate": "'false'",
    }
    select = ", ".join(f'{exprs.get(c, "NULL")} AS "{c}"' for c in COMTRADE_COLUMNS)
    con.execute(
        f"COPY (SELECT {select} FROM (SELECT i, i // 200000 AS mo FROM range({rows}) t(i))) "
        f"TO '{path}' (HEADER, DELIMITER ',')"
    )
    con.close()
    return time.perf_counter() - started


def _cpu() -> float:
    """CPU seconds (user + system, all threads) of this process so far."""
    r = resource.getrusage(resource.RUSAGE_SELF)
    return r.ru_utime + r.ru_stime


def _child_load(csv_path: str, home: str) -> None:
    from circumspect.flows import queries as q
    from circumspect.flows.store import FlowStore

    base = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    t0 = time.perf_counter()
    c0 = _cpu()
    with FlowStore(Path(home) / "flows.duckdb") as store:
        report = store.load([Path(csv_path)], "comtrade")
    load_s = time.perf_counter() - t0
    out: dict[str, object] = {
        "load_s": load_s,
        "load_cpu_s": _cpu() - c0,
        "rows_loaded": report.total("rows_loaded"),
        "rows_read": report.total("rows_read"),
        "storage": report.storage,
    }
    with FlowStore(Path(home) / "flows.duckdb", read_only=True) as store:
        sel = q.Selection(("KZ",), reporter_group="EU27", source="comtrade")
        for name, fn in (
            ("totals_year", lambda: q.totals(store, sel, "year", include_partial=True)),
            ("totals_month", lambda: q.totals(store, sel, "month")),
            (
                "growth",
                lambda: q.growth(
                    store,
                    q.Selection(("KZ", "KG", "AM", "RU"), reporter_group="EU27", source="comtrade"),
                ),
            ),
            (
                "totals_hs4",
                lambda: q.totals(
                    store, q.Selection(("KZ",), product="8400", source="comtrade"), "year"
                ),
            ),
        ):
            t = time.perf_counter()
            c = _cpu()
            res = fn()
            out[f"{name}_s"] = time.perf_counter() - t
            out[f"{name}_cpu"] = _cpu() - c
            out[f"{name}_n"] = len(res)
    out["peak_rss_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    out["base_rss_mb"] = base / 1024
    print(json.dumps(out))


def _child_report(home: str, out_dir: str) -> None:
    t0 = time.perf_counter()
    from circumspect.flows import report
    from circumspect.flows.store import FlowStore

    with FlowStore(Path(home) / "flows.duckdb") as store:
        eurostat = [
            d
            for d in sorted(FIXTURE.iterdir())
            if d.name.endswith("_eurostat") or d.name == "eu_year_export"
        ]
        r1 = store.load(eurostat, "relational")
        r2 = store.load([FIXTURE / "national_data_converted"], "relational", source="national")
        t_load = time.perf_counter() - t0
        rep = report.build(store, Path(out_dir))
    total = time.perf_counter() - t0
    print(
        json.dumps(
            {
                "cpu_s": _cpu(),
                "files": len(r1.files) + len(r2.files),
                "rows": r1.total("rows_read") + r2.total("rows_read"),
                "load_s": t_load,
                "total_s": total,
                "charts": len(rep.charts),
                "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
            }
        )
    )


def _run_child(*args: str) -> dict[str, object]:
    proc = subprocess.run(
        [sys.executable, __file__, *args], capture_output=True, text=True, check=False, cwd=ROOT
    )
    if proc.returncode != 0:
        raise SystemExit(f"child failed: {proc.stderr[-2000:]}")
    result: dict[str, object] = json.loads(proc.stdout.strip().splitlines()[-1])
    return result


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rows", type=int, default=10_000_000)
    parser.add_argument("--keep", action="store_true", help="keep the generated files")
    parser.add_argument("--child", nargs="+", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        if args.child[0] == "load":
            _child_load(args.child[1], args.child[2])
        else:
            _child_report(args.child[1], args.child[2])
        return 0
    work = Path(tempfile.mkdtemp(prefix="bench_flows_"))
    csv_path = work / "comtrade.csv"
    gen_s = generate(csv_path, args.rows)
    size_mb = csv_path.stat().st_size / 1e6
    big = _run_child("--child", "load", str(csv_path), str(work / "home_big"))
    load1 = os.getloadavg()[0]
    results: list[tuple[str, str, str]] = [
        ("machine load average (1 min), other jobs", f"{os.cpu_count()} cores", f"{load1:.1f}"),
        ("generate Comtrade CSV", f"{args.rows:,} rows, {size_mb:,.0f} MB", f"{gen_s:.1f} s"),
        (
            "load (read_csv -> Parquet)",
            f"{big['rows_loaded']:,} loaded of {big['rows_read']:,} ({big['storage']})",
            f"{big['load_s']:.1f} s wall, {big.get('load_cpu_s', 0.0):.0f} s CPU (target <= 60 s)",
        ),
        (
            "totals KZ by year (EU27 members)",
            f"{big['totals_year_n']} rows",
            f"{big['totals_year_s']:.2f} s wall, {big['totals_year_cpu']:.2f} s CPU"
            " (target <= 2 s)",
        ),
        (
            "totals KZ by month",
            f"{big['totals_month_n']} rows",
            f"{big['totals_month_s']:.2f} s wall, {big['totals_month_cpu']:.2f} s CPU "
            "(target <= 2 s)",
        ),
        (
            "growth KZ KG AM RU vs 2021",
            f"{big['growth_n']} rows",
            f"{big['growth_s']:.2f} s wall, {big['growth_cpu']:.2f} s CPU (target <= 2 s)",
        ),
        (
            "totals KZ, HS-4 8400, by year",
            f"{big['totals_hs4_n']} rows",
            f"{big['totals_hs4_s']:.2f} s wall, {big['totals_hs4_cpu']:.2f} s CPU",
        ),
        (
            "peak RSS (load + queries)",
            f"base {big['base_rss_mb']:.0f} MB",
            f"{big['peak_rss_mb']:.0f} MB",
        ),
    ]
    if FIXTURE.exists():
        rep = _run_child("--child", "report", str(work / "home_rep"), str(work / "report"))
        results.append(
            (
                "real Eurostat fixture: load + report",
                f"{rep['files']} files, {rep['rows']:,} rows, {rep['charts']} charts",
                f"{rep['total_s']:.1f} s wall, {rep.get('cpu_s', 0.0):.1f} s CPU "
                f"(load {rep['load_s']:.1f} s; target <= 10 s)",
            )
        )
        results.append(("peak RSS (fixture report)", "", f"{rep['peak_rss_mb']:.0f} MB"))
    else:
        results.append(("real Eurostat fixture", f"not found at {FIXTURE}", "skipped"))
    width = max(len(r[0]) for r in results)
    wid2 = max(len(r[1]) for r in results)
    print(f"{'benchmark':<{width}}  {'size':<{wid2}}  result")
    for name, size, res in results:
        print(f"{name:<{width}}  {size:<{wid2}}  {res}")
    if not args.keep:
        import shutil

        shutil.rmtree(work, ignore_errors=True)
    else:
        print(f"kept {work}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
