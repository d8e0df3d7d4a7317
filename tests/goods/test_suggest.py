from __future__ import annotations

import csv
from pathlib import Path

import pytest

from circumspect.errors import InputError
from circumspect.goods.lists import control_status
from circumspect.goods.nomenclature import default_nomenclature
from circumspect.goods.suggest import SuggestIndex, load_synonyms, suggest, tokens, top_k_accuracy

LABELLED = Path(__file__).parent / "data" / "suggest_labelled.csv"


def _labelled() -> list[dict[str, str]]:
    with open(LABELLED, encoding="utf-8") as fh:
        return list(csv.DictReader(fh))


def test_examples_from_issue() -> None:
    assert suggest("STM32 microcontroller")[0].code == "854231"
    top = suggest("подшипник шариковый")
    assert top[0].code == "848210"
    assert top[0].status.controlled and top[0].status.chpl_tier == "3.B"
    assert "848210" in [s.code for s in suggest("ball bearings")[:2]]


def test_code_in_text_wins() -> None:
    assert suggest("parts 8482.10 per invoice")[0].code == "848210"


def test_empty_text_rejected() -> None:
    with pytest.raises(InputError):
        suggest("   ")


def test_russian_stemming() -> None:
    assert tokens("подшипники шариковые") == tokens("подшипник шариковый")
    assert tokens("ball bearings") == ["ball", "bearing"]


def test_synonym_codes_exist() -> None:
    nom = default_nomenclature()
    assert [c for c in load_synonyms() if c not in nom] == []


def test_labelled_set_shape() -> None:
    rows = _labelled()
    nom = default_nomenclature()
    assert len(rows) >= 150
    assert {r["lang"] for r in rows} == {"en", "ru"}
    assert sum(r["lang"] == "ru" for r in rows) >= 70
    controlled = sum(control_status(r["hs6"]).controlled for r in rows)
    assert controlled >= len(rows) / 2
    assert all(r["hs6"] in nom for r in rows)


def test_top5_accuracy_on_labelled_set() -> None:
    rows = _labelled()
    acc, n, _ = top_k_accuracy([(r["description"], r["hs6"]) for r in rows], k=5)
    assert n == len(rows)
    # measured 0.988 (docs/goods.md); synonyms and set share an author, see the doc
    assert acc >= 0.95


def test_without_synonyms_russian_fails() -> None:
    """The synonym file is what makes Russian work: plain TF-IDF finds nothing."""
    rows = [r for r in _labelled() if r["lang"] == "ru"][:20]
    bare = SuggestIndex(default_nomenclature(), {})
    acc, _, _ = top_k_accuracy([(r["description"], r["hs6"]) for r in rows], 5, bare)
    assert acc < 0.2
