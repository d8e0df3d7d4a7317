"""Run the flows query layer on Spark: the same SQL strings over a temp view ``flows``.

``SparkFlows(paths)`` registers Parquet files written by ``FlowStore.export_parquet`` (or the
partitions ``flows load`` writes for large inputs) as the view ``flows`` and answers
``query(sql)`` like the DuckDB store, so :mod:`circumspect.flows.queries` and the indicators
run unchanged. Spark is imported lazily (``circumspect.engines.spark.spark_session``).
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

from circumspect.errors import InputError


class SparkFlows:
    """A :class:`circumspect.flows.queries.SqlSource` over Parquet, on a Spark session."""

    def __init__(self, paths: Sequence[str], session: Any = None) -> None:
        for path in paths:
            local = path[len("file://") :] if path.startswith("file://") else path
            if "://" not in local and not Path(local).exists():
                raise InputError("flows Parquet export not found", file=path)
        if session is None:
            from circumspect.engines.spark import spark_session

            session = spark_session()
        self.session = session
        frame = session.read.option("mergeSchema", "true").parquet(*paths)
        if "part_year" in frame.columns:
            frame = frame.drop("part_year")
        frame.createOrReplaceTempView("flows")

    def query(self, sql: str, params: Sequence[object] | None = None) -> list[dict[str, Any]]:
        """Rows of ``sql`` as dicts (``params`` unused: the SQL carries its literals)."""
        if params:
            raise InputError("the portable flows SQL takes no bound parameters")
        return [row.asDict() for row in self.session.sql(sql).collect()]
