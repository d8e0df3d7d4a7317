"""The scenario generator and the acceptance criteria of issue 4 on a generated set."""

from __future__ import annotations

import pytest

from circumspect.risk.score import score_frame
from circumspect.synth.declarations import (
    PATTERNS,
    evaluate,
    generate,
    generate_transfers,
    make_bin,
    make_iin,
)
from tests.risk.helpers import FakeScreener


def test_bin_and_iin_are_valid() -> None:
    from circumspect.names.identifiers import kz_bin_registration, validate

    for year, month in ((1999, 1), (2022, 6), (2024, 12)):
        value = make_bin(year, month, 4242)
        assert validate("kz_bin", value)
        assert kz_bin_registration(value) == (year, month)
    import datetime as dt

    assert validate("kz_iin", make_iin(dt.date(1985, 3, 14), 12))


def test_generator_is_deterministic_and_labelled() -> None:
    a = generate(600, parties=200, seed=3, bad_rows=5)
    b = generate(600, parties=200, seed=3, bad_rows=5)
    assert a.equals(b)
    assert (a["planted"] == "invalid").sum() == 5
    assert a["declaration_id"].is_unique


@pytest.mark.slow
def test_planted_patterns_raise_review_and_clean_rarely_does() -> None:
    names = ["ARLAN TRADE LLP", "Sberbank of Russia"]
    screener = FakeScreener({n: n for n in names}, {"SABRRUMM": "SBERBANK"})
    data = generate(
        6000,
        parties=800,
        seed=11,
        planted_share=0.06,
        listed_names=names,
        listed_bics=["SABRRUMM"],
        bad_rows=7,
    )
    transfers = generate_transfers(data, seed=11).drop(columns=["planted"])
    scored, errors = score_frame(data, screener, transfers=transfers)
    assert len(scored) + errors["row"].nunique() == len(data)
    assert errors["row"].nunique() == 7
    ev = evaluate(scored)
    assert ev.planted_missed == 0, ev.missed_by_pattern
    assert ev.clean_raised_share < 0.02
    for rule in PATTERNS:
        assert ev.per_rule[rule]["planted"] > 0, rule
        assert ev.per_rule[rule]["recall"] == 1.0, (rule, ev.table())
    assert "precision" in ev.table()
