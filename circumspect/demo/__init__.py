"""`circumspect demo`: run every capability offline on the bundled demo data.

Each capability contributes a step as ``circumspect.<area>.demo.run(ctx) -> str`` (a
one-paragraph summary of what it did). Steps run in pipeline order; a step's module that
is not present is reported, never silently skipped.
"""

from __future__ import annotations

import importlib
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

#: Pipeline order: lists first (everything screens against them), service last.
STEPS: tuple[str, ...] = (
    "store",
    "matching",
    "goods",
    "risk",
    "payments",
    "flows",
    "routes",
    "cases",
    "engines",
)

DATA_DIR = Path(__file__).resolve().parent / "data" / "demo"


@dataclass
class DemoContext:
    """What demo steps share: where to write, where the demo data is, a scratch dict."""

    out: Path
    data: Path = DATA_DIR
    shared: dict[str, Any] = field(default_factory=dict)
    log: list[str] = field(default_factory=list)


def run_demo(out: Path, echo: Any = print) -> list[tuple[str, str]]:
    """Run every available demo step; returns (step, summary) pairs."""
    out.mkdir(parents=True, exist_ok=True)
    ctx = DemoContext(out=out)
    results: list[tuple[str, str]] = []
    for step in STEPS:
        try:
            module = importlib.import_module(f"circumspect.{step}.demo")
        except ModuleNotFoundError as exc:
            if exc.name != f"circumspect.{step}.demo":
                raise
            continue
        started = time.perf_counter()
        echo(f"== {step}")
        summary = str(module.run(ctx))
        elapsed = time.perf_counter() - started
        echo(f"{summary}\n   ({elapsed:.1f} s)")
        results.append((step, summary))
    return results
