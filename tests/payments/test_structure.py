"""The message-definition data (ISO 20022 cardinalities, MT field rules, ISO 4217) and the
structural checks built on it."""

from __future__ import annotations

import csv
from importlib import resources

import pytest

from circumspect.errors import ParseError
from circumspect.payments.checks import check_decimals, minor_units
from circumspect.payments.mt import field_rules
from circumspect.payments.parse import parse_message
from circumspect.payments.structure import schemas
from tests.payments.helpers import demo_message


def _rows(name: str) -> list[dict[str, str]]:
    text = resources.files("circumspect.payments").joinpath(f"data/{name}").read_text("utf-8")
    return list(csv.DictReader(text.splitlines()))


@pytest.mark.parametrize("name", ["iso20022_structure.csv", "mt_fields.csv", "iso4217.csv"])
def test_data_files_carry_source_and_version(name: str) -> None:
    rows = _rows(name)
    assert rows
    assert all(row["source"] and row["version"] for row in rows)


def test_supported_versions() -> None:
    found = set(schemas())
    for family, first, last in (("pacs.008.001", 2, 13), ("pacs.009.001", 2, 12)):
        assert {f"{family}.{n:02d}" for n in range(first, last + 1)} <= found
    assert {f"pain.001.001.{n:02d}" for n in range(3, 13)} <= found
    assert {f"head.001.001.{n:02d}" for n in range(1, 5)} <= found


def test_cardinalities_from_the_definitions() -> None:
    pacs = schemas()["pacs.008.001.08"]
    tx = pacs.types["CreditTransferTransaction39"]
    assert (tx.elements["CdtrAgt"].minimum, tx.elements["CdtrAgt"].maximum) == (1, 1)
    assert tx.elements["IntrmyAgt1"].maximum == 1 and tx.elements["IntrmyAgt1"].minimum == 0
    assert tx.elements["RgltryRptg"].maximum == 10
    assert tx.elements["InstrForNxtAgt"].maximum is None
    body = pacs.types[pacs.root.type]
    assert body.elements["CdtTrfTxInf"].minimum == 1
    assert body.elements["CdtTrfTxInf"].maximum is None
    assert pacs.types["PostalAddress24"].elements["AdrLine"].maximum == 7
    assert pacs.types["Party38Choice"].choice
    assert pacs.codes["ChargeBearerType1Code"] == {"DEBT", "CRED", "SHAR", "SLEV"}
    header = schemas()["head.001.001.02"]
    assert header.root.name == "AppHdr"
    assert header.types[header.root.type].elements["Fr"].maximum == 1


def test_mt_field_rules() -> None:
    rules = {r.tag: r for r in field_rules()["MT103"]}
    assert rules["32A"].mandatory and rules["32A"].max_repeat == 1
    assert rules["71F"].max_repeat is None
    assert rules["59a"].options == {"-": 5, "A": 2, "F": 5}
    assert [r.tag for r in field_rules()["MT202 COV"]][:2] == ["50a", "52a"]


def test_iso4217_minor_units() -> None:
    units = minor_units()
    assert (units["EUR"], units["JPY"], units["KWD"], units["KZT"], units["CLF"]) == (2, 0, 3, 2, 4)
    assert units["XAU"] is None and "XTS" not in units and "XXX" not in units
    check_decimals("100.12", "EUR", "f")
    check_decimals("100", "JPY", "f")
    check_decimals("1,5", "KWD", "f")
    for amount, ccy in (("100.123", "EUR"), ("100.0", "JPY"), ("1,1234", "KWD")):
        with pytest.raises(ParseError, match="decimals"):
            check_decimals(amount, ccy, "f")


def test_demo_messages_are_valid_in_later_versions_only_where_the_definition_allows() -> None:
    raw = demo_message("01_clean_pacs008_kz_to_de.xml")
    assert parse_message(raw).format == "pacs.008.001.08"
    old = raw.replace(b"pacs.008.001.08", b"pacs.008.001.01")
    with pytest.raises(ParseError, match="unsupported version"):
        parse_message(old)


@pytest.mark.parametrize(
    ("old", "new", "where"),
    [
        (b"<ChrgBr>SHAR</ChrgBr>", b"<ChrgBr>XXXX</ChrgBr>", "ChrgBr"),
        (b"<ChrgBr>SHAR</ChrgBr>", b"", "ChrgBr"),
        (
            b"<IntrBkSttlmDt>2025-03-12</IntrBkSttlmDt>",
            b"<IntrBkSttlmDt>2025-13-12</IntrBkSttlmDt>",
            "IntrBkSttlmDt",
        ),
        (b"<Ctry>DE</Ctry>", b"<Ctry>Germany</Ctry>", "Ctry"),
        (b"<TwnNm>Stuttgart</TwnNm>", b"<TwnNm>" + b"S" * 36 + b"</TwnNm>", "TwnNm"),
        (b"<Cdtr>\n", b"<Cdtr>stray text\n", "Cdtr"),
        (b'<IntrBkSttlmAmt Ccy="EUR">', b'<IntrBkSttlmAmt Ccy="EUR" Src="x">', "@Src"),
        (
            b"<MsgDefIdr>pacs.008.001.08</MsgDefIdr>",
            b"<MsgDefIdr>pacs.009.001.08</MsgDefIdr>",
            "MsgDefIdr",
        ),
    ],
)
def test_structural_errors_name_the_element(old: bytes, new: bytes, where: str) -> None:
    raw = demo_message("01_clean_pacs008_kz_to_de.xml")
    assert old in raw
    with pytest.raises(ParseError) as info:
        parse_message(raw.replace(old, new, 1), "m.xml")
    assert where in (info.value.field or ""), info.value
