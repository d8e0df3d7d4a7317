from __future__ import annotations

import csv

import pytest

from circumspect.errors import InputError
from circumspect.matching import compare_names
from tests.support import shared_path

THRESHOLD = 0.70


@pytest.mark.parametrize(
    ("schema", "a", "b"),
    [
        ("Person", "Kassym-Jomart Tokayev", "Қасым-Жомарт Тоқаев"),
        ("Person", "Tokayev Kassym-Jomart Kemelevich", "Қасым-Жомарт Кемелұлы Тоқаев"),
        ("Person", "Qasym-Jomart Toqaev", "Касым-Жомарт Токаев"),
        ("Person", "Vladimir Putin", "Путин Владимир Владимирович"),
        ("Person", "Timtchenko Guennadi", "Геннадий Тимченко"),
        ("Person", "Kovaltchouk Iouri", "Юрий Ковальчук"),
        ("Person", "PUTIN, Vladimir", "Владимир Путин"),
        ("Person", "V. Putin", "Vladimir Putin"),
        ("Company", "TOO Bereke", "Bereke LLP"),
        ("Company", "ЖШС Береке", "Bereke LLP"),
        ("Company", "ТОО «Береке»", "Bereke Limited Liability Partnership"),
        ("Company", "ООО «Ромашка»", "Romashka LLC"),
        ("Company", "АҚ ҚазМұнайГаз", "KazMunayGas JSC"),
        ("Company", "Brigade Forty-Four", "Brigade 44"),
        ("Vessel", "Ocean Star", "OCEAN STAR"),
    ],
)
def test_matches(schema: str, a: str, b: str) -> None:
    result = compare_names(a, b, schema)
    assert result.score >= THRESHOLD, result.explanation


@pytest.mark.parametrize(
    ("schema", "a", "b"),
    [
        ("Person", "Olaf Scholz", "Octavian Scholz"),
        ("Person", "Sergey Viktorovich Lavrov", "Sergey Borisovich Lavrov"),
        ("Person", "Vladimir Putin", "Vladimir Petrov"),
        ("Person", "习近朋", "习近平"),
    ],
)
def test_non_matches(schema: str, a: str, b: str) -> None:
    result = compare_names(a, b, schema)
    assert result.score < THRESHOLD, result.explanation


@pytest.mark.parametrize(
    ("a", "b", "given", "listed"),
    [
        ("ТОО Береке", "АО Береке", "LLP", "JSC"),
        ("Deutsche Bank AG", "Deutsche Bank GmbH", "AG", "GMBH"),
        ("ООО «ВАД»", "VAD, AO", "LLC", "JSC"),
        ("ТОО «Ромашка»", "ROMASHKA OAO", "LLP", "OJSC"),
    ],
)
def test_legal_form_is_evidence_never_a_veto(a: str, b: str, given: str, listed: str) -> None:
    result = compare_names(a, b, "Company")
    assert result.score >= THRESHOLD, result.explanation
    same = compare_names(b, b, "Company")
    assert result.score < same.score  # the difference still costs something
    assert (
        f"legal form differs ({listed} listed, {given} given): a re-registration or a "
        "misdeclared form" in result.explanation
    )


def test_legal_form_keeps_numbered_sibling_and_distinct_word_protections() -> None:
    assert compare_names("ТОО «Береке-2»", "АО Береке-3", "Company").score < THRESHOLD
    assert compare_names("ТОО «Береке Логистик»", "АО Береке Строй", "Company").score < THRESHOLD
    assert compare_names("ТОО «Арлан Трейд»", "АО Нур Трейд", "Company").score < THRESHOLD


def test_explanation_names_each_feature() -> None:
    result = compare_names("ТОО Береке", "АО Береке", "Company")
    kinds = [f.feature for f in result.features]
    assert kinds == ["name", "legal_form"]
    assert "LLP" in result.features[1].text and "JSC" in result.features[1].text


def test_bad_input() -> None:
    for bad in ("", "   ", "\x07Putin", "x" * 10_000, "!!!"):
        with pytest.raises(InputError):
            compare_names(bad, "Putin", "Person")
    with pytest.raises(InputError, match="unknown schema"):
        compare_names("a", "b", "Spaceship")


def test_mixed_scripts_are_repaired_not_refused() -> None:
    # Latin "o" and "a" inside a Cyrillic word (copy-typed documents)
    assert compare_names("Тоkаев Касым", "Токаев Касым", "Person").score >= 0.99


def _watchman() -> list[tuple[str, str]]:
    path = shared_path("fixtures", "matching", "watchman_cross_script_pairs.csv")
    out = []
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.strip() and not line.startswith("#"):
            q, e, _, _ = next(csv.reader([line]))
            out.append((q, e))
    return out


def test_watchman_cross_script_pairs() -> None:
    pairs = _watchman()
    assert len(pairs) >= 22
    misses = {q for q, e in pairs if compare_names(q, e, "Person").score < THRESHOLD}
    assert misses == set(), misses


@pytest.mark.slow
def test_name_bench_f1_floor() -> None:
    path = shared_path("fixtures", "matching", "name_bench_cases.csv")
    with path.open(encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))
    tp = fp = fn = 0
    for r in rows:
        pred = compare_names(r["name1"], r["name2"], r["schema"]).score >= THRESHOLD
        truth = r["is_match"] == "true"
        tp += pred and truth
        fp += pred and not truth
        fn += truth and not pred
    f1 = 2 * tp / (2 * tp + fp + fn)
    assert f1 >= 0.90, f1


def test_business_loanwords_in_cyrillic() -> None:
    assert compare_names("ТОО «Арлан Трейд»", "ARLAN TRADE LLP", "Company").score >= 0.99
    assert (
        compare_names("Казахстан Логистик Групп", "Kazakhstan Logistic Group", "Company").score
        >= 0.99
    )
