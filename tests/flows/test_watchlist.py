"""flows watchlist: planted HS-6 codes rank first; totals-only data is refused with the reason;
the written list is a controlled-goods list for `declarations score --list`."""

from __future__ import annotations

import csv
import random
from pathlib import Path

import pandas as pd
from typer.testing import CliRunner

from circumspect.cli.main import app
from circumspect.flows.gen_watchlist import generate_hs6_flows
from circumspect.goods.lists import build_index, load_list
from circumspect.goods.nomenclature import default_nomenclature
from circumspect.risk.rules.config import load_rules
from circumspect.risk.score import score_frame
from tests.risk.helpers import row
from tests.support import shared_path

runner = CliRunner()


def _codes(n: int, seed: int) -> list[str]:
    subs = sorted(e.code for e in default_nomenclature().subheadings())
    return random.Random(seed).sample(subs, n)


def test_planted_codes_rank_first(tmp_path: Path) -> None:
    codes = _codes(160, 5)
    planted = codes[:6]
    src = generate_hs6_flows(tmp_path / "ct.csv", planted, codes[6:], seed=5)
    res = runner.invoke(app, ["flows", "load", "--format", "comtrade", str(src)])
    assert res.exit_code == 0, res.output
    out = tmp_path / "watchlist.csv"
    res = runner.invoke(
        app,
        [
            "flows",
            "watchlist",
            "--hub",
            "KZ",
            "--target",
            "RU",
            "--baseline",
            "2019-2021",
            "-o",
            str(out),
            "--top",
            "10",
        ],
    )
    assert res.exit_code == 0, res.output
    with out.open(encoding="utf-8") as fh:
        ranked = [r["code"] for r in csv.DictReader(fh)]
    assert set(ranked[: len(planted)]) == set(planted), ranked
    assert len(ranked) == 10
    # the list is a controlled-goods list that declarations scoring reads
    clist = load_list(out)
    assert {e.code for e in clist.entries} >= set(planted)
    index = build_index([out])
    decl = pd.DataFrame([row(hs_code=planted[0] + "0000", transit_countries="RU")]).astype(str)
    from circumspect.risk.pipeline import ScoringContext

    ctx = ScoringContext.default(load_rules(), index)
    scored, _ = score_frame(decl, ctx=ctx)
    assert "ru_by_controlled" in scored.iloc[0]["flags"]


def test_totals_only_fixture_is_refused(tmp_path: Path) -> None:
    data = shared_path("fixtures", "trade", "eu_exports_central_asia", "data")
    files = sorted(p for p in data.iterdir() if p.name.endswith("_eurostat"))
    assert files
    res = runner.invoke(app, ["flows", "load", "--format", "relational", *map(str, files)])
    assert res.exit_code == 0, res.output
    res = runner.invoke(
        app, ["flows", "watchlist", "--hub", "KZ", "--target", "RU", "-o", str(tmp_path / "w.csv")]
    )
    assert res.exit_code != 0
    assert "no HS-6 product detail" in str(res.exception)
    assert not (tmp_path / "w.csv").exists()


def test_bad_baseline_refused(tmp_path: Path) -> None:
    src = generate_hs6_flows(tmp_path / "ct.csv", ["847130"], _codes(10, 1), seed=1)
    runner.invoke(app, ["flows", "load", "--format", "comtrade", str(src)])
    res = runner.invoke(
        app, ["flows", "watchlist", "--baseline", "2021-2023", "-o", str(tmp_path / "w.csv")]
    )
    assert res.exit_code != 0 and "before 2022" in str(res.exception)
