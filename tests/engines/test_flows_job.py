"""Flows totals and growth: the same SQL on the local store and on Spark over Parquet."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from circumspect.engines import Engine
from circumspect.engines.flows_job import DuckFlows, export_flows, flows_source
from circumspect.errors import InputError
from circumspect.flows import queries as q
from circumspect.flows.store import FlowStore

pytestmark = pytest.mark.xdist_group("spark")

DATA = Path(__file__).resolve().parents[2] / "circumspect" / "data" / "demo" / "flows"


@pytest.fixture
def store(tmp_path: Path) -> Iterator[FlowStore]:
    with FlowStore(tmp_path / "flows.duckdb") as s:
        s.load([DATA / "synthetic_relational_view_eu_exports.csv"], "relational")
        s.load([DATA / "synthetic_comtrade_hs6_exports.csv"], "comtrade")
        yield s


def test_totals_and_growth_same_on_every_engine(engine: Engine, store: FlowStore) -> None:
    sel = q.Selection(("KZ", "KG", "RU"), reporter_group="EU27", source="eurostat")
    want_years = q.totals(store, sel, "year")
    want_months = q.totals(store, sel, "month")
    want_growth = q.growth(store, sel, "2021")
    source = flows_source(engine, store)
    got_years = q.totals(source, sel, "year")
    got_months = q.totals(source, sel, "month")
    got_growth = q.growth(source, sel, "2021")
    assert [(t.partner, t.period, t.currency, t.months) for t in got_years] == [
        (t.partner, t.period, t.currency, t.months) for t in want_years
    ]
    # sums of the same doubles in another order: equal to the last few bits
    assert [t.value for t in got_years] == pytest.approx([t.value for t in want_years], rel=1e-12)
    assert [(t.partner, t.period) for t in got_months] == [
        (t.partner, t.period) for t in want_months
    ]
    assert [t.value for t in got_months] == pytest.approx([t.value for t in want_months], rel=1e-12)
    assert [(g.partner, g.period) for g in got_growth] == [
        (g.partner, g.period) for g in want_growth
    ]
    assert [g.growth_pct for g in got_growth] == pytest.approx(
        [g.growth_pct for g in want_growth], rel=1e-9
    )
    assert {t.partner for t in got_years} == {"KZ", "KG", "RU"} and len(got_growth) > 3


def test_export_is_the_flows_view(store: FlowStore, tmp_path: Path) -> None:
    path = export_flows(store, tmp_path / "export")
    assert path.name == "flows.parquet" and not list((tmp_path / "export").glob(".*"))
    sel = q.Selection(("KZ",), reporter_group="EU27", source="eurostat")
    assert q.totals(DuckFlows(str(path)), sel) == q.totals(store, sel)
    n = store.query("SELECT COUNT(*) AS n FROM flows")[0]["n"]
    assert DuckFlows(str(path)).query("SELECT COUNT(*) AS n FROM flows")[0]["n"] == n > 0
    with pytest.raises(InputError, match="not found"):
        DuckFlows(str(tmp_path / "missing.parquet"))
