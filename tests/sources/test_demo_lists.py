"""The demo lists: every file parses, the entities of docs/team/demo-entities.md are there
with checksum-valid identifiers, and fictional entries say so."""

from __future__ import annotations

import re

import pytest

from circumspect.model.entities import ListedEntity
from circumspect.names.identifiers import kz_bin_registration, validate
from circumspect.sources import parse_source
from circumspect.sources.base import country_code, guess_org_schema, parse_dates
from tests.sources.helpers import DEMO, ROOT, demo_files

SOURCES = ["ofac_sdn", "un_sc", "eu_fsf", "uk_fcdo", "bis_dpl"]


def _all() -> list[ListedEntity]:
    out: list[ListedEntity] = []
    for source in SOURCES:
        out.extend(parse_source(source, demo_files(source)).entities())
    return out


def test_demo_files_are_small_and_in_place() -> None:
    assert sorted(p.name for p in DEMO.iterdir()) == sorted(SOURCES)
    entities = _all()
    assert 30 <= len(entities) <= 100


def test_identifiers_in_demo_lists_are_checksum_valid() -> None:
    checks = {"swiftBic": "bic", "innCode": "ru_inn", "ogrnCode": "ru_ogrn", "leiCode": "lei"}
    seen = 0
    for entity in _all():
        for prop, kind in checks.items():
            for value in entity.get(prop):
                assert validate(kind, value), (entity.id, prop, value)
                seen += 1
        for value in entity.get("imoNumber"):
            assert validate("imo", value.removeprefix("IMO")), (entity.id, value)
            seen += 1
        if "kz" in entity.get("country") + entity.get("nationality"):
            for value in entity.get("registrationNumber") + entity.get("idNumber"):
                if re.fullmatch(r"\d{12}", value):
                    kind = "kz_iin" if entity.schema == "Person" else "kz_bin"
                    assert validate(kind, value), (entity.id, value)
                    seen += 1
    assert seen >= 25


def test_the_kazakh_front_company_registered_after_the_invasion() -> None:
    arlan = [e for e in _all() if "ARLAN" in e.caption.upper()]
    assert {e.source for e in arlan} == {"ofac_sdn", "eu_fsf", "uk_fcdo", "bis_dpl"}
    for entity in arlan:
        assert any("FICTIONAL" in str(v) for v in entity.to_dict().values())
        for value in entity.get("registrationNumber"):
            registered = kz_bin_registration(value)
            assert registered is not None and registered >= (2022, 3)


def test_sberbank_vtb_timchenko_across_lists() -> None:
    by_source: dict[str, list[ListedEntity]] = {}
    for entity in _all():
        by_source.setdefault(entity.source, []).append(entity)
    for source in ("ofac_sdn", "eu_fsf", "uk_fcdo"):
        bics = {b for e in by_source[source] for b in e.get("swiftBic")}
        assert {"SABRRUMM", "VTBRRUMM"} <= bics
        inns = {i for e in by_source[source] for i in e.get("innCode")}
        assert {"7707083893", "7702070139"} <= inns
        assert any("TIMCHENKO" in e.caption.upper() for e in by_source[source])
    cyrillic = [
        n
        for e in by_source["eu_fsf"] + by_source["uk_fcdo"]
        for n in e.names()
        if re.search("[А-Яа-яҰұ]", n)
    ]
    assert "Тимченко Геннадий Николаевич" in cyrillic
    assert any("Серікұлы" in n for n in cyrillic)


def test_demo_entities_doc_names_every_demo_entity() -> None:
    doc = (ROOT / "docs" / "team" / "demo-entities.md").read_text(encoding="utf-8")
    for entity in _all():
        assert f"`{entity.id}`" in doc, entity.id


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Russia", "ru"),
        ("RUSSIAN FEDERATION", "ru"),
        ("Korea, North", "kp"),
        ("Democratic People's Republic of Korea", "kp"),
        ("KZ", "kz"),
        ("Kazakhstan.", "kz"),
        ("-0-", None),
        ("", None),
        ("12", None),
    ],
)
def test_country_code(text: str, expected: str | None) -> None:
    assert country_code(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("31/01/1962", ["1962-01-31"]),
        ("31.01.1962", ["1962-01-31"]),
        ("ca. 1960", ["1960"]),
        ("30 Feb 1962", []),
        ("Smarch 1962", []),
        ("1900-1990", ["1900", "1990"]),
    ],
)
def test_parse_dates(text: str, expected: list[str]) -> None:
    assert parse_dates(text) == expected


@pytest.mark.parametrize(
    ("name", "schema"),
    [
        ("ARLAN TRADE LLP", "Company"),
        ("ТОО «Арлан Трейд»", "Company"),
        ("HIZBALLAH", "Organization"),
        ("BANCO NACIONAL DE CUBA", "Company"),
        ("Allied Democratic Forces", "Organization"),
    ],
)
def test_guess_org_schema(name: str, schema: str) -> None:
    assert guess_org_schema(name) == schema
