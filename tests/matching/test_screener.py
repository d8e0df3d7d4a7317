from __future__ import annotations

from pathlib import Path

import pytest

from circumspect.errors import InputError
from circumspect.matching import SCORERS, Screener
from circumspect.matching.scoring import CircumspectV1, get_scorer
from circumspect.model.screening import PartyScreener, Query
from tests.matching.helpers import entity, sample_entities


@pytest.fixture(scope="module")
def screener() -> Screener:
    return Screener(sample_entities(), threshold=0.7)


def test_implements_the_protocol(screener: Screener) -> None:
    s: PartyScreener = screener
    assert s.threshold == 0.7
    assert len(screener) == 8


def test_kazakh_person_in_latin(screener: Screener) -> None:
    cands = screener.screen(
        Query("Kassym-Jomart Tokayev", "Person", country="KZ", birth_date="1953-05-17")
    )
    assert cands[0].source_id == "1" and cands[0].alert
    assert "birth date" in cands[0].explanation and "country" in cands[0].explanation


def test_company_with_legal_form_in_other_script(screener: Screener) -> None:
    cands = screener.screen(Query("Bereke Logistic LLP", "Company"))
    assert cands[0].source_id == "3" and cands[0].alert
    cands = screener.screen(Query("ЖШС «Береке Логистик»", "Company"))
    assert cands[0].source_id == "3" and cands[0].alert


def test_valid_identifier_is_decisive(screener: Screener) -> None:
    cands = screener.screen(
        Query("Completely Different Name", "Company", identifier="940140000385")
    )
    assert cands[0].source_id == "3" and cands[0].score == 1.0 and cands[0].alert
    assert cands[0].features[0].feature == "identifier"


def test_conflicting_identifier_lowers(screener: Screener) -> None:
    plain = screener.screen(Query("ООО Ромашка", "Company"))[0]
    other = screener.screen(Query("ООО Ромашка", "Company", identifier="7707083893"))[0]
    assert other.source_id == plain.source_id == "6"
    assert other.score < plain.score
    assert "different valid" in other.explanation


def test_birth_date_mismatch_lowers(screener: Screener) -> None:
    same = screener.screen(Query("Vladimir Putin", "Person", birth_date="1952"))[0]
    other = screener.screen(Query("Vladimir Putin", "Person", birth_date="1980-01-01"))[0]
    assert same.score > other.score


def test_schema_conflict(screener: Screener) -> None:
    cands = screener.screen(Query("Ocean Star", "Person"))
    assert all(not c.alert for c in cands)
    assert screener.screen(Query("Ocean Star", "Vessel"))[0].alert


def test_by_identifier(screener: Screener) -> None:
    assert [c.source_id for c in screener.by_identifier("MELIIRTH")] == ["4"]
    assert [c.source_id for c in screener.by_identifier("meli irth xxx")] == ["4"]
    assert [c.source_id for c in screener.by_identifier("IMO 9176187")] == ["5"]
    assert [c.source_id for c in screener.by_identifier("9176187")] == ["5"]
    assert [c.source_id for c in screener.by_identifier("1234567894")] == ["6"]
    assert [c.source_id for c in screener.by_identifier("5493001KJTIIGC8Y1R12")] == ["8"]
    assert [c.source_id for c in screener.by_identifier("940140000385")] == ["3"]
    assert screener.by_identifier("MELIIRTH500") == []
    with pytest.raises(InputError):
        screener.by_identifier("  ")


@pytest.mark.parametrize(
    ("query", "field"),
    [
        (Query(""), "name"),
        (Query("   "), "name"),
        (Query("x" * 10_000), "name"),
        (Query("Putin\x00"), "name"),
        (Query("Putin", schema="Spaceship"), "schema"),
        (Query("Putin", country="Atlantis"), "country"),
        (Query("Putin", birth_date="yesterday"), "birth_date"),
        (Query("Putin", birth_date="1969-13-01"), "birth_date"),
    ],
)
def test_bad_queries_raise_input_errors(screener: Screener, query: Query, field: str) -> None:
    with pytest.raises(InputError) as info:
        screener.screen(query)
    assert info.value.field == field


def test_limit_and_order(screener: Screener) -> None:
    cands = screener.screen(Query("Bank", "Company"), limit=2)
    assert len(cands) <= 2
    assert [c.score for c in cands] == sorted((c.score for c in cands), reverse=True)
    with pytest.raises(InputError):
        screener.screen(Query("Bank"), limit=0)


def test_threshold_from_settings(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CIRCUMSPECT_ALERT_THRESHOLD", "0.95")
    s = Screener(sample_entities())
    assert s.threshold == 0.95
    with pytest.raises(InputError):
        Screener([], threshold=1.5)


def test_scorer_registry() -> None:
    assert SCORERS[CircumspectV1.NAME] is CircumspectV1
    assert isinstance(get_scorer(), CircumspectV1)
    with pytest.raises(ValueError, match="unknown scorer"):
        get_scorer("nope")


def test_empty_screener() -> None:
    assert Screener([]).screen(Query("Anything")) == []


def test_from_store_caches_and_rebuilds(tmp_path: Path) -> None:
    from circumspect.store import open_store

    store = open_store(f"sqlite:///{tmp_path / 'db.sqlite'}")
    try:
        store.load("un_sc", sample_entities()[:3], checksum="a")
        first = Screener.from_store(store)
        assert len(first) == 3
        path = Screener.index_path(first.snapshot_ids)
        assert path.exists()
        again = Screener.from_store(store)
        assert len(again) == 3
        assert (
            again.screen(Query("Vladimir Putin", "Person"))[0].snapshot_id
            == first.snapshot_ids["un_sc"]
        )
        ivanov = entity("Person", "99", [("name", "Ivan Ivanov")])
        store.load("un_sc", [*sample_entities()[:3], ivanov], checksum="b")
        rebuilt = Screener.from_store(store)
        assert len(rebuilt) == 4
        assert Screener.index_path(rebuilt.snapshot_ids) != path
        assert rebuilt.screen(Query("Иван Иванов", "Person"))[0].source_id == "99"
        # a corrupt cache file is rebuilt, never fatal
        Screener.index_path(rebuilt.snapshot_ids).write_bytes(b"garbage")
        assert len(Screener.from_store(store)) == 4
    finally:
        store.close()
