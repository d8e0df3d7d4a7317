"""The speed-ups keep results identical: explanations reuse the ranking pass's work."""

from __future__ import annotations

from circumspect.matching import Screener
from circumspect.matching.prepare import prepare_query
from circumspect.model.screening import Query
from tests.matching.helpers import sample_entities

QUERIES = [
    Query("Kassym-Jomart Tokayev", "Person", birth_date="1953-05-17"),
    Query("Vladimir Putin", "Person"),
    Query("Bereke Logistic LLP", "Company", identifier="940140000385"),
    Query("Kazakh Trading House", "Company"),
    Query("Ocean Star", "Vessel"),
]


def test_explained_equals_a_fresh_explained_score() -> None:
    screener = Screener(sample_entities(), threshold=0.7)
    for query in QUERIES:
        prepared = prepare_query(query)
        for entity_ in screener.index.entities:
            quick = screener.scorer.score(prepared, entity_, explain=False)
            reused = screener.scorer.explained(prepared, entity_, quick)
            fresh = screener.scorer.score(prepared, entity_, explain=True)
            assert reused.score == fresh.score == quick.score
            assert reused.explanation == fresh.explanation
            assert reused.matched_name == fresh.matched_name


def test_memoised_name_check_still_refuses_bad_names_every_time() -> None:
    import pytest

    from circumspect.errors import InputError
    from circumspect.matching.prepare import check_name
    from circumspect.names.legal_forms import compatible

    assert check_name("Тоkаев  Kassym") == check_name("Тоkаев  Kassym") == "Тоkаев Kassym"
    for _ in range(2):
        with pytest.raises(InputError, match="control character"):
            check_name("Tokayev\x00")
        with pytest.raises(InputError, match="no letters"):
            check_name("...")
    assert not compatible("llp", "jsc")
    assert compatible("llp", "llc")
