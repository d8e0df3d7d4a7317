"""The ``screen-file`` job on every engine (split out of ``engines/jobs.py``)."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING

from circumspect.engines.base import Engine
from circumspect.errors import CircumspectError, InputError
from circumspect.matching.batch import SCREEN_COLUMNS

if TYPE_CHECKING:
    import pandas as pd

    from circumspect.matching.batch import BatchStats
    from circumspect.matching.screener import Screener

from circumspect.engines.spark_io import (
    _collect,
    _csv,
    _is_local,
    _local,
    _partitions,
    _read_strings,
    _spark,
    _strings,
    _with_row_numbers,
)

# ---------------------------------------------------------------------------------------
# screen-file

#: Rows of the screening partitions: kind, line, seq, the output columns, field, error.
_SCREEN_SCHEMA = ("kind", "line", "seq", *SCREEN_COLUMNS, "field", "error")
#: Blank output columns after ``query_id`` in an error row.
_BLANKS = len(SCREEN_COLUMNS) - 1
_QUERY_FIELDS = ("query_id", "name", "schema", "country", "birth_date", "identifier")


def screen_partition(
    frame: pd.DataFrame, screener: Screener, limit: int, min_score: float
) -> pd.DataFrame:
    """Screen a batch of parsed rows (``line, problem`` and the query fields) with
    :func:`~circumspect.matching.batch.screen_row`: output rows and error rows."""
    import pandas as pd

    from circumspect.matching.batch import screen_row

    out: list[tuple[object, ...]] = []
    for rec in frame.to_dict("records"):
        line, qid = int(rec["line"]), str(rec.get("query_id", "") or "")
        if rec.get("problem"):
            out.append(("error", line, 0, qid, *[""] * _BLANKS, "", str(rec["problem"])))
            continue
        row = {k: str(rec[k]) for k in _QUERY_FIELDS if k in rec}
        try:
            written = screen_row(screener, row, limit=limit, min_score=min_score)
        except CircumspectError as exc:
            out.append(("error", line, 0, qid, *[""] * _BLANKS, exc.field or "", exc.message))
            continue
        for seq, values in enumerate(written):
            out.append(("out", line, seq, *[str(v) for v in values], "", ""))
    return pd.DataFrame(out, columns=list(_SCREEN_SCHEMA)).astype(
        {c: str for c in _SCREEN_SCHEMA if c not in ("line", "seq")}
    )


def _parse_screen_input(src: Path) -> pd.DataFrame:
    """The rows of a ``screen-file`` CSV as parsed by the local job (same problems, lines)."""
    import pandas as pd

    from circumspect.matching.batch import iter_rows

    _, rows = iter_rows(src, ("query_id", "name"))
    records = []
    for line, row, problem in rows:
        rec: dict[str, object] = {
            "line": line,
            "problem": problem or ("" if row else "unreadable row"),
        }
        for key in _QUERY_FIELDS:
            rec[key] = (row or {}).get(key, "") or ""
        records.append(rec)
    columns = ["line", "problem", *_QUERY_FIELDS]
    return pd.DataFrame(records, columns=columns).astype({c: str for c in columns[1:]})


def screen_file_job(
    engine: Engine,
    src: str | Path,
    dst: str | Path,
    screener: Screener,
    *,
    limit: int = 5,
    min_score: float | None = None,
    errors: str | Path | None = None,
    partitions: int | None = None,
    progress: Callable[[int, int], None] | None = None,
    workers: int = 1,
) -> BatchStats:
    """``screen-file`` on ``engine``: the same output and errors files on every engine
    (``workers``: processes of the local engine; Spark uses its executors)."""
    from circumspect.matching.batch import DEFAULT_MIN_SCORE, screen_file

    min_score = DEFAULT_MIN_SCORE if min_score is None else min_score
    if engine.name == "local":
        return screen_file(
            screener,
            Path(src),
            Path(dst),
            limit=limit,
            min_score=min_score,
            errors_path=Path(errors) if errors is not None else None,
            progress=progress,
            workers=workers,
        )
    if limit < 1:
        raise InputError(f"--limit must be at least 1, got {limit}")
    return _screen_file_spark(
        engine,
        str(src),
        str(dst),
        screener,
        limit,
        min_score,
        None if errors is None else str(errors),
        partitions,
    )


def _screen_file_spark(
    engine: Engine,
    src: str,
    dst: str,
    screener: Screener,
    limit: int,
    min_score: float,
    errors: str | None,
    partitions: int | None,
) -> BatchStats:
    from pyspark.sql import functions as F
    from pyspark.sql.types import LongType, StringType, StructField, StructType

    from circumspect.matching.batch import (
        ERROR_COLUMNS,
        SCREEN_COLUMNS,
        BatchStats,
        write_errors,
    )

    session = _spark(engine)
    if _is_local(src):
        # parsed on the driver exactly as locally (encodings, line numbers, bad rows)
        frame = session.createDataFrame(_parse_screen_input(_local(src)))
    else:
        # a remote CSV: Spark's reader; the line is the record number + 1 (header)
        raw, _ = _with_row_numbers(session, _read_strings(session, src, "csv"))
        missing = [c for c in ("query_id", "name") if c not in raw.columns]
        if missing:
            raise InputError(f"missing column(s) {', '.join(missing)}", file=src, line=1)
        frame = raw.select(
            (F.col("_row") + 1).alias("line"),
            F.lit("").alias("problem"),
            *[
                F.coalesce(F.col(c), F.lit("")).alias(c) if c in raw.columns else F.lit("").alias(c)
                for c in _QUERY_FIELDS
            ],
        )
    shipped = session.sparkContext.broadcast(screener)

    def run(batches: Iterator[pd.DataFrame]) -> Iterator[pd.DataFrame]:
        for batch in batches:
            clean = _strings(batch, keep=("line",))
            yield screen_partition(clean, shipped.value, limit, min_score)

    schema = StructType(
        [
            StructField(c, LongType() if c in ("line", "seq") else StringType(), True)
            for c in _SCREEN_SCHEMA
        ]
    )
    result = frame.repartition(_partitions(session, partitions)).mapInPandas(run, schema)
    result = result.orderBy("line", "seq")
    collected = _collect(result)
    shipped.unpersist()
    collected = collected.sort_values(["line", "seq"], kind="stable")
    stats = BatchStats()
    rows = collected[collected["kind"] == "out"]
    errs = collected[collected["kind"] == "error"]
    stats.read = int(collected["line"].nunique()) if len(collected) else 0
    stats.rejected = len(errs)
    stats.screened = stats.read - stats.rejected
    stats.rows_written = len(rows)
    alert = rows["alert"] == "true"
    stats.alerts = int(alert.sum())
    stats.queries_alerting = int(rows.loc[alert, "line"].nunique())
    stats.errors = [
        (int(r.line), str(r.query_id), str(r.field), str(r.error))
        for r in errs.itertuples(index=False)
    ]
    if _is_local(dst):
        from circumspect.tabular import output_format, write_frame

        write_frame(rows.loc[:, list(SCREEN_COLUMNS)], _local(dst), fmt=output_format(_local(dst)))
    else:
        spark_rows = session.createDataFrame(rows.loc[:, list(SCREEN_COLUMNS)])
        _csv(spark_rows.write.mode("overwrite")).csv(dst)
    if errors is not None:
        if _is_local(errors):
            write_errors(_local(errors), stats.errors)
        else:
            import pandas as pd

            table = pd.DataFrame(stats.errors, columns=list(ERROR_COLUMNS))
            _csv(session.createDataFrame(table.astype(str)).write.mode("overwrite")).csv(errors)
    return stats
