"""`circumspect demo`: run every capability offline on the bundled demo data.

The steps are the modules of this package, each ``run(ctx: DemoContext) -> str`` (a
one-paragraph summary of what it did), listed in :data:`STEPS` in pipeline order: lists
first (everything screens against them), the service and the engines last. Every step runs;
a step that fails stops the demo with its error (nothing is skipped). The steps call the
same functions the CLI and the service call (``services``, ``matching.batch``,
``risk.score``, ``payments.batch`` ...), so the demo exercises the real paths.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from circumspect.demo import (
    cases,
    engines,
    flows,
    goods,
    matching,
    payments,
    risk,
    routes,
    store,
)
from circumspect.demo.context import DATA_DIR, DemoContext

Step = Callable[[DemoContext], str]

#: Pipeline order: lists first (everything screens against them), service and engines last.
STEPS: tuple[tuple[str, Step], ...] = (
    ("store", store.run),
    ("matching", matching.run),
    ("goods", goods.run),
    ("risk", risk.run),
    ("payments", payments.run),
    ("flows", flows.run),
    ("routes", routes.run),
    ("cases", cases.run),
    ("engines", engines.run),
)


def run_demo(out: Path, echo: Callable[[str], Any] = print) -> list[tuple[str, str]]:
    """Run every demo step in order; returns (step, summary) pairs."""
    out.mkdir(parents=True, exist_ok=True)
    ctx = DemoContext(out=out)
    results: list[tuple[str, str]] = []
    for name, step in STEPS:
        started = time.perf_counter()
        echo(f"== {name}")
        summary = str(step(ctx))
        elapsed = time.perf_counter() - started
        echo(f"{summary}\n   ({elapsed:.1f} s)")
        results.append((name, summary))
    return results


__all__ = ["DATA_DIR", "STEPS", "DemoContext", "run_demo"]
