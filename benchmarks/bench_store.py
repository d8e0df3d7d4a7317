"""Time and peak memory to load each ../shared list fixture into the store.

For every fixture (OFAC SDN 2021, OFAC consolidated, UN consolidated, BIS DPL) and backend
(SQLite always; PostgreSQL when ``CIRCUMSPECT_TEST_PG_URL`` is set) one fresh subprocess:

* parses the files once (cold: one-time start-up costs of FtM and the parsers);
* parses and loads the files, streaming, as ``lists load`` does (``load s``, peak memory);
* parses them again into a list (``parse s``) and loads that list (``store s``: the
  store's own cost), then diffs the two identical snapshots (``diff s``, 0 changes);
* reads every active entity back (``read s``, ``iter_entities``).

Peak memory is the subprocess's peak RSS (``ru_maxrss``); ``base`` is its RSS after imports,
before the load, so ``peak - base`` is what the load itself costs. Parse-only time is measured
separately so the store's own share is visible. A synthetic case (``--synthetic N``,
default 100,000 generated entities) shows the store at a larger scale; there ``parse s`` is
the time to generate the entities and ``store s = load s - parse s``.

    .venv/bin/python benchmarks/bench_store.py [--repeat N]
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
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from circumspect.model.entities import ListedEntity

ROOT = Path(__file__).resolve().parent.parent
SHARED = Path(os.environ.get("CIRCUMSPECT_SHARED", ROOT.parent / "shared"))

FIXTURES: list[tuple[str, str, str]] = [
    ("OFAC SDN 2021 (CSV set)", "ofac_sdn", "fixtures/lists/ofac_sdn_2021"),
    ("OFAC consolidated (CSV set)", "ofac_cons", "fixtures/lists/ofac_consolidated"),
    ("UN consolidated (XML)", "un_sc", "fixtures/lists/un"),
    ("BIS DPL (TSV)", "bis_dpl", "fixtures/lists/bis_dpl"),
]


def _rss_mb() -> float:
    import psutil

    return float(psutil.Process().memory_info().rss) / 2**20


def one(source: str, folder: str, url: str) -> dict[str, float | int | str]:
    """Runs inside the subprocess."""
    from circumspect.sources import parse_source
    from circumspect.store import open_store
    from circumspect.store.loading import load_paths

    files = sorted(p for p in (SHARED / folder).iterdir() if p.is_file())
    store = open_store(url)
    base = _rss_mb()
    # Cold parse: the first parse in a process pays one-time costs (FtM model, country
    # tables, lazy imports); it is reported on its own and kept out of the load figures.
    started = time.perf_counter()
    sum(1 for _ in parse_source(source, files).entities())
    cold_s = time.perf_counter() - started
    started = time.perf_counter()
    first = load_paths(store, source, files)
    load_s = time.perf_counter() - started
    peak_load = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024

    started = time.perf_counter()
    parsed = parse_source(source, files)
    entities = list(parsed.entities())
    count = len(entities)
    parse_s = time.perf_counter() - started

    started = time.perf_counter()
    second = store.load(source, entities, checksum=parsed.checksum, files=parsed.files)
    store_s = time.perf_counter() - started
    del entities

    started = time.perf_counter()
    diff = store.diff(source)
    diff_s = time.perf_counter() - started

    started = time.perf_counter()
    read = sum(1 for _ in store.iter_entities(sources=[source]))
    read_s = time.perf_counter() - started
    store.close()
    assert count == first.snapshot.entity_count == second.entity_count == read
    assert not diff.changes, "reloading the same files must give no changes"
    return {
        "entities": first.snapshot.entity_count,
        "cold_parse_s": cold_s,
        "load_s": load_s,
        "parse_s": parse_s,
        "store_s": store_s,
        "diff_s": diff_s,
        "read_s": read_s,
        "base_mb": base,
        "peak_load_mb": peak_load,
        "peak_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
    }


def _synthetic_entities(count: int) -> Iterator[ListedEntity]:
    from circumspect.model.entities import ListedEntity, make_entity_id, new_proxy

    for number in range(count):
        entity_id = make_entity_id("opensanctions", f"syn-{number}")
        proxy = new_proxy(
            "Person" if number % 2 else "Company",
            entity_id,
            [
                ("name", f"SYNTHETIC ENTITY {number}"),
                ("alias", f"SYNTHETIC {number} ALIAS"),
                ("country", "ru"),
                ("notes", "generated for the store benchmark " * 4),
            ],
        )
        sanction = new_proxy(
            "Sanction",
            entity_id + "-sanction",
            [
                ("entity", entity_id),
                ("program", "RUSSIA-EO14024"),
                ("authority", "BENCH"),
            ],
        )
        yield ListedEntity(
            proxy=proxy, source="opensanctions", source_id=f"syn-{number}", sanctions=[sanction]
        )


def synthetic(count: int, url: str) -> dict[str, float | int | str]:
    """Runs inside the subprocess: store-only figures at a larger scale."""
    from circumspect.store import open_store

    store = open_store(url)
    base = _rss_mb()
    started = time.perf_counter()
    generated = sum(1 for _ in _synthetic_entities(count))
    gen_s = time.perf_counter() - started
    started = time.perf_counter()
    store.load("opensanctions", _synthetic_entities(count), checksum="a")
    load_s = time.perf_counter() - started
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    store.load("opensanctions", _synthetic_entities(count), checksum="a")
    started = time.perf_counter()
    diff = store.diff("opensanctions")
    diff_s = time.perf_counter() - started
    started = time.perf_counter()
    read = sum(1 for _ in store.iter_entities())
    read_s = time.perf_counter() - started
    store.close()
    assert generated == read == count and not diff.changes
    return {
        "entities": count,
        "cold_parse_s": 0.0,
        "load_s": load_s,
        "parse_s": gen_s,
        "store_s": max(load_s - gen_s, 0.0),
        "diff_s": diff_s,
        "read_s": read_s,
        "base_mb": base,
        "peak_load_mb": peak,
    }


def _backends() -> list[tuple[str, str | None]]:
    out: list[tuple[str, str | None]] = [("sqlite", None)]
    admin = os.environ.get("CIRCUMSPECT_TEST_PG_URL")
    if admin:
        out.append(("postgresql", admin))
    return out


def _pg_database(admin: str) -> tuple[str, str]:
    import psycopg

    name = f"bench_{uuid.uuid4().hex[:10]}"
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    return name, admin.rpartition("/")[0] + "/" + name


def _drop(admin: str, name: str) -> None:
    import psycopg

    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--repeat", type=int, default=1, help="Runs per case (best is kept).")
    parser.add_argument(
        "--synthetic",
        type=int,
        default=100_000,
        help="Size of the synthetic (store-only) case; 0 skips it.",
    )
    parser.add_argument(
        "--one", nargs=3, metavar=("SOURCE", "FOLDER", "URL"), help=argparse.SUPPRESS
    )
    args = parser.parse_args()
    if args.one:
        if args.one[0] == "synthetic":
            print(json.dumps(synthetic(int(args.one[1]), args.one[2])))
        else:
            print(json.dumps(one(*args.one)))
        return 0
    rows = []
    cases = list(FIXTURES)
    if args.synthetic:
        cases.append((f"synthetic {args.synthetic:,} (store)", "synthetic", str(args.synthetic)))
    for label, source, folder in cases:
        if source != "synthetic" and not (SHARED / folder).is_dir():
            print(f"skip {label}: {SHARED / folder} not found")
            continue
        for backend, admin in _backends():
            best: dict[str, float | int | str] | None = None
            for _ in range(args.repeat):
                with tempfile.TemporaryDirectory() as home:
                    pg_name = None
                    if admin is None:
                        url = f"sqlite:///{home}/bench.sqlite"
                    else:
                        pg_name, url = _pg_database(admin)
                    try:
                        env = dict(os.environ, CIRCUMSPECT_HOME=home, PYTHONPATH=str(ROOT))
                        out = subprocess.run(
                            [sys.executable, __file__, "--one", source, folder, url],
                            capture_output=True,
                            text=True,
                            env=env,
                            check=False,
                        )
                    finally:
                        if admin is not None and pg_name is not None:
                            _drop(admin, pg_name)
                if out.returncode != 0:
                    print(f"FAILED {label} on {backend}:\n{out.stderr}")
                    return 1
                result = json.loads(out.stdout.strip().splitlines()[-1])
                if best is None or float(result["load_s"]) < float(best["load_s"]):
                    best = result
            assert best is not None
            rows.append((label, backend, best))
    header = (
        f"{'fixture':<30} {'backend':<10} {'entities':>8} {'cold s':>6} {'load s':>7} "
        f"{'ent/s':>7} "
        f"{'parse s':>7} {'store s':>7} {'diff s':>6} {'read s':>6} "
        f"{'base MB':>7} {'peak MB':>7}"
    )
    print(header)
    print("-" * len(header))
    for label, backend, r in rows:
        load_s, parse_s = float(r["load_s"]), float(r["parse_s"])
        print(
            f"{label:<30} {backend:<10} {int(r['entities']):>8} "
            f"{float(r['cold_parse_s']):>6.2f} {load_s:>7.2f} "
            f"{int(r['entities']) / load_s:>7.0f} {parse_s:>7.2f} "
            f"{float(r['store_s']):>7.2f} {float(r['diff_s']):>6.2f} "
            f"{float(r['read_s']):>6.2f} {float(r['base_mb']):>7.0f} "
            f"{float(r['peak_load_mb']):>7.0f}"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
