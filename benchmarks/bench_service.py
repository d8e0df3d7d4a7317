"""Load test of the service: single-party POST /v1/screen over loopback.

Loads a list into a fresh store (the real OFAC SDN 2021 fixture from ../shared when present,
else the bundled demo lists), creates an API user, starts ``circumspect serve`` with N
workers, and runs the load generator in a second process (httpx, asyncio):

1. open loop at a fixed arrival rate (default 300 requests/s) for D seconds: achieved rate,
   latency p50/p95/p99/max and errors;
2. closed loop with C concurrent connections for D seconds: the maximum throughput.

Queries mix listed names (about 1 in 10, so alerts open cases and then find them) with
generated non-listed company and person names in Latin, Cyrillic and Kazakh letters.

    .venv/bin/python benchmarks/bench_service.py [--workers 2] [--rate 300] [--seconds 20]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SHARED = Path(os.environ.get("CIRCUMSPECT_SHARED", ROOT.parent / "shared"))

FIRST = [
    "Ivan",
    "Serik",
    "Aigerim",
    "Olga",
    "Nurlan",
    "Dmitry",
    "Айгерім",
    "Нұрлан",
    "Ольга",
    "Дмитрий",
    "Бауыржан",
    "Sergey",
    "Anna",
    "Madina",
    "Мадина",
]
LAST = [
    "Petrov",
    "Akhmetov",
    "Sarsenova",
    "Orlova",
    "Abenov",
    "Ivanov",
    "Сәрсенова",
    "Әбенов",
    "Орлова",
    "Иванов",
    "Жұмабаев",
    "Kuznetsov",
    "Smirnova",
    "Tulegenova",
    "Төлегенова",
]
ORG = [
    "Trade",
    "Logistics",
    "Invest",
    "Steppe",
    "Caspian",
    "Altai",
    "Сауда",
    "Логистик",
    "Astana",
    "Terminal",
    "Group",
    "Холдинг",
    "Құрылыс",
]
FORM = ["LLP", "ТОО", "ЖШС", "LLC", "ООО", "JSC", "АО"]


def names(listed: list[str], n: int, seed: int = 7) -> list[dict[str, str]]:
    rng = random.Random(seed)
    out = []
    for _ in range(n):
        if listed and rng.random() < 0.1:
            out.append({"name": rng.choice(listed)})
        elif rng.random() < 0.5:
            out.append({"name": f"{rng.choice(FIRST)} {rng.choice(LAST)}", "schema": "Person"})
        else:
            out.append(
                {
                    "name": f"{rng.choice(ORG)} {rng.choice(ORG)} {rng.choice(FORM)}",
                    "schema": "Company",
                }
            )
    return out


def pct(values: list[float], p: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1)))]


async def _open_loop(
    url: str, key: str, bodies: list[dict[str, str]], rate: float, seconds: float
) -> dict[str, float]:
    import httpx

    limits = httpx.Limits(max_connections=64, max_keepalive_connections=64)
    lat: list[float] = []
    errors = 0
    async with httpx.AsyncClient(
        base_url=url, limits=limits, timeout=10, headers={"Authorization": f"Bearer {key}"}
    ) as client:
        gate = asyncio.Semaphore(64)

        async def one(body: dict[str, str], due: float) -> None:
            # Latency counts from the scheduled send time, so time spent waiting for a free
            # connection (the server falling behind) is included (no coordinated omission).
            nonlocal errors
            async with gate:
                try:
                    r = await client.post("/v1/screen", json=body)
                    if r.status_code != 200:
                        errors += 1
                except httpx.HTTPError:
                    errors += 1
            lat.append((time.perf_counter() - due) * 1000)

        tasks = []
        start = time.perf_counter()
        n = int(rate * seconds)
        for i in range(n):
            due = start + i / rate
            delay = due - time.perf_counter()
            if delay > 0:
                await asyncio.sleep(delay)
            tasks.append(asyncio.create_task(one(bodies[i % len(bodies)], due)))
        await asyncio.gather(*tasks)
        elapsed = time.perf_counter() - start
    return {
        "requests": n,
        "seconds": elapsed,
        "rps": n / elapsed,
        "errors": errors,
        "p50": pct(lat, 50),
        "p95": pct(lat, 95),
        "p99": pct(lat, 99),
        "max": max(lat),
        "mean": statistics.fmean(lat),
    }


async def _closed_loop(
    url: str, key: str, bodies: list[dict[str, str]], concurrency: int, seconds: float
) -> dict[str, float]:
    import httpx

    lat: list[float] = []
    errors = 0
    stop = time.perf_counter() + seconds
    limits = httpx.Limits(max_connections=concurrency, max_keepalive_connections=concurrency)
    async with httpx.AsyncClient(
        base_url=url, limits=limits, timeout=10, headers={"Authorization": f"Bearer {key}"}
    ) as client:

        async def worker(w: int) -> None:
            nonlocal errors
            i = w
            while time.perf_counter() < stop:
                t0 = time.perf_counter()
                try:
                    r = await client.post("/v1/screen", json=bodies[i % len(bodies)])
                    if r.status_code != 200:
                        errors += 1
                except httpx.HTTPError:
                    errors += 1
                lat.append((time.perf_counter() - t0) * 1000)
                i += concurrency

        start = time.perf_counter()
        await asyncio.gather(*(worker(w) for w in range(concurrency)))
        elapsed = time.perf_counter() - start
    return {
        "requests": len(lat),
        "seconds": elapsed,
        "rps": len(lat) / elapsed,
        "errors": errors,
        "p50": pct(lat, 50),
        "p95": pct(lat, 95),
        "p99": pct(lat, 99),
        "max": max(lat),
        "mean": statistics.fmean(lat),
    }


def client_main(args: argparse.Namespace) -> None:
    spec = json.loads(Path(args.client).read_text(encoding="utf-8"))
    bodies = spec["bodies"]
    if spec["mode"] == "open":
        out = asyncio.run(
            _open_loop(spec["url"], spec["key"], bodies, spec["rate"], spec["seconds"])
        )
    else:
        out = asyncio.run(
            _closed_loop(spec["url"], spec["key"], bodies, spec["concurrency"], spec["seconds"])
        )
    print(json.dumps(out))


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def run_client(spec: dict[str, object], work: Path) -> dict[str, float]:
    path = work / "client.json"
    path.write_text(json.dumps(spec), encoding="utf-8")
    out = subprocess.run(
        [sys.executable, __file__, "--client", str(path)],
        check=True,
        capture_output=True,
        text=True,
        timeout=600,
    )
    result: dict[str, float] = json.loads(out.stdout.strip().splitlines()[-1])
    return result


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--rate", type=float, default=300.0)
    parser.add_argument("--seconds", type=float, default=20.0)
    parser.add_argument("--concurrency", type=int, default=16)
    parser.add_argument("--client", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.client:
        client_main(args)
        return 0

    import httpx

    def _stop(_signum: int, _frame: object) -> None:
        raise SystemExit("interrupted")

    signal.signal(signal.SIGTERM, _stop)  # so the server below is always stopped
    sys.path.insert(0, str(ROOT))
    work = Path(tempfile.mkdtemp(prefix="bench-service-"))
    env = os.environ | {"CIRCUMSPECT_HOME": str(work / "home")}
    os.environ.update(env)
    url = f"sqlite:///{work / 'service.sqlite'}"
    from circumspect.cases.service import CaseService
    from circumspect.demo import DATA_DIR
    from circumspect.store import open_store
    from circumspect.store.loading import load_paths

    store = open_store(url)
    fixture = SHARED / "fixtures" / "lists" / "ofac_sdn_2021"
    if fixture.is_dir():
        load_paths(store, "ofac_sdn", sorted(fixture.iterdir()))
        described = "OFAC SDN 2021 (../shared fixture)"
    else:
        for source in ("ofac_sdn", "eu_fsf", "uk_fcdo", "un_sc", "bis_dpl"):
            folder = DATA_DIR / "lists" / source
            load_paths(store, source, sorted(folder.iterdir()))
        described = "bundled demo lists"
    listed = [e.caption for _, e in zip(range(2000), store.iter_entities(), strict=False)]
    entities = sum(s.entity_count for s in store.active_snapshots().values())
    store.close()
    service = CaseService(url)
    _, key = service.add_user("bench", "analyst")
    service.close()
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    server = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "circumspect.cli.main",
            "serve",
            "--port",
            str(port),
            "--workers",
            str(args.workers),
            "--db",
            url,
        ],
        env=env,
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    try:
        deadline = time.monotonic() + 120
        while True:
            try:
                if httpx.get(f"{base}/health", timeout=1).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            if time.monotonic() > deadline or server.poll() is not None:
                raise SystemExit("server did not start")
            time.sleep(0.2)
        bodies = names(listed, 5000)
        # warm-up: every worker builds/loads the matching index
        run_client(
            {
                "mode": "closed",
                "url": base,
                "key": key,
                "bodies": bodies[:200],
                "concurrency": 4,
                "seconds": 5,
            },
            work,
        )
        rows = []
        fixed = run_client(
            {
                "mode": "open",
                "url": base,
                "key": key,
                "bodies": bodies,
                "rate": args.rate,
                "seconds": args.seconds,
            },
            work,
        )
        rows.append((f"open loop {args.rate:.0f}/s", fixed))
        peak = run_client(
            {
                "mode": "closed",
                "url": base,
                "key": key,
                "bodies": bodies,
                "concurrency": args.concurrency,
                "seconds": args.seconds,
            },
            work,
        )
        rows.append((f"closed loop c={args.concurrency}", peak))
    finally:
        server.terminate()
        server.wait(timeout=30)
    print(
        f"service benchmark: {described}, {entities} entities, {args.workers} workers, "
        f"SQLite case store, {os.cpu_count()} CPUs (shared machine)"
    )
    print(
        f"{'phase':<22}{'requests':>9}{'req/s':>9}{'errors':>7}{'p50 ms':>9}{'p95 ms':>9}"
        f"{'p99 ms':>9}{'max ms':>9}"
    )
    for label, r in rows:
        print(
            f"{label:<22}{r['requests']:>9.0f}{r['rps']:>9.1f}{r['errors']:>7.0f}"
            f"{r['p50']:>9.1f}{r['p95']:>9.1f}{r['p99']:>9.1f}{r['max']:>9.1f}"
        )
    ok = fixed["rps"] >= 0.97 * args.rate and fixed["p99"] <= 100 and fixed["errors"] == 0
    print(f"target >= {args.rate:.0f} req/s with p99 <= 100 ms: {'MET' if ok else 'NOT MET'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
