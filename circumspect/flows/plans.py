"""Planning the files of a flows load: layouts, encodings, temporary tables and the
constants of the flows tables (split out of ``flows/store.py``)."""

from __future__ import annotations

import csv
import hashlib
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from circumspect.errors import FormatMismatchError, InputError, ParseError
from circumspect.flows import formats

if TYPE_CHECKING:
    import duckdb

#: Files larger than this (bytes) are read by DuckDB's CSV reader instead of Python's.
LARGE_FILE_BYTES = 8 * 1024 * 1024
#: Batches with more accepted rows than this are stored as partitioned Parquet.
PARQUET_ROWS = 2_000_000

STAGE_FIELDS = (
    "reporter",
    "partner",
    "product",
    "flow",
    "period",
    "freq",
    "value",
    "stat_procedure",
    "quantity_kg",
    "partner2",
    "mot",
    "customs",
)

KEY = ("source", "reporter", "partner", "product", "flow", "freq", "period", "stat_procedure")
FLOW_COLUMNS = (
    "source",
    "reporter",
    "reporter_kind",
    "partner",
    "partner_kind",
    "product",
    "product_level",
    "flow",
    "freq",
    "period",
    "year",
    "month",
    "stat_procedure",
    "value",
    "currency",
    "quantity_kg",
    "file_id",
    "line",
)

SCHEMA = """
CREATE TABLE IF NOT EXISTS flows_table (
    source VARCHAR NOT NULL, reporter VARCHAR NOT NULL, reporter_kind VARCHAR NOT NULL,
    partner VARCHAR NOT NULL, partner_kind VARCHAR NOT NULL, product VARCHAR NOT NULL,
    product_level TINYINT NOT NULL, flow VARCHAR NOT NULL, freq VARCHAR NOT NULL,
    period VARCHAR NOT NULL, year SMALLINT NOT NULL, month TINYINT NOT NULL,
    stat_procedure VARCHAR NOT NULL, value DOUBLE NOT NULL, currency VARCHAR NOT NULL,
    quantity_kg DOUBLE, file_id VARCHAR NOT NULL, line BIGINT
);
CREATE TABLE IF NOT EXISTS files (
    file_id VARCHAR PRIMARY KEY, path VARCHAR NOT NULL, format VARCHAR NOT NULL,
    source VARCHAR NOT NULL, sha256 VARCHAR NOT NULL, bytes BIGINT NOT NULL,
    loaded_at TIMESTAMP NOT NULL, batch VARCHAR NOT NULL, storage VARCHAR NOT NULL,
    rows_read BIGINT NOT NULL, rows_loaded BIGINT NOT NULL, rows_duplicate BIGINT NOT NULL,
    rows_conflict BIGINT NOT NULL, rows_rejected BIGINT NOT NULL, rows_skipped BIGINT NOT NULL
);
CREATE TABLE IF NOT EXISTS issues (
    file_id VARCHAR, path VARCHAR, line BIGINT, field VARCHAR, value VARCHAR,
    problem VARCHAR NOT NULL, category VARCHAR NOT NULL
);
CREATE TABLE IF NOT EXISTS conflicts (
    source VARCHAR, reporter VARCHAR, partner VARCHAR, product VARCHAR, flow VARCHAR,
    freq VARCHAR, period VARCHAR, stat_procedure VARCHAR,
    kept_value DOUBLE, kept_file VARCHAR, kept_line BIGINT,
    other_value DOUBLE, other_file VARCHAR, other_line BIGINT
);
"""


@dataclass
class FileReport:
    """What happened to one input file."""

    path: str
    format: str
    status: str = "loaded"  # loaded | already-loaded
    rows_read: int = 0
    rows_loaded: int = 0
    rows_duplicate: int = 0
    rows_conflict: int = 0
    rows_rejected: int = 0
    rows_skipped: int = 0
    notes: list[str] = field(default_factory=list)

    def accounted(self) -> bool:
        """Every row read is loaded, a duplicate, a conflict, rejected or skipped."""
        parts = (
            self.rows_loaded
            + self.rows_duplicate
            + self.rows_conflict
            + self.rows_rejected
            + self.rows_skipped
        )
        return parts == self.rows_read


@dataclass
class LoadReport:
    """What a ``load`` call did, per file and in total, with problems counted by reason."""

    files: list[FileReport] = field(default_factory=list)
    problems: dict[str, int] = field(default_factory=dict)
    storage: str = "table"

    def total(self, name: str) -> int:
        return sum(int(getattr(f, name)) for f in self.files)

    def summary(self) -> str:
        loaded = sum(1 for f in self.files if f.status == "loaded")
        skipped = len(self.files) - loaded
        text = (
            f"{loaded} file(s) loaded, {skipped} already loaded; rows read "
            f"{self.total('rows_read')}, loaded {self.total('rows_loaded')}, identical "
            f"duplicates dropped {self.total('rows_duplicate')}, conflicts "
            f"{self.total('rows_conflict')}, rejected {self.total('rows_rejected')}, "
            f"skipped {self.total('rows_skipped')}"
        )
        if self.problems:
            text += "; " + ", ".join(f"{k}: {v}" for k, v in sorted(self.problems.items()))
        return text


def _rows_or_parse_error(reader: Any, path: Path) -> Iterator[list[str]]:
    """Rows of a csv.reader; a csv.Error (e.g. a field over the size limit, an unclosed
    quote running to the end) becomes one ParseError naming the file and line."""
    while True:
        try:
            row = next(reader)
        except StopIteration:
            return
        except csv.Error as exc:
            raise ParseError(f"malformed CSV: {exc}", file=str(path), line=reader.line_num) from exc
        yield row


def legacy_encoding(data: bytes) -> str:
    """``cp1251`` or ``cp1252`` for a file that is not UTF-8.

    Cyrillic words in Windows-1251 are runs of bytes >= 0xC0; Western accents in
    Windows-1252 are single high bytes between ASCII letters. Decide by how many high
    letters have a high letter beside them.
    """
    high = paired = 0
    for i, byte in enumerate(data):
        if byte >= 0xC0:
            high += 1
            if (i > 0 and data[i - 1] >= 0xC0) or (i + 1 < len(data) and data[i + 1] >= 0xC0):
                paired += 1
    return "cp1251" if high and paired / high > 0.5 else "cp1252"


def duckdb_error_summary(exc: BaseException, limit: int = 240) -> str:
    """DuckDB's multi-line CSV error (which quotes the whole bad line) as one short line."""
    lines = [ln.strip() for ln in str(exc).splitlines() if ln.strip()]
    keep = [
        ln
        for ln in lines
        if not ln.startswith(("Original Line:", "LINE ", "^", "Possible Solution"))
        and "=" not in ln[:40]
    ]
    text = "; ".join(keep[:3]) if keep else type(exc).__name__
    return text if len(text) <= limit else text[: limit - 3] + "..."


# -- planning one file -----------------------------------------------------------------
@dataclass
class _Plan:
    path: Path
    layout: formats.Layout
    source: str
    header: list[str]
    columns: dict[str, str]
    delimiter: str
    sha256: str
    bytes: int
    seq: int
    report: FileReport
    encoding: str = "utf-8-sig"
    pending: list[tuple[int | None, str | None, str | None, str, str]] = field(default_factory=list)
    labels: dict[str, list[Any]] | None = None
    source_sql: str = ""
    numbered_sql: str = ""
    temp_tables: list[str] = field(default_factory=list)

    @property
    def file_id(self) -> str:
        return self.sha256[:16]

    def text(self) -> str:
        return self.path.read_bytes().decode(self.encoding)

    def issue(
        self, line: int | None, fld: str | None, value: str | None, problem: str, category: str
    ) -> None:
        self.pending.append((line, fld, value, problem, category))


_SEQ = [0]


def _plan(path: Path, fmt: str, source: str | None) -> _Plan:
    if not path.is_file():
        raise InputError("no such file", file=str(path))
    data = path.read_bytes() if path.stat().st_size <= LARGE_FILE_BYTES else None
    digest = hashlib.sha256()
    size = 0
    if data is not None:
        digest.update(data)
        size = len(data)
        head_bytes = data[:65536]
    else:
        with path.open("rb") as fh:
            head_bytes = fh.read(65536)
            fh.seek(0)
            for chunk in iter(lambda: fh.read(1 << 22), b""):
                digest.update(chunk)
                size += len(chunk)
    if size == 0:
        raise InputError("empty file", file=str(path))
    if head_bytes[:8] == b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" or head_bytes[:4] == b"PK\x03\x04":
        raise InputError(
            "Excel workbook (.xls/.xlsx) or other binary file is not read: save it as CSV (UTF-8)",
            file=str(path),
        )
    if head_bytes[:2] in (b"\xff\xfe", b"\xfe\xff"):
        raise InputError(
            "UTF-16 text is not read: save the file as UTF-8 (CSV UTF-8)", file=str(path)
        )
    encoding = "utf-8-sig"
    notes: list[str] = []
    try:
        head = head_bytes.decode("utf-8-sig")
    except UnicodeDecodeError:
        if data is not None:
            try:
                data.decode("utf-8-sig")
                head = head_bytes.decode("utf-8-sig", errors="ignore")
            except UnicodeDecodeError:
                encoding = legacy_encoding(data)
                head = head_bytes.decode(encoding, errors="replace")
                label = {"cp1251": "Windows-1251", "cp1252": "Windows-1252"}[encoding]
                notes.append(f"file is not UTF-8; read as {label}")
        else:
            head = head_bytes.decode("utf-8-sig", errors="ignore")
    first = head.splitlines()[0] if head.splitlines() else ""
    delimiter = max((",", ";", "\t", "|"), key=first.count)
    header = [h.strip() for h in next(csv.reader([first], delimiter=delimiter), [])]
    if fmt == "auto":
        name = formats.detect(header)
        if name is None:
            raise FormatMismatchError(
                f"unrecognised layout (header: {','.join(header[:8])}...); "
                f"pass --format ({', '.join(formats.LAYOUTS)})",
                file=str(path),
                line=1,
            )
    else:
        name = fmt
    layout = formats.LAYOUTS.get(name)
    if layout is None:
        raise InputError(f"unknown format {fmt!r}; choose from {', '.join(formats.LAYOUTS)}")
    try:
        cols = formats.resolve_columns(layout, header)
    except FormatMismatchError as exc:
        exc.file = str(path)
        raise
    dupes = {c for c in header if header.count(c) > 1}
    if dupes:
        raise FormatMismatchError(
            f"repeated column(s) {', '.join(sorted(dupes))}", file=str(path), line=1
        )
    unknown = formats.unknown_columns(layout, header)
    if unknown:
        notes.append(f"ignored unknown column(s): {', '.join(unknown)}")
    _SEQ[0] += 1
    report = FileReport(path=str(path), format=layout.name, notes=notes)
    return _Plan(
        path=path,
        layout=layout,
        source=source or layout.source,
        header=header,
        columns=cols,
        delimiter=delimiter,
        sha256=digest.hexdigest(),
        bytes=size,
        seq=_SEQ[0],
        report=report,
        encoding=encoding,
    )


def _expand(paths: Iterable[Path]) -> list[Path]:
    """Files given, with folders expanded to their CSV/DAT/TSV files (sorted)."""
    out: list[Path] = []
    for p in paths:
        if p.is_dir():
            found = sorted(q for q in p.rglob("*") if q.is_file())
            readable = [q for q in found if q.suffix.lower() in (".csv", ".dat", ".tsv", ".txt")]
            if not readable:  # never drop a folder silently
                others = sorted({q.suffix.lower() or "(no suffix)" for q in found})
                what = f"only {', '.join(others)} files" if others else "no files"
                raise InputError(
                    f"folder has no .csv/.dat/.tsv/.txt file to read ({what}; Excel "
                    "workbooks are not read: save them as CSV)",
                    file=str(p),
                )
            out.extend(readable)
        else:
            out.append(p)
    return out


def _temp_table(
    con: duckdb.DuckDBPyConnection, name: str, columns: str, rows: list[tuple[Any, ...]]
) -> None:
    con.execute(f"CREATE OR REPLACE TEMP TABLE {name} ({columns})")
    if rows:
        marks = ", ".join("?" for _ in rows[0])
        con.executemany(f"INSERT INTO {name} VALUES ({marks})", rows)


def _insert_rows(con: duckdb.DuckDBPyConnection, name: str, rows: list[list[object]]) -> None:
    """Bulk insert through Arrow (executemany is slow for hundreds of rows)."""
    if not rows:
        return
    import pyarrow as pa

    names = [str(r[0]) for r in con.execute(f"DESCRIBE {name}").fetchall()]
    table = pa.table({n: [row[i] for row in rows] for i, n in enumerate(names)})
    con.register("_arrow_rows", table)
    try:
        con.execute(f"INSERT INTO {name} SELECT * FROM _arrow_rows")
    finally:
        con.unregister("_arrow_rows")


def _sql_str(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def _ident(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


class StoreState:
    """What the parts of :class:`~circumspect.flows.store.FlowStore` share (set by its
    ``__init__``)."""

    path: Path
    parquet_dir: Path
    con: duckdb.DuckDBPyConnection

    def _refresh_view(self) -> None:
        raise NotImplementedError
