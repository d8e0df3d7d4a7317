"""Batch screening of CSV files (``screen-file``) and pair scoring (``compare``).

Every input row is accounted for: ``read = screened + rejected``. A bad row (empty or
huge name, control characters, unknown schema or country, wrong number of fields) is
reported with its line number in the errors file and the rest of the file is screened.
Outputs (CSV, or XLSX by the file name) go through the one output writer
(``circumspect.tabular``): atomic, no live formulas, one cell per field.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from circumspect.errors import CircumspectError, InputError
from circumspect.matching.screener import Screener, compare_names
from circumspect.model.records import RECORD_COLUMNS, record_columns
from circumspect.model.screening import Query
from circumspect.names.translit import warm_up
from circumspect.tabular import TableWriter, output_format, write_rows

SCREEN_COLUMNS = (
    "query_id",
    "rank",
    "entity_id",
    "source",
    "source_id",
    "caption",
    "score",
    "alert",
    "explanation",
    *RECORD_COLUMNS,
)
ERROR_COLUMNS = ("line", "query_id", "field", "error")
#: Default lowest candidate score written by ``screen-file``.
DEFAULT_MIN_SCORE = 0.5


@dataclass
class BatchStats:
    read: int = 0
    screened: int = 0
    rejected: int = 0
    rows_written: int = 0
    alerts: int = 0
    queries_alerting: int = 0
    errors: list[tuple[int, str, str, str]] = field(default_factory=list)

    def summary(self) -> str:
        return (
            f"read {self.read:,} rows: {self.screened:,} screened, {self.rejected:,} rejected; "
            f"{self.rows_written:,} output rows, {self.alerts:,} alerts "
            f"({self.queries_alerting:,} queries alerting)"
        )


def read_text(path: Path) -> str:
    """File contents as text: UTF-8 (with or without BOM), else Windows-1251 (common for
    Kazakh and Russian spreadsheets). NUL bytes are dropped."""
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise InputError(f"cannot read {path}: {exc.strerror}", file=str(path)) from exc
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        text = data.decode("cp1251", errors="replace")
    return text.replace("\x00", "")


def iter_rows(
    path: Path, required: tuple[str, ...]
) -> tuple[list[str], Iterator[tuple[int, dict[str, str] | None, str | None]]]:
    """Header and an iterator of (line, row or None, problem or None)."""
    text = read_text(path)
    reader = csv.reader(io.StringIO(text, newline=""))
    try:
        header = [h.strip() for h in next(reader)]
    except StopIteration:
        raise InputError("file is empty (no header row)", file=str(path), line=1) from None
    except csv.Error as exc:
        raise InputError(f"unreadable header: {exc}", file=str(path), line=1) from exc
    missing = [c for c in required if c not in header]
    if missing:
        raise InputError(
            f"missing column(s) {', '.join(missing)}; header is {', '.join(header)}",
            file=str(path),
            line=1,
        )

    def rows() -> Iterator[tuple[int, dict[str, str] | None, str | None]]:
        while True:
            line = reader.line_num + 1
            try:
                values = next(reader)
            except StopIteration:
                return
            except csv.Error as exc:
                yield line, None, f"malformed CSV: {exc}"
                continue
            if not values or all(not v.strip() for v in values):
                continue
            if len(values) != len(header):
                problem = f"row has {len(values)} fields, header has {len(header)}"
                if reader.line_num > line:
                    problem += (
                        f"; a quoted field spans lines {line}-{reader.line_num} "
                        "(unterminated quote?)"
                    )
                yield line, None, problem
                continue
            yield line, dict(zip(header, values, strict=True)), None

    return header, rows()


def _opt(row: dict[str, str], key: str) -> str | None:
    value = row.get(key)
    return value.strip() if value and value.strip() else None


def screen_file(
    screener: Screener,
    in_path: Path,
    out_path: Path,
    *,
    limit: int = 5,
    min_score: float = DEFAULT_MIN_SCORE,
    errors_path: Path | None = None,
    progress: Callable[[int, int], None] | None = None,
    workers: int = 1,
) -> BatchStats:
    """Screen every row of ``in_path`` (``query_id,name,schema`` and optional
    ``country,birth_date,identifier``) and write candidates to ``out_path``.

    Each distinct query (the row without its ``query_id``) is screened once; with
    ``workers`` > 1 the distinct queries are screened by that many forked processes. The
    output is in input order and identical for any number of workers."""
    if limit < 1:
        raise InputError(f"--limit must be at least 1, got {limit}")
    if workers < 1:
        raise InputError(f"--workers must be at least 1, got {workers}", field="workers")
    _, rows = iter_rows(in_path, ("query_id", "name"))
    all_rows = list(rows)
    keys: list[tuple[str, ...] | None] = [
        None if problem is not None or row is None else _query_key(row)
        for _, row, problem in all_rows
    ]
    distinct = list(dict.fromkeys(k for k in keys if k is not None))
    results = _screen_distinct(screener, distinct, limit, min_score, workers, progress)
    stats = BatchStats()
    with TableWriter(out_path, SCREEN_COLUMNS, fmt=output_format(out_path)) as out:
        for (line, row, problem), key in zip(all_rows, keys, strict=True):
            stats.read += 1
            qid = (row or {}).get("query_id", "") or ""
            if key is None:
                stats.rejected += 1
                stats.errors.append((line, qid, "", problem or "unreadable row"))
                continue
            found = results[key]
            if isinstance(found, CircumspectError):
                stats.rejected += 1
                stats.errors.append((line, qid, found.field or "", found.message))
                continue
            stats.screened += 1
            alerting = False
            for out_row in found:
                out.write([qid, *out_row[1:]])
                stats.rows_written += 1
                if out_row[7] == "true":
                    stats.alerts += 1
                    alerting = True
            stats.queries_alerting += int(alerting)
    if errors_path is not None:
        write_errors(errors_path, stats.errors)
    return stats


#: The query fields of a ``screen-file`` row (``query_id`` aside): rows equal on these are
#: screened once.
_QUERY_KEY = ("name", "schema", "country", "birth_date", "identifier")
#: Fewer distinct queries than this are screened in-process whatever ``workers`` says.
PARALLEL_MIN_QUERIES = 200

_Result = list[list[object]] | CircumspectError
_WORKER: tuple[Screener, int, float] | None = None


def _query_key(row: dict[str, str]) -> tuple[str, ...]:
    return tuple(row.get(k, "") or "" for k in _QUERY_KEY)


def _screen_key(key: tuple[str, ...]) -> _Result:
    assert _WORKER is not None
    screener, limit, min_score = _WORKER
    row = dict(zip(_QUERY_KEY, key, strict=True))
    try:
        return screen_row(screener, row, limit=limit, min_score=min_score)
    except CircumspectError as exc:
        return exc


def _screen_distinct(
    screener: Screener,
    keys: list[tuple[str, ...]],
    limit: int,
    min_score: float,
    workers: int,
    progress: Callable[[int, int], None] | None,
) -> dict[tuple[str, ...], _Result]:
    """Each distinct query's output rows (or its error), in-process or by forked workers."""
    import multiprocessing as mp
    import sys

    global _WORKER
    _WORKER = (screener, limit, min_score)
    out: dict[tuple[str, ...], _Result] = {}
    try:
        if workers == 1 or len(keys) < PARALLEL_MIN_QUERIES or not sys.platform.startswith("linux"):
            for n, key in enumerate(keys, start=1):
                out[key] = _screen_key(key)
                if progress is not None:
                    progress(n, len(keys))
            return out
        chunk = max(16, min(256, len(keys) // (workers * 8) or 1))
        warm_up(text for key in keys for text in key)
        with mp.get_context("fork").Pool(workers) as pool:
            for n, (key, found) in enumerate(
                zip(keys, pool.imap(_screen_key, keys, chunksize=chunk), strict=True), start=1
            ):
                out[key] = found
                if progress is not None:
                    progress(n, len(keys))
        return out
    finally:
        _WORKER = None


def screen_row(
    screener: Screener, row: dict[str, str], *, limit: int, min_score: float
) -> list[list[object]]:
    """The output rows (:data:`SCREEN_COLUMNS`) of one input row of ``screen-file``: one per
    candidate scoring at least ``min_score``, or one empty row. Raises ``CircumspectError``
    for a row that cannot be screened. (Also run partition by partition by the Spark engine,
    ``circumspect.engines.jobs``.)"""
    qid = row.get("query_id", "") or ""
    query = Query(
        name=row.get("name", "") or "",
        schema=_opt(row, "schema") or "LegalEntity",
        country=_opt(row, "country"),
        birth_date=_opt(row, "birth_date"),
        identifier=_opt(row, "identifier"),
        query_id=qid,
    )
    candidates = screener.screen(query, limit=limit)
    # an alert is always written (ownership alerts follow their rules, not the name score)
    kept = [c for c in candidates if c.score >= min_score or c.alert]
    if not kept:
        return [[qid, "", "", "", "", "", "", "false", "", *([""] * len(RECORD_COLUMNS))]]
    return [
        [
            qid,
            rank,
            cand.entity_id,
            cand.source,
            cand.source_id,
            cand.caption,
            f"{cand.score:.4f}",
            "true" if cand.alert else "false",
            cand.explanation_with_links(),
            *record_columns(cand),
        ]
        for rank, cand in enumerate(kept, start=1)
    ]


def write_errors(path: Path, errors: list[tuple[int, str, str, str]]) -> None:
    """The per-row errors as CSV (``line,query_id,field,error``), written atomically."""
    write_rows(path, ERROR_COLUMNS, errors, fmt=output_format(path))


def compare_file(
    in_path: Path,
    out_path: Path,
    *,
    threshold: float,
    errors_path: Path | None = None,
    progress: Callable[[int, int], None] | None = None,
) -> BatchStats:
    """Score each ``schema,name1,name2`` row; other columns are passed through and
    ``score,match,explanation`` added (empty score for a rejected row)."""
    header, rows = iter_rows(in_path, ("name1", "name2"))
    all_rows = list(rows)
    stats = BatchStats()
    columns = [*header, "score", "match", "explanation"]
    with TableWriter(out_path, columns, fmt=output_format(out_path)) as out:
        for n, (line, row, problem) in enumerate(all_rows, start=1):
            stats.read += 1
            if problem is not None or row is None:
                stats.rejected += 1
                stats.errors.append((line, "", "", problem or "unreadable row"))
                continue
            values: list[object] = [row.get(h, "") for h in header]
            try:
                schema = _opt(row, "schema") or "LegalEntity"
                result = compare_names(row["name1"], row["name2"], schema)
            except CircumspectError as exc:
                stats.rejected += 1
                stats.errors.append((line, "", exc.field or "", exc.message))
                out.write([*values, "", "", f"error: {exc.message}"])
                stats.rows_written += 1
                continue
            stats.screened += 1
            match = result.score >= threshold
            stats.alerts += int(match)
            out.write(
                [*values, f"{result.score:.4f}", "true" if match else "false", result.explanation]
            )
            stats.rows_written += 1
            if progress is not None:
                progress(n, len(all_rows))
    if errors_path is not None:
        write_errors(errors_path, stats.errors)
    return stats
