"""Payment screening benchmark: accuracy on the generated set, single-message latency and
batch throughput, against the full OFAC SDN (2021, 8,976 entries), OFAC non-SDN consolidated
(442) and UN Security Council (1,003) fixtures in ../shared/fixtures/lists.

    .venv/bin/python benchmarks/bench_payments.py [--clean 2000 --exposed 500 --malformed 200]
        [--latency 300] [--workers 2]

Latency is measured "cold": the engine's per-name cache is cleared before each message, so
every party and agent name goes through the party screener (the realistic worst case of
new counterparties). Batch throughput is measured over the whole generated set with the
cache on (counterparties recur in real traffic and in the generated set), in one process
and, with --workers, in a fork pool. "payments layer only" repeats the timings with a
screener that answers instantly, to separate parsing/territory/remittance cost from party
screening cost.
"""

from __future__ import annotations

import argparse
import multiprocessing as mp
import statistics
import sys
import time
from collections import Counter
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from circumspect.matching import Screener  # noqa: E402
from circumspect.model.entities import ListedEntity  # noqa: E402
from circumspect.model.screening import Candidate, Query  # noqa: E402
from circumspect.payments.screening import PaymentScreening  # noqa: E402
from circumspect.sources import parse_source  # noqa: E402
from circumspect.synth.payments import GeneratedMessage, generate  # noqa: E402

LISTS = ROOT.parent / "shared" / "fixtures" / "lists"


class NullScreener:
    """Answers every query with nothing (measures the payments layer alone)."""

    threshold = 0.7

    def screen(self, query: Query, limit: int = 5) -> list[Candidate]:
        return []

    def by_identifier(self, value: str) -> list[Candidate]:
        return []


def load_entities() -> tuple[list[ListedEntity], dict[str, int]]:
    entities: list[ListedEntity] = []
    counts: dict[str, int] = {}
    for source, folder, pattern in (
        ("ofac_sdn", "ofac_sdn_2021", "*.csv"),
        ("ofac_cons", "ofac_consolidated", "*.csv"),
        ("un_sc", "un", "*.xml"),
    ):
        files = sorted((LISTS / folder).glob(pattern))
        got = list(parse_source(source, files).entities())
        counts[source] = len(got)
        entities.extend(got)
    return entities, counts


def accuracy(engine: PaymentScreening, messages: list[GeneratedMessage]) -> dict[str, Any]:
    per: Counter[tuple[str, str]] = Counter()
    clean_causes: Counter[str] = Counter()
    misses: list[str] = []
    for m in messages:
        decision = engine.screen_raw(m.raw, m.name)
        if m.expected == "pass" and decision.decision in ("hold", "reject"):
            for check in {f.check for f in decision.flags if f.severity != "info"}:
                clean_causes[check] += 1
        ok = {
            "pass": decision.decision == "pass",
            "exposed": decision.decision in ("hold", "reject"),
            "error": decision.decision == "error",
        }[m.expected]
        per[(m.category, "ok" if ok else "wrong")] += 1
        if not ok and (m.expected != "pass" or len(misses) < 12):
            misses.append(
                f"{m.name} [{m.note[:70]}] -> {decision.decision}: {decision.explanation[:110]}"
            )
    return {"per": per, "misses": misses, "clean_causes": clean_causes}


def latency(
    engine: PaymentScreening, messages: list[GeneratedMessage], n: int
) -> tuple[list[float], list[float]]:
    """Per-message wall-clock and CPU (process) milliseconds, cache cleared each time."""
    wall: list[float] = []
    cpu: list[float] = []
    for m in messages[:n]:
        engine._name_cache.clear()
        engine._id_cache.clear()
        start, start_cpu = time.perf_counter(), time.process_time()
        engine.screen_raw(m.raw, m.name)
        cpu.append((time.process_time() - start_cpu) * 1000)
        wall.append((time.perf_counter() - start) * 1000)
    return wall, cpu


_ENGINE: PaymentScreening | None = None


def _work(raw: bytes) -> str:
    assert _ENGINE is not None
    return _ENGINE.screen_raw(raw).decision


def throughput(
    engine: PaymentScreening, messages: list[GeneratedMessage], workers: int
) -> tuple[float, float]:
    """(messages per wall-clock second, messages per CPU second of this process)."""
    global _ENGINE
    raws = [m.raw for m in messages]
    engine._name_cache.clear()  # start cold; the cache fills as counterparties recur
    engine._id_cache.clear()
    if workers <= 1:
        start, start_cpu = time.perf_counter(), time.process_time()
        for raw in raws:
            engine.screen_raw(raw)
        return (
            len(raws) / (time.perf_counter() - start),
            len(raws) / (time.process_time() - start_cpu),
        )
    _ENGINE = engine
    ctx = mp.get_context("fork")
    start = time.perf_counter()
    with ctx.Pool(workers) as pool:
        list(pool.imap_unordered(_work, raws, chunksize=64))
    return len(raws) / (time.perf_counter() - start), float("nan")


def pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--clean", type=int, default=2000)
    parser.add_argument("--exposed", type=int, default=500)
    parser.add_argument("--malformed", type=int, default=200)
    parser.add_argument("--latency", type=int, default=300)
    parser.add_argument("--workers", type=int, default=2)
    args = parser.parse_args()
    if not LISTS.exists():
        print(f"fixtures not found: {LISTS}")
        return 1
    t0 = time.perf_counter()
    entities, counts = load_entities()
    t1 = time.perf_counter()
    screener = Screener(entities)
    engine = PaymentScreening(screener, entities=entities)
    t2 = time.perf_counter()
    messages = generate(
        entities, clean=args.clean, exposed=args.exposed, malformed=args.malformed, seed=9
    )
    print(
        f"lists: {counts} ({len(entities)} entities) parsed in {t1 - t0:.1f} s; "
        f"screener + payment index built in {t2 - t1:.1f} s; "
        f"{len(messages)} generated messages"
    )

    acc = accuracy(engine, messages)
    per = acc["per"]
    print("\n| category | messages | as expected | rate |\n|---|---:|---:|---:|")
    groups: dict[str, list[str]] = {"clean (pass)": ["clean"]}
    for cat in sorted({c for c, _ in per}):
        if cat != "clean":
            groups.setdefault(cat, [cat])
    exposed_cats = [c for c, _ in per if c not in ("clean",) and not c.startswith("malformed")]
    malformed_cats = [c for c, _ in per if c.startswith("malformed")]
    groups["ALL exposed (hold/reject)"] = sorted(set(exposed_cats))
    groups["ALL malformed (error)"] = sorted(set(malformed_cats))
    for label, cats in groups.items():
        ok = sum(per[(c, "ok")] for c in cats)
        total = ok + sum(per[(c, "wrong")] for c in cats)
        if total:
            print(f"| {label} | {total} | {ok} | {100 * ok / total:.1f}% |")
    causes = acc["clean_causes"]
    print(
        "\nclean messages held or rejected, by check: "
        + (", ".join(f"{k} {v}" for k, v in sorted(causes.items())) or "none")
    )
    if acc["misses"]:
        print("\nfirst misclassified messages:")
        for line in acc["misses"]:
            print("  " + line)

    print("\n| measure | real screener | payments layer only |\n|---|---:|---:|")
    null = PaymentScreening(NullScreener(), entities=entities)
    wall, cpu = latency(engine, messages, args.latency)
    wall_null, cpu_null = latency(null, messages, args.latency)
    for q, label in ((0.5, "p50"), (0.95, "p95"), (0.99, "p99")):
        print(
            f"| single message {label}, wall clock (cold) | {pct(wall, q):.2f} ms | "
            f"{pct(wall_null, q):.2f} ms |"
        )
    for q, label in ((0.5, "p50"), (0.99, "p99")):
        print(
            f"| single message {label}, CPU time (cold) | {pct(cpu, q):.2f} ms | "
            f"{pct(cpu_null, q):.2f} ms |"
        )
    print(
        f"| single message mean, wall clock (cold) | {statistics.mean(wall):.2f} ms | "
        f"{statistics.mean(wall_null):.2f} ms |"
    )
    b1, b1_cpu = throughput(engine, messages, 1)
    n1, n1_cpu = throughput(null, messages, 1)
    print(f"| batch, 1 process, wall clock | {b1:,.0f} msg/s | {n1:,.0f} msg/s |")
    print(f"| batch, 1 process, per CPU second | {b1_cpu:,.0f} msg/s | {n1_cpu:,.0f} msg/s |")
    if args.workers > 1:
        bn, _ = throughput(engine, messages, args.workers)
        nn, _ = throughput(null, messages, args.workers)
        print(
            f"| batch, {args.workers} processes, wall clock | {bn:,.0f} msg/s | {nn:,.0f} msg/s |"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
