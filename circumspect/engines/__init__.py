"""Execution engines: ``local`` (in-process) and ``spark`` (PySpark, optional)."""

from __future__ import annotations

from circumspect.engines.base import BatchFn, Engine, RunStats
from circumspect.errors import ConfigError

ENGINES = ("local", "spark")


def get_engine(name: str = "local", spark_master: str | None = None) -> Engine:
    """The engine called ``name``; Spark is imported only when asked for."""
    if name == "local":
        from circumspect.engines.local import LocalEngine

        return LocalEngine()
    if name == "spark":
        from circumspect.engines.spark import SparkEngine

        return SparkEngine(spark_master)
    raise ConfigError(f"unknown engine {name!r}: choose one of {', '.join(ENGINES)}")


__all__ = ["ENGINES", "BatchFn", "Engine", "RunStats", "get_engine"]
