"""Where a ``POST /v1/screen`` request's time goes: cProfile over requests through the real app.

Loads the OFAC SDN 2021 fixture from ``../shared`` (else the bundled demo lists) into a fresh
SQLite store, builds the application with ``circumspect.server.create_app`` and sends N
single-party requests with distinct names (``yente_negatives_global.csv`` from ``../shared``,
else generated) through Starlette's ``TestClient`` (the whole ASGI stack: middleware, auth,
validation, screening, case store, audit, serialisation; no socket), driven by
``httpx.ASGITransport`` in the profiling thread, with FastAPI's thread-pool hop for sync
endpoints made inline so that cProfile sees every frame. Prints the time per request of the
parts that matter (cumulative, so nested parts are inside their parents).

    .venv/bin/python benchmarks/profile_service.py [--requests 400] [--top 40]
"""

from __future__ import annotations

import argparse
import asyncio
import cProfile
import csv
import os
import pstats
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx

ROOT = Path(__file__).resolve().parent.parent
SHARED = Path(os.environ.get("CIRCUMSPECT_SHARED", ROOT.parent / "shared"))

#: (label, function-name fragment as ``file:function``) of the parts reported
PARTS = [
    ("whole request (ASGI app)", "fastapi/applications.py:__call__"),
    ("  middleware + auth gate (key cached)", "circumspect/api/auth.py:__call__"),
    ("  dependencies + body -> pydantic", "fastapi/dependencies/utils.py:solve_dependencies"),
    ("  screen_parties (screen + record)", "services/screening.py:screen_parties"),
    ("    matching (Screener.screen)", "matching/screener.py:screen"),
    ("    record_screening (party + audit)", "cases/workflow.py:record_screening"),
    ("      audit records (hash chain)", "cases/audit.py:_append"),
    ("      SQLite commit", "sqlalchemy/engine/base.py:commit"),
    ("      pool checkout (reused connection)", "sqlalchemy/pool/base.py:_checkout"),
    ("      new database connections", "sqlalchemy/pool/base.py:__connect"),
    ("      open_cases (alerts)", "cases/workflow.py:open_cases"),
    ("  response -> JSON", "fastapi/routing.py:serialize_response"),
]


def distinct_names(n: int) -> list[dict[str, str]]:
    path = SHARED / "fixtures" / "matching" / "yente_negatives_global.csv"
    if path.is_file():
        with path.open(encoding="utf-8") as handle:
            rows = [r["full_name"] for r in csv.DictReader(handle) if r.get("full_name")]
        seen: dict[str, None] = dict.fromkeys(rows)
        return [{"name": name, "schema": "Person"} for name in list(seen)[:n]]
    return [{"name": f"Test Person {i:06d}", "schema": "Person"} for i in range(n)]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=400)
    parser.add_argument("--top", type=int, default=0, help="also print the top N functions")
    parser.add_argument("--dump", help="write the raw profile (pstats) to this file")
    args = parser.parse_args()
    sys.path.insert(0, str(ROOT))
    work = Path(tempfile.mkdtemp(prefix="profile-service-"))
    os.environ["CIRCUMSPECT_HOME"] = str(work / "home")
    url = f"sqlite:///{work / 'service.sqlite'}"
    from circumspect.cases.service import CaseService
    from circumspect.demo import DATA_DIR
    from circumspect.server import create_app
    from circumspect.services.runtime import ApiConfig
    from circumspect.store import open_store
    from circumspect.store.loading import load_paths

    store = open_store(url)
    fixture = SHARED / "fixtures" / "lists" / "ofac_sdn_2021"
    if fixture.is_dir():
        load_paths(store, "ofac_sdn", sorted(fixture.iterdir()))
    else:
        load_paths(store, "ofac_sdn", sorted((DATA_DIR / "lists" / "ofac_sdn").iterdir()))
    store.close()
    service = CaseService(url)
    _, key = service.add_user("profile", "viewer")
    service.close()
    n = args.requests
    bodies = distinct_names(2 * n + 50)
    headers = {"Authorization": f"Bearer {key}"}
    import fastapi.dependencies.utils
    import fastapi.routing

    async def inline(func: Callable[..., Any], *a: Any, **kw: Any) -> Any:
        return func(*a, **kw)

    # one thread for cProfile: the sync endpoint and dependencies run where they are awaited
    fastapi.routing.run_in_threadpool = inline  # type: ignore[assignment]
    fastapi.dependencies.utils.run_in_threadpool = inline  # type: ignore[assignment]
    app = create_app(ApiConfig(db_url=url, web=False))
    profile = cProfile.Profile()

    async def drive() -> float:
        transport = httpx.ASGITransport(app=app)
        async with (
            app.router.lifespan_context(app),
            httpx.AsyncClient(transport=transport, base_url="http://x", headers=headers) as client,
        ):
            for body in bodies[:50]:  # warm-up: index built, caches of the stack filled
                assert (await client.post("/v1/screen", json=body)).status_code == 200
            t0 = time.perf_counter()
            for body in bodies[50 : 50 + n]:  # without the profiler: the real cost
                assert (await client.post("/v1/screen", json=body)).status_code == 200
            plain = time.perf_counter() - t0
            profile.enable()
            for body in bodies[50 + n :]:
                response = await client.post("/v1/screen", json=body)
                assert response.status_code == 200, response.text
            profile.disable()
            return plain

    plain = asyncio.run(drive())
    stats = pstats.Stats(profile)
    table = stats.stats  # type: ignore[attr-defined]
    print(f"{n} distinct single-party requests: {plain / n * 1000:.2f} ms each without a profiler")
    print(f"then {n} more under cProfile (a coroutine counts one call per resumption):")
    print(f"{'part':<40}{'ms/request':>11}{'calls/request':>15}")
    for label, needle in PARTS:
        file_part, func = needle.split(":")
        cum = 0.0
        calls = 0
        for (filename, _line, name), (_cc, nc, _tt, ct, _callers) in table.items():
            if name == func and filename.endswith(file_part):
                cum += ct
                calls += nc
        print(f"{label:<40}{cum / n * 1000:>11.2f}{calls / n:>15.2f}")
    if args.top:
        stats.sort_stats("cumulative").print_stats(args.top)
    if args.dump:
        stats.dump_stats(args.dump)
    return 0


if __name__ == "__main__":
    sys.exit(main())
