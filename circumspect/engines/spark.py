"""The Spark engine: the same batch functions, partition by partition, on a Spark cluster.

PySpark is an optional extra (``pip install circumspect[spark]``) and needs Java 17+; both are
imported or checked lazily, with a helpful ``DependencyError`` when missing. The broadcast
context (candidate index, rules) is shipped once per executor with ``SparkContext.broadcast``;
rows are read as strings (empty cells as ``""``, exactly as the local engine reads them) and
written as one CSV or Parquet file for local paths, or a folder of part files for any
Hadoop-compatible URL (``hdfs://``, ``s3a://``, ...).
"""

from __future__ import annotations

import os
import shutil
import sys
import time
import uuid
from collections.abc import Callable, Iterator, Mapping, Sequence
from pathlib import Path
from typing import Any

import pandas as pd

from circumspect.engines.base import BatchFn, Engine, RunStats, detect_format, normalise_frame
from circumspect.errors import DependencyError, InputError


def _is_local(path: str) -> bool:
    return "://" not in path or path.startswith("file://")


def _local_path(path: str) -> str:
    return path[len("file://") :] if path.startswith("file://") else path


def spark_session(master: str | None = None, app_name: str = "circumspect") -> Any:
    """A SparkSession for ``master`` (default ``local[2]``), with checks for Java and PySpark."""
    try:
        from pyspark.sql import SparkSession
    except ImportError as exc:
        raise DependencyError(
            "the spark engine needs PySpark: pip install 'circumspect[spark]'"
        ) from exc
    if shutil.which("java") is None and not os.environ.get("JAVA_HOME"):
        raise DependencyError(
            "the spark engine needs Java 17 or newer (apt-get install openjdk-17-jre-headless)"
        )
    # Executors must run the same interpreter (and so the same packages) as the driver.
    os.environ.setdefault("PYSPARK_PYTHON", sys.executable)
    os.environ.setdefault("PYSPARK_DRIVER_PYTHON", sys.executable)
    master = master or os.environ.get("CIRCUMSPECT_SPARK_MASTER", "local[2]")
    if master.startswith("local"):
        # Local mode binds to loopback only: no host-name lookups, nothing exposed.
        os.environ.setdefault("SPARK_LOCAL_IP", "127.0.0.1")
    log_config = Path(__file__).with_name("log4j2.properties")
    builder = (
        SparkSession.builder.master(master)
        .appName(app_name)
        .config("spark.driver.extraJavaOptions", f"-Dlog4j.configurationFile={log_config}")
        .config("spark.ui.enabled", "false")
        .config("spark.ui.showConsoleProgress", "false")
        .config("spark.sql.shuffle.partitions", "8")
        .config("spark.sql.execution.arrow.pyspark.enabled", "true")
        .config("spark.sql.session.timeZone", "UTC")
        .config("spark.driver.memory", os.environ.get("CIRCUMSPECT_SPARK_DRIVER_MEMORY", "2g"))
    )
    session = builder.getOrCreate()
    session.sparkContext.setLogLevel("ERROR")
    return session


class SparkEngine(Engine):
    name = "spark"

    def __init__(self, master: str | None = None) -> None:
        self.master = master
        self._session: Any = None

    @property
    def session(self) -> Any:
        if self._session is None or self._session.sparkContext._jsc is None:
            # first use, or the session was stopped elsewhere (getOrCreate shares it)
            self._session = spark_session(self.master)
        return self._session

    def _read(self, src: str, fmt: str) -> Any:
        if _is_local(src) and not Path(_local_path(src)).exists():
            raise InputError("input file not found", file=src)
        reader = self.session.read
        if fmt == "parquet":
            frame = reader.parquet(src)
            return frame.select([frame[c].cast("string").alias(c) for c in frame.columns])
        return (
            reader.option("header", "true")
            .option("inferSchema", "false")
            .option("multiLine", "true")
            .option("escape", '"')
            .option("mode", "FAILFAST")
            .csv(src)
        )

    def map_batches(
        self,
        src: str,
        dst: str,
        fn: BatchFn,
        output_columns: Sequence[str],
        *,
        context: Mapping[str, Any] | None = None,
        input_format: str | None = None,
        output_format: str | None = None,
        sort_by: Sequence[str] = (),
        batch_rows: int = 50_000,
        progress: Callable[[int], None] | None = None,
    ) -> RunStats:
        from pyspark.sql.types import StringType, StructField, StructType

        started = time.perf_counter()
        in_fmt = detect_format(src, input_format)
        out_fmt = detect_format(dst, output_format)
        frame = self._read(src, in_fmt)
        rows_in = int(frame.count())
        shipped = self.session.sparkContext.broadcast(dict(context or {}))
        columns = list(output_columns)

        def run_partition(batches: Iterator[pd.DataFrame]) -> Iterator[pd.DataFrame]:
            ctx = shipped.value
            for batch in batches:
                clean = batch.astype(object).where(batch.notna(), "").astype(str)
                yield normalise_frame(fn(clean, ctx), columns)

        schema = StructType([StructField(c, StringType(), True) for c in columns])
        result = frame.mapInPandas(run_partition, schema)
        if sort_by:
            result = result.orderBy(*sort_by)
        if _is_local(dst):
            out = self._collect_local(result, _local_path(dst), out_fmt, columns)
        else:
            result = result.cache()
            out = int(result.count())
            writer = result.write.mode("overwrite")
            if out_fmt == "parquet":
                writer.parquet(dst)
            else:
                writer.option("header", "true").csv(dst)
        if progress is not None:
            progress(rows_in)
        shipped.unpersist()
        return RunStats(self.name, rows_in, out, time.perf_counter() - started, dst)

    def _collect_local(self, result: Any, dst: str, fmt: str, columns: list[str]) -> int:
        """Write a single local file atomically from Spark's part files."""
        from circumspect.engines.local import write_frame

        target = Path(dst)
        staging = target.with_name(f".{target.name}.spark-{uuid.uuid4().hex[:8]}")
        try:
            result.write.mode("overwrite").parquet(str(staging))
            import pyarrow.parquet as pq

            parts = sorted(staging.glob("part-*.parquet"))
            frames = [pq.read_table(p).to_pandas() for p in parts]
            out = (
                pd.concat(frames, ignore_index=True)
                if frames
                else pd.DataFrame({c: pd.Series(dtype=str) for c in columns})
            )
            out = out.loc[:, columns].astype(object).where(out.notna(), "").astype(str)
            write_frame(out, dst, fmt)
            return len(out)
        finally:
            shutil.rmtree(staging, ignore_errors=True)

    def query(self, sql: str, tables: Mapping[str, str]) -> pd.DataFrame:
        for name, path in tables.items():
            self.session.read.option("basePath", path).parquet(path).createOrReplaceTempView(name)
        frame: pd.DataFrame = self.session.sql(sql).toPandas()
        return frame

    def close(self) -> None:
        if self._session is not None:
            self._session.stop()
            self._session = None
