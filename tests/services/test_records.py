"""Records attached to the entities a declaration or payment case names."""

from __future__ import annotations

from circumspect.services.records import rule_matches, with_records
from tests.cases.helpers import MemoryStore, checksum, company


def test_with_records_adds_the_record_of_listed_entities_only() -> None:
    store = MemoryStore()
    store.load("ofac_sdn", [company("ofac_sdn", "7", "Volga Oil LLC")], checksum=checksum("a"))
    cands = with_records(
        store,
        [
            {"entity_id": "ofac-sdn-7", "score": 1.0},
            {"entity_id": "country:creditor_agent:SABRRUMMXXX", "score": 1.0},
            {"rule": "party_listed", "matches": [{"entity_id": "ofac-sdn-7"}, {"entity_id": "x"}]},
        ],
    )
    assert cands[0]["record"]["list"] == "SDN"  # type: ignore[index]
    assert "record" not in cands[1]
    matches = cands[2]["matches"]
    assert matches[0]["record"]["list"] == "SDN" and "record" not in matches[1]  # type: ignore[index]


def test_rule_matches_reads_the_scorer_details_and_ignores_anything_else() -> None:
    details = '[{"rule": "party_listed", "points": 40, "matches": [{"entity_id": "e1"}]}]'
    assert rule_matches(details) == {"party_listed": [{"entity_id": "e1"}]}
    assert rule_matches("") == {} and rule_matches("not json") == {}
    assert rule_matches('{"rule": "x"}') == {}
