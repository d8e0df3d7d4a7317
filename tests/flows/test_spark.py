"""The flows SQL gives the same answers on Spark as on DuckDB (marked: needs Java/PySpark)."""

from __future__ import annotations

from pathlib import Path

import pytest

from circumspect.demo import DATA_DIR
from circumspect.flows import indicators
from circumspect.flows import queries as q
from circumspect.flows.store import FlowStore
from tests.engines.helpers import spark_available

pytestmark = pytest.mark.spark


def test_same_totals_growth_and_roundabout_on_spark(tmp_path: Path) -> None:
    reason = spark_available()
    if reason:
        pytest.skip(f"Spark unavailable: {reason}")
    from circumspect.engines.flows_spark import SparkFlows
    from circumspect.engines.spark import spark_session

    data = DATA_DIR / "flows"
    with FlowStore(tmp_path / "flows.duckdb") as fs:
        fs.load([data / "synthetic_relational_view_eu_exports.csv"], "relational")
        fs.load([data / "synthetic_comtrade_hs6_exports.csv"], "comtrade")
        parquet = fs.export_parquet(tmp_path / "flows.parquet")
        sels = [
            q.Selection(("KZ", "KG", "RU"), reporter_group="EU27", source="eurostat"),
            q.Selection(("KZ",), reporter_group="EU27", source="comtrade", product="8542"),
            q.Selection(("AM", "RU"), source="comtrade"),
        ]
        local = [(q.totals(fs, s, "year"), q.totals(fs, s, "month"), q.growth(fs, s)) for s in sels]
        local_ra = indicators.roundabout(fs, source="comtrade")[1]
    session = spark_session("local[2]")
    spark = SparkFlows([str(parquet)], session)
    remote = [
        (q.totals(spark, s, "year"), q.totals(spark, s, "month"), q.growth(spark, s)) for s in sels
    ]
    for (ly, lm, lg), (ry, rm, rg) in zip(local, remote, strict=True):
        assert [(t.partner, t.period) for t in ly] == [(t.partner, t.period) for t in ry]
        assert [t.value for t in ly] == pytest.approx([t.value for t in ry])
        assert [t.value for t in lm] == pytest.approx([t.value for t in rm])
        assert [g.growth_pct for g in lg] == pytest.approx([g.growth_pct for g in rg])
    remote_ra = indicators.roundabout(spark, source="comtrade")[1]
    assert [(r["goods"], r["year"]) for r in local_ra] == [
        (r["goods"], r["year"]) for r in remote_ra
    ]
    assert [r["offset_pct"] for r in local_ra] == pytest.approx(
        [r["offset_pct"] for r in remote_ra]
    )
