from __future__ import annotations

import pytest

from circumspect.flows.countries import AGGREGATE, COUNTRY, UNSPECIFIED, normalise, table
from circumspect.flows.labels import Period, parse_flow, parse_period, parse_product


@pytest.mark.parametrize(
    ("label", "hint", "expected"),
    [
        ("Aug. 2024", None, Period("M", 2024, 8)),
        ("May. 2019", None, Period("M", 2019, 5)),
        ("Sept. 2020", None, Period("M", 2020, 9)),
        ("Jan.-Dec. 2019", None, Period("A", 2019, 0)),
        ("201952-Jan.-Dec. 2019", None, Period("A", 2019, 0)),
        ("202408", None, Period("M", 2024, 8)),
        ("201952", None, Period("A", 2019, 0)),
        ("Y2021", None, Period("A", 2021, 0)),
        ("2022", "A", Period("A", 2022, 0)),
        ("2022-03", None, Period("M", 2022, 3)),
    ],
)
def test_periods(label: str, hint: str | None, expected: Period) -> None:
    assert parse_period(label, hint) == expected


@pytest.mark.parametrize("label", ["", "Jan.-Jun. 2019", "2024M13", "Foo. 2020", "1850", "Q1 2022"])
def test_unreadable_periods(label: str) -> None:
    assert parse_period(label) is None


def test_products_and_flows() -> None:
    assert parse_product("TOTAL-Total") == parse_product("Total") == parse_product("TOTAL")
    assert parse_product("8542-Electronic integrated circuits").code == "8542"  # type: ignore[union-attr]
    assert parse_product("85423100").level == 8  # type: ignore[union-attr]
    assert parse_product("SS") is None
    assert parse_product("123") is None
    assert parse_flow("2-EXPORT") == parse_flow("EXPORTATION") == parse_flow("X") == "export"
    assert parse_flow("IMPORT") == parse_flow("1") == parse_flow("M") == "import"
    assert parse_flow("RX") is None


def test_normalise_strips_eurostat_parentheses() -> None:
    assert normalise("Germany (incl. German Democratic Republic 'DD' from 1991)") == "germany"
    assert normalise("Côte d’Ivoire (Ivory Coast)") == "cote d ivoire"


@pytest.mark.parametrize(
    ("label", "code", "kind"),
    [
        ("Russian Federation (Russia)", "RU", COUNTRY),
        ("Российская Федерация", "RU", COUNTRY),
        ("Кыргызстан", "KG", COUNTRY),
        ("Казахстан", "KZ", COUNTRY),
        ("Allemagne (incl. République démocratique allemande 'DD' depuis 1991)", "DE", COUNTRY),
        ("Grèce", "GR", COUNTRY),
        ("EL", "GR", COUNTRY),
        ("GR", "GR", COUNTRY),
        ("398", "KZ", COUNTRY),
        ("051", "AM", COUNTRY),
        ("490", "TW", COUNTRY),
        ("Türkiye", "TR", COUNTRY),
        ("Korea, Republic of (South Korea)", "KR", COUNTRY),
        ("Korea (DPRK)", "KP", COUNTRY),
        ("Myanmar (Birmanie)", "MM", COUNTRY),
        ("European Union - 27 countries (AT, BE, BG)", "EU27_2020", AGGREGATE),
        ("Union européenne - 27 pays (AT, BE)", "EU27_2020", AGGREGATE),
        ("European Union (AT-01/1995, GB-01/1973->01/2020)", "EU", AGGREGATE),
        ("Euro area - 20 countries (AT, BE)", "EA20", AGGREGATE),
        ("Euro area (AT-01/1999)", "EA", AGGREGATE),
        ("Extra-EU27 (from 2020)", "EXTRA_EU27", AGGREGATE),
        ("World", "WORLD", AGGREGATE),
        ("0", "WORLD", AGGREGATE),
        ("Commonwealth of Independent States", "CIS", AGGREGATE),
        ("High seas", "HIGH_SEAS", UNSPECIFIED),
        (
            "Stores and provisions within the framework of extra-Union trade",
            "STORES_EXTRA",
            UNSPECIFIED,
        ),
    ],
)
def test_resolve(label: str, code: str, kind: str) -> None:
    place = table().resolve(label)
    assert place is not None, label
    assert (place.code, place.kind) == (code, kind)


@pytest.mark.parametrize("label", ["Narnia", "", "Korea", "999999", "XX"])
def test_unknown_countries_are_none(label: str) -> None:
    assert table().resolve(label) is None


def test_eu27_members() -> None:
    members = table().members("EU27_2020")
    assert len(members) == 27 and "GR" in members and "GB" not in members
