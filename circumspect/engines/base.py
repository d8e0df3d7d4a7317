"""One engine interface, two implementations: ``local`` (in-process) and ``spark``.

Batch jobs (screening files, scoring declarations) are written once as a *batch function*: a
pure function from a pandas DataFrame of input rows (every column a string, empty cells as
``""``) to a DataFrame of output rows, given a read-only context of broadcast values (the
candidate index, the rules). The local engine streams the input through it batch by batch;
the Spark engine runs it partition by partition with ``mapInPandas`` after broadcasting the
context. Aggregations (trade flows) are SQL over named Parquet tables, run by DuckDB locally
and by Spark SQL on a cluster.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd

#: A batch function: (rows, broadcast context) -> output rows.
BatchFn = Callable[[pd.DataFrame, Mapping[str, Any]], pd.DataFrame]


@dataclass(frozen=True, slots=True)
class RunStats:
    engine: str
    rows_in: int
    rows_out: int
    seconds: float
    output: str


def detect_format(path: str, given: str | None = None) -> str:
    """``csv`` or ``parquet``, from ``given`` or the path's suffix."""
    if given:
        if given not in ("csv", "parquet"):
            from circumspect.errors import InputError

            raise InputError(f"unknown format {given!r}: use csv or parquet", file=path)
        return given
    suffix = Path(path.rstrip("/")).suffix.lower()
    return "parquet" if suffix in (".parquet", ".pq") else "csv"


class Engine(ABC):
    """Runs batch functions and SQL aggregations over files."""

    name: str

    @abstractmethod
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
        """Apply ``fn`` to every row of ``src``; write all string columns to ``dst``.

        The output is written atomically (a temporary name, then a rename). ``sort_by``
        orders the output rows, which makes two engines' outputs comparable row by row.
        ``progress`` is called with the number of input rows done after each batch.
        """

    @abstractmethod
    def query(self, sql: str, tables: Mapping[str, str]) -> pd.DataFrame:
        """Run ``sql`` over tables named in ``tables`` (name -> Parquet file, folder or glob)."""

    def close(self) -> None:  # noqa: B027 - optional hook
        """Release resources (the Spark session)."""


def normalise_frame(frame: pd.DataFrame, columns: Sequence[str]) -> pd.DataFrame:
    """Output rows as all-string columns in a fixed order (missing values as "")."""
    missing = [c for c in columns if c not in frame.columns]
    if missing:
        from circumspect.errors import InputError

        raise InputError(f"batch function did not produce columns {missing}")
    out = frame.loc[:, list(columns)].copy()
    for column in columns:
        out[column] = out[column].map(lambda v: "" if v is None or v != v else str(v))
    return out.astype(str)
