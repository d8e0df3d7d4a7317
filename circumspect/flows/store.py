"""The flows database: DuckDB tables under ``$CIRCUMSPECT_HOME`` and the file loader.

Tables (``flows.duckdb``):

* ``flows_table``: one row per cell (source, reporter, partner, product, flow, period) with
  the value in the file's currency; ``flows`` is a view over it and over the partitioned
  Parquet datasets written for large inputs (``flows_parquet/batch=<id>/part_year=<y>``);
* ``files``: one row per loaded file (SHA-256, format, counts: read, loaded, duplicates,
  conflicts, rejected, skipped); a file already loaded (same content) is not loaded again;
* ``issues``: every row not loaded, with file, line, field, value and the reason;
* ``conflicts``: cells present in two files with different values (the first loaded value
  is kept; see docs/decisions/0500-flows-store.md).

A load runs in one transaction: either every file of the call is recorded, or none.
Row work happens in DuckDB (``read_csv`` for large files, a bulk Arrow insert for small
ones); Python only sees the distinct labels (countries, periods, products, flows).
"""

from __future__ import annotations

import csv
import hashlib
import io
import shutil
import uuid
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from circumspect import settings
from circumspect.errors import FormatMismatchError, InputError, ParseError, StoreError
from circumspect.flows import countries, formats, labels
from circumspect.fsutil import atomic_path

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


def db_path(home: Path | None = None) -> Path:
    """``$CIRCUMSPECT_HOME/flows.duckdb``."""
    return (home or settings.home()) / "flows.duckdb"


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


class FlowStore:
    """The flows database (one DuckDB file) and its loader."""

    def __init__(self, path: Path | None = None, *, read_only: bool = False) -> None:
        import duckdb

        self.path = path or db_path()
        self.parquet_dir = self.path.parent / "flows_parquet"
        if read_only and not self.path.exists():
            raise StoreError(
                f"no flows database at {self.path}: run `circumspect flows load` first"
            )
        self.path.parent.mkdir(parents=True, exist_ok=True)
        try:
            self.con: duckdb.DuckDBPyConnection = duckdb.connect(
                str(self.path), read_only=read_only
            )
        except duckdb.Error as exc:
            raise StoreError(f"cannot open {self.path}: {exc}") from exc
        if not read_only:
            self.con.execute(SCHEMA)
            self._refresh_view()

    def close(self) -> None:
        self.con.close()

    def __enter__(self) -> FlowStore:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- the ``flows`` view ------------------------------------------------------------
    def _parquet_batches(self) -> list[str]:
        rows = self.con.execute(
            "SELECT DISTINCT batch FROM files WHERE storage = 'parquet'"
        ).fetchall()
        return [str(r[0]) for r in rows if (self.parquet_dir / f"batch={r[0]}").exists()]

    def _refresh_view(self) -> None:
        cols = ", ".join(FLOW_COLUMNS)
        batches = self._parquet_batches()
        sql = f"CREATE OR REPLACE VIEW flows AS SELECT {cols} FROM flows_table"
        if batches:
            globs = ", ".join(
                _sql_str(str(self.parquet_dir / f"batch={b}" / "**" / "*.parquet")) for b in batches
            )
            sql += (
                f" UNION ALL SELECT {cols} FROM read_parquet([{globs}], hive_partitioning = true)"
            )
        self.con.execute(sql)

    # -- loading -------------------------------------------------------------------------
    def load(
        self,
        paths: Sequence[Path],
        fmt: str,
        *,
        source: str | None = None,
        parquet_rows: int = PARQUET_ROWS,
        progress: Callable[[str], None] | None = None,
    ) -> LoadReport:
        """Load files of one format in one transaction; returns per-file counts.

        ``fmt`` is a key of :data:`formats.LAYOUTS` or ``auto`` (detected per file from the
        header). Raises :class:`InputError` (file missing, empty, wrong layout) before
        anything is written.
        """
        report = LoadReport()
        files = _expand(paths)
        if not files:
            raise InputError("no input files")
        plans: list[_Plan] = []
        seen: dict[str, str] = {}
        loaded_before = {
            str(sha): str(p)
            for sha, p in self.con.execute("SELECT sha256, path FROM files").fetchall()
        }
        for path in files:
            plan = _plan(path, fmt, source)
            report.files.append(plan.report)
            known = loaded_before.get(plan.sha256) or seen.get(plan.sha256)
            if known is not None:
                plan.report.status = "already-loaded"
                plan.report.notes.append(f"same content as {known}")
                continue
            seen[plan.sha256] = str(path)
            plans.append(plan)
        if not plans:
            return report
        batch = uuid.uuid4().hex[:12]
        con = self.con
        moved: Path | None = None
        con.execute("BEGIN TRANSACTION")
        try:
            self._stage(plans, progress)
            self._canonicalise(plans)
            n_ok = self._dedupe(plans)
            storage = "parquet" if n_ok > parquet_rows else "table"
            report.storage = storage
            if storage == "table":
                con.execute(f"INSERT INTO flows_table SELECT {', '.join(FLOW_COLUMNS)} FROM _final")
            else:
                moved = self._write_parquet(batch)
            self._record(plans, batch, storage, report)
            con.execute("COMMIT")
        except BaseException:
            con.execute("ROLLBACK")
            if moved is not None:
                shutil.rmtree(moved, ignore_errors=True)
            raise
        finally:
            for name in ("_final", "_batch"):
                kind = con.execute(
                    "SELECT table_type FROM information_schema.tables WHERE table_name = ?",
                    [name],
                ).fetchone()
                if kind is not None:
                    what = "VIEW" if str(kind[0]).upper() == "VIEW" else "TABLE"
                    con.execute(f"DROP {what} {name}")
            for table in ["_stage", "_canon", "_dups", "_ranked", "_clash"] + [
                t for p in plans for t in p.temp_tables
            ]:
                con.execute(f"DROP TABLE IF EXISTS {table}")
        self._refresh_view()
        return report

    def _stage(self, plans: list[_Plan], progress: Callable[[str], None] | None) -> None:
        con = self.con
        cols = ", ".join(f"{f} VARCHAR" for f in STAGE_FIELDS)
        con.execute(f"CREATE TEMP TABLE _stage (seq INTEGER, line BIGINT, {cols})")
        small: list[_Plan] = []
        for plan in plans:
            if plan.bytes > LARGE_FILE_BYTES:
                if progress:
                    progress(f"reading {plan.path} with DuckDB")
                self._stage_duckdb(plan)
            else:
                small.append(plan)
        if small:
            self._stage_python(small)

    def _stage_python(self, plans: list[_Plan]) -> None:
        import pyarrow as pa

        columns: dict[str, list[Any]] = {"seq": [], "line": []}
        columns.update({f: [] for f in STAGE_FIELDS})
        for plan in plans:
            text = plan.text()
            reader = csv.reader(io.StringIO(text), delimiter=plan.delimiter)
            header = next(reader, None)
            if header is None:
                continue
            width = len(header)
            index = {f: header.index(c) for f, c in plan.columns.items()}
            for row in _rows_or_parse_error(reader, plan.path):
                if not any(cell.strip() for cell in row):
                    continue
                plan.report.rows_read += 1
                if len(row) != width:
                    plan.issue(
                        reader.line_num,
                        None,
                        ",".join(row)[:200],
                        f"expected {width} fields, found {len(row)}",
                        "malformed row",
                    )
                    continue
                columns["seq"].append(plan.seq)
                columns["line"].append(reader.line_num)
                for f in STAGE_FIELDS:
                    i = index.get(f)
                    columns[f].append(None if i is None else row[i])
        table = pa.table(
            {
                k: pa.array(v, type=pa.int64() if k in ("seq", "line") else pa.string())
                for k, v in columns.items()
            }
        )
        self.con.register("_arrow_stage", table)
        try:
            self.con.execute("INSERT INTO _stage SELECT * FROM _arrow_stage")
        finally:
            self.con.unregister("_arrow_stage")

    def _stage_duckdb(self, plan: _Plan) -> None:
        """Large file: pass 1 collects rejected lines, row count and distinct labels in one
        parallel scan; pass 2 (a view, read once by ``_canon``) yields the rows with their
        true line numbers. No copy of the raw rows is materialised."""
        con = self.con
        colspec = "{" + ", ".join(f"{_sql_str(c)}: 'VARCHAR'" for c in plan.header) + "}"
        seq = plan.seq
        opts = (
            f"header = true, delim = {_sql_str(plan.delimiter)}, quote = '\"', "
            f"columns = {colspec}, store_rejects = true, rejects_table = '_rej{seq}', "
            f"rejects_scan = '_rejscan{seq}', encoding = 'utf-8'"
        )
        select = ", ".join(
            f"{_ident(plan.columns[f])} AS {f}" if f in plan.columns else f"NULL AS {f}"
            for f in STAGE_FIELDS
        )
        source = f"read_csv({_sql_str(str(plan.path))}, {opts})"
        try:
            row = con.execute(
                f"""SELECT count(*), list(DISTINCT reporter), list(DISTINCT partner),
                       list(DISTINCT product), list(DISTINCT flow),
                       list(DISTINCT {{'period': period, 'freq': freq}})
                FROM (SELECT {select} FROM {source})"""
            ).fetchone()
            rejects = con.execute(
                f"SELECT line, error_type, csv_line, error_message FROM _rej{seq} ORDER BY line"
            ).fetchall()
        except Exception as exc:  # duckdb.Error: report the file, not a traceback
            raise ParseError(
                f"cannot read CSV: {duckdb_error_summary(exc)}", file=str(plan.path)
            ) from exc
        assert row is not None
        n_ok, reporters, partners, products, flows, periods = row
        plan.labels = {
            "place": [*(reporters or []), *(partners or [])],
            "product": list(products or []),
            "flow": list(flows or []),
            "period": [(d["period"], d["freq"]) for d in (periods or [])],
        }
        for line, etype, text, message in rejects:
            plan.issue(int(line), None, str(text)[:200], f"{etype}: {message}", "malformed row")
        plan.report.rows_read += int(n_ok) + len(rejects)
        # Row numbers count accepted records only; shift them past the rejected lines.
        con.execute(f"CREATE OR REPLACE TEMP TABLE _rejl{seq} (threshold BIGINT, k BIGINT)")
        if rejects:
            con.executemany(
                f"INSERT INTO _rejl{seq} VALUES (?, ?)",
                [(int(line) - i - 1, i) for i, (line, *_r) in enumerate(rejects, start=1)],
            )
        fields = ", ".join(f"r.{f}" for f in STAGE_FIELDS)
        source2 = source.replace(f"'_rej{seq}'", f"'_rejb{seq}'").replace(
            f"'_rejscan{seq}'", f"'_rejscanb{seq}'"
        )
        plan.source_sql = f"SELECT {seq} AS seq, NULL::BIGINT AS line, {select} FROM {source2}"
        if rejects:
            plan.numbered_sql = (
                f"SELECT {seq} AS seq, r.rn + 1 + coalesce(j.k, 0) AS line, {fields} "
                f"FROM (SELECT row_number() OVER () AS rn, {select} FROM {source2}) r "
                f"ASOF LEFT JOIN _rejl{seq} j ON r.rn > j.threshold"
            )
        else:
            plan.numbered_sql = (
                f"SELECT {seq} AS seq, row_number() OVER () + 1 AS line, {select} FROM {source2}"
            )
        plan.temp_tables += [
            f"_rej{seq}",
            f"_rejscan{seq}",
            f"_rejl{seq}",
            f"_rejb{seq}",
            f"_rejscanb{seq}",
        ]

    def _canonicalise(self, plans: list[_Plan]) -> None:
        """Map labels to codes (through small lookup tables) and flag unusable rows."""
        con = self.con
        table = countries.table()
        large = [p for p in plans if p.labels is not None]
        places = {
            str(r[0])
            for r in con.execute(
                "SELECT DISTINCT reporter FROM _stage WHERE reporter IS NOT NULL UNION "
                "SELECT DISTINCT partner FROM _stage WHERE partner IS NOT NULL"
            ).fetchall()
        }
        for lp in large:
            places.update(str(x) for x in lp.labels["place"] if x is not None)  # type: ignore[index]
        place_rows = []
        for label in sorted(places):
            place = table.resolve(label)
            place_rows.append((label, place.code if place else None, place.kind if place else None))
        _temp_table(con, "_m_place", "label VARCHAR, code VARCHAR, kind VARCHAR", place_rows)
        periods = set(
            con.execute(
                "SELECT DISTINCT period, freq FROM _stage WHERE period IS NOT NULL"
            ).fetchall()
        )
        for lp in large:
            periods.update(tuple(x) for x in lp.labels["period"] if x[0] is not None)  # type: ignore[index]
        period_rows = []
        for label, freq in sorted(periods, key=str):
            p = labels.parse_period(str(label), None if freq is None else str(freq).upper())
            if (
                p is not None
                and freq is not None
                and str(freq).upper() in ("A", "M")
                and p.freq != str(freq).upper()
            ):
                p = None  # the period code contradicts freqCode
            period_rows.append(
                (
                    label,
                    freq or "",
                    p.freq if p else None,
                    p.label if p else None,
                    p.year if p else None,
                    p.month if p else None,
                )
            )
        _temp_table(
            con,
            "_m_period",
            "label VARCHAR, freq_key VARCHAR, freq VARCHAR, period VARCHAR, year SMALLINT, "
            "month TINYINT",
            period_rows,
        )
        product_rows = []
        products = {
            r[0]
            for r in con.execute(
                "SELECT DISTINCT product FROM _stage WHERE product IS NOT NULL"
            ).fetchall()
        }
        for lp in large:
            products.update(x for x in lp.labels["product"] if x is not None)  # type: ignore[index]
        for label in sorted(products):
            prod = labels.parse_product(str(label))
            product_rows.append((label, prod.code if prod else None, prod.level if prod else None))
        _temp_table(con, "_m_product", "label VARCHAR, code VARCHAR, level TINYINT", product_rows)
        flow_rows = []
        flow_labels = {
            r[0]
            for r in con.execute(
                "SELECT DISTINCT flow FROM _stage WHERE flow IS NOT NULL"
            ).fetchall()
        }
        for lp in large:
            flow_labels.update(x for x in lp.labels["flow"] if x is not None)  # type: ignore[index]
        for label in sorted(flow_labels):
            flow_rows.append((label, labels.parse_flow(str(label))))
        _temp_table(con, "_m_flow", "label VARCHAR, flow VARCHAR", flow_rows)
        meta_rows = [(p.seq, p.source, p.layout.currency, p.file_id) for p in plans]
        _temp_table(
            con,
            "_m_file",
            "seq INTEGER, source VARCHAR, currency VARCHAR, file_id VARCHAR",
            meta_rows,
        )
        confidential = ", ".join(_sql_str(c) for c in labels.CONFIDENTIAL)
        totals_checks = []
        layouts = {p.layout.name: p.layout for p in plans}
        for layout in layouts.values():
            for fld, allowed in layout.totals_only.items():
                ok = ", ".join(_sql_str(a) for a in allowed)
                totals_checks.append(
                    f"WHEN trim(coalesce(s.{fld}, '')) NOT IN ({ok}) THEN "
                    f"'breakdown row ({fld} not total)'"
                )
        breakdown = " ".join(totals_checks)
        source = " UNION ALL ".join(
            ["SELECT * FROM _stage"] + [p.source_sql for p in large if p.source_sql]
        )
        canon_select = f"""
            SELECT * REPLACE (
                CASE WHEN problem IS NULL THEN NULL ELSE raw_reporter END AS raw_reporter,
                CASE WHEN problem IS NULL THEN NULL ELSE raw_partner END AS raw_partner,
                CASE WHEN problem IS NULL THEN NULL ELSE raw_product END AS raw_product,
                CASE WHEN problem IS NULL THEN NULL ELSE raw_flow END AS raw_flow,
                CASE WHEN problem IS NULL THEN NULL ELSE raw_period END AS raw_period,
                CASE WHEN problem IS NULL THEN NULL ELSE raw_value END AS raw_value)
            FROM (SELECT s.seq, s.line, mf.source, mf.currency, mf.file_id,
                   r.code AS reporter, r.kind AS reporter_kind,
                   p.code AS partner, p.kind AS partner_kind,
                   pr.code AS product, pr.level AS product_level,
                   fl.flow, pe.freq, pe.period, pe.year, pe.month,
                   CASE WHEN s.stat_procedure IS NULL OR trim(s.stat_procedure) = ''
                          OR upper(trim(s.stat_procedure)) IN ('T', 'T-TOTAL', 'TOTAL')
                        THEN 'TOTAL' ELSE upper(trim(s.stat_procedure)) END AS stat_procedure,
                   s.num AS value,
                   TRY_CAST(nullif(trim(s.quantity_kg), '') AS DOUBLE) AS quantity_kg,
                   CASE
                     WHEN r.code IS NULL THEN 'unknown reporter'
                     WHEN p.code IS NULL THEN 'unknown partner'
                     WHEN pr.code IS NULL THEN 'unreadable product code'
                     WHEN fl.flow IS NULL THEN 'unknown flow'
                     WHEN pe.period IS NULL THEN 'unreadable period'
                     {breakdown}
                     WHEN s.vtxt IN ({confidential})
                       THEN 'confidential value'
                     WHEN s.vtxt = '' THEN 'empty value'
                     WHEN s.num IS NULL
                       THEN 'non-numeric value'
                     WHEN NOT isfinite(s.num)
                       THEN 'non-numeric value'
                   END AS problem,
                   s.reporter AS raw_reporter, s.partner AS raw_partner,
                   s.product AS raw_product, s.flow AS raw_flow, s.period AS raw_period,
                   s.value AS raw_value
            FROM (SELECT *, TRY_CAST(replace(vtxt, ' ', '') AS DOUBLE) AS num
                  FROM (SELECT *, trim(coalesce(value, '')) AS vtxt FROM (__SOURCE__))) s
            JOIN _m_file mf ON mf.seq = s.seq
            LEFT JOIN _m_place r ON r.label = s.reporter
            LEFT JOIN _m_place p ON p.label = s.partner
            LEFT JOIN _m_product pr ON pr.label = s.product
            LEFT JOIN _m_flow fl ON fl.label = s.flow
            LEFT JOIN _m_period pe ON pe.label = s.period
                 AND pe.freq_key = coalesce(s.freq, ''))
            """
        con.execute("CREATE TEMP TABLE _canon AS " + canon_select.replace("__SOURCE__", source))
        keys = ", ".join(KEY)
        # Group on a 64-bit hash of the key first (far cheaper than eight text columns),
        # then on the real key among the few rows whose hash repeats.
        con.execute(
            f"""CREATE TEMP TABLE _dups AS
            WITH h AS (SELECT hash({keys}) AS h FROM _canon WHERE problem IS NULL
                       GROUP BY 1 HAVING count(*) > 1)
            SELECT {keys}, count(*) AS n, min(value) AS vmin, max(value) AS vmax
            FROM _canon WHERE problem IS NULL AND hash({keys}) IN (SELECT h FROM h)
            GROUP BY {keys} HAVING count(*) > 1"""
        )
        # Large files were read without line numbers (a numbered read costs ~2x); the files
        # that have a row to report are read again, numbered, and their rows replaced.
        large_seqs = {p.seq: p for p in large}
        if large_seqs:
            marks = ", ".join(str(k) for k in large_seqs)
            needy = {
                int(r[0])
                for r in con.execute(
                    f"SELECT DISTINCT seq FROM _canon WHERE seq IN ({marks}) "
                    "AND problem IS NOT NULL"
                ).fetchall()
            }
            if con.execute("SELECT 1 FROM _dups LIMIT 1").fetchone() is not None:
                needy |= {
                    int(r[0])
                    for r in con.execute(
                        f"""SELECT DISTINCT c.seq FROM _canon c JOIN _dups b ON {
                            " AND ".join(f"c.{k} = b.{k}" for k in KEY)
                        }
                    WHERE c.seq IN ({marks}) AND c.problem IS NULL"""
                    ).fetchall()
                }
            if self._has_rows():
                needy |= {
                    int(r[0])
                    for r in con.execute(
                        f"""SELECT DISTINCT c.seq FROM _canon c JOIN flows b ON {
                            " AND ".join(f"c.{k} = b.{k}" for k in KEY)
                        }
                    WHERE c.seq IN ({marks}) AND c.problem IS NULL"""
                    ).fetchall()
                }
            for seq in sorted(needy):
                con.execute(f"DELETE FROM _canon WHERE seq = {seq}")
                con.execute(
                    "INSERT INTO _canon "
                    + canon_select.replace("__SOURCE__", large_seqs[seq].numbered_sql)
                )
        con.execute(
            """
            INSERT INTO issues
            SELECT c.file_id, NULL, c.line,
                   CASE c.problem
                     WHEN 'unknown reporter' THEN 'reporter'
                     WHEN 'unknown partner' THEN 'partner'
                     WHEN 'unreadable product code' THEN 'product'
                     WHEN 'unknown flow' THEN 'flow'
                     WHEN 'unreadable period' THEN 'period'
                     ELSE CASE WHEN c.problem LIKE 'breakdown%' THEN 'breakdown'
                          ELSE 'value' END END,
                   CASE c.problem
                     WHEN 'unknown reporter' THEN c.raw_reporter
                     WHEN 'unknown partner' THEN c.raw_partner
                     WHEN 'unreadable product code' THEN c.raw_product
                     WHEN 'unknown flow' THEN c.raw_flow
                     WHEN 'unreadable period' THEN c.raw_period
                     ELSE c.raw_value END,
                   c.problem,
                   CASE WHEN c.problem LIKE 'breakdown%' THEN 'skipped'
                        WHEN c.problem = 'confidential value' THEN 'confidential'
                        ELSE 'rejected' END
            FROM _canon c WHERE c.problem IS NOT NULL
            """
        )
        for table_name in ("_m_place", "_m_period", "_m_product", "_m_flow", "_m_file"):
            con.execute(f"DROP TABLE {table_name}")

    def _has_rows(self) -> bool:
        return self.con.execute("SELECT 1 FROM flows LIMIT 1").fetchone() is not None

    def _dedupe(self, plans: list[_Plan]) -> int:
        """Drop identical duplicates, record conflicts; leaves the rows to store in _final."""
        con = self.con
        key = ", ".join(KEY)
        on = " AND ".join(f"a.{k} = b.{k}" for k in KEY)
        n_dups = con.execute("SELECT count(*) FROM _dups").fetchone()
        cols = ", ".join(FLOW_COLUMNS)
        ok = f"SELECT {cols}, seq FROM _canon WHERE problem IS NULL"
        if n_dups and int(n_dups[0]) > 0:
            # Within the batch: keep the first (load order, then line) of each key.
            con.execute(
                f"""CREATE TEMP TABLE _ranked AS
                SELECT {cols}, seq, row_number() OVER (PARTITION BY {key} ORDER BY seq, line)
                       AS rk
                FROM _canon c WHERE problem IS NULL AND EXISTS (
                    SELECT 1 FROM _dups b WHERE {on.replace("a.", "c.")})"""
            )
            con.execute(
                f"""INSERT INTO conflicts
                SELECT {", ".join("a." + k for k in KEY)}, a.value, a.file_id, a.line,
                       b.value, b.file_id, b.line
                FROM _ranked a JOIN _ranked b ON {on}
                WHERE a.rk = 1 AND b.rk > 1 AND a.value <> b.value"""
            )
            con.execute(
                f"""INSERT INTO issues SELECT b.file_id, NULL, b.line, 'value',
                       CAST(b.value AS VARCHAR),
                       CASE WHEN a.value = b.value THEN 'identical duplicate cell'
                            ELSE 'conflicting duplicate cell' END,
                       CASE WHEN a.value = b.value THEN 'duplicate' ELSE 'conflict' END
                FROM _ranked a JOIN _ranked b ON {on} WHERE a.rk = 1 AND b.rk > 1"""
            )
            ok = (
                f"SELECT {cols}, seq FROM _canon c WHERE problem IS NULL AND NOT EXISTS ("
                f"SELECT 1 FROM _dups b WHERE {on.replace('a.', 'c.')}) "
                f"UNION ALL SELECT {cols}, seq FROM _ranked WHERE rk = 1"
            )
        if n_dups and int(n_dups[0]) > 0:
            con.execute(f"CREATE TEMP TABLE _batch AS {ok}")
        else:  # the usual case: no copy, a view over _canon
            con.execute(f"CREATE TEMP VIEW _batch AS {ok}")
        # Against cells already in the store: identical -> dropped; different -> conflict.
        if self._has_rows():
            con.execute(
                f"""CREATE TEMP TABLE _clash AS
                SELECT b.*, a.value AS old_value, a.file_id AS old_file, a.line AS old_line
                FROM _batch b JOIN flows a ON {on}"""
            )
            con.execute(
                f"""INSERT INTO conflicts SELECT {", ".join("b." + k for k in KEY)},
                       b.old_value, b.old_file, b.old_line, b.value, b.file_id, b.line
                FROM _clash b WHERE b.old_value <> b.value"""
            )
            con.execute(
                """INSERT INTO issues SELECT file_id, NULL, line, 'value',
                       CAST(value AS VARCHAR),
                       CASE WHEN old_value = value THEN 'identical duplicate cell'
                            ELSE 'conflicting duplicate cell' END,
                       CASE WHEN old_value = value THEN 'duplicate' ELSE 'conflict' END
                FROM _clash"""
            )
            con.execute(
                f"CREATE TEMP TABLE _final AS SELECT * FROM _batch a WHERE NOT EXISTS ("
                f"SELECT 1 FROM _clash b WHERE {on})"
            )
        else:
            con.execute("CREATE TEMP VIEW _final AS SELECT * FROM _batch")
        n = con.execute("SELECT count(*) FROM _final").fetchone()
        return int(n[0]) if n else 0

    def _write_parquet(self, batch: str) -> Path:
        target = self.parquet_dir / f"batch={batch}"
        tmp = self.parquet_dir / f".tmp-{batch}"
        tmp.parent.mkdir(parents=True, exist_ok=True)
        cols = ", ".join(FLOW_COLUMNS)
        self.con.execute(
            f"COPY (SELECT {cols}, year AS part_year FROM _final) TO {_sql_str(str(tmp))} "
            "(FORMAT parquet, PARTITION_BY (part_year), OVERWRITE_OR_IGNORE true, "
            "COMPRESSION lz4)"
        )
        tmp.replace(target)
        return target

    def _record(self, plans: list[_Plan], batch: str, storage: str, report: LoadReport) -> None:
        con = self.con
        ids = [p.file_id for p in plans]
        marks = ", ".join("?" for _ in ids)
        counts: dict[tuple[str, str], int] = {}
        for fid, category, n in con.execute(
            f"SELECT file_id, category, count(*) FROM issues WHERE file_id IN ({marks}) "
            "GROUP BY ALL",
            ids,
        ).fetchall():
            counts[(str(fid), str(category))] = int(n)
        loaded = dict(
            con.execute("SELECT file_id, count(*) FROM _final GROUP BY file_id").fetchall()
        )
        for _fid, problem, n in con.execute(
            f"SELECT file_id, problem, count(*) FROM issues WHERE file_id IN ({marks}) "
            "GROUP BY ALL",
            ids,
        ).fetchall():
            report.problems[str(problem)] = report.problems.get(str(problem), 0) + int(n)
        now = datetime.now(UTC).replace(tzinfo=None)
        file_rows: list[list[object]] = []
        issue_rows: list[list[object]] = []
        for plan in plans:
            # Issues recorded by the Python reader (malformed rows) are not in the table yet.
            for line, fld, value, problem, category in plan.pending:
                issue_rows.append(
                    [plan.file_id, str(plan.path), line, fld, value, problem, category]
                )
                counts[(plan.file_id, category)] = counts.get((plan.file_id, category), 0) + 1
                report.problems[problem] = report.problems.get(problem, 0) + 1
            r = plan.report
            r.rows_loaded = int(loaded.get(plan.file_id, 0))
            r.rows_duplicate = counts.get((plan.file_id, "duplicate"), 0)
            r.rows_conflict = counts.get((plan.file_id, "conflict"), 0)
            r.rows_rejected = (
                counts.get((plan.file_id, "rejected"), 0)
                + counts.get((plan.file_id, "malformed row"), 0)
                + counts.get((plan.file_id, "confidential"), 0)
            )
            r.rows_skipped = counts.get((plan.file_id, "skipped"), 0)
            if not r.accounted():
                raise StoreError(
                    f"row accounting failed: read {r.rows_read}, loaded {r.rows_loaded}, "
                    f"duplicates {r.rows_duplicate}, conflicts {r.rows_conflict}, rejected "
                    f"{r.rows_rejected}, skipped {r.rows_skipped}",
                    file=str(plan.path),
                )
            file_rows.append(
                [
                    plan.file_id,
                    str(plan.path),
                    plan.layout.name,
                    plan.source,
                    plan.sha256,
                    plan.bytes,
                    now,
                    batch,
                    storage,
                    r.rows_read,
                    r.rows_loaded,
                    r.rows_duplicate,
                    r.rows_conflict,
                    r.rows_rejected,
                    r.rows_skipped,
                ]
            )
            for note in plan.report.notes:
                issue_rows.append([plan.file_id, str(plan.path), None, "file", None, note, "note"])
        _insert_rows(con, "files", file_rows)
        _insert_rows(con, "issues", issue_rows)
        con.execute(
            f"UPDATE issues SET path = f.path FROM files f WHERE issues.file_id = f.file_id "
            f"AND issues.path IS NULL AND f.file_id IN ({marks})",
            ids,
        )

    # -- inspection ---------------------------------------------------------------------
    def query(self, sql: str, params: Sequence[object] | None = None) -> list[dict[str, Any]]:
        """Run SQL over the named tables; rows as dicts."""
        cur = self.con.execute(sql, list(params or []))
        names = [d[0] for d in cur.description or []]
        return [dict(zip(names, row, strict=True)) for row in cur.fetchall()]

    def export_parquet(self, target: Path) -> Path:
        """Write every cell of ``flows`` to one Parquet file (for Spark or other tools)."""
        with atomic_path(target) as tmp:
            self.con.execute(f"COPY (SELECT * FROM flows) TO {_sql_str(str(tmp))} (FORMAT parquet)")
        return target

    def counts(self) -> dict[str, int]:
        out: dict[str, int] = {}
        for table in ("flows", "files", "issues", "conflicts"):
            row = self.con.execute(f"SELECT count(*) FROM {table}").fetchone()
            out[table] = int(row[0]) if row else 0
        return out


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
