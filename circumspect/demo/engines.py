"""Demo step ``engines``: score the sample declarations on the local engine and, when Spark
can run here, on Spark local mode; say whether the two outputs are identical."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

from circumspect.demo.context import DemoContext

SAMPLE = Path(__file__).resolve().parents[1] / "data" / "demo" / "declarations" / "declarations.csv"


def _screener(ctx: DemoContext) -> Any:
    db_url = ctx.shared.get("db_url")
    if db_url:
        from circumspect.risk.score import screener_from_db

        return screener_from_db(db_url)
    from circumspect.matching import Screener
    from circumspect.sources import demo_entities

    return Screener(demo_entities(ctx.data / "lists"))


def spark_unavailable() -> str | None:
    """None when the Spark engine can start here, else why not."""
    import importlib.util
    import os
    import shutil

    if importlib.util.find_spec("pyspark") is None:
        return "PySpark is not installed (pip install 'circumspect[spark]')"
    if shutil.which("java") is None and not os.environ.get("JAVA_HOME"):
        return "Java 17+ is not installed"
    return None


def run(ctx: DemoContext) -> str:
    from circumspect.engines import get_engine
    from circumspect.engines.jobs import score_declarations_job

    out = ctx.out / "engines"
    out.mkdir(parents=True, exist_ok=True)
    screener = _screener(ctx)
    started = time.perf_counter()
    local = score_declarations_job(
        get_engine("local"),
        SAMPLE,
        out / "scored-local.csv",
        out / "errors-local.csv",
        screener=screener,
    )
    local_s = time.perf_counter() - started
    lines = [f"local engine: {local.summary()}"]
    reason = spark_unavailable()
    if reason:
        lines.append(f"Spark engine not run: {reason}")
        return "\n   ".join(lines)
    engine = get_engine("spark", "local[2]")
    try:
        started = time.perf_counter()
        spark = score_declarations_job(
            engine,
            SAMPLE,
            out / "scored-spark.csv",
            out / "errors-spark.csv",
            screener=screener,
            partitions=2,
        )
        spark_s = time.perf_counter() - started
    except Exception as exc:  # Spark could not start here: say so, do not fail the demo
        lines.append(f"Spark engine failed to run: {str(exc).splitlines()[0][:200]}")
        return "\n   ".join(lines)
    finally:
        engine.close()
    same = all(
        (out / f"{name}-local.csv").read_bytes() == (out / f"{name}-spark.csv").read_bytes()
        for name in ("scored", "errors")
    )
    lines.append(
        f"Spark local[2]: {spark.summary()} (wall {spark_s:.0f} s with session "
        f"start; local engine {local_s:.1f} s)"
    )
    lines.append(
        "outputs identical (scored rows and errors, byte for byte)"
        if same
        else "OUTPUTS DIFFER between the engines: see " + str(out)
    )
    return "\n   ".join(lines)
