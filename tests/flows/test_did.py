from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from circumspect.flows import did, indicators
from circumspect.flows.store import FlowStore
from tests.flows.helpers import comtrade_row, write_comtrade


def test_recovers_a_known_effect() -> None:
    panel = did.synthetic_panel(effect=0.5, seed=11)
    r = did.estimate(**panel)  # type: ignore[arg-type]
    assert abs(r.beta - 0.5) < 3 * r.se and r.se < 0.05
    assert r.p_value < 1e-6 and r.n_clusters == 60


def test_placebo_is_not_significant() -> None:
    panel = did.synthetic_panel(effect=0.0, seed=5)
    r = did.estimate(**panel, cluster="pair")  # type: ignore[arg-type]
    assert abs(r.beta) < 3 * r.se and r.p_value > 0.01


def test_matches_dense_dummy_regression() -> None:
    """Oracle: the same model with explicit dummy columns, solved by least squares."""
    panel = did.synthetic_panel(n_products=7, n_destinations=4, n_months=9, post_from=4, seed=3)
    p, d, t = panel["product"], panel["destination"], panel["month"]
    y = np.arcsinh(panel["value"])  # type: ignore[call-overload]
    x = (panel["sanctioned"] & panel["neighbour"] & panel["post"]).astype(float)  # type: ignore[operator]

    def dummies(ids: np.ndarray) -> np.ndarray:  # type: ignore[type-arg]
        _, inv = np.unique(ids, return_inverse=True)
        m = np.zeros((len(ids), inv.max() + 1))
        m[np.arange(len(ids)), inv] = 1
        return m

    X = np.column_stack([x, dummies(p * 4 + d), dummies(p * 9 + t), dummies(d * 9 + t)])  # type: ignore[operator]
    coef = np.linalg.lstsq(X, y, rcond=None)[0]
    r = did.estimate(**panel, cluster="robust")  # type: ignore[arg-type]
    assert r.beta == pytest.approx(coef[0], abs=1e-8)


def test_no_variation_is_an_error() -> None:
    panel = did.synthetic_panel(n_products=5, share_sanctioned=0.0, seed=1)
    panel["sanctioned"] = np.zeros_like(panel["sanctioned"])  # type: ignore[call-overload]
    with pytest.raises(ValueError, match="collinear"):
        did.estimate(**panel)  # type: ignore[arg-type]


def test_from_store_on_generated_product_level_data(tmp_path: Path) -> None:
    """The real fixture has totals only; the store path is tested on generated HS-6 rows."""
    rng = np.random.default_rng(4)
    partners = {"398": True, "417": True, "051": True, "156": False, "842": False, "756": False}
    products = {
        "854231": True,
        "854232": True,
        "847150": True,
        "870323": False,
        "300490": False,
        "220421": False,
    }
    rows = []
    for year in (2021, 2022):
        for month in range(1, 13):
            post = (year, month) >= (2022, 3)
            for pc, nb in partners.items():
                for hs, chpl in products.items():
                    lv = 14 + rng.normal(0, 0.2) + (0.7 if post and nb and chpl else 0.0)
                    rows.append(
                        comtrade_row(
                            period=f"{year}{month:02d}",
                            reporterCode="276",
                            partnerCode=pc,
                            cmdCode=hs,
                            primaryValue=f"{np.exp(lv):.2f}",
                        )
                    )
    with FlowStore(tmp_path / "flows.duckdb") as fs:
        fs.load([write_comtrade(tmp_path / "c.csv", rows)], "comtrade")
        result, note = did.from_store(
            fs, neighbours=indicators.NEIGHBOURS, sanctioned_hs6=indicators.chpl_hs6()
        )
        assert result is not None, note
        assert abs(result.beta - 0.7) < 3 * result.se
        assert "6 HS-6 products (3 CHPL)" in note
        _rows, summary, rnote = indicators.roundabout(fs, reporter_group="EU27")
        assert "CHPL" in rnote and {s["goods"] for s in summary} == set()  # no RU rows


def test_from_store_without_product_detail(tmp_path: Path) -> None:
    with FlowStore(tmp_path / "flows.duckdb") as fs:
        result, note = did.from_store(fs, neighbours=("KZ",), sanctioned_hs6=("854231",))
    assert result is None and "not estimable" in note


@pytest.mark.parametrize(
    ("t", "df", "expected"),  # reference values from scipy.stats.t.sf
    [
        (0.5, 3, 0.651447964848151),
        (2.0, 10, 0.07338803477074037),
        (-3.3, 59, 0.0016433069479587059),
        (33.7, 59, 3.064838648004606e-40),
        (0.0, 5, 1.0),
    ],
)
def test_t_p_values(t: float, df: float, expected: float) -> None:
    assert did.t_two_sided_p(t, df) == pytest.approx(expected, rel=1e-9)


def test_report_on_product_level_data_splits_chpl(tmp_path: Path) -> None:
    from circumspect.demo import DATA_DIR
    from circumspect.flows import report

    with FlowStore(tmp_path / "flows.duckdb") as fs:
        fs.load([DATA_DIR / "flows" / "synthetic_comtrade_hs6_exports.csv"], "comtrade")
        rep = report.build(fs, tmp_path / "rep")
    summary = (tmp_path / "rep" / "roundabout_summary.csv").read_text(encoding="utf-8")
    assert "CHPL,2022" in summary and "other,2022" in summary
    assert any("source 'comtrade'" in n for n in rep.notes)
    assert "synthetic_comtrade_hs6_exports.csv" in rep.charts[0].sources
    did_csv = (tmp_path / "rep" / "did.csv").read_text(encoding="utf-8")
    assert "HS-6 products" in did_csv  # estimated on the loaded data, not the generated panel
