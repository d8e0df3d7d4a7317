"""Parsers: every field the brief names, read from realistic messages of each format."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from circumspect.errors import ParseError
from circumspect.payments.parse import detect_format, parse_message
from tests.payments.helpers import demo_message


def test_pacs008_fields() -> None:
    msg = parse_message(demo_message("01_clean_pacs008_kz_to_de.xml"))
    assert (msg.message_id, msg.format, msg.message_type) == (
        "HSBK250312-000417",
        "pacs.008.001.08",
        "pacs.008",
    )
    assert msg.amount == Decimal("48750.00") and msg.currency == "EUR"
    assert msg.value_date == date(2025, 3, 12)
    tx = msg.first
    assert tx.transaction_id == "3f2c7d1e-9b0a-4c5d-8e6f-1a2b3c4d5e6f"
    debtor, creditor = tx.party("debtor"), tx.party("creditor")
    assert debtor is not None and creditor is not None
    assert debtor.name == "TOO Zhetysu Agro" and debtor.country == "kz"
    assert debtor.town == "Almaty" and "Tole Bi Street 101" in debtor.address
    assert debtor.account == "KZ42601KZT0000123456"
    assert creditor.name == "Weber Landtechnik GmbH" and creditor.account.startswith("DE89")
    roles = {(a.role, a.bic) for a in msg.all_agents()}
    assert ("debtor_agent", "HSBKKZKX") in roles
    assert ("creditor_agent", "COBADEFFXXX") in roles
    assert ("instructing_agent", "HSBKKZKX") in roles
    assert ("sender", "HSBKKZKX") in roles and ("receiver", "COBADEFF") in roles
    assert "combine harvesters" in tx.remittance


def test_pacs009_cover_reads_both_legs() -> None:
    msg = parse_message(demo_message("05_reject_pacs009_vtb_intermediary.xml"))
    assert msg.message_type == "pacs.009" and msg.currency == "EUR"
    tx = msg.first
    roles = {(a.role, a.bic) for a in tx.agents}
    assert ("intermediary_agent", "VTBRRUMMXXX") in roles
    assert ("debtor_institution", "EURIKZKA") in roles
    assert ("creditor_institution", "RZBAATWW") in roles
    assert tx.party("debtor").name == "TOO Ak Zhol Energy"  # type: ignore[union-attr]
    assert tx.party("creditor").name == "Gruber Anlagenbau GmbH"  # type: ignore[union-attr]
    assert "AZE-14/2024" in tx.remittance


def test_pain001_two_transactions_cyrillic() -> None:
    msg = parse_message(demo_message("03_clean_pain001_kz_batch.xml"))
    assert msg.message_type == "pain.001" and len(msg.transfers) == 2
    assert [t.amount for t in msg.transfers] == [Decimal("21980.00"), Decimal("15440.50")]
    first = msg.transfers[0]
    assert first.party("debtor").name == "ТОО «Сункар Тех»"  # type: ignore[union-attr]
    assert first.party("initiating_party") is not None
    assert first.value_date == date(2025, 3, 19)
    assert {a.bic for a in msg.all_agents()} == {"IRTYKZKA", "UNCRITMM", "RABONL2U"}
    assert "насосное оборудование" in first.remittance


def test_mt103_unstructured_parties() -> None:
    msg = parse_message(demo_message("02_clean_mt103_de_to_kz.fin"))
    assert (msg.message_id, msg.format) == ("DB25031400088", "MT103")
    assert msg.amount == Decimal("125000.00") and msg.value_date == date(2025, 3, 14)
    debtor = msg.first.party("debtor")
    assert debtor is not None and debtor.name == "FISCHER ANLAGENTECHNIK GMBH"
    assert debtor.account == "DE60500400000123456789"
    assert debtor.address == ("HAFENWEG 22", "20457 HAMBURG DE")
    roles = {(a.role, a.bic) for a in msg.all_agents()}
    assert {
        ("sender", "DEUTDEFFXXX"),
        ("receiver", "CASPKZKAXXX"),
        ("creditor_agent", "CASPKZKA"),
    } <= roles
    assert "RAIL FREIGHT" in msg.remittance()


def test_mt103_structured_50f_59f() -> None:
    msg = parse_message(demo_message("09_hold_mt103_vessel_remittance.fin"))
    debtor, creditor = msg.first.party("debtor"), msg.first.party("creditor")
    assert debtor is not None and creditor is not None
    assert debtor.name == "TOO KASPIY SHIPPING SERVICE" and debtor.country == "kz"
    assert debtor.town == "AKTAU" and debtor.address == ("MICRODISTRICT 14, BUILDING 2",)
    assert creditor.country == "fr" and creditor.account == "FR1420041010050500013M02606"
    assert "IMO 9412347" in msg.remittance()


def test_mt202_fields() -> None:
    msg = parse_message(demo_message("12_reject_mt202_sberbank_branch.fin"))
    assert msg.message_type == "MT202" and msg.amount == Decimal("1500000.00")
    roles = {(a.role, a.bic) for a in msg.all_agents()}
    assert {
        ("debtor_institution", "HSBKKZKX"),
        ("intermediary_agent", "CHASUS33"),
        ("creditor_agent", "SABRRUMM"),
        ("creditor_institution", "SABRRUMMMOW"),
    } <= roles
    assert msg.first.parties == ()


MT_HEAD = "{1:F01KCJBKZKXAXXX0000000000}{2:I103COBADEFFXXXXN}{4:\r\n"


def _mt(
    p50: str = ":50K:/KZ42601KZT0000123456\r\nTOO ALPHA\r\nALMATY",
    p59: str = ":59:/DE89370400440532013000\r\nBETA GMBH\r\nBERLIN",
    extra: str = "",
    agents: str = "",
) -> bytes:
    """An MT103 in field order: ``agents`` (:52a: to :57a:) between :50a: and :59a:,
    ``extra`` (:70:) after :59a:."""
    return (
        MT_HEAD
        + ":20:REF1\r\n:23B:CRED\r\n:32A:250102EUR1000,\r\n"
        + f"{p50}\r\n{agents}{p59}\r\n{extra}:71A:SHA\r\n-}}"
    ).encode()


def test_mt_options_and_output_header() -> None:
    msg = parse_message(
        _mt(
            p50=":50A:/KZ42601KZT0000123456\r\nHSBKKZKX",
            p59=":59A:COBADEFF",
            agents=":52D:HALYK BANK\r\nALMATY\r\n:56A:/C/123456\r\nDEUTDEFF\r\n",
            extra=":70:INV 1\r\n/ULTB/JOHN DOE TRADING\r\n",
        )
    )
    assert msg.amount == Decimal("1000")
    assert msg.first.party("debtor").bic == "HSBKKZKX"  # type: ignore[union-attr]
    assert msg.first.party("creditor").bic == "COBADEFF"  # type: ignore[union-attr]
    assert msg.first.agent("debtor_agent").name == "HALYK BANK"  # type: ignore[union-attr]
    assert msg.first.agent("intermediary_agent").bic == "DEUTDEFF"  # type: ignore[union-attr]
    ultimate = msg.first.party("ultimate_creditor")
    assert ultimate is not None and ultimate.name == "JOHN DOE TRADING"
    out = (
        b"{1:F01HSBKKZKXAXXX0000000000}{2:O1030915250102DEUTDEFFAXXX00000000002501020915N}"
        b"{4:\r\n:20:R\r\n:23B:CRED\r\n:32A:250102EUR5,5\r\n:50K:A\r\n:59:B\r\n:71A:SHA\r\n-}"
    )
    msg = parse_message(out)
    agents = {a.role: a.bic for a in msg.agents}
    assert agents == {"sender": "DEUTDEFFXXX", "receiver": "HSBKKZKXXXX"}


@pytest.mark.parametrize("version", ["08", "10", "13"])
def test_iso_versions_namespace_agnostic(version: str) -> None:
    raw = demo_message("01_clean_pacs008_kz_to_de.xml").replace(
        b"pacs.008.001.08", f"pacs.008.001.{version}".encode()
    )
    assert parse_message(raw).format == f"pacs.008.001.{version}"


@pytest.mark.parametrize(
    ("name", "old", "new"),
    [
        ("05_reject_pacs009_vtb_intermediary.xml", b"pacs.009.001.08", b"pacs.009.001.10"),
        ("03_clean_pain001_kz_batch.xml", b"pain.001.001.09", b"pain.001.001.11"),
    ],
)
def test_later_versions(name: str, old: bytes, new: bytes) -> None:
    msg = parse_message(demo_message(name).replace(old, new))
    assert msg.format == new.decode() and msg.transfers


def test_pain001_v03_with_bic_element() -> None:
    raw = (
        demo_message("03_clean_pain001_kz_batch.xml")
        .replace(b"pain.001.001.09", b"pain.001.001.03")
        .replace(b"BICFI>", b"BIC>")
        .replace(
            b"<ReqdExctnDt><Dt>2025-03-19</Dt></ReqdExctnDt>",
            b"<ReqdExctnDt>2025-03-19</ReqdExctnDt>",
        )
    )
    msg = parse_message(raw)
    assert msg.format == "pain.001.001.03" and msg.value_date == date(2025, 3, 19)
    assert {a.bic for a in msg.all_agents()} == {"IRTYKZKA", "UNCRITMM", "RABONL2U"}


BAD = [
    (b"", "empty"),
    (b"hello", "unrecognised"),
    ("{1:F01DEUTDEFFAXXX0000000000}".encode("utf-16"), "UTF-16"),
    (b"<a><b></a>", "malformed XML"),
    (
        b'<!DOCTYPE d [<!ENTITY x "y">]><Document xmlns="urn:iso:std:iso:20022:tech:xsd:'
        b'pacs.008.001.08"/>',
        "DOCTYPE",
    ),
    (b'<Document xmlns="urn:iso:std:iso:20022:tech:xsd:pacs.002.001.10"/>', "unsupported"),
    (b'<Document xmlns="urn:example"/>', "namespace"),
    (
        b'<E><Document xmlns="urn:iso:std:iso:20022:tech:xsd:pacs.008.001.08"/>'
        b'<Document xmlns="urn:iso:std:iso:20022:tech:xsd:pacs.008.001.08"/></E>',
        "one Document",
    ),
    (_mt().replace(b":32A:250102EUR1000,", b":32A:250230EUR1000,"), "invalid value date"),
    (_mt().replace(b"EUR1000,", b"EUR1000.00"), "decimal comma"),
    (_mt().replace(b"EUR1000,", b"XYZ1000,"), "unknown currency"),
    (_mt().replace(b":23B:CRED\r\n", b""), ":23B:"),
    (_mt().replace(b"\r\n-}", b""), "terminator"),
    (_mt().replace(b"I103", b"I199"), "MT199"),
    (_mt(p59=":59:/DE88370400440532013000\r\nBETA GMBH"), "invalid IBAN"),
    (_mt(p59=":59A:COBAXXFF"), "invalid BIC"),
    (_mt(p59=":59F:/DE89370400440532013000\r\n2/NO NAME"), "1/ name"),
    (_mt(p50=":50K:/KZ42601KZT0000123456"), "without name"),
    (_mt(p59=":59B:X"), "no option"),
    (_mt() + _mt(), "more than one message"),
    (_mt().replace(b":20:REF1", b":20:/REF1"), "reference"),
]


@pytest.mark.parametrize(("raw", "reason"), BAD, ids=[r for _, r in BAD])
def test_bad_messages_raise_parse_error(raw: bytes, reason: str) -> None:
    with pytest.raises(ParseError) as info:
        parse_message(raw, "msg.fin")
    assert reason.lower() in str(info.value).lower()
    assert info.value.file == "msg.fin"


def test_iso_missing_and_bad_elements_name_the_field() -> None:
    raw = demo_message("01_clean_pacs008_kz_to_de.xml")
    cases = [
        (raw.replace(b"<MsgId>HSBK250312-000417</MsgId>", b""), "GrpHdr/MsgId"),
        (raw.replace(b'Ccy="EUR">48750.00', b'Ccy="EUR">-5'), "IntrBkSttlmAmt"),
        (raw.replace(b'Ccy="EUR"', b'Ccy="EURO"'), "IntrBkSttlmAmt/@Ccy"),
        (raw.replace(b"<BICFI>COBADEFFXXX</BICFI>", b"<BICFI>COBADEF</BICFI>"), "CdtrAgt"),
        (raw.replace(b"<Ctry>DE</Ctry>", b"<Ctry>QQ</Ctry>"), "Ctry"),
        (
            raw.replace(b"2025-03-12</IntrBkSttlmDt>", b"2025-13-12</IntrBkSttlmDt>"),
            "IntrBkSttlmDt",
        ),
        (raw.replace(b"<Nm>Weber Landtechnik GmbH</Nm>", b""), "Cdtr"),
    ]
    for bad, field in cases:
        with pytest.raises(ParseError) as info:
            parse_message(bad)
        assert info.value.field is not None and field in info.value.field, (field, info.value)


def test_detect_format() -> None:
    assert detect_format(b"\xef\xbb\xbf  <?xml") == "iso20022"
    assert detect_format(b"\r\n{1:F01") == "mt"
    assert detect_format(b"%PDF") is None
