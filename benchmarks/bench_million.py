"""Benchmark: a million listed entities in the array index (issue 18).

Builds N synthetic listed entities from real name distributions (given names and surnames of
yente's 50,000 global negatives and of the OFAC SDN 2021 persons, company words of the SDN
companies with Latin, Russian and Kazakh legal forms; about a third written in Cyrillic),
writes the array index (``circumspect.matching.arrayindex``) with 2 workers, then opens it
in a fresh process and screens 1,000 distinct queries one by one: 400 listed names as
listed, 300 listed names with one letter dropped, 300 names built the same way but not
listed. Reports build time and peak memory, the screening process's memory (resident and
proportional, the mapped index shared), latency p50/p95/p99 and how often the listed entity
is returned at the best score.

    .venv/bin/python benchmarks/bench_million.py [--entities 1000000] [--keep /tmp/million]

Targets (issue 18): build <= 5 minutes, <= 1.5 GB per process, p99 <= 20 ms.
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import random
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SHARED = Path(os.environ.get("CIRCUMSPECT_SHARED", ROOT.parent / "shared"))
FORMS_LATIN = ("LLC", "JSC", "LLP", "Ltd", "GmbH", "Trading Co")
FORMS_CYRILLIC = ("ООО", "АО", "ТОО", "ПАО", "ЖШС")


def name_pools() -> tuple[list[str], list[str], list[str]]:
    """(given names, surnames, company words) from the real files in ../shared."""
    sys.path.insert(0, str(ROOT))
    from circumspect.sources import parse_source

    given: list[str] = []
    family: list[str] = []
    negatives = SHARED / "fixtures" / "matching" / "yente_negatives_global.csv"
    with negatives.open(encoding="utf-8") as fh:
        for row in csv.DictReader(fh):
            if row["first_name"].strip():
                given.append(row["first_name"].strip())
            if row["last_name"].strip():
                family.append(row["last_name"].strip())
    sdn = SHARED / "fixtures" / "lists" / "ofac_sdn_2021"
    words: list[str] = []
    for entity in parse_source("ofac_sdn", sorted(sdn.glob("*.csv"))).entities():
        if entity.schema == "Person":
            given += entity.get("firstName")[:1]
            family += entity.get("lastName")[:1]
        elif entity.schema in ("Company", "Organization"):
            words += [w for w in entity.caption.replace(",", " ").split() if len(w) > 2]
    return given, family, words


def make_entities(n: int, seed: int = 11) -> Iterator[object]:
    from circumspect.model.entities import ListedEntity, make_entity_id, new_proxy
    from circumspect.names.translit import to_cyrillic

    given, family, words = name_pools()
    rng = random.Random(seed)
    for i in range(n):
        cyrillic = rng.random() < 0.33
        if rng.random() < 0.55:
            schema = "Person"
            name = f"{rng.choice(given)} {rng.choice(family)}"
            if cyrillic:
                name = " ".join(w.capitalize() for w in to_cyrillic(name).split())
            props = [("name", name), ("birthDate", f"{rng.randint(1940, 2000)}")]
        else:
            schema = "Company"
            core = " ".join(rng.choice(words).title() for _ in range(rng.randint(1, 3)))
            if cyrillic:
                core = " ".join(w.capitalize() for w in to_cyrillic(core).split())
                name = f"{rng.choice(FORMS_CYRILLIC)} «{core}»"
            else:
                name = f"{core} {rng.choice(FORMS_LATIN)}"
            props = [("name", name), ("country", rng.choice(("ru", "kz", "cn", "ae", "tr")))]
        entity_id = make_entity_id("opensanctions", f"m{i}")
        yield ListedEntity(new_proxy(schema, entity_id, props), "opensanctions", f"m{i}")


def build(n: int, folder: Path) -> dict[str, float]:
    sys.path.insert(0, str(ROOT))
    from circumspect.matching.arrayindex import build_array_index

    started = time.perf_counter()
    last = [started]

    def progress(done: int) -> None:
        now = time.perf_counter()
        if now - last[0] > 15:
            last[0] = now
            print(f"  built {done:,} of {n:,} ({now - started:.0f} s)", file=sys.stderr)

    build_array_index(make_entities(n), folder, workers=2, progress=progress)
    seconds = time.perf_counter() - started
    own = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    children = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    size = sum(p.stat().st_size for p in folder.iterdir()) / 1e6
    return {"build_s": seconds, "build_peak_mb": own, "worker_peak_mb": children, "disk_mb": size}


def _memory_mb() -> tuple[float, float]:
    rss = pss = 0.0
    with open("/proc/self/smaps_rollup", encoding="ascii") as fh:
        for line in fh:
            if line.startswith("Rss:"):
                rss = int(line.split()[1]) / 1024
            elif line.startswith("Pss:"):
                pss = int(line.split()[1]) / 1024
    return rss, pss


def screen(folder: Path, n: int) -> dict[str, float]:
    """Run in a fresh process: open the index, screen 1,000 distinct queries."""
    sys.path.insert(0, str(ROOT))
    from circumspect.matching import Screener
    from circumspect.matching.arrayindex import ArrayIndex
    from circumspect.model.screening import Query

    before = _memory_mb()
    index = ArrayIndex(folder)
    screener = Screener(index=index)
    rng = random.Random(5)
    listed = rng.sample(range(index.size), 700)
    queries: list[tuple[Query, str | None, str]] = []
    for k, pos in enumerate(listed):
        record = index.record(pos)
        name, schema = record[5][0], record[4]
        if k < 400:
            queries.append((Query(name, schema=schema), record[0], "listed"))
        else:
            i = rng.randrange(1, len(name) - 1)
            queries.append((Query(name[:i] + name[i + 1 :], schema=schema), record[0], "typo"))
    fresh = make_entities(300, seed=999)
    for entity in fresh:
        queries.append((Query(entity.caption, schema=entity.schema), None, "unlisted"))  # type: ignore[attr-defined]
    times: list[float] = []
    cpu: list[float] = []
    first = {"listed": 0, "typo": 0}
    alerts_unlisted = 0
    for query, target, kind in queries:
        t, c = time.perf_counter(), time.process_time()
        found = screener.screen(query, limit=5)
        times.append((time.perf_counter() - t) * 1000)
        cpu.append((time.process_time() - c) * 1000)
        # found: the listed entity is returned at the best score (synthetic names repeat,
        # so another entity with the same name may tie with it)
        if target is not None and any(
            c.entity_id == target and c.score == found[0].score for c in found
        ):
            first[kind] += 1
        if target is None and any(c.alert for c in found):
            alerts_unlisted += 1
    after = _memory_mb()
    times.sort()
    cpu.sort()
    return {
        "queries": len(queries),
        "p50_ms": statistics.median(times),
        "p95_ms": times[int(0.95 * len(times)) - 1],
        "p99_ms": times[int(0.99 * len(times)) - 1],
        "max_ms": times[-1],
        "cpu_p50_ms": statistics.median(cpu),
        "cpu_p99_ms": cpu[int(0.99 * len(cpu)) - 1],
        "listed_found_at_top_score": first["listed"] / 400,
        "typo_found_at_top_score": first["typo"] / 300,
        "unlisted_alerting": alerts_unlisted / 300,
        "rss_before_mb": before[0],
        "rss_after_mb": after[0],
        "pss_after_mb": after[1],
        "entities": n,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--entities", type=int, default=1_000_000)
    parser.add_argument("--keep", type=Path, default=None, help="Keep the index folder here.")
    parser.add_argument("--reuse", action="store_true", help="Screen the kept index again.")
    parser.add_argument("--screen-only", type=Path, default=None, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.screen_only is not None:
        print(json.dumps(screen(args.screen_only, args.entities)))
        return
    if not (SHARED / "fixtures").exists():
        sys.exit(f"shared data not found at {SHARED} (set CIRCUMSPECT_SHARED)")
    folder = args.keep or Path(tempfile.mkdtemp(prefix="million-")) / "index"
    print(
        f"# bench_million ({time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}; "
        f"load average {os.getloadavg()[0]:.1f})"
    )
    built: dict[str, float] = {}
    if not (args.reuse and (folder / "meta.json").exists()):
        built = build(args.entities, folder)
        for key, value in built.items():
            print(f"{key:24} {value:,.1f}")
    out = subprocess.run(
        [sys.executable, __file__, "--screen-only", str(folder), "--entities", str(args.entities)],
        check=True,
        capture_output=True,
        text=True,
    )
    result = json.loads(out.stdout)
    for key, value in result.items():
        print(f"{key:24} {value:,.3f}" if isinstance(value, float) else f"{key:24} {value:,}")
    print(f"load average after       {os.getloadavg()[0]:.1f}")


if __name__ == "__main__":
    main()
