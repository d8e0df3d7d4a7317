"""The speed-ups keep results identical: explanations reuse the ranking pass's work."""

from __future__ import annotations

from circumspect.matching import Screener
from circumspect.matching.prepare import prepare_query
from circumspect.model.screening import Query
from tests.matching.conftest_data import sample_entities

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
