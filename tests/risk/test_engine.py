"""Each rule on hand-made declarations (a fake screener stands in for party screening)."""

from __future__ import annotations

from typing import Any

import pandas as pd
import pytest

from circumspect.risk.pipeline import PartyCache
from circumspect.risk.score import score_frame
from circumspect.synth.declarations import make_bin, make_iin
from tests.risk.helpers import FakeScreener, frame, row

CHIP = "8542310000"  # CHPL tier 1
LATHE = "8458110000"  # CHPL tier 4.B
OLD_BIN = make_bin(2010, 4, 123)
NEW_BIN = make_bin(2023, 5, 456)


def score(rows: list[dict[str, Any]], screener: Any = None) -> pd.DataFrame:
    scored, errors = score_frame(frame(rows), screener)
    assert errors.empty, errors.to_dict("records")
    return scored.set_index("declaration_id")


def flags(out: pd.DataFrame, decl: str) -> set[str]:
    value = out.loc[decl, "flags"]
    return set(str(value).split(";")) - {""}


def test_clean_declaration_is_clear() -> None:
    out = score([row()])
    assert out.loc["D1", "decision"] == "clear"
    assert out.loc["D1", "risk_score"] == 0
    assert flags(out, "D1") == set()


def test_controlled_goods_in_line_are_clear() -> None:
    out = score([row(hs_code=CHIP, consignee_id=OLD_BIN)])
    assert out.loc["D1", "decision"] == "clear", out.loc["D1", "explanation"]


def test_party_listed_with_match_and_score() -> None:
    screener = FakeScreener({"Arlan Trade LLP": "ARLAN TRADE LLP"}, {"SABRRUMM": "SBERBANK"})
    rows = [
        row(consignee_name="ARLAN TRADE LLP"),
        row(payment_bank_bic="SABRRUMM", payment_country="RU"),
    ]
    out = score(rows, screener)
    assert "party_listed" in flags(out, "D1")
    assert out.loc["D1", "decision"] == "block"
    assert "consignee 'ARLAN TRADE LLP' matches ARLAN TRADE LLP" in out.loc["D1", "explanation"]
    assert "score 0.92" in out.loc["D1", "explanation"]
    assert '"score": 0.92' in out.loc["D1", "flag_details"]
    assert "party_listed" in flags(out, "D2")
    assert "BIC SABRRUMM" in out.loc["D2", "explanation"]


def test_parties_screened_once() -> None:
    screener = FakeScreener({})
    rows = [row(declaration_id=f"X{i}") for i in range(50)]
    cache = PartyCache(screener)
    score_frame(frame(rows), screener, cache=cache)
    # 4 distinct names (exporter, consignee, end user = consignee, declarant) + 1 BIC
    assert cache.queries == len(set(screener.calls)) == len(screener.calls)
    assert cache.queries <= 5


@pytest.mark.parametrize(
    "changes",
    [
        {"destination_country": "RU", "consignee_country": "RU"},
        {"end_user_country": "BY"},
        {"transit_countries": "PL;BY;RU"},
    ],
)
def test_ru_by_controlled_blocks(changes: dict[str, str]) -> None:
    out = score([row(hs_code=CHIP, consignee_id=OLD_BIN, **changes)])
    assert flags(out, "D1") >= {"ru_by_controlled"}
    assert out.loc["D1", "decision"] == "block"
    assert "CHPL tier 1" in out.loc["D1", "explanation"]


def test_ru_by_weight_by_tier() -> None:
    out = score(
        [
            row(declaration_id="A", hs_code=CHIP, transit_countries="RU"),
            row(declaration_id="B", hs_code=LATHE, transit_countries="RU"),
            row(declaration_id="C", transit_countries="RU"),
        ]
    )
    assert out.loc["A", "risk_score"] > out.loc["B", "risk_score"] >= 75
    assert "ru_by_controlled" not in flags(out, "C")  # coffee via Russia is not this rule


def test_transshipment_new_consignee() -> None:
    out = score(
        [
            row(hs_code=CHIP, consignee_id=NEW_BIN),
            row(hs_code="0901210000", consignee_id=NEW_BIN, declaration_id="COFFEE"),
            row(hs_code=CHIP, consignee_id=make_bin(2022, 2, 9), declaration_id="FEB"),
        ]
    )
    assert "transshipment_new_consignee" in flags(out, "D1")
    assert out.loc["D1", "decision"] == "review"
    assert "2023-05" in out.loc["D1", "explanation"]
    assert flags(out, "COFFEE") == set()
    assert "transshipment_new_consignee" not in flags(out, "FEB")


def test_transshipment_outside_business() -> None:
    history = [
        row(declaration_id=f"H{i}", date=f"2024-01-0{i}", consignee_id=OLD_BIN) for i in range(1, 5)
    ]
    chips = row(declaration_id="NEW", date="2024-02-01", hs_code=CHIP, consignee_id=OLD_BIN)
    out = score([*history, chips])
    assert "transshipment_outside_business" in flags(out, "NEW")
    assert "outside its line of business" in out.loc["NEW", "explanation"]
    # same consignee with an earlier declaration in section XVI: in line
    earlier = row(declaration_id="E", date="2023-12-01", hs_code="8517130000", consignee_id=OLD_BIN)
    out = score([*history, earlier, chips])
    assert "transshipment_outside_business" not in flags(out, "NEW")


def _market(n: int = 10, **changes: Any) -> list[dict[str, Any]]:
    return [
        row(
            declaration_id=f"M{i}",
            consignee_name=f"Buyer {i} LLP",
            end_user_name=f"Buyer {i} LLP",
            value=str(1000 + 10 * i),
            **changes,
        )
        for i in range(n)
    ]


def test_unit_value_both_directions() -> None:
    rows = [
        *_market(),
        row(declaration_id="HIGH", value="15000"),
        row(declaration_id="LOW", value="60"),
    ]
    out = score(rows)
    assert "unit_value_high" in flags(out, "HIGH")
    assert out.loc["HIGH", "decision"] in ("review", "block")
    assert "unit_value_low" in flags(out, "LOW")
    assert "median" in out.loc["LOW", "explanation"]
    assert all(flags(out, f"M{i}") == set() for i in range(10))


def test_unit_value_needs_enough_samples() -> None:
    rows = [*_market(3), row(declaration_id="HIGH", value="15000")]
    assert "unit_value_high" not in flags(score(rows), "HIGH")


def test_quantity_implausible_for_consignee() -> None:
    mine = [row(declaration_id=f"C{i}", consignee_id=OLD_BIN, value=str(900 + i)) for i in range(5)]
    big = row(
        declaration_id="BIG",
        consignee_id=OLD_BIN,
        value="60000",
        quantity="6000",
        net_weight_kg="6000",
    )
    out = score([*mine, big])
    assert "quantity_implausible" in flags(out, "BIG")
    person = row(
        declaration_id="P",
        hs_code=CHIP,
        value="20000",
        consignee_id=make_iin(__import__("datetime").date(1980, 1, 2), 7),
    )
    out = score([person])
    assert "quantity_implausible" in flags(out, "P")
    assert "private person" in out.loc["P", "explanation"]


def test_third_country_payment() -> None:
    out = score(
        [
            row(
                declaration_id="C", hs_code=CHIP, payment_country="AE", payment_bank_bic="EBILAEAD"
            ),
            row(declaration_id="U", payment_country="AE", payment_bank_bic="EBILAEAD"),
            row(declaration_id="SELLER", payment_country="DE", payment_bank_bic="DEUTDEFF"),
            row(
                declaration_id="BIC", hs_code=CHIP, payment_country="", payment_bank_bic="HSBCHKHH"
            ),
        ]
    )
    assert "third_country_payment" in flags(out, "C") and out.loc["C", "decision"] == "review"
    assert "third_country_payment" in flags(out, "U") and out.loc["U", "decision"] == "clear"
    assert flags(out, "SELLER") == set()
    assert "third_country_payment" in flags(out, "BIC")


@pytest.mark.parametrize(
    "name", ["Silk Way Logistics LLP", "ТОО Экспедиторская компания", "Cargo Express Ltd"]
)
def test_forwarder_as_end_user(name: str) -> None:
    out = score([row(hs_code=CHIP, end_user_name=name)])
    assert "forwarder_as_end_user" in flags(out, "D1")


def test_end_user_missing_only_for_controlled() -> None:
    out = score(
        [
            row(declaration_id="C", hs_code=CHIP, end_user_name=""),
            row(declaration_id="U", end_user_name=""),
        ]
    )
    assert "end_user_missing" in flags(out, "C") and out.loc["C", "decision"] == "review"
    assert flags(out, "U") == set()


def test_indirect_route() -> None:
    out = score(
        [
            row(hs_code=CHIP, origin_country="US", dispatch_country="AE"),
            row(declaration_id="OK", hs_code=CHIP, origin_country="CN"),
        ]
    )
    assert "indirect_route" in flags(out, "D1")
    assert "dispatched from AE" in out.loc["D1", "explanation"]
    assert "indirect_route" not in flags(out, "OK")


def test_many_suppliers() -> None:
    rows = [
        row(
            declaration_id=f"S{i}",
            hs_code=CHIP,
            consignee_id=OLD_BIN,
            exporter_name=f"Supplier {i} GmbH",
        )
        for i in range(5)
    ]
    out = score(rows)
    assert all("many_suppliers" in flags(out, f"S{i}") for i in range(5))
    out = score(rows[:4])
    assert not any("many_suppliers" in flags(out, f"S{i}") for i in range(4))


def test_several_flags_add_up_but_stay_below_100() -> None:
    screener = FakeScreener({"Arlan Trade LLP": "ARLAN TRADE LLP"})
    out = score(
        [
            row(
                hs_code=CHIP,
                consignee_name="Arlan Trade LLP",
                end_user_name="",
                transit_countries="RU",
                payment_country="AE",
            )
        ],
        screener,
    )
    assert len(flags(out, "D1")) >= 4
    assert 99 <= out.loc["D1", "risk_score"] <= 100
    assert out.loc["D1", "flags"].split(";")[0] in ("party_listed", "ru_by_controlled")


def test_parallel_prefetch_matches_sequential() -> None:
    names = {f"Listed Company {i}": f"LISTED {i}" for i in range(0, 700, 7)}
    rows = [
        row(
            declaration_id=f"P{i}",
            consignee_name=f"Listed Company {i}",
            end_user_name=f"Listed Company {i}",
        )
        for i in range(700)
    ]
    seq = PartyCache(FakeScreener(names), workers=1)
    par = PartyCache(FakeScreener(names), workers=2)
    a, _ = score_frame(frame(rows), seq.screener, cache=seq)
    b, _ = score_frame(frame(rows), par.screener, cache=par)
    assert a["flags"].tolist() == b["flags"].tolist()
    assert (a["flags"] == "party_listed").sum() == 100
    assert seq.queries == par.queries


def test_party_key_is_shared_by_the_local_cache_and_the_spark_prefetch() -> None:
    """One party key for both engines: spacing and case never make two screenings."""
    from circumspect.engines.jobs import PrefetchedScreener
    from circumspect.model.screening import Query
    from circumspect.risk.pipeline import party_key

    assert party_key("  Alatau   ELECTRONICS llp ", "KZ") == ("alatau electronics llp", "KZ")
    assert party_key("X", None) == ("x", "")
    assert PartyCache._key(" Alatau  Electronics LLP", "KZ") == party_key(
        "alatau electronics llp", "KZ"
    )
    hit = FakeScreener({"Alatau Electronics LLP": "Alatau Electronics"})._cand("Alatau", 0.9)
    pre = PrefetchedScreener({party_key("Alatau Electronics LLP", "KZ"): [hit]}, {}, 0.7)
    assert pre.screen(Query(name="ALATAU  electronics llp", country="KZ")) == [hit]
    assert pre.screen(Query(name="Alatau Electronics LLP", country="RU")) == []
