"""The ``declarations score`` job on every engine (split out of ``engines/jobs.py``)."""

from __future__ import annotations

import pickle
import time
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from circumspect.engines.base import Engine
from circumspect.errors import CircumspectError, InputError
from circumspect.risk.pipeline import party_key

if TYPE_CHECKING:
    import pandas as pd

    from circumspect.goods.brands import BrandExtractor
    from circumspect.goods.lists import ControlIndex
    from circumspect.model.screening import Candidate, PartyScreener, Query
    from circumspect.risk.rules import RuleSet
    from circumspect.risk.score import Progress, ScoreReport

from circumspect.engines.spark_io import (
    _SPACES,
    _collect,
    _csv,
    _is_local,
    _local,
    _partitions,
    _read_strings,
    _spark,
    _strings,
    _whole_partition,
    _with_row_numbers,
)

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
