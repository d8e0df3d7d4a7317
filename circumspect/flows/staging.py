"""Staging and canonicalising the rows of a flows load in DuckDB, deduplicating them and
writing large batches as Parquet (split out of ``flows/store.py``)."""

from __future__ import annotations

import csv
import io
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from circumspect.errors import ParseError
from circumspect.flows import countries, labels

if TYPE_CHECKING:
    pass

from circumspect.flows import plans as plans_mod
from circumspect.flows.plans import (
    FLOW_COLUMNS,
    KEY,
    STAGE_FIELDS,
    StoreState,
    _ident,
    _Plan,
    _rows_or_parse_error,
    _sql_str,
    _temp_table,
    duckdb_error_summary,
)


class Staging(StoreState):
    """Staging, canonicalising and deduplicating a load's rows."""

    def _stage(self, plans: list[_Plan], progress: Callable[[str], None] | None) -> None:
        con = self.con
        cols = ", ".join(f"{f} VARCHAR" for f in STAGE_FIELDS)
        con.execute(f"CREATE TEMP TABLE _stage (seq INTEGER, line BIGINT, {cols})")
        small: list[_Plan] = []
        for plan in plans:
            if plan.bytes > plans_mod.LARGE_FILE_BYTES:  # read at call time (tests lower it)
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
