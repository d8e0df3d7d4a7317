"""The one safe XML layer: a DOCTYPE is refused in every XML input, naming the file."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from circumspect.errors import ParseError
from circumspect.payments.parse import parse_message
from circumspect.sources import parse_source
from circumspect.sources.xmlutil import iter_elements, parse_bytes
from tests.sources.helpers import demo_files

PACKAGE = Path(__file__).resolve().parents[2] / "circumspect"

DOCTYPES = [
    b'<!DOCTYPE x [<!ENTITY e SYSTEM "file:///etc/passwd">]>',
    b'<!DOCTYPE x SYSTEM "http://example.invalid/x.dtd">',
    b'<!DOCTYPE x PUBLIC "-//X//DTD X//EN" "x.dtd">',
    b'<!DOCTYPE x [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;">]>',
    b"<!DOCTYPE x>",
]


def _with_doctype(xml: bytes, doctype: bytes) -> bytes:
    """``doctype`` placed after the XML declaration (if any) of ``xml``."""
    match = re.match(rb"\s*<\?xml[^>]*\?>", xml)
    head = match.group(0) if match else b""
    return head + b"\n" + doctype + xml[len(head) :]


@pytest.mark.parametrize("doctype", DOCTYPES)
def test_parse_bytes_refuses_any_doctype(doctype: bytes) -> None:
    with pytest.raises(ParseError, match="DOCTYPE") as info:
        parse_bytes(
            doctype + b"<x>&e;</x>" if b"ENTITY e" in doctype else doctype + b"<x/>", "m.xml"
        )
    assert info.value.file == "m.xml"


@pytest.mark.parametrize("doctype", DOCTYPES[:3])
def test_un_list_with_external_entity_doctype_is_refused(doctype: bytes, tmp_path: Path) -> None:
    source = demo_files("un_sc")[0].read_bytes()
    path = tmp_path / "consolidated.xml"
    path.write_bytes(_with_doctype(source, doctype))
    with pytest.raises(ParseError, match="DOCTYPE") as info:
        list(parse_source("un_sc", [path]).entities())
    assert info.value.file == str(path)


FIXTURES = Path(__file__).resolve().parent / "fixtures"


@pytest.mark.parametrize(
    ("source", "original"),
    [
        ("eu_fsf", None),
        ("ofac_sdn", FIXTURES / "ofac_advanced" / "sdn_advanced.xml"),
        ("kz_afm", FIXTURES / "kz_afm" / "afm_websfm.xml"),
    ],
)
def test_other_xml_lists_refuse_doctype(source: str, original: Path | None, tmp_path: Path) -> None:
    original = original or demo_files(source)[0]
    path = tmp_path / original.name
    path.write_bytes(_with_doctype(original.read_bytes(), DOCTYPES[0]))
    with pytest.raises(ParseError, match="DOCTYPE"):
        list(parse_source(source, [path]).entities())


def test_iter_elements_refuses_before_reading_any_element(tmp_path: Path) -> None:
    path = tmp_path / "x.xml"
    path.write_bytes(DOCTYPES[0] + b"<r><a>1</a><a>&e;</a></r>")
    seen: list[str] = []
    with pytest.raises(ParseError, match="DOCTYPE"):
        for el in iter_elements(path, {"a"}):
            seen.append(el.text or "")
    assert seen == []


def test_payment_message_with_doctype_is_refused() -> None:
    raw = _with_doctype(
        b'<?xml version="1.0"?><Document xmlns="urn:iso:std:iso:20022:tech:xsd:pacs.008.001.08"/>',
        DOCTYPES[0],
    )
    with pytest.raises(ParseError, match="DOCTYPE"):
        parse_message(raw, "pay.xml")


def test_no_other_xml_parser_in_the_package() -> None:
    """Every XML input goes through circumspect.sources.xmlutil: no module imports lxml or
    the standard library's XML parsers directly."""
    pattern = re.compile(
        r"^\s*(from|import)\s+(lxml|xml\.(etree|dom|sax(?!\.saxutils)|parsers)|defusedxml)\b",
        re.MULTILINE,
    )
    offenders = [
        str(path.relative_to(PACKAGE))
        for path in PACKAGE.rglob("*.py")
        if path.name != "xmlutil.py" and pattern.search(path.read_text(encoding="utf-8"))
    ]
    assert offenders == []
