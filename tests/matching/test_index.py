from __future__ import annotations

import pickle
import random

import pytest

import circumspect.matching.index as index_module
from circumspect.matching.compare import compile_name
from circumspect.matching.index import CandidateIndex
from circumspect.matching.prepare import index_entities
from tests.matching.helpers import entity, sample_entities

FIRST = ["Ivan", "Pyotr", "Asel", "Daniyar", "Nurlan", "Olga", "Serik", "Aigerim", "Timur"]
LAST = ["Ivanov", "Petrov", "Ospanov", "Serikbayev", "Tokayev", "Kim", "Lee", "Nazarov"]


def _index(n: int) -> CandidateIndex:
    rng = random.Random(4)
    ents = [
        entity("Person", str(i), [("name", f"{rng.choice(FIRST)} {rng.choice(LAST)} {i}")])
        for i in range(n)
    ]
    return CandidateIndex(index_entities(ents))


def test_numpy_and_dict_rankings_agree(monkeypatch: pytest.MonkeyPatch) -> None:
    idx = _index(600)
    for query in ("Ivan Ivanov", "Daniyar Ospanov", "Kim", "Aigerim Lee 17"):
        name = compile_name(query, "Person")
        monkeypatch.setattr(index_module, "VECTOR_MIN_POSTINGS", 10**9)
        by_dict = idx.candidates(name, 40)
        monkeypatch.setattr(index_module, "VECTOR_MIN_POSTINGS", 0)
        by_numpy = idx.candidates(name, 40)
        assert len(by_dict) == len(by_numpy)
        assert set(by_dict[:3]) & set(by_numpy[:3])


def test_index_finds_cross_script_and_survives_pickling() -> None:
    idx = CandidateIndex(index_entities(sample_entities()))
    again = pickle.loads(pickle.dumps(idx))
    assert len(again) == len(idx)
    for i in (idx, again):
        top = i.candidates(compile_name("Tokayev Kassym-Jomart", "Person"), 5)
        assert i.entities[top[0]].source_id == "1"
        top = i.candidates(compile_name("Bereke Logistic TOO", "Company"), 5)
        assert i.entities[top[0]].source_id == "3"
    assert again.lookup_ids(["i:kz_bin:940140000385"]) == idx.lookup_ids(["i:kz_bin:940140000385"])


def test_empty_and_unknown() -> None:
    idx = CandidateIndex([])
    assert idx.candidates(compile_name("Anything"), 5) == []
    idx = CandidateIndex(index_entities(sample_entities()))
    assert idx.candidates(compile_name("Zzyzx Qwerty"), 5) == []
