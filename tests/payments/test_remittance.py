"""Remittance text: listed names in any word order and script, without flooding ordinary
payment text with hits."""

from __future__ import annotations

from functools import lru_cache

import pytest

from circumspect.payments.remittance import NameIndex, name_forms
from circumspect.sources import demo_entities


@lru_cache(maxsize=1)
def index() -> NameIndex:
    return NameIndex.build(demo_entities())


@pytest.mark.parametrize(
    "text",
    [
        "GENNADY TIMCHENKO",
        "for GENNADY TIMCHENKO",
        "TIMCHENKO GENNADY",
        "Timchenko, Gennady",
        "payment Gennadiy Timchenko consulting",
        "Gennadiy N. Timchenko",
        "Геннадий Тимченко",
        "оплата Тимченко Геннадий Николаевич",
        "Daniyar Ospanov",
        "OSPANOV DANIYAR",
        "transfer to arlan trade llp",
        "ТОО АРЛАН ТРЕЙД",
    ],
)
def test_listed_names_found_in_any_order_and_script(text: str) -> None:
    assert index().scan(text), text


@pytest.mark.parametrize(
    "text",
    [
        "Invoice 2025/0311 spare parts for combine harvesters, contract 7/2024",
        "ADVANCE 30 PCT CONTRACT 18/2025 RAIL FREIGHT HAMBURG - ALMATY",
        "Оплата по счету 17 за насосное оборудование, в т.ч. НДС",
        "Payment for services, agreement dated 12.03.2025, Gennady Petrov",
        "Timchenko Olga salary March",
        "trade finance fee",
    ],
)
def test_ordinary_remittance_text_is_not_a_hit(text: str) -> None:
    assert index().scan(text) == [], text


def test_surname_comma_given_also_searched_as_given_surname() -> None:
    forms = name_forms("TIMCHENKO, Gennady Nikolayevich")
    assert ("gennady", "nikolayevich", "timchenko") not in forms
    assert ("timchenko", "gennady", "nikolayevich") in forms
    assert ("gennady", "timchenko") in forms
