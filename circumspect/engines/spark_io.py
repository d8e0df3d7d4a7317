"""What the batch jobs share: paths local or remote, the Spark session, partition counts,
string columns, row numbers and the writers (split out of ``engines/jobs.py``)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

from circumspect.engines.base import Engine
from circumspect.errors import InputError, ParseError

if TYPE_CHECKING:
    import pandas as pd


#: Characters Python's ``str.split()``/``strip()`` treat as white space (and a few more):
#: removing them all gives a grouping key at least as coarse as Python's stripped value.
_SPACES = (
    "(?U)[\\s\\x00-\\x20\\x7f-\\xa0\\u1680\\u180e\\u2000-\\u200b\\u2028\\u2029"
    "\\u202f\\u205f\\u3000\\ufeff]"
)


def _is_local(path: str) -> bool:
    """A plain local path (written as one file by the local writers). URLs, ``file://``
    included, are read and written by Spark (a folder of part files)."""
    return "://" not in path


def _local(path: str) -> Path:
    return Path(path)


def _spark(engine: Engine) -> Any:
    session = getattr(engine, "session", None)
    if session is None:
        raise InputError(f"engine {engine.name!r} has no Spark session")
    return session


#: Most rows per partition of a whole-partition pass (a partition is one pandas frame).
PARTITION_ROWS = 250_000


def _partitions(session: Any, wanted: int | None, rows: int = 0) -> int:
    """``wanted``, else twice the cores and at most :data:`PARTITION_ROWS` rows each."""
    if wanted:
        return wanted
    cores = max(2, 2 * int(session.sparkContext.defaultParallelism))
    return max(cores, -(-rows // PARTITION_ROWS))


def _whole_partition(batches: Iterator[pd.DataFrame]) -> pd.DataFrame | None:
    import pandas as pd

    parts = [b for b in batches if len(b)]
    if not parts:
        return None
    return pd.concat(parts, ignore_index=True) if len(parts) > 1 else parts[0]


def _strings(frame: pd.DataFrame, keep: tuple[str, ...] = ()) -> pd.DataFrame:
    """Every column but ``keep`` as str, missing values as ""."""
    out = frame.copy()
    for column in out.columns:
        if column not in keep:
            out[column] = out[column].astype(object).where(out[column].notna(), "").astype(str)
    return out


def _with_row_numbers(session: Any, frame: Any) -> tuple[Any, int]:
    """``frame`` with ``_row`` = its 1-based record number in read order (file order for one
    file), from per-partition counts and ``monotonically_increasing_id``; and the row count."""
    from pyspark.sql import functions as F

    tagged = frame.withColumn("_mid", F.monotonically_increasing_id())
    counts = dict(tagged.select(F.shiftright("_mid", 33).alias("p")).groupBy("p").count().collect())
    offsets: list[Any] = []
    total = 0
    for part in sorted(counts):
        offsets.extend([F.lit(int(part)), F.lit(total)])
        total += int(counts[part])
    if not offsets:
        return tagged.withColumn("_row", F.lit(0).cast("long")).drop("_mid"), 0
    part = F.shiftright("_mid", 33)
    offset = F.element_at(F.create_map(*offsets), part)
    row = F.col("_mid") - F.shiftleft(part, 33) + offset + F.lit(1)
    return tagged.withColumn("_row", row.cast("long")).drop("_mid"), total


def _read_strings(session: Any, src: str, fmt: str) -> Any:
    """All columns as strings, header names stripped (CSV: UTF-8, multi-line values)."""
    from pyspark.sql import functions as F

    if _is_local(src) and not _local(src).exists():
        raise InputError("file not found", file=src)
    try:
        if fmt == "parquet":
            frame = session.read.parquet(src)
        else:
            frame = (
                session.read.option("header", "true")
                .option("inferSchema", "false")
                .option("multiLine", "true")
                .option("escape", '"')
                .option("mode", "FAILFAST")
                .option("encoding", "UTF-8")
                .csv(src)
            )
        names = [c.strip().lstrip("\ufeff") for c in frame.columns]
    except Exception as exc:  # Spark raises AnalysisException and friends
        raise ParseError(f"cannot read {fmt} file: {str(exc).splitlines()[0]}", file=src) from exc
    if len(set(names)) != len(names):
        raise ParseError("duplicate column names in header", file=src, line=1)
    return frame.select(
        [F.col(f"`{c}`").cast("string").alias(n) for c, n in zip(frame.columns, names, strict=True)]
    )


def _csv(writer: Any) -> Any:
    """A Spark CSV writer with a header and RFC 4180 quoting (quotes doubled)."""
    return writer.option("header", "true").option("escape", '"')


def _collect(result: Any) -> pd.DataFrame:
    """The rows of ``result`` on the driver (Arrow), in ``result``'s order."""
    frame: pd.DataFrame = result.toPandas()
    return frame


def errors_path_for(out: str) -> str:
    """The default errors file beside ``out``: ``NAME.errors.csv`` (path or URL)."""
    if _is_local(out):
        path = Path(out)
        return str(path.with_name(path.stem + ".errors.csv"))
    base = out.rstrip("/")
    slash = base.rfind("/")
    dot = base.rfind(".")
    return (base[:dot] if dot > slash else base) + ".errors.csv"
