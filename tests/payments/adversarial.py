"""Adversarial payment messages, generated at test time from the message definitions.

Base messages are clean payments in every supported format (pacs.008.001.08,
pacs.009.001.08 COV, pain.001.001.09, each with a head.001 header where the format has one;
MT103, MT202, MT202 COV). The corpus then derives, from the cardinality data
(``circumspect/payments/data/iso20022_structure.csv`` and ``mt_fields.csv``):

* every element (ISO) and field (MT) of each base message given twice, the copy carrying a
  listed party (name, BIC, town, remittance text replaced): a non-repeatable element must be
  ``error``; a repeatable one is screened and must be held or rejected;
* every text element with a child element inside it (mixed content) and every complex element
  with an unknown child, both carrying a listed name;
* every case named in issue 13.

Every message of the corpus must end in a decision other than ``pass``.
"""

from __future__ import annotations

import copy
import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from lxml import etree

from circumspect.payments.render import BankSpec, PartySpec, PaymentSpec, iban, render
from circumspect.payments.structure import (
    ComplexType,
    Rule,
    Schema,
    is_agent_type,
    is_party_type,
    schemas,
)
from circumspect.sources.xmlutil import parse_bytes

LISTED_BIC = "SABRRUMMXXX"
LISTED_BANK = "PUBLIC JOINT STOCK COMPANY SBERBANK OF RUSSIA"
LISTED_COMPANY = "ARLAN TRADE LLP"
LISTED_PERSON = "GENNADY TIMCHENKO"
LISTED_TOWN = "Simferopol"
#: Listed names in the forms an evader would write them (order, script, spelling).
LISTED_NAMES = (
    LISTED_COMPANY,
    LISTED_PERSON,
    "TIMCHENKO GENNADY",
    "Gennadiy Timchenko",
    "Геннадий Тимченко",
    "ARLAN TRADE LIMITED LIABILITY PARTNERSHIP",
)


@dataclass(frozen=True)
class Case:
    name: str
    raw: bytes
    expect: str  # "error" or "stop" (hold, reject or error)


def base_spec(currency: str = "EUR") -> PaymentSpec:
    return PaymentSpec(
        msg_id="HSBK260115-0042",
        amount=Decimal("48750.00"),
        currency=currency,
        value_date=date(2026, 1, 15),
        debtor=PartySpec(
            "TOO Zhetysu Agro",
            "Tole Bi Street 101",
            "Almaty",
            "050012",
            "KZ",
            "KZ42601KZT0000123456",
        ),
        creditor=PartySpec(
            "Weber Landtechnik GmbH",
            "Industriestrasse 14",
            "Stuttgart",
            "70565",
            "DE",
            iban("DE", "370400440532013000"),
        ),
        debtor_agent=BankSpec("HSBKKZKX", "Halyk Bank", "Almaty", "KZ"),
        creditor_agent=BankSpec("COBADEFFXXX", "Commerzbank", "Frankfurt", "DE"),
        remittance="Invoice 2026/0115 spare parts for combine harvesters",
    )


ISO_FORMATS = ("pacs.008", "pacs.009", "pain.001")


def base_messages() -> dict[str, bytes]:
    spec = base_spec()
    out = {fmt: render(spec, fmt) for fmt in (*ISO_FORMATS, "MT103", "MT202")}
    out["MT202 COV"] = mt202_cov()
    return out


def mt202_cov() -> bytes:
    lines = [
        ":20:HSBK260115-0042",
        ":21:ZA-INV-2026-0115",
        ":32A:260115EUR48750,00",
        ":57A:COBADEFFXXX",
        ":58A:COBADEFFXXX",
        ":50K:/KZ42601KZT0000123456",
        "TOO ZHETYSU AGRO",
        "ALMATY KZ",
        ":59:/" + iban("DE", "370400440532013000"),
        "WEBER LANDTECHNIK GMBH",
        "STUTTGART DE",
        ":70:INVOICE 2026/0115 SPARE PARTS",
        ":33B:EUR48750,00",
    ]
    return (
        "{1:F01HSBKKZKXAXXX0000000000}{2:I202COBADEFFXXXXN}{3:{119:COV}}{4:\r\n"
        + "\r\n".join(lines)
        + "\r\n-}"
    ).encode("ascii")


# -- ISO 20022 ------------------------------------------------------------------------------


def _local(tag: object) -> tuple[str, str]:
    text = str(tag)
    if text.startswith("{"):
        ns, _, name = text[1:].partition("}")
        return ns, name
    return "", text


def _schema_for(el: Any) -> Schema:
    ns = _local(el.tag)[0]
    return schemas()[ns.rsplit(":", 1)[-1]]


def typed_elements(root: Any) -> Iterator[tuple[Any, Rule, ComplexType | None]]:
    """(element, its rule, its complex type or None) for every element of the Document body
    and the AppHdr under ``root``, using the cardinality data."""
    for top in root.iter():
        name = _local(top.tag)[1]
        if name == "Document":
            body = top[0]
            schema = _schema_for(top)
        elif name == "AppHdr":
            body = top
            schema = _schema_for(top)
        else:
            continue
        stack: list[tuple[Any, Rule]] = [(body, schema.root)]
        while stack:
            el, rule = stack.pop()
            ctype = schema.types.get(rule.type)
            yield el, rule, ctype
            if ctype is None or ctype.wildcard:
                continue
            for child in el:
                sub = ctype.elements.get(_local(child.tag)[1])
                if sub is not None:
                    stack.append((child, sub))


_TAINT_TEXT = {
    "Nm": LISTED_COMPANY,
    "BICFI": LISTED_BIC,
    "AnyBIC": LISTED_BIC,
    "BIC": LISTED_BIC,
    "TwnNm": LISTED_TOWN,
    "Ustrd": f"for {LISTED_PERSON}",
    "AddtlRmtInf": f"for {LISTED_PERSON}",
    "InstrInf": f"for {LISTED_PERSON}",
}


def taint(el: Any) -> None:
    """Put a listed party into every name, BIC, town and free-text element under ``el``."""
    for sub in el.iter():
        name = _local(sub.tag)[1]
        if name in _TAINT_TEXT and len(sub) == 0:
            sub.text = _TAINT_TEXT[name]


def _serialise(root: Any) -> bytes:
    return bytes(etree.tostring(root, xml_declaration=True, encoding="UTF-8"))


def _path(el: Any) -> str:
    parts: list[str] = []
    node = el
    while node is not None:
        parts.append(_local(node.tag)[1])
        node = node.getparent()
    return "/".join(reversed(parts))


def _fix_totals(root: Any) -> None:
    """Make NbOfTxs/CtrlSum agree with the transactions again (so that only screening can
    stop a legitimately repeated transaction)."""
    for head in root.iter():
        name = _local(head.tag)[1]
        if name not in ("GrpHdr", "PmtInf"):
            continue
        scope = head.getparent() if name == "GrpHdr" else head
        txs = [e for e in scope.iter() if _local(e.tag)[1] == "CdtTrfTxInf"]
        txs = [t for t in txs if _local(t.getparent().tag)[1] != "UndrlygCstmrCdtTrf"]
        amounts = [
            Decimal(a.text) for t in txs for a in t if _local(a.tag)[1] in ("IntrBkSttlmAmt",)
        ] + [Decimal(a.text) for t in txs for a in t.iter() if _local(a.tag)[1] == "InstdAmt"]
        for child in head:
            if _local(child.tag)[1] == "NbOfTxs":
                child.text = str(len(txs))
            elif _local(child.tag)[1] == "CtrlSum":
                child.text = f"{sum(amounts):.2f}"


def _party_positions(raw: bytes) -> list[tuple[int, str, bool]]:
    """(index in typed order, kind "party"/"agent"/"text", repeatable) of every place a
    party or free text can sit in the message, present or optional-but-absent."""
    out: list[tuple[int, str, bool]] = []
    for index, (_, _, ctype) in enumerate(typed_elements(parse_bytes(raw))):
        if ctype is None or ctype.wildcard:
            continue
        for name, rule in ctype.elements.items():
            kind = (
                "agent"
                if is_agent_type(rule.type)
                else "party"
                if is_party_type(rule.type)
                else "text"
                if name in ("Ustrd", "AddtlRmtInf", "InstrInf")
                else ""
            )
            if kind:
                out.append((index, f"{kind}:{name}", rule.maximum != 1))
    return out


def _insert(parent: Any, ctype: Any, name: str, new: Any) -> None:
    """Insert ``new`` (element ``name``) into ``parent`` at its place in the sequence."""
    order = ctype.order[name]
    for i, child in enumerate(parent):
        if ctype.order.get(_local(child.tag)[1], -1) > order:
            parent.insert(i, new)
            return
    parent.append(new)


def _element(ns: str, kind: str, name: str, listed: str, by_bic: bool) -> Any:
    q = f"{{{ns}}}"
    el = etree.Element(q + name)
    if kind == "agent":
        fin = etree.SubElement(el, q + "FinInstnId")
        if by_bic:
            etree.SubElement(fin, q + "BICFI").text = LISTED_BIC
        else:
            etree.SubElement(fin, q + "Nm").text = LISTED_BANK
    elif kind == "party":
        etree.SubElement(el, q + "Nm").text = listed
        if not by_bic:
            adr = etree.SubElement(el, q + "PstlAdr")
            etree.SubElement(adr, q + "TwnNm").text = LISTED_TOWN
    else:
        el.text = f"payment for {listed}"
    return el


def iso_party_positions_twice(fmt: str, raw: bytes) -> Iterator[Case]:
    """Every party, bank and free-text position of the message definition (present in the
    base message or not) filled twice with a listed party: an error where the position is
    not repeatable, else screened (held or rejected)."""
    for index, what, repeatable in _party_positions(raw):
        kind, name = what.split(":")
        tree = parse_bytes(raw)
        parent, _, ctype = list(typed_elements(tree))[index]
        if ctype is None or ctype.choice:
            continue
        ns = _local(parent.tag)[0]
        for by_bic in (True, False):
            for _ in range(2):
                _insert(parent, ctype, name, _element(ns, kind, name, LISTED_PERSON, by_bic))
            yield Case(
                f"{fmt} twice {_path(parent)}/{name} ({'BIC' if by_bic else 'name'})",
                _serialise(tree),
                "stop" if repeatable else "error",
            )
            tree = parse_bytes(raw)
            parent, _, ctype = list(typed_elements(tree))[index]
            if kind == "text":
                break


def iso_repetitions(fmt: str, raw: bytes) -> Iterator[Case]:
    """Every element of the message given twice, the copy carrying listed parties."""
    root = parse_bytes(raw)
    count = sum(1 for _ in typed_elements(root))
    for index in range(count):
        tree = parse_bytes(raw)
        el, rule, _ = list(typed_elements(tree))[index]
        parent = el.getparent()
        if parent is None or _local(parent.tag)[1] == "Document":
            continue
        twin = copy.deepcopy(el)
        taint(twin)
        el.addnext(twin)
        expect = "error" if rule.maximum == 1 else "stop"
        yield Case(f"{fmt} repeat {_path(el)}", _serialise(tree), expect)
        if rule.maximum != 1 and _local(el.tag)[1] in ("CdtTrfTxInf", "PmtInf"):
            _fix_totals(tree)
            yield Case(f"{fmt} repeat {_path(el)} (totals agree)", _serialise(tree), "stop")


def iso_mixed_and_unknown(fmt: str, raw: bytes) -> Iterator[Case]:
    """A listed name hidden in a child of a text element, or in an unknown element."""
    count = sum(1 for _ in typed_elements(parse_bytes(raw)))
    for index in range(count):
        tree = parse_bytes(raw)
        el, _, ctype = list(typed_elements(tree))[index]
        ns = _local(el.tag)[0]
        if ctype is None:
            bold = etree.SubElement(el, "b" if not ns else f"{{{ns}}}b")
            bold.text = LISTED_COMPANY
            yield Case(f"{fmt} mixed content in {_path(el)}", _serialise(tree), "error")
        elif not ctype.wildcard:
            extra = etree.SubElement(el, f"{{{ns}}}Xtra" if ns else "Xtra")
            extra.text = LISTED_COMPANY
            yield Case(f"{fmt} unknown element in {_path(el)}", _serialise(tree), "error")


def _iso_edit(raw: bytes, tag: str, edit: Any) -> bytes:
    tree = parse_bytes(raw)
    for el in tree.iter():
        if _local(el.tag)[1] == tag:
            edit(el)
            break
    return _serialise(tree)


def _twin(tag: str, text_tag: str, value: str) -> Any:
    def edit(el: Any) -> None:
        twin = copy.deepcopy(el)
        for sub in twin.iter():
            if _local(sub.tag)[1] == text_tag:
                sub.text = value
        el.addnext(twin)

    return edit


def issue_cases() -> Iterator[Case]:
    """Every case named in issue 13 (payments part)."""
    spec = base_spec()
    pacs = render(spec, "pacs.008")
    yield Case(
        "two CdtrAgt, second Sberbank",
        _iso_edit(pacs, "CdtrAgt", _twin("CdtrAgt", "BICFI", LISTED_BIC)),
        "error",
    )
    yield Case(
        "two DbtrAgt", _iso_edit(pacs, "DbtrAgt", _twin("DbtrAgt", "BICFI", LISTED_BIC)), "error"
    )

    def two_bics(el: Any) -> None:
        for sub in el.iter():
            if _local(sub.tag)[1] == "BICFI":
                twin = copy.deepcopy(sub)
                twin.text = LISTED_BIC
                sub.addnext(twin)
                return

    yield Case("two BICFI in one FinInstnId", _iso_edit(pacs, "CdtrAgt", two_bics), "error")

    def two_names(el: Any) -> None:
        for sub in el:
            if _local(sub.tag)[1] == "Nm":
                twin = copy.deepcopy(sub)
                twin.text = LISTED_COMPANY
                sub.addnext(twin)
                return

    yield Case("two Nm in Cdtr", _iso_edit(pacs, "Cdtr", two_names), "error")
    yield Case("two Cdtr", _iso_edit(pacs, "Cdtr", _twin("Cdtr", "Nm", LISTED_COMPANY)), "error")

    def two_addresses(el: Any) -> None:
        for sub in el:
            if _local(sub.tag)[1] == "PstlAdr":
                twin = copy.deepcopy(sub)
                for x in twin:
                    if _local(x.tag)[1] == "TwnNm":
                        x.text = LISTED_TOWN
                sub.addnext(twin)
                return

    yield Case("two PstlAdr, second Simferopol", _iso_edit(pacs, "Cdtr", two_addresses), "error")
    yield Case("two Fr in AppHdr", _iso_edit(pacs, "Fr", _twin("Fr", "BICFI", LISTED_BIC)), "error")
    yield Case(
        "mixed content in Nm",
        pacs.replace(b"<Nm>Weber Landtechnik GmbH</Nm>", b"<Nm>Weber <b>ARLAN TRADE LLP</b></Nm>"),
        "error",
    )
    yield Case(
        "unknown element in Cdtr",
        pacs.replace(
            b"<Nm>Weber Landtechnik GmbH</Nm>",
            b"<Nm>Weber Landtechnik GmbH</Nm><Alias>ARLAN TRADE LLP</Alias>",
        ),
        "error",
    )
    yield Case(
        "NbOfTxs 2 with one transaction",
        pacs.replace(b"<NbOfTxs>1</NbOfTxs>", b"<NbOfTxs>2</NbOfTxs>"),
        "error",
    )
    pain = render(spec, "pain.001")
    yield Case(
        "CtrlSum that does not match",
        pain.replace(b"<CtrlSum>48750.00</CtrlSum>", b"<CtrlSum>4875.00</CtrlSum>", 1),
        "error",
    )
    yield Case(
        "EUR with three decimals",
        pacs.replace(b'Ccy="EUR">48750.00<', b'Ccy="EUR">48750.001<'),
        "error",
    )
    jpy = render(base_spec("JPY"), "pacs.008")
    yield Case("JPY with decimals", jpy, "error")
    yield Case(
        "Ustrd naming a listed person in natural order",
        pacs.replace(
            b"Invoice 2026/0115 spare parts for combine harvesters", b"for GENNADY TIMCHENKO"
        ),
        "stop",
    )
    mt = render(spec, "MT103")
    yield Case(
        "MT103 :59: empty first line then a listed name",
        re.sub(rb":59:[^\r\n]*\r\n[^\r\n]*", b":59:\r\nGENNADY TIMCHENKO", mt, count=1),
        "error",
    )
    yield Case(
        "MT103 duplicate :32A:",
        re.sub(rb"(:32A:[^\r\n]*)", rb"\1\r\n:32A:260115EUR100,00", mt, count=1),
        "error",
    )
    yield Case(
        "MT103 :70: listed person",
        re.sub(rb":70:[^\r\n]*", b":70:GENNADY TIMCHENKO", mt, count=1),
        "stop",
    )
    yield Case(
        "MT103 :72: listed person",
        mt.replace(b":71A:SHA", b":71A:SHA\r\n:72:/BNF/FOR GENNADY TIMCHENKO"),
        "stop",
    )
    yield Case("MT103 EUR three decimals", mt.replace(b"EUR48750,00", b"EUR48750,001"), "error")
    yield Case("MT103 JPY decimals", render(base_spec("JPY"), "MT103"), "error")


# -- SWIFT MT ---------------------------------------------------------------------------------

_FIELD = re.compile(rb"^:(\d{2}[A-Z]?):", re.MULTILINE)


def _mt_fields(raw: bytes) -> list[tuple[int, int, bytes]]:
    """(start, end, tag) of each field of block 4."""
    body_start = raw.index(b"{4:")
    body_end = raw.rindex(b"\r\n-}")
    starts = [(m.start(), m.group(1)) for m in _FIELD.finditer(raw, body_start)]
    out: list[tuple[int, int, bytes]] = []
    for i, (start, tag) in enumerate(starts):
        end = starts[i + 1][0] - 2 if i + 1 < len(starts) else body_end
        out.append((start, end, tag))
    return out


def _mt_taint(field: bytes) -> bytes:
    text = field.decode("ascii")
    tag, _, rest = text[1:].partition(":")
    lines = rest.split("\r\n")
    if tag.endswith("A") and tag[:2] in (
        "50",
        "51",
        "52",
        "53",
        "54",
        "55",
        "56",
        "57",
        "58",
        "59",
    ):
        lines[-1] = LISTED_BIC
    elif tag[:2] in ("50", "52", "53", "54", "55", "56", "57", "58", "59"):
        index = 1 if lines[0].startswith("/") and len(lines) > 1 else 0
        lines[index] = LISTED_PERSON if tag[:2] in ("50", "59") else "SBERBANK OF RUSSIA"
    elif tag[:2] in ("70", "72"):
        lines = [f"FOR {LISTED_PERSON}"]
    return (f":{tag}:" + "\r\n".join(lines)).encode("ascii")


def mt_repetitions(fmt: str, raw: bytes) -> Iterator[Case]:
    """Every field given twice (the copy carrying a listed party); none of the fields in the
    base messages is repeatable, so each must be an error."""
    for start, end, tag in _mt_fields(raw):
        field = raw[start:end]
        doubled = raw[:end] + b"\r\n" + _mt_taint(field) + raw[end:]
        yield Case(f"{fmt} repeat :{tag.decode()}:", doubled, "error")


#: A valid sample value of each MT field (option) not in the base messages.
_MT_SAMPLES = {
    "13C": "/SNDTIME/1249+0100",
    "23E": "SDVA",
    "26T": "K90",
    "33B": "EUR48750,00",
    "36": "1,0",
    "51A": "HSBKKZKX",
    "52a": "52D:" + LISTED_PERSON + "\r\nMOSCOW",
    "53a": "53A:" + LISTED_BIC,
    "54a": "54A:" + LISTED_BIC,
    "55a": "55A:" + LISTED_BIC,
    "56a": "56A:" + LISTED_BIC,
    "57a": "57D:" + LISTED_BANK[:35] + "\r\nMOSCOW",
    "70": "70:FOR " + LISTED_PERSON,
    "71F": "EUR10,00",
    "71G": "EUR10,00",
    "72": "72:/BNF/" + LISTED_PERSON,
    "77B": "/ORDERRES/DE//MEILAND",
}


def _rule_index(rules: tuple[Any, ...], tag: str) -> int:
    for i, rule in enumerate(rules):
        if (rule.tag.endswith("a") and tag[:2] == rule.tag[:2]) or rule.tag == tag:
            return i
    raise KeyError(tag)


def mt_definition_repetitions(fmt: str, raw: bytes) -> Iterator[Case]:
    """Every non-repeatable field of the MT definition that the base message lacks, given
    twice (the copies carrying a listed party where the field can): an error."""
    from circumspect.payments.mt import field_rules

    message = fmt.split()[0]
    rules = field_rules()[message]
    if fmt.endswith("COV"):
        rules = rules + field_rules()["MT202 COV"]
    fields = _mt_fields(raw)
    present = [_rule_index(rules, t.decode()) for _, _, t in fields]
    for index, rule in enumerate(rules):
        if rule.max_repeat != 1 or index in present or rule.tag not in _MT_SAMPLES:
            continue
        sample = _MT_SAMPLES[rule.tag]
        line = (
            f":{sample}" if rule.tag.endswith("a") or ":" in sample[:4] else f":{rule.tag}:{sample}"
        )
        after = [i for i, p in enumerate(present) if p < index]
        at = fields[after[-1]][1] if after else fields[0][0] - 2
        twice = ("\r\n" + line) * 2
        yield Case(
            f"{fmt} definition field {rule.label} twice",
            raw[:at] + twice.encode() + raw[at:],
            "error",
        )


def mt_line_cases(fmt: str, raw: bytes) -> Iterator[Case]:
    """An empty line inside each multi-line field, and each field given an extra line
    beyond its maximum or a line wider than 35 characters."""
    for start, end, tag in _mt_fields(raw):
        field = raw[start:end]
        head, sep, _ = field.partition(b":" + tag + b":")
        yield Case(
            f"{fmt} :{tag.decode()}: empty first line",
            raw[:start] + head + sep + b"\r\n" + _mt_taint(field)[len(sep) :] + raw[end:],
            "error",
        )
        wide = field + b" " + b"X" * 40
        yield Case(f"{fmt} :{tag.decode()}: line too wide", raw[:start] + wide + raw[end:], "error")
        many = field + (b"\r\nFOR " + LISTED_PERSON.encode()) * 6
        yield Case(
            f"{fmt} :{tag.decode()}: too many lines", raw[:start] + many + raw[end:], "error"
        )


def corpus() -> list[Case]:
    cases = list(issue_cases())
    for fmt, raw in base_messages().items():
        if fmt in ISO_FORMATS:
            cases.extend(iso_repetitions(fmt, raw))
            cases.extend(iso_mixed_and_unknown(fmt, raw))
            cases.extend(iso_party_positions_twice(fmt, raw))
        else:
            cases.extend(mt_repetitions(fmt, raw))
            cases.extend(mt_definition_repetitions(fmt, raw))
            cases.extend(mt_line_cases(fmt, raw))
    return cases
