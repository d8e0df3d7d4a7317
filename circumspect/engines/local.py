"""The local engine: streams the input through the batch function in-process."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from pathlib import Path
from typing import Any

import pandas as pd

from circumspect import tabular
from circumspect.engines.base import BatchFn, Engine, RunStats, detect_format, normalise_frame
from circumspect.errors import InputError
from circumspect.fsutil import atomic_path


def _iter_input(src: str, fmt: str, batch_rows: int) -> Iterator[pd.DataFrame]:
    if not Path(src).exists():
        raise InputError("input file not found", file=src)
    if fmt == "parquet":
        import pyarrow.parquet as pq

        parquet = pq.ParquetFile(src)
        for batch in parquet.iter_batches(batch_size=batch_rows):
            frame = batch.to_pandas()
            yield frame.astype(object).where(frame.notna(), "").astype(str)
        return
    try:
        reader = pd.read_csv(
            src, dtype=str, keep_default_na=False, chunksize=batch_rows, encoding="utf-8"
        )
        yield from reader
    except UnicodeDecodeError as exc:
        raise InputError(f"not valid UTF-8: {exc.reason}", file=src) from exc
    except pd.errors.EmptyDataError as exc:
        raise InputError("empty file (no header)", file=src) from exc
    except pd.errors.ParserError as exc:
        raise InputError(f"malformed CSV: {exc}", file=src) from exc


class LocalEngine(Engine):
    name = "local"

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
        started = time.perf_counter()
        in_fmt = detect_format(src, input_format)
        out_fmt = detect_format(dst, output_format)
        ctx = dict(context or {})
        parts: list[pd.DataFrame] = []
        rows_in = 0
        for batch in _iter_input(src, in_fmt, batch_rows):
            rows_in += len(batch)
            parts.append(normalise_frame(fn(batch, ctx), output_columns))
            if progress is not None:
                progress(rows_in)
        out = (
            pd.concat(parts, ignore_index=True)
            if parts
            else pd.DataFrame({c: pd.Series(dtype=str) for c in output_columns})
        )
        if sort_by:
            out = out.sort_values(list(sort_by), kind="stable").reset_index(drop=True)
        write_frame(out, dst, out_fmt)
        return RunStats(self.name, rows_in, len(out), time.perf_counter() - started, dst)

    def query(self, sql: str, tables: Mapping[str, str]) -> pd.DataFrame:
        import duckdb

        con = duckdb.connect()
        try:
            for name, path in tables.items():
                target = path
                if Path(path).is_dir():
                    target = str(Path(path) / "**" / "*.parquet")
                literal = target.replace("'", "''")
                con.execute(
                    f'CREATE VIEW "{name}" AS '
                    f"SELECT * FROM read_parquet('{literal}', hive_partitioning=true)"
                )
            frame: pd.DataFrame = con.execute(sql).fetchdf()
            return frame
        finally:
            con.close()


def write_frame(frame: pd.DataFrame, dst: str, fmt: str) -> None:
    """Write ``frame`` to ``dst`` atomically (temporary file in the same folder, then rename)."""
    if fmt != "parquet":
        tabular.write_frame(frame, Path(dst), fmt=".csv")
        return
    with atomic_path(Path(dst)) as tmp:
        frame.to_parquet(tmp, index=False)
