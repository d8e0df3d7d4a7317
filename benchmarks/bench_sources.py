"""Parse time and peak memory of every list parser, one fresh process per case.

Usage: ``.venv/bin/python benchmarks/bench_sources.py [--repeat N] [--scale N]``

Cases: the real fixtures in ../shared (OFAC SDN 2021 CSV, OFAC consolidated CSV, UN XML,
BIS DPL), the hand-written fixtures and demo lists (EU XML, UK CSV, OFAC advanced XML), a
synthetic OFAC advanced XML with ``--scale`` parties (to show that the two-pass streaming
parser's memory does not grow with the parties), and the FtM JSON-lines export of the SDN
list read back.

Each case runs in its own interpreter; it reports entities, the best wall time and the best
CPU time (process time, less disturbed by other load on a shared machine) of ``--repeat``
runs, the tracemalloc peak of Python allocations during one parse, and the
process's peak RSS growth over its baseline after imports and its absolute peak RSS
(ru_maxrss; includes lxml's C memory, which tracemalloc does not see).
"""

from __future__ import annotations

import argparse
import json
import os
import re
import resource
import subprocess
import sys
import tempfile
import time
import tracemalloc
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SHARED = Path(os.environ.get("CIRCUMSPECT_SHARED", ROOT.parent / "shared")) / "fixtures" / "lists"
DEMO = ROOT / "circumspect" / "data" / "demo" / "lists"
ADVANCED = ROOT / "tests" / "sources" / "fixtures" / "ofac_advanced" / "sdn_advanced.xml"


def _files(folder: Path) -> list[str]:
    return [str(p) for p in sorted(folder.iterdir()) if p.is_file()]


def cases(scratch: Path, scale: int) -> dict[str, tuple[str, list[str]]]:
    out: dict[str, tuple[str, list[str]]] = {}
    if SHARED.exists():
        out["ofac_sdn 2021 CSV (8,976)"] = ("ofac_sdn", _files(SHARED / "ofac_sdn_2021"))
        out["ofac_cons CSV (442)"] = ("ofac_cons", _files(SHARED / "ofac_consolidated"))
        out["un_sc XML (1,003)"] = ("un_sc", [str(SHARED / "un" / "UN_consolidated.xml")])
        out["bis_dpl TSV (581 rows)"] = ("bis_dpl", [str(SHARED / "bis_dpl" / "dpl.txt")])
    out["eu_fsf XML demo"] = ("eu_fsf", _files(DEMO / "eu_fsf"))
    out["uk_fcdo CSV demo"] = ("uk_fcdo", _files(DEMO / "uk_fcdo"))
    out["ofac_sdn advanced XML fixture"] = ("ofac_sdn", [str(ADVANCED)])
    big = scratch / "sdn_advanced.xml"
    _synthetic_advanced(big, scale)
    out[f"ofac_sdn advanced XML synthetic ({scale:,} parties)"] = ("ofac_sdn", [str(big)])
    if SHARED.exists():
        export = scratch / "sdn.ftm.json"
        _export(export)
        out["ofac_sdn FtM JSON lines (export of 8,976)"] = ("ofac_sdn", [str(export)])
    return out


def _synthetic_advanced(path: Path, scale: int) -> None:
    """The hand-written fixture with its DistinctParty blocks repeated ``scale`` times."""
    text = ADVANCED.read_text(encoding="utf-8")
    start = text.index("<DistinctParties>") + len("<DistinctParties>")
    end = text.index("</DistinctParties>")
    parties = re.findall(r"<DistinctParty FixedRef=.*?</DistinctParty>", text[start:end], re.S)
    with path.open("w", encoding="utf-8") as fh:
        fh.write(text[:start])
        for i in range(scale):
            block = parties[i % len(parties)]
            fh.write(re.sub(r'FixedRef="(\d+)"', f'FixedRef="{1000000 + i}"', block))
        fh.write(text[end:])


def _export(path: Path) -> None:
    from circumspect.sources import parse_source
    from circumspect.sources.ftm import write_entities

    parsed = parse_source("ofac_sdn", _files(SHARED / "ofac_sdn_2021"))
    with path.open("w", encoding="utf-8") as fh:
        write_entities(parsed.entities(), fh)


def _rss_kib() -> int:
    return int(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss)


def run_case(source: str, files: list[str], repeat: int) -> dict[str, float]:
    from circumspect.sources import parse_source

    baseline = _rss_kib()
    best = best_cpu = float("inf")
    count = 0
    for _ in range(repeat):
        started, cpu = time.perf_counter(), time.process_time()
        count = sum(1 for _ in parse_source(source, [Path(f) for f in files]).entities())
        best = min(best, time.perf_counter() - started)
        best_cpu = min(best_cpu, time.process_time() - cpu)
    rss_growth = (_rss_kib() - baseline) / 1024
    tracemalloc.start()
    sum(1 for _ in parse_source(source, [Path(f) for f in files]).entities())
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    size = sum(Path(f).stat().st_size for f in files) / 1e6
    return {
        "entities": count,
        "seconds": best,
        "cpu": best_cpu,
        "per_sec": count / best_cpu if best_cpu else 0.0,
        "trace_mib": peak / 2**20,
        "rss_mib": rss_growth,
        "mb": size,
        "peak_rss_mib": _rss_kib() / 1024,
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--scale", type=int, default=20000)
    parser.add_argument("--case", help=argparse.SUPPRESS)
    parser.add_argument("--files", nargs="*", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.case:
        print(json.dumps(run_case(args.case, args.files, args.repeat)))
        return 0
    sys.path.insert(0, str(ROOT))
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        for label, (source, files) in cases(Path(tmp), args.scale).items():
            proc = subprocess.run(
                [
                    sys.executable,
                    __file__,
                    "--case",
                    source,
                    "--repeat",
                    str(args.repeat),
                    "--files",
                    *files,
                ],
                capture_output=True,
                text=True,
                check=False,
            )
            if proc.returncode != 0:
                print(f"{label}: failed\n{proc.stderr}", file=sys.stderr)
                return 1
            rows.append((label, json.loads(proc.stdout.strip().splitlines()[-1])))
    header = (
        f"| {'case':<52} | {'MB':>6} | {'entities':>8} | {'best s':>7} | "
        f"{'cpu s':>7} | {'ent/cpu s':>9} | {'py peak MiB':>11} | {'RSS +MiB':>8} | "
        f"{'peak RSS MiB':>12} |"
    )
    print(header)
    print("|" + "|".join("-" * (len(c)) for c in header.split("|")[1:-1]) + "|")
    for label, r in rows:
        print(
            f"| {label:<52} | {r['mb']:>6.2f} | {int(r['entities']):>8,} | "
            f"{r['seconds']:>7.3f} | {r['cpu']:>7.3f} | {r['per_sec']:>9,.0f} | "
            f"{r['trace_mib']:>11.1f} | "
            f"{r['rss_mib']:>8.1f} | {r['peak_rss_mib']:>12.1f} |"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
