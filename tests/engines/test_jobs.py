"""screen-file and declaration scoring: the same test bodies on the local engine and on
Spark local mode, compared byte for byte with the reference (local) implementations."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pandas as pd
import pytest

from circumspect.engines import Engine
from circumspect.engines.jobs import (
    PrefetchedScreener,
    score_declarations_job,
    screen_file_job,
    validate_partition,
)
from circumspect.errors import InputError
from circumspect.matching import Screener
from circumspect.matching.batch import screen_file
from circumspect.model.screening import Candidate, Query
from circumspect.risk.pipeline import PartyCache, ScoringContext
from circumspect.risk.score import score_declarations
from circumspect.synth.declarations import generate

pytestmark = pytest.mark.xdist_group("spark")

ROOT = Path(__file__).resolve().parents[2]
DEMO = ROOT / "circumspect" / "data" / "demo"


@pytest.fixture(scope="module")
def demo_entities() -> list[Any]:
    from circumspect.sources import demo_entities as entities

    return list(entities(DEMO / "lists"))


@pytest.fixture(scope="module")
def screener(demo_entities: list[Any]) -> Screener:
    return Screener(demo_entities)


def test_screen_file_same_on_every_engine(
    engine: Engine, screener: Screener, tmp_path: Path
) -> None:
    text = (DEMO / "matching" / "queries.csv").read_text(encoding="utf-8")
    text += (
        "X-1,,Company,,,\n"  # empty name: rejected
        'X-2,"Timchenko ""Gennady""",Person,XX,,\n'  # unknown country: rejected
        "X-3,too,many,fields,,,,,\n"  # wrong field count: rejected
        'X-4,"Arlan\nTrade LLP",Company,KZ,,\n'  # a value on two lines
        "\n"  # blank line: skipped
        "X-5,Sberbank of Russia,Company,RU,,\n"
    )
    src = tmp_path / "queries.csv"
    src.write_text(text, encoding="utf-8")
    expected_out, expected_err = tmp_path / "expected.csv", tmp_path / "expected-errors.csv"
    reference = screen_file(screener, src, expected_out, errors_path=expected_err)

    out, err = tmp_path / f"out-{engine.name}.csv", tmp_path / f"err-{engine.name}.csv"
    stats = screen_file_job(engine, src, out, screener, errors=err)

    assert out.read_bytes() == expected_out.read_bytes()
    assert err.read_bytes() == expected_err.read_bytes()
    assert stats.read == reference.read == stats.screened + stats.rejected
    assert (stats.rejected, stats.rows_written, stats.alerts, stats.queries_alerting) == (
        reference.rejected,
        reference.rows_written,
        reference.alerts,
        reference.queries_alerting,
    )
    assert {"X-1", "X-2"} <= {qid for _, qid, _, _ in stats.errors}
    assert any("9 fields" in message for _, _, _, message in stats.errors)
    assert stats.alerts > 0
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".")]


def _declarations(demo_entities: list[Any]) -> pd.DataFrame:
    companies = [e for e in demo_entities if e.schema in ("Company", "Organization")]
    frame = generate(
        1200,
        parties=150,
        planted_share=0.25,
        seed=11,
        bad_rows=12,
        listed_names=[e.caption for e in companies[:8]],
        listed_bics=sorted({b for e in companies for b in e.get("swiftBic")})[:4],
    )
    frame = frame.astype(str)
    # a duplicate id far from its first row (rejected, "first at row ..."), and a
    # consignee written with other spacing and case (one history, exactly as locally)
    dup = frame.iloc[[3]].copy()
    twin = frame.iloc[[40]].copy()
    twin["declaration_id"] = "TWIN-1"
    twin["consignee_id"] = ""
    twin["consignee_name"] = "  " + twin["consignee_name"].iloc[0].upper() + " "
    return pd.concat([frame, twin, dup], ignore_index=True)


def test_declarations_same_on_every_engine(
    engine: Engine, screener: Screener, demo_entities: list[Any], tmp_path: Path
) -> None:
    src = tmp_path / "declarations.csv"
    _declarations(demo_entities).to_csv(src, index=False)
    expected_out, expected_err = tmp_path / "expected.csv", tmp_path / "expected-errors.csv"
    reference = score_declarations(
        src, expected_out, expected_err, screener=screener, cache=PartyCache(screener)
    )

    out, err = tmp_path / f"scored-{engine.name}.csv", tmp_path / f"errors-{engine.name}.csv"
    report = score_declarations_job(engine, src, out, err, screener=screener, partitions=4)

    assert out.read_bytes() == expected_out.read_bytes()
    assert err.read_bytes() == expected_err.read_bytes()
    assert report.read == reference.read == report.scored + report.rejected
    assert report.rejected == reference.rejected >= 13
    assert report.decisions == reference.decisions
    assert report.flags == reference.flags
    assert "party_listed" in report.flags and "transshipment_outside_business" in report.flags
    errors = pd.read_csv(err, dtype=str, keep_default_na=False)
    assert errors["reason"].str.startswith("duplicate declaration_id, first at row 4").any()

    # Parquet in and out: the same frame
    pq_src, pq_out = tmp_path / "declarations.parquet", tmp_path / f"scored-{engine.name}.parquet"
    pd.read_csv(src, dtype=str, keep_default_na=False).to_parquet(pq_src, index=False)
    score_declarations_job(engine, pq_src, pq_out, screener=screener)
    got = pd.read_parquet(pq_out)
    want = pd.read_csv(expected_out, dtype=str, keep_default_na=False)
    assert got.astype(str).reset_index(drop=True).equals(want.astype(str))
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".")]


def test_declarations_bad_input_same_error(engine: Engine, tmp_path: Path) -> None:
    src = tmp_path / "bad.csv"
    src.write_text("declaration_id,date\nD1,2024-01-01\n", encoding="utf-8")
    with pytest.raises(InputError, match="missing"):
        score_declarations_job(engine, src, tmp_path / "o.csv")
    with pytest.raises(InputError, match="not found"):
        score_declarations_job(engine, tmp_path / "nope.csv", tmp_path / "o.csv")
    assert not (tmp_path / "o.csv").exists()


def test_prefetched_screener_answers_like_the_cache() -> None:
    hit = Candidate("e1", "ofac_sdn", "1", "ACME LLC", "Company", 0.95, True, "name")
    pre = PrefetchedScreener({("acme llc", "KZ"): [hit]}, {"ABCDKZKA": [hit]}, 0.7)
    cache = PartyCache(pre)
    assert cache.by_name("  ACME   LLC ", "KZ") == [hit]
    assert cache.by_name("ACME LLC", "RU") == []
    assert cache.by_identifier("abcd kzka") == [hit]
    assert pre.screen(Query(name="Other"), 3) == [] and pre.threshold == 0.7


def test_validate_partition_reports_duplicates_and_parties() -> None:
    frame = generate(40, parties=20, seed=3).astype(str).drop(columns=["planted"])
    frame = pd.concat([frame, frame.iloc[[0]]], ignore_index=True)
    frame["_row"] = range(1, len(frame) + 1)
    out = validate_partition(frame.iloc[::-1], ScoringContext.default())
    errors = out[out["kind"] == "error"]
    assert errors["row"].tolist() == [41]
    assert errors["reason"].iloc[0] == "duplicate declaration_id, first at row 1"
    assert (out["kind"] == "uv").sum() == 40
    assert set(frame["consignee_name"].str.strip()) <= set(out.loc[out["kind"] == "name", "name"])


def test_row_numbers_follow_partition_order(spark_engine: Engine) -> None:
    from circumspect.engines.jobs import _with_row_numbers

    session = getattr(spark_engine, "session")  # noqa: B009 - Spark engine only
    frame = (
        session.range(0, 1000, numPartitions=5)
        .repartition(1)
        .union(session.range(1000, 1300, numPartitions=3))
    )
    numbered, total = _with_row_numbers(session, frame)
    rows = numbered.toPandas()
    assert total == 1300 and (rows["_row"] == rows["id"] + 1).all() and len(rows) == 1300


def _read_folder(folder: Path, fmt: str) -> pd.DataFrame:
    parts = sorted(folder.glob(f"part-*.{fmt}"))
    assert parts, f"no part files in {folder}"
    if fmt == "parquet":
        return pd.concat([pd.read_parquet(p) for p in parts], ignore_index=True)
    return pd.concat(
        [pd.read_csv(p, dtype=str, keep_default_na=False) for p in parts], ignore_index=True
    )


def test_url_inputs_and_outputs_on_spark(
    spark_engine: Engine, screener: Screener, demo_entities: list[Any], tmp_path: Path
) -> None:
    """URLs (here file://) are read and written by Spark: folders of part files in row order
    with the same rows as the local engine's files."""
    src = tmp_path / "declarations.csv"
    _declarations(demo_entities).to_csv(src, index=False)
    ref_out, ref_err = tmp_path / "expected.csv", tmp_path / "expected-errors.csv"
    score_declarations(src, ref_out, ref_err, screener=screener, cache=PartyCache(screener))
    out, err = tmp_path / "scored.parquet", tmp_path / "errors.csv"
    report = score_declarations_job(
        spark_engine, src.as_uri(), out.as_uri(), err.as_uri(), screener=screener
    )
    want = pd.read_csv(ref_out, dtype=str, keep_default_na=False)
    assert _read_folder(out, "parquet").astype(str).equals(want)
    assert _read_folder(err, "csv").equals(pd.read_csv(ref_err, dtype=str, keep_default_na=False))
    assert report.read == report.scored + report.rejected == len(want) + report.rejected

    queries = DEMO / "matching" / "queries.csv"
    ref = screen_file(
        screener, queries, tmp_path / "hits.csv", errors_path=tmp_path / "hits-errors.csv"
    )
    hits = tmp_path / "hits-spark.csv"
    stats = screen_file_job(spark_engine, queries.as_uri(), hits.as_uri(), screener)
    assert _read_folder(hits, "csv").equals(
        pd.read_csv(tmp_path / "hits.csv", dtype=str, keep_default_na=False)
    )
    assert stats.errors == ref.errors and stats.read == ref.read
