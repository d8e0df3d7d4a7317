"""Distinct inputs, nothing cached (issue 18): name pairs/s and screening queries/s, circumspect
(compiled core and pure-Python reference) beside nomenklatura logic-v2 in the same run.

  pairs    distinct yente pairs: the 683 UN positives (treated / untreated spelling) and
           negative i / negative i+1 of the 50,000 global negatives; ours = check, compile
           both names and score (``compare_names``), logic-v2 = build both FtM entities and
           ``compare`` (unique ids: no cache of theirs is reused either)
  queries  distinct queries (yente positives + negatives) against OFAC SDN 2021 (8,976
           entries): ours = ``screen_file`` with 1 and 2 workers (CSV in and out included);
           logic-v2 behind token blocking (the yente pipeline: candidates share a name token
           with the query, best 20 by shared tokens, then ``compare`` on each)

    .venv/bin/python benchmarks/bench_distinct.py pairs --pairs 20000
    .venv/bin/python benchmarks/bench_distinct.py queries --queries 2000 --nk-queries 300
"""

from __future__ import annotations

import argparse
import csv
import itertools
import json
import os
import subprocess
import sys
import tempfile
import time
from collections import Counter, defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SHARED = Path(os.environ.get("CIRCUMSPECT_SHARED", ROOT.parent / "shared"))
FIX = SHARED / "fixtures"
sys.path.insert(0, str(ROOT))


def load_pairs(limit: int) -> list[tuple[str, str, str]]:
    matching = FIX / "matching"

    def names(file: str) -> list[str]:
        with (matching / file).open(encoding="utf-8", newline="") as fh:
            return [r["full_name"] for r in csv.DictReader(fh)]

    pos = list(
        zip(
            names("yente_positives_un_treated.csv"),
            names("yente_positives_un_untreated.csv"),
            strict=False,
        )
    )
    neg = names("yente_negatives_global.csv")
    pairs = [("Person", a, b) for a, b in pos]
    pairs += [("Person", a, b) for a, b in itertools.pairwise([*neg, neg[0]])]
    pairs = [p for p in pairs if p[1].strip() and p[2].strip()]
    # every 1/k-th pair, so that a subset keeps positives and negatives alike
    step = max(1, len(pairs) // limit) if limit else 1
    return pairs[::step][: limit or None]


_OURS = """
import json, sys, time
from circumspect.matching.screener import compare_names
from circumspect.names.core import implementation
pairs = json.load(sys.stdin)
t = time.process_time(); w = time.perf_counter(); alerts = 0
for schema, a, b in pairs:
    try:
        alerts += compare_names(a, b, schema).score >= 0.7
    except ValueError:
        pass
print(json.dumps([implementation(), time.perf_counter() - w, time.process_time() - t, alerts]))
"""


def ours_pairs(pairs: list[tuple[str, str, str]], pure: bool) -> tuple[str, float, float, int]:
    env = dict(os.environ)
    env.pop("CIRCUMSPECT_PURE_PYTHON", None)
    if pure:
        env["CIRCUMSPECT_PURE_PYTHON"] = "1"
    done = subprocess.run(
        [sys.executable, "-c", _OURS],
        input=json.dumps(pairs),
        capture_output=True,
        text=True,
        env=env,
        cwd=ROOT,
        check=True,
    )
    impl, wall, cpu, alerts = json.loads(done.stdout)
    return impl, wall, cpu, alerts


def nk_pairs(pairs: list[tuple[str, str, str]]) -> tuple[float, float, int]:
    from followthemoney import model
    from nomenklatura.matching import get_algorithm
    from nomenklatura.matching.types import ScoringConfig

    algo = get_algorithm("logic-v2")
    assert algo is not None
    config = ScoringConfig.defaults()
    warm = model.make_entity("Person")
    warm.id = "warm"
    warm.add("name", "warm up")
    algo.compare(warm, warm, config)
    t, w, alerts = time.process_time(), time.perf_counter(), 0
    for n, (schema, a, b) in enumerate(pairs):
        left = model.make_entity(schema)
        left.id = f"l{n}"
        left.add("name", a)
        right = model.make_entity(schema)
        right.id = f"r{n}"
        right.add("name", b)
        alerts += algo.compare(left, right, config).score >= 0.7
    return time.perf_counter() - w, time.process_time() - t, alerts


def load_avg() -> str:
    return " ".join(f"{x:.2f}" for x in os.getloadavg())


def section_pairs(limit: int, nk_limit: int) -> None:
    pairs = load_pairs(limit)
    print(f"pairs: {len(pairs):,} distinct pairs; load before {load_avg()}")
    rows = []
    for pure in (False, True):
        impl, wall, cpu, alerts = ours_pairs(pairs, pure)
        rows.append((f"circumspect ({impl})", len(pairs), wall, cpu, alerts))
    nk = pairs[:: max(1, len(pairs) // nk_limit)][:nk_limit] if nk_limit else pairs
    wall, cpu, alerts = nk_pairs(nk)
    rows.append(("nomenklatura logic-v2", len(nk), wall, cpu, alerts))
    nk_rate = len(nk) / cpu
    print("| matcher | pairs | wall s | CPU s | pairs/CPU-s | vs logic-v2 | alerts >= 0.70 |")
    print("|---|---|---|---|---|---|---|")
    for name, n, wall, cpu, alerts in rows:
        rate = n / cpu
        print(
            f"| {name} | {n:,} | {wall:.2f} | {cpu:.2f} | {rate:,.0f} | "
            f"{rate / nk_rate:.2f}x | {alerts:,} |"
        )
    print(f"load after {load_avg()}")


def query_names(limit: int) -> list[str]:
    matching = FIX / "matching"
    out: list[str] = []
    for file in ("yente_positives_un_treated.csv", "yente_negatives_global.csv"):
        with (matching / file).open(encoding="utf-8", newline="") as fh:
            out += [r["full_name"] for r in csv.DictReader(fh) if r["full_name"].strip()]
    distinct = list(dict.fromkeys(out))
    step = max(1, len(distinct) // limit)
    return distinct[::step][:limit]


_TOKEN = str.maketrans({c: " " for c in ",.;:()\"'-/"})


def _tokens(text: str) -> set[str]:
    return {t for t in text.lower().translate(_TOKEN).split() if len(t) > 1}


def nk_queries(entities: list, names: list[str]) -> tuple[float, float, int]:  # type: ignore[type-arg]
    from followthemoney import model
    from nomenklatura.matching import get_algorithm
    from nomenklatura.matching.types import ScoringConfig

    algo = get_algorithm("logic-v2")
    assert algo is not None
    config = ScoringConfig.defaults()
    index: dict[str, list[int]] = defaultdict(list)
    proxies = [e.proxy for e in entities]
    for i, proxy in enumerate(proxies):
        for token in (
            set().union(*(_tokens(n) for n in proxy.get("name"))) if proxy.get("name") else ()
        ):
            index[token].append(i)
    t, w, alerts = time.process_time(), time.perf_counter(), 0
    for n, name in enumerate(names):
        query = model.make_entity("Person")
        query.id = f"q{n}"
        query.add("name", name)
        hits: Counter[int] = Counter()
        for token in _tokens(name):
            hits.update(index.get(token, ()))
        best = 0.0
        for i, _ in hits.most_common(20):
            best = max(best, algo.compare(query, proxies[i], config).score)
        alerts += best >= 0.7
    return time.perf_counter() - w, time.process_time() - t, alerts


def section_queries(limit: int, nk_limit: int) -> None:
    from circumspect.matching import Screener
    from circumspect.matching.batch import screen_file
    from circumspect.names.core import implementation
    from circumspect.sources import parse_source

    sdn = FIX / "lists" / "ofac_sdn_2021"
    entities = list(parse_source("ofac_sdn", sorted(sdn.glob("*.csv"))).entities())
    names = query_names(limit)
    tmp = Path(tempfile.mkdtemp(prefix="bench-distinct-"))
    src = tmp / "queries.csv"
    with src.open("w", encoding="utf-8", newline="") as fh:
        writer = csv.writer(fh)
        writer.writerow(["query_id", "name", "schema"])
        writer.writerows([f"q{i}", n, "Person"] for i, n in enumerate(names))
    t = time.perf_counter()
    screener = Screener(entities)
    build = time.perf_counter() - t
    print(
        f"queries: {len(names):,} distinct queries vs OFAC SDN 2021 ({len(entities):,} entries),"
        f" core {implementation()}; index build {build:.2f} s; load before {load_avg()}"
    )
    print("| matcher | queries | wall s | queries/s (wall) | vs logic-v2 |")
    print("|---|---|---|---|---|")
    rows = []
    outputs = []
    for workers in (1, 2):
        out = tmp / f"out{workers}.csv"
        w = time.perf_counter()
        screen_file(screener, src, out, errors_path=tmp / "err.csv", workers=workers)
        wall = time.perf_counter() - w
        outputs.append(out.read_bytes())
        rows.append((f"circumspect screen_file, {workers} worker(s)", len(names), wall))
    assert outputs[0] == outputs[1], "outputs differ between 1 and 2 workers"
    nk = names[:: max(1, len(names) // nk_limit)][:nk_limit]
    wall, _cpu, _alerts = nk_queries(entities, nk)
    rows.append(("logic-v2 behind token blocking (top 20), 1 process", len(nk), wall))
    nk_rate = len(nk) / wall
    for name, n, wall in rows:
        rate = n / wall
        print(f"| {name} | {n:,} | {wall:.2f} | {rate:,.0f} | {rate / nk_rate:.1f}x |")
    print(f"load after {load_avg()}")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("sections", nargs="*", default=["pairs", "queries"])
    parser.add_argument("--pairs", type=int, default=20000, help="distinct pairs (0 = all)")
    parser.add_argument("--nk-pairs", type=int, default=5000, help="pairs for logic-v2")
    parser.add_argument("--queries", type=int, default=2000)
    parser.add_argument("--nk-queries", type=int, default=300)
    args = parser.parse_args()
    if not (FIX / "matching").exists():
        print(f"shared data not available: {FIX}", file=sys.stderr)
        return 2
    if "pairs" in args.sections:
        section_pairs(args.pairs, args.nk_pairs)
    if "queries" in args.sections:
        section_queries(args.queries, args.nk_queries)
    return 0


if __name__ == "__main__":
    sys.exit(main())
