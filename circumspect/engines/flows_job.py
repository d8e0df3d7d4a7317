"""Trade-flow aggregations on an engine: the same SQL (``circumspect.flows.queries``) run by
DuckDB over the local store, or by Spark SQL over a Parquet export of the ``flows`` view.

``export_flows(store, folder)`` writes the view as Parquet (one file, atomically); copy that
folder to HDFS/S3 for a cluster, or let ``flows_source`` export it on the fly.
``flows_source(engine, store)`` gives the store (local) or ``SparkFlows(engine, url)``,
an object with the flows query layer's ``query(sql)``, so
``queries.totals(SparkFlows(...), selection)`` runs the totals/growth SQL on Spark.
"""

from __future__ import annotations

import shutil
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

from circumspect.engines.base import Engine
from circumspect.errors import InputError

if TYPE_CHECKING:
    from circumspect.flows.store import FlowStore

EXPORT_FILE = "flows.parquet"
T = TypeVar("T")


def export_flows(store: FlowStore, folder: Path) -> Path:
    """Write the store's ``flows`` view to ``folder/flows.parquet`` (temporary name, rename)."""
    return store.export_parquet(folder / EXPORT_FILE)


class DuckFlows:
    """DuckDB over a Parquet export of ``flows`` (the local engine without a store)."""

    def __init__(self, parquet: str) -> None:
        import duckdb

        if not Path(parquet).exists():
            raise InputError("flows Parquet export not found", file=parquet)
        self.con = duckdb.connect()
        literal = parquet.replace("'", "''")
        self.con.execute(f"CREATE VIEW flows AS SELECT * FROM read_parquet('{literal}')")

    def query(self, sql: str, params: Sequence[object] | None = None) -> list[dict[str, Any]]:
        cur = self.con.execute(sql, list(params or []))
        names = [d[0] for d in cur.description or []]
        return [dict(zip(names, row, strict=True)) for row in cur.fetchall()]


def flows_source(engine: Engine, store: FlowStore | None = None, parquet: str | None = None) -> Any:
    """What the flows query layer runs on: the store itself (local engine), DuckDB over
    ``parquet``, or Spark SQL over ``parquet`` or over a fresh export of ``store`` (kept in
    ``$CIRCUMSPECT_HOME/flows_export``)."""
    if engine.name == "local":
        if parquet is not None:
            return DuckFlows(parquet)
        if store is None:
            raise InputError("give a flows store or a Parquet export (--parquet)")
        return store
    if parquet is None:
        if store is None:
            raise InputError("give a flows store or a Parquet export (--parquet)")
        from circumspect import settings

        folder = settings.home() / "flows_export"
        shutil.rmtree(folder, ignore_errors=True)
        parquet = str(export_flows(store, folder))
    session = getattr(engine, "session", None)
    if session is None:
        raise InputError(f"engine {engine.name!r} is not a Spark engine")
    from circumspect.engines.flows_spark import SparkFlows

    return SparkFlows([parquet], session)


def run_on_flows(
    engine_name: str,
    spark_master: str | None,
    parquet: str | None,
    fn: Callable[[Any], T],
    check: Callable[[Any], None] | None = None,
) -> T:
    """``fn(source)`` on the named engine: the local store (read-only), DuckDB or Spark SQL
    over ``parquet``, or Spark SQL over a fresh export of the local store (``check(store)``
    first when the local store is used)."""
    from circumspect.engines import get_engine

    engine = get_engine(engine_name, spark_master)
    try:
        if parquet is not None:
            return fn(flows_source(engine, parquet=parquet))
        from circumspect.flows.store import FlowStore

        with FlowStore(read_only=True) as store:
            if check is not None:
                check(store)
            return fn(flows_source(engine, store))
    finally:
        engine.close()
