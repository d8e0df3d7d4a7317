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

import shutil
import uuid
from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from circumspect import settings
from circumspect.errors import InputError, StoreError
from circumspect.fsutil import atomic_path

if TYPE_CHECKING:
    import duckdb

from circumspect.flows.plans import (
    _SEQ,
    FLOW_COLUMNS,
    KEY,
    LARGE_FILE_BYTES,
    PARQUET_ROWS,
    SCHEMA,
    STAGE_FIELDS,
    FileReport,
    LoadReport,
    StoreState,
    _expand,
    _ident,
    _insert_rows,
    _Plan,
    _plan,
    _rows_or_parse_error,
    _sql_str,
    _temp_table,
    duckdb_error_summary,
    legacy_encoding,
)
from circumspect.flows.staging import Staging


def db_path(home: Path | None = None) -> Path:
    """``$CIRCUMSPECT_HOME/flows.duckdb``."""
    return (home or settings.home()) / "flows.duckdb"


class FlowStore(Staging):
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


__all__ = [
    "FLOW_COLUMNS",
    "KEY",
    "LARGE_FILE_BYTES",
    "PARQUET_ROWS",
    "SCHEMA",
    "STAGE_FIELDS",
    "_SEQ",
    "FileReport",
    "FlowStore",
    "LoadReport",
    "StoreState",
    "_Plan",
    "_expand",
    "_ident",
    "_insert_rows",
    "_plan",
    "_rows_or_parse_error",
    "_sql_str",
    "_temp_table",
    "db_path",
    "duckdb_error_summary",
    "legacy_encoding",
]
