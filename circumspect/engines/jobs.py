"""Batch jobs on an :class:`~circumspect.engines.base.Engine`: ``screen-file`` and
``declarations score``, with the same results on the local engine and on Spark.

The local engine runs the reference implementations unchanged
(:func:`circumspect.matching.batch.screen_file`,
:func:`circumspect.risk.score.score_declarations`). The Spark engine runs the *same* per-row
and per-batch functions partition by partition:

``screen-file``
    rows are parsed exactly as locally (same line numbers and row problems), then each
    partition calls :func:`circumspect.matching.batch.screen_row` with the broadcast
    screener. Outputs are ordered by input line.

``declarations score``
    1. every row gets its record number (``_row``) from partition offsets;
    2. pass A, rows partitioned by declaration id (so duplicates meet):
       :func:`~circumspect.risk.pipeline.validate_frame` gives the error records, the
       unit-value key of every valid row and the distinct parties;
    3. whole-dataset features: the HS-6 unit-value medians (a grouped aggregation with the
       same pandas median) and the party screening cache (each distinct party screened
       once, distributed over the executors) are collected and broadcast;
    4. pass B, valid rows partitioned by consignee (so a consignee's history is in one
       partition): validate, :func:`~circumspect.risk.pipeline.history_features` (medians
       replaced by the broadcast global ones), :func:`~circumspect.risk.pipeline.screen_frame`
       over the broadcast cache, :func:`~circumspect.risk.pipeline.score_batch`.

Outputs on local paths are written by the same writers as the local engine (one file,
atomically); on a Hadoop-compatible URL Spark writes a folder of part files.
"""

from __future__ import annotations

import pickle
import time
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from circumspect.engines.base import Engine
from circumspect.errors import CircumspectError, InputError, ParseError
from circumspect.matching.batch import SCREEN_COLUMNS
from circumspect.risk.pipeline import party_key

if TYPE_CHECKING:
    import pandas as pd

    from circumspect.goods.brands import BrandExtractor
    from circumspect.goods.lists import ControlIndex
    from circumspect.matching.batch import BatchStats
    from circumspect.matching.screener import Screener
    from circumspect.model.screening import Candidate, PartyScreener, Query
    from circumspect.risk.rules import RuleSet
    from circumspect.risk.score import Progress, ScoreReport

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


# ---------------------------------------------------------------------------------------
# declarations score


@dataclass
class PrefetchedScreener:
    """The party-screening results of a first pass, as a ``PartyScreener``.

    ``names`` maps ``(normalised name, country)`` to the alerting candidates, ``ids`` the
    normalised identifier to its candidates; only parties with hits are kept. Every party
    of the input was screened in the first pass, so a party not in the maps has no hit.
    """

    names: dict[tuple[str, str], list[Candidate]]
    ids: dict[str, list[Candidate]]
    alert_threshold: float

    @property
    def threshold(self) -> float:
        return self.alert_threshold

    def screen(self, query: Query, limit: int = 5) -> list[Candidate]:
        key = party_key(query.name, query.country)
        return list(self.names.get(key, []))[:limit]

    def by_identifier(self, value: str) -> list[Candidate]:
        return list(self.ids.get(value, []))


_A_COLUMNS = (
    "kind",
    "row",
    "seq",
    "declaration_id",
    "column",
    "value",
    "reason",
    "uvkey",
    "name",
    "country",
)


def validate_partition(frame: pd.DataFrame, ctx: Any, parties: bool = True) -> pd.DataFrame:
    """Pass A over rows that hold every row of their declaration id: the error records,
    each valid row's unit-value key and value, and the distinct parties to screen."""
    import numpy as np
    import pandas as pd

    from circumspect.risk.columns import ROW, STR
    from circumspect.risk.pipeline import PARTY_ROLES, history_features, validate_frame

    frame = frame.sort_values(ROW, kind="stable").reset_index(drop=True)
    valid, errors = validate_frame(frame, ctx)
    parts: list[pd.DataFrame] = []
    if len(errors):
        parts.append(
            pd.DataFrame(
                {
                    "kind": "error",
                    "row": errors["row"].astype("int64").to_numpy(),
                    "seq": np.arange(len(errors), dtype="int64"),
                    "declaration_id": errors["declaration_id"].astype(str).to_numpy(),
                    "column": errors["column"].astype(str).to_numpy(),
                    "value": errors["value"].astype(str).to_numpy(),
                    "reason": errors["reason"].astype(str).to_numpy(),
                }
            )
        )
    if len(valid):
        valid = history_features(valid, ctx)
        parts.append(
            pd.DataFrame(
                {
                    "kind": "uv",
                    "row": valid[ROW].astype("int64").to_numpy(),
                    "uvkey": valid["_uvkey"].astype(str).to_numpy(),
                    "uv": valid["_uv"].astype("float64").to_numpy(),
                }
            )
        )
        keys: set[tuple[str, str, str]] = set()
        for _, name_col, country_col, id_col in PARTY_ROLES if parties else ():
            if name_col not in valid.columns:
                continue
            names = valid[name_col].astype(STR).fillna("").str.strip()
            cc = "_" + country_col if country_col else ""
            countries = (
                valid[cc].fillna("").astype(str)
                if cc in valid.columns
                else pd.Series("", index=valid.index)
            )
            for name, country in set(zip(names.tolist(), countries.tolist(), strict=True)):
                if name:
                    keys.add(("name", str(name), str(country)))
            if id_col is not None:
                for value in set(valid[id_col].astype(STR).fillna("").str.strip().tolist()):
                    if value:
                        keys.add(("id", "".join(str(value).split()).upper(), ""))
        for bic in set(valid["_bic"].astype(str).tolist()) if parties else ():
            if bic:
                keys.add(("id", "".join(bic.split()).upper(), ""))
        if keys:
            ordered = sorted(keys)
            parts.append(
                pd.DataFrame(
                    {
                        "kind": [k[0] for k in ordered],
                        "name": [k[1] for k in ordered],
                        "country": [k[2] for k in ordered],
                    }
                )
            )
    columns = [*_A_COLUMNS, "uv"]
    if not parts:
        return pd.DataFrame(
            {
                c: pd.Series(
                    dtype="float64" if c == "uv" else "int64" if c in ("row", "seq") else object
                )
                for c in columns
            }
        )
    out = pd.concat(parts, ignore_index=True).reindex(columns=columns)
    for c in _A_COLUMNS:
        if c in ("row", "seq"):
            out[c] = out[c].fillna(0).astype("int64")
        else:
            out[c] = out[c].astype(object).where(out[c].notna(), "").astype(str)
    return out


def screen_parties(frame: pd.DataFrame, screener: PartyScreener, limit: int) -> pd.DataFrame:
    """Screen distinct parties (``kind`` name/id, ``name``, ``country``) exactly as
    :class:`~circumspect.risk.pipeline.PartyCache` does; rows with hits, pickled."""
    import pandas as pd

    from circumspect.risk.pipeline import PartyCache

    cache = PartyCache(screener, limit=limit)
    out = []
    for kind, name, country in frame[["kind", "name", "country"]].itertuples(index=False):
        found = (
            cache.by_name(str(name), str(country))
            if kind == "name"
            else cache.by_identifier(str(name))
        )
        if found:
            out.append((kind, name, country, pickle.dumps(found)))
    return pd.DataFrame(out, columns=["kind", "name", "country", "hits"])


def score_partition(
    frame: pd.DataFrame,
    ctx: Any,
    medians: Mapping[str, tuple[float, int]],
    screener: PartyScreener | None,
    limit: int,
    out_columns: list[str],
) -> pd.DataFrame:
    """Pass B over valid rows that hold every row of their consignee: the scored rows."""
    import numpy as np
    import pandas as pd

    from circumspect.risk.columns import ROW
    from circumspect.risk.pipeline import (
        PartyCache,
        history_features,
        score_batch,
        screen_frame,
        validate_frame,
    )

    frame = frame.sort_values(ROW, kind="stable").reset_index(drop=True)
    valid, errors = validate_frame(frame, ctx)
    if len(errors):
        raise CircumspectError(f"pass B found {len(errors)} errors in rows pass A accepted")
    valid = history_features(valid, ctx)
    keys = valid["_uvkey"].astype(str)
    valid["_uv_median"] = np.array([medians[k][0] for k in keys], dtype="float64")
    valid["_uv_n"] = np.array([medians[k][1] for k in keys], dtype="int64")
    hits = screen_frame(valid, PartyCache(screener, limit=limit))
    scored = score_batch(valid, ctx, hits)
    out = scored.reindex(columns=out_columns)
    for c in out_columns:
        if c == "risk_score":
            out[c] = out[c].astype("float64")
        elif c == "row":
            out[c] = out[c].astype("int64")
        else:
            out[c] = out[c].astype(object).where(out[c].notna(), "").astype(str)
    return pd.DataFrame(out)


def uv_medians(frame: pd.DataFrame) -> pd.DataFrame:
    """Median and count of the unit values of one or more keys (same pandas median)."""
    import pandas as pd

    grouped = frame.groupby("uvkey", sort=False)["uv"]
    med, n = grouped.median(), grouped.count()
    return pd.DataFrame(
        {
            "uvkey": med.index.astype(str),
            "median": med.to_numpy(),
            "n": n.reindex(med.index).to_numpy().astype("int64"),
        }
    )


def score_declarations_job(
    engine: Engine,
    src: str | Path,
    dst: str | Path,
    errors: str | Path | None = None,
    *,
    screener: PartyScreener | None = None,
    rules: RuleSet | None = None,
    controls: ControlIndex | None = None,
    party_limit: int = 3,
    workers: int = 1,
    partitions: int | None = None,
    progress: Progress | None = None,
    transfers: str | Path | None = None,
    transfer_errors: str | Path | None = None,
    brands: BrandExtractor | None = None,
) -> ScoreReport:
    """``declarations score`` on ``engine``: the same scored rows and errors on every engine."""
    from circumspect.risk.pipeline import PartyCache
    from circumspect.risk.score import score_declarations

    if engine.name == "local":
        return score_declarations(
            src,
            dst,
            errors,
            screener=screener,
            rules=rules,
            cache=PartyCache(screener, limit=party_limit, workers=workers),
            progress=progress,
            controls=controls,
            transfers_path=transfers,
            transfer_errors_path=transfer_errors,
            brands=brands,
        )
    return _score_spark(
        engine,
        str(src),
        str(dst),
        None if errors is None else str(errors),
        screener,
        rules,
        controls,
        party_limit,
        partitions,
        progress,
        None if transfers is None else str(transfers),
        None if transfer_errors is None else str(transfer_errors),
        brands,
    )


def _out_format(path: str) -> str:
    suffix = Path(path.rstrip("/")).suffix.lower()
    if suffix not in (".csv", ".parquet"):
        raise InputError(
            f"the spark engine writes .csv or .parquet, not {suffix or '(none)'}", file=path
        )
    return suffix[1:]


def _score_spark(
    engine: Engine,
    src: str,
    dst: str,
    errors: str | None,
    screener: PartyScreener | None,
    rules: RuleSet | None,
    controls: ControlIndex | None,
    party_limit: int,
    partitions: int | None,
    progress: Progress | None,
    transfers: str | None = None,
    transfer_errors: str | None = None,
    brands: BrandExtractor | None = None,
) -> ScoreReport:
    import pandas as pd
    from pyspark.sql import functions as F
    from pyspark.sql.types import (
        BinaryType,
        DoubleType,
        LongType,
        StringType,
        StructField,
        StructType,
    )

    from circumspect.risk.columns import ROW, check_header
    from circumspect.risk.pipeline import ERROR_COLUMNS, OUTPUT_FIRST, ScoringContext
    from circumspect.risk.score import ScoreReport, _atomic_write

    started = time.perf_counter()
    in_fmt = Path(src.rstrip("/")).suffix.lower().lstrip(".")
    if in_fmt not in ("csv", "parquet"):
        raise InputError(f"the spark engine reads .csv or .parquet, not .{in_fmt}", file=src)
    out_fmt = _out_format(dst)
    if errors is not None:
        _out_format(errors)
    session = _spark(engine)
    sc = session.sparkContext
    raw = _read_strings(session, src, in_fmt)
    columns = list(raw.columns)
    check_header(columns, src)
    raw = raw.select([F.coalesce(F.col(f"`{c}`"), F.lit("")).alias(c) for c in columns])
    raw, rows_in = _with_row_numbers(session, raw)
    n_parts = _partitions(session, partitions, rows_in)
    session.conf.set("spark.sql.shuffle.partitions", str(n_parts))
    ctx = ScoringContext.default(rules, controls, brands=brands)
    ctx_b = sc.broadcast(ctx)
    # pass A: validation, partitioned so that equal declaration ids meet
    id_key = F.regexp_replace(F.col("declaration_id"), _SPACES, "")
    a_schema = StructType(
        [
            *[
                StructField(c, LongType() if c in ("row", "seq") else StringType(), True)
                for c in _A_COLUMNS
            ],
            StructField("uv", DoubleType(), True),
        ]
    )

    def pass_a(batches: Iterator[pd.DataFrame]) -> Iterator[pd.DataFrame]:
        frame = _whole_partition(batches)
        if frame is not None:
            yield validate_partition(
                _strings(frame, keep=(ROW,)), ctx_b.value, parties=screener is not None
            )

    a_out = raw.repartition(n_parts, id_key).mapInPandas(pass_a, a_schema).cache()
    if progress:
        progress("read", rows_in, rows_in)
    error_rows = a_out.where("kind = 'error'")
    kinds = {
        r["kind"]: (int(r["n"]), int(r["rows"]))
        for r in a_out.where("kind IN ('error', 'uv')")
        .groupBy("kind")
        .agg(F.count("*").alias("n"), F.countDistinct("row").alias("rows"))
        .collect()
    }
    rejected = kinds.get("error", (0, 0))[1]
    if kinds.get("uv", (0, 0))[0] + rejected != rows_in:
        raise CircumspectError(
            f"row accounting failed in validation: read {rows_in}, "
            f"valid {kinds.get('uv', (0, 0))[0]}, rejected {rejected}"
        )
    if progress:
        progress("validated", rows_in, rows_in)

    # whole-dataset features: unit-value medians and the party screening cache
    med_schema = "uvkey string, median double, n long"
    medians = {
        r["uvkey"]: (float(r["median"]), int(r["n"]))
        for r in a_out.where("kind = 'uv'")
        .select("uvkey", "uv")
        .groupBy("uvkey")
        .applyInPandas(uv_medians, med_schema)
        .collect()
    }
    prefetched: PartyScreener | None = None
    screened = 0
    if screener is not None:
        parties = a_out.where("kind IN ('name', 'id')").select("kind", "name", "country").distinct()
        pairs = parties.toPandas()
        # one screening per normalised party key, the smallest spelling as PartyCache
        # would screen any one of them
        pairs["norm"] = [
            party_key(n, "")[0] if k == "name" else n
            for k, n in zip(pairs["kind"], pairs["name"], strict=True)
        ]
        pairs = pairs.sort_values(["kind", "norm", "country", "name"], kind="stable")
        pairs = pairs.drop_duplicates(["kind", "norm", "country"])[["kind", "name", "country"]]
        screened = len(pairs)
        s_b = sc.broadcast(screener)

        def run_screen(batches: Iterator[pd.DataFrame]) -> Iterator[pd.DataFrame]:
            for batch in batches:
                yield screen_parties(batch, s_b.value, party_limit)

        hit_schema = StructType(
            [
                StructField("kind", StringType()),
                StructField("name", StringType()),
                StructField("country", StringType()),
                StructField("hits", BinaryType()),
            ]
        )
        found = (
            session.createDataFrame(
                pairs
                if len(pairs)
                else pd.DataFrame({"kind": ["id"], "name": [""], "country": [""]})
            )
            .repartition(n_parts)
            .mapInPandas(run_screen, hit_schema)
            .collect()
        )
        s_b.unpersist()
        names: dict[tuple[str, str], list[Any]] = {}
        ids: dict[str, list[Any]] = {}
        for r in found:
            hits = pickle.loads(r["hits"])
            if r["kind"] == "name":
                names[party_key(r["name"], r["country"])] = hits
            else:
                ids[r["name"]] = hits
        prefetched = PrefetchedScreener(names, ids, float(screener.threshold))
        if progress:
            progress("parties", screened, None)

    # pass B: scoring, valid rows partitioned so that a consignee's rows meet
    passthrough = [c for c in columns if c != "declaration_id"]
    out_columns = [*OUTPUT_FIRST, "flag_details", "row", *passthrough]
    b_schema = StructType(
        [
            StructField(
                c,
                DoubleType() if c == "risk_score" else LongType() if c == "row" else StringType(),
                True,
            )
            for c in out_columns
        ]
    )
    shipped = sc.broadcast((medians, prefetched))

    cid = F.regexp_replace(F.col("consignee_id"), _SPACES, "")
    consignee = F.when(cid != "", F.concat(F.lit("id:"), cid)).otherwise(
        F.concat(F.lit("name:"), F.upper(F.regexp_replace(F.col("consignee_name"), _SPACES, "")))
    )
    bad = error_rows.select(F.col("row").alias(ROW)).distinct()
    valid = raw.join(bad, ROW, "left_anti")
    if transfers is not None:
        # transfers are checked on the driver against the valid declarations' distinct
        # (consignee_id, hs_code, date); only those to RU/BY buyers are shipped to pass B
        from circumspect.risk.circumvention import read_transfers

        keys = valid.select("consignee_id", "hs_code", "date").distinct().toPandas()
        ctx.transfers = _driver_transfers(read_transfers(_local(transfers)), keys, ctx)
    ctx_s = sc.broadcast(ctx)

    def pass_b(batches: Iterator[pd.DataFrame]) -> Iterator[pd.DataFrame]:
        frame = _whole_partition(batches)
        if frame is not None:
            meds, party = shipped.value
            yield score_partition(
                _strings(frame, keep=(ROW,)), ctx_s.value, meds, party, party_limit, out_columns
            )

    scored = valid.repartition(n_parts, consignee).mapInPandas(pass_b, b_schema)

    if _is_local(dst):
        table = _collect(scored)
        if table.empty and not len(table.columns):
            table = pd.DataFrame(
                {
                    c: pd.Series(
                        dtype="float64" if c == "risk_score" else "int64" if c == "row" else object
                    )
                    for c in out_columns
                }
            )
        table = table.sort_values("row", kind="stable").reset_index(drop=True)
        n_scored = len(table)
        decisions = {str(k): int(v) for k, v in table["decision"].value_counts().items()}
        flag_series = table["flags"]
    else:
        scored = scored.cache()
        n_scored = int(scored.count())
        decisions = {
            r["decision"]: int(r["count"]) for r in scored.groupBy("decision").count().collect()
        }
        flag_series = pd.Series(
            [r["flags"] for r in scored.where("flags != ''").select("flags").collect()],
            dtype=object,
        )
    if rows_in != n_scored + rejected:
        raise CircumspectError(
            f"row accounting failed: read {rows_in} != scored {n_scored} + rejected {rejected}"
        )
    if _is_local(dst):
        _atomic_write(table, _local(dst))
    else:
        writer = scored.orderBy("row").write.mode("overwrite")
        (writer.parquet(dst) if out_fmt == "parquet" else _csv(writer).csv(dst))
    if errors is not None:
        ordered = error_rows.select("row", "seq", *ERROR_COLUMNS[1:])
        if _is_local(errors):
            err = _collect(ordered)
            if err.empty:
                err = pd.DataFrame(
                    {c: pd.Series(dtype="int64" if c == "row" else object) for c in ERROR_COLUMNS}
                )
            else:
                err = err.sort_values(["row", "seq"], kind="stable")
                err = err.sort_values(["row", "column"], kind="stable")
            _atomic_write(err.loc[:, list(ERROR_COLUMNS)].reset_index(drop=True), _local(errors))
        else:
            writer = ordered.orderBy("row", "column", "seq").drop("seq").write
            _csv(writer.mode("overwrite")).csv(errors)
    if progress:
        progress("scored", n_scored, n_scored)
    a_out.unpersist()
    shipped.unpersist()
    ctx_b.unpersist()
    ctx_s.unpersist()
    counts: dict[str, int] = {}
    for value in flag_series:
        if value:
            for rid in str(value).split(";"):
                counts[rid] = counts.get(rid, 0) + 1
    report = ScoreReport(read=rows_in, scored=n_scored, rejected=rejected)
    report.decisions = decisions
    report.flags = dict(sorted(counts.items(), key=lambda kv: -kv[1]))
    report.parties_screened = screened
    report.party_lookups = screened
    report.seconds = time.perf_counter() - started
    report.output = dst
    report.errors = errors or ""
    if ctx.transfers is not None:
        from circumspect.risk.score import write_transfer_errors

        terr = transfer_errors or str(
            Path(dst.rstrip("/")).with_name(Path(dst.rstrip("/")).stem + ".transfer_errors.csv")
        )
        write_transfer_errors(ctx.transfers, _local(terr), report)
    return report


def _driver_transfers(traw: pd.DataFrame, keys: pd.DataFrame, ctx: Any) -> Any:
    """Validate transfers against the (consignee_id, hs_code, date) of valid declarations."""
    import pandas as pd

    from circumspect.risk.circumvention import validate_transfers
    from circumspect.risk.columns import STR, parse_dates

    hs = keys["hs_code"].astype(str).str.strip()
    digits = {v: ctx.nomenclature.validate(v).digits[:6] for v in pd.unique(hs)}
    imports = pd.DataFrame(
        {
            "bin": keys["consignee_id"].astype(STR).fillna("").str.replace(r"\s", "", regex=True),
            "hs6": hs.map(digits).astype(STR),
            "date": parse_dates(keys["date"]),
        }
    )
    return validate_transfers(traw, imports, ctx)
