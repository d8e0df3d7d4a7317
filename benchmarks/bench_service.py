"""Load test of the service: ``POST /v1/screen`` against a bare FastAPI app, in one run.

Loads a list into a fresh store (the real OFAC SDN 2021 fixture from ../shared when present,
else the bundled demo lists), creates an API user, and starts two servers on the same stack
(uvicorn with uvloop and httptools, N worker processes on one ``SO_REUSEPORT`` socket with
``TCP_NODELAY``, the way ``circumspect serve`` runs them):

* ``circumspect serve --workers N`` (SQLite case store: every request screens, remembers the
  party and appends its audit record, group-committed; alerts open cases);
* a bare FastAPI app that answers the same requests with a constant.

The load generator is a separate process with a fixed number of connections: ``wrk`` (one
thread, a Lua script sending distinct names from ``yente_negatives_global.csv`` in
../shared, each request a name no other request of the run sends), else the asyncio/httpx
closed loop of this file. For 32, 4 and 1 connections it reports requests/s, errors, p50
and p99 and the load generator's CPU time. After the run ``circumspect audit verify`` must
pass and the ``screen`` records must number at least the completed requests.

    .venv/bin/python benchmarks/bench_service.py [--workers 2] [--seconds 10]
        [--connections 32,4,1]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import shutil
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


WRK_SCRIPT = """
-- distinct bodies: thread t of T sends lines t, t+T, t+2T, ... of the names file
local names = {}
local index = 0
local step = 1
local headers = {}
function setup(thread)
  thread:set("tid", thread_count or 0)
  thread_count = (thread_count or 0) + 1
end
function init(args)
  for line in io.lines(args[1]) do names[#names + 1] = line end
  index = tonumber(tid) or 0
  step = tonumber(args[2]) or 1
  headers["Authorization"] = "Bearer " .. args[3]
  headers["Content-Type"] = "application/json"
end
function request()
  index = index + step
  local body = names[(index % #names) + 1]
  return wrk.format("POST", "/v1/screen", headers, body)
end
function done(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    'WRK {"requests": %d, "seconds": %f, "non2xx": %d, "connect": %d, "read": %d, '
    .. '"write": %d, "timeout": %d, "p50": %f, "p99": %f, "max": %f}\\n',
    summary.requests, summary.duration / 1e6, e.status, e.connect, e.read, e.write,
    e.timeout, latency:percentile(50) / 1000, latency:percentile(99) / 1000,
    latency.max / 1000))
end
"""


def distinct_bodies(fallback: list[str]) -> list[str]:
    """JSON bodies of distinct person names (yente negatives from ../shared), else
    generated ones; never committed anywhere, read at run time."""
    import csv

    path = SHARED / "fixtures" / "matching" / "yente_negatives_global.csv"
    if path.is_file():
        with path.open(encoding="utf-8") as handle:
            seen = dict.fromkeys(r["full_name"] for r in csv.DictReader(handle) if r["full_name"])
        people = list(seen)
    else:
        people = [f"{b['name']} {i}" for i, b in enumerate(names(fallback, 20000))]
    return [json.dumps({"name": n, "schema": "Person"}, ensure_ascii=False) for n in people]


def run_wrk(
    base: str, key: str, bodies: list[str], connections: int, seconds: float, work: Path
) -> dict[str, float]:
    """One wrk run (one thread) with ``connections`` connections; its CPU time included."""
    import resource

    path = work / f"bodies-{connections}.txt"
    path.write_text("\n".join(bodies) + "\n", encoding="utf-8")
    script = work / "screen.lua"
    script.write_text(WRK_SCRIPT, encoding="utf-8")
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    out = subprocess.run(
        [
            "wrk",
            "-t1",
            f"-c{connections}",
            f"-d{seconds:.0f}s",
            "--timeout",
            "10s",
            "-s",
            str(script),
            base,
            "--",
            str(path),
            "1",
            key,
        ],
        check=True,
        capture_output=True,
        text=True,
        timeout=seconds + 60,
    )
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    line = next(x for x in out.stdout.splitlines() if x.startswith("WRK "))
    result: dict[str, float] = json.loads(line[4:])
    result["rps"] = result["requests"] / result["seconds"]
    result["errors"] = sum(result[k] for k in ("non2xx", "connect", "read", "write", "timeout"))
    result["cpu"] = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return result


def run_httpx(
    base: str, key: str, bodies: list[str], connections: int, seconds: float, work: Path
) -> dict[str, float]:
    """The fallback load generator (asyncio/httpx closed loop in a second process)."""
    import resource

    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    spec = {
        "url": base,
        "key": key,
        "bodies": [json.loads(b) for b in bodies],
        "concurrency": connections,
        "seconds": seconds,
    }
    result = run_client(spec, work)
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    result["cpu"] = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return result


CONSTANT = {
    "results": [{"query": {"name": "x"}, "candidates": [], "alert": False, "case": None}],
    "snapshots": {},
    "threshold": 0.7,
    "elapsed_ms": 0,
}


def bare_main(port: int, workers: int) -> None:
    """The bare app: FastAPI answering ``POST /v1/screen`` with a constant, on the stack of
    ``circumspect serve`` (its socket, uvloop, httptools, forked workers)."""
    import uvicorn
    from fastapi import FastAPI

    from circumspect.cli.serve import _socket

    app = FastAPI()

    @app.post("/v1/screen")
    async def screen() -> dict[str, object]:
        return CONSTANT

    children = []
    for _ in range(workers):
        pid = os.fork()
        if pid == 0:
            config = uvicorn.Config(
                app,
                log_level="warning",
                access_log=False,
                timeout_keep_alive=30,
                loop="uvloop",
                http="httptools",
            )
            uvicorn.Server(config).run(sockets=[_socket("127.0.0.1", port, reuse_port=True)])
            os._exit(0)
        children.append(pid)

    def _stop(_signum: int, _frame: object) -> None:
        for child in children:
            os.kill(child, signal.SIGTERM)

    signal.signal(signal.SIGTERM, _stop)
    for child in children:
        os.waitpid(child, 0)


def wait_up(base: str, proc: subprocess.Popen[bytes]) -> None:
    import httpx

    deadline = time.monotonic() + 120
    while True:
        try:
            if httpx.get(f"{base}/health", timeout=1).status_code in (200, 404):
                return
        except httpx.HTTPError:
            pass
        if time.monotonic() > deadline or proc.poll() is not None:
            raise SystemExit("server did not start")
        time.sleep(0.2)


def screen_records(url: str) -> int:
    import sqlite3

    with sqlite3.connect(url[len("sqlite:///") :]) as conn:
        return int(
            conn.execute("SELECT COUNT(*) FROM case_audit WHERE action = 'screen'").fetchone()[0]
        )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--seconds", type=float, default=10.0)
    parser.add_argument("--connections", default="32,4,1")
    parser.add_argument("--generator", choices=("auto", "wrk", "httpx"), default="auto")
    parser.add_argument("--client", help=argparse.SUPPRESS)
    parser.add_argument("--bare", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.client:
        client_main(args)
        return 0
    sys.path.insert(0, str(ROOT))
    if args.bare:
        bare_main(args.bare, args.workers)
        return 0
    generator = args.generator
    if generator == "auto":
        generator = "wrk" if shutil.which("wrk") else "httpx"
    load = run_wrk if generator == "wrk" else run_httpx
    conns = [int(c) for c in args.connections.split(",")]

    def _stop(_signum: int, _frame: object) -> None:
        raise SystemExit("interrupted")

    signal.signal(signal.SIGTERM, _stop)  # so the servers below are always stopped
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
    bodies = distinct_bodies(listed)
    slice_len = len(bodies) // (len(conns) + 1)
    warm, phases = (
        bodies[:slice_len],
        [bodies[(i + 1) * slice_len : (i + 2) * slice_len] for i in range(len(conns))],
    )
    uptime = Path("/proc/loadavg").read_text().split()[:3]
    rows: list[tuple[str, int, dict[str, float]]] = []
    records = completed = 0
    for label in ("circumspect", "bare FastAPI"):
        port = free_port()
        base = f"http://127.0.0.1:{port}"
        if label == "circumspect":
            cmd = [
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
                "--no-dispatch",
            ]
        else:
            cmd = [sys.executable, __file__, "--bare", str(port), "--workers", str(args.workers)]
        server = subprocess.Popen(
            cmd, env=env, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE
        )
        try:
            wait_up(base, server)
            # warm-up: every worker builds or loads its index (32 connections reach both)
            load(base, key, warm, 32, 10, work)
            load(base, key, warm[::-1], 4, 3, work)
            before = screen_records(url) if label == "circumspect" else 0
            for c, chunk in zip(conns, phases, strict=True):
                r = load(base, key, chunk, c, args.seconds, work)
                rows.append((label, c, r))
                if label == "circumspect":
                    completed += int(r["requests"])
            if label == "circumspect":
                time.sleep(1)
                records = screen_records(url) - before
        finally:
            server.terminate()
            server.wait(timeout=30)
    verify = subprocess.run(
        [sys.executable, "-m", "circumspect.cli.main", "audit", "verify", "--db", url],
        env=env,
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
    )
    print(
        f"service benchmark: {described}, {entities} entities, {args.workers} workers, "
        f"SQLite case store, load generator {generator} (1 thread), distinct names, "
        f"{args.seconds:.0f} s per phase, {os.cpu_count()} CPUs, load average before "
        f"{' '.join(uptime)} (shared machine)"
    )
    print(
        f"{'server':<14}{'conns':>6}{'requests':>10}{'req/s':>9}{'errors':>7}{'p50 ms':>9}"
        f"{'p99 ms':>9}{'gen CPU s':>10}"
    )
    for label, c, r in rows:
        print(
            f"{label:<14}{c:>6}{r['requests']:>10.0f}{r['rps']:>9.1f}{r['errors']:>7.0f}"
            f"{r['p50']:>9.2f}{r['p99']:>9.2f}{r['cpu']:>10.2f}"
        )
    for c in conns:
        ours = next(r for label, cc, r in rows if label == "circumspect" and cc == c)
        bare = next(r for label, cc, r in rows if label != "circumspect" and cc == c)
        print(f"{c:>3} connections: circumspect = {ours['rps'] / bare['rps']:.0%} of the bare app")
    print(
        f"audit verify: {verify.stdout.strip() or verify.stderr.strip()} (exit "
        f"{verify.returncode}); screen records {records} for {completed} completed requests "
        f"({records - completed} more were in flight when a phase stopped)"
    )
    ok = verify.returncode == 0 and records >= completed
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
