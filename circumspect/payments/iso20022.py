"""ISO 20022 payment messages: pacs.008 (customer credit transfer), pacs.009 (financial
institution credit transfer, incl. the cover variant) and pain.001 (customer credit transfer
initiation).

Element lookups ignore the namespace (``{*}``), so every message version whose element names
are those of the published definitions reads the same way (tested: pacs.008.001.08/.10/.13,
pacs.009.001.08/.10, pain.001.001.03/.09/.11). Both ``BICFI`` (2009 onwards) and ``BIC``
(older versions) carry an agent's BIC. A business application header (``AppHdr``, head.001)
beside the ``Document`` gives the sender and receiver.

The parser never guesses: an element it needs that is missing or malformed raises
:class:`ParseError` naming the element path; the screening turns that into ``error``.
"""

from __future__ import annotations

import re
from datetime import date
from decimal import Decimal
from typing import TypeAlias

from lxml import etree

from circumspect.errors import ParseError
from circumspect.payments.checks import (
    check_country,
    check_currency,
    normalize_account,
    normalize_bic,
    parse_amount,
)
from circumspect.payments.model import Agent, Party, PaymentMessage, Transfer

_El: TypeAlias = etree._Element

_NS = re.compile(
    r"^urn:(?:iso:std:iso:20022:tech:xsd|swift:xsd):(?P<kind>[a-z]{4}\.\d{3})"
    r"\.\d{3}\.(?P<version>\d{2})$"
)
SUPPORTED: dict[str, str] = {
    "pacs.008": "FIToFICstmrCdtTrf",
    "pacs.009": "FICdtTrf",
    "pain.001": "CstmrCdtTrfInitn",
}
#: Largest message accepted (a real payment message is a few kilobytes).
MAX_BYTES = 2_000_000


def _parser() -> etree.XMLParser:
    return etree.XMLParser(
        resolve_entities=False,
        no_network=True,
        load_dtd=False,
        huge_tree=False,
        remove_comments=True,
        remove_pis=True,
    )


def _local(el: _El) -> str:
    tag = el.tag
    if not isinstance(tag, str):
        return ""
    return tag.rpartition("}")[2]


class _Reader:
    """Namespace-agnostic lookups with error paths for one message."""

    def __init__(self, file: str | None) -> None:
        self.file = file

    def text(self, el: Node | None, path: str) -> str | None:
        if el is None:
            return None
        found = el.find(_wild(path))
        if found is None or found.text is None:
            return None
        value = " ".join(found.text.split())
        return value or None

    def texts(self, el: Node | None, path: str) -> list[str]:
        if el is None:
            return []
        out: list[str] = []
        for found in el.findall(_wild(path)):
            if found.text and found.text.strip():
                out.append(" ".join(found.text.split()))
        return out

    def find(self, el: Node | None, path: str) -> Node | None:
        if el is None:
            return None
        return el.find(_wild(path))

    def error(self, message: str, field: str) -> ParseError:
        return ParseError(message, file=self.file, field=field)

    # -- building blocks ------------------------------------------------------------------

    def address(
        self, el: Node | None, field: str
    ) -> tuple[tuple[str, ...], str | None, str | None]:
        """(address lines, town, country) of a ``PstlAdr``."""
        adr = self.find(el, "PstlAdr")
        if adr is None:
            return (), None, None
        lines: list[str] = []
        street = " ".join(
            v
            for v in (self.text(adr, "StrtNm"), self.text(adr, "BldgNb"), self.text(adr, "BldgNm"))
            if v
        )
        for value in (
            self.text(adr, "Dept"),
            self.text(adr, "SubDept"),
            street,
            self.text(adr, "PstBx"),
            self.text(adr, "PstCd"),
            self.text(adr, "TwnLctnNm"),
            self.text(adr, "DstrctNm"),
            self.text(adr, "CtrySubDvsn"),
        ):
            if value:
                lines.append(value)
        lines.extend(self.texts(adr, "AdrLine"))
        town = self.text(adr, "TwnNm")
        country_text = self.text(adr, "Ctry")
        country = (
            check_country(country_text, f"{field}/PstlAdr/Ctry", self.file)
            if country_text
            else None
        )
        return tuple(lines), town, country

    def account(self, el: Node | None, field: str) -> str | None:
        if el is None:
            return None
        iban = self.text(el, "Id/IBAN")
        if iban:
            return normalize_account(iban, f"{field}/Id/IBAN", self.file)
        other = self.text(el, "Id/Othr/Id")
        if other:
            return normalize_account(other, f"{field}/Id/Othr/Id", self.file)
        return None

    def bic(self, el: Node | None, path: str, field: str) -> str | None:
        for name in (f"{path}/BICFI", f"{path}/BIC", f"{path}/AnyBIC", f"{path}/BICOrBEI"):
            value = self.text(el, name)
            if value:
                return normalize_bic(value, f"{field}/{name}", self.file)
        return None

    def party(
        self,
        parent: Node | None,
        tag: str,
        role: str,
        account_tag: str | None = None,
    ) -> Party | None:
        el = self.find(parent, tag)
        if el is None:
            return None
        name = self.text(el, "Nm")
        address, town, country = self.address(el, tag)
        residence = self.text(el, "CtryOfRes")
        if country is None and residence:
            country = check_country(residence, f"{tag}/CtryOfRes", self.file)
        bic = self.bic(el, "Id/OrgId", tag)
        idents = tuple(
            self.texts(el, "Id/OrgId/Othr/Id")
            + self.texts(el, "Id/OrgId/LEI")
            + self.texts(el, "Id/PrvtId/Othr/Id")
        )
        account = self.account(self.find(parent, account_tag), account_tag) if account_tag else None
        if not name and not bic and not idents and not account:
            raise self.error(f"{tag} has neither name nor identifier", tag)
        return Party(
            role=role,
            name=name,
            address=address,
            town=town,
            country=country,
            account=account,
            bic=bic,
            identifiers=idents,
            field=tag,
        )

    def agent(
        self,
        parent: Node | None,
        tag: str,
        role: str,
        account_tag: str | None = None,
    ) -> Agent | None:
        el = self.find(parent, tag)
        if el is None:
            return None
        fin = self.find(el, "FinInstnId")
        if fin is None:
            raise self.error(f"{tag} has no FinInstnId", tag)
        bic = self.bic(fin, ".", f"{tag}/FinInstnId")
        name = self.text(fin, "Nm")
        address, town, country = self.address(fin, f"{tag}/FinInstnId")
        account = self.account(self.find(parent, account_tag), account_tag) if account_tag else None
        if not bic and not name:
            raise self.error(
                f"{tag} is identified neither by BIC nor by name "
                "(a clearing member id alone cannot be screened)",
                tag,
            )
        return Agent(
            role=role,
            bic=bic,
            name=name,
            address=address,
            town=town,
            country=country,
            account=account,
            field=tag,
        )

    def amount(self, el: Node | None, path: str) -> tuple[Decimal, str]:
        found = self.find(el, path)
        if found is None or not (found.text or "").strip():
            raise self.error(f"missing mandatory element {path}", path)
        ccy = found.get("Ccy")
        if not ccy:
            raise self.error(f"{path} has no Ccy attribute", path)
        amount = parse_amount(found.text or "", path, self.file)
        currency = check_currency(ccy, f"{path}/@Ccy", self.file)
        return amount, currency

    def date(self, el: Node | None, path: str) -> date | None:
        value = self.text(el, path)
        if value is None:
            return None
        try:
            return date.fromisoformat(value[:10])
        except ValueError as exc:
            raise self.error(f"invalid date {value[:30]!r}", path) from exc

    def remittance(self, tx: Node) -> str:
        parts: list[str] = []
        parts.extend(self.texts(tx, "RmtInf/Ustrd"))
        parts.extend(self.texts(tx, "RmtInf/Strd/AddtlRmtInf"))
        parts.extend(self.texts(tx, "RmtInf/Strd/CdtrRefInf/Ref"))
        parts.extend(self.texts(tx, "RmtInf/Strd/RfrdDocInf/Nb"))
        parts.extend(self.texts(tx, "InstrForCdtrAgt/InstrInf"))
        parts.extend(self.texts(tx, "InstrForNxtAgt/InstrInf"))
        parts.extend(self.texts(tx, "Purp/Prtry"))
        parts.extend(self.texts(tx, "RgltryRptg/Dtls/Inf"))
        return "\n".join(parts)


def _wild(path: str) -> str:
    return path


class Node:
    """An element reduced to what the reader needs: local-name children in a dict, text and
    attributes. Built once per message; lookups are dictionary gets (far cheaper than lxml
    path searches, which dominated the parse time)."""

    __slots__ = ("attrib", "children", "tag", "text")

    def __init__(self, tag: str, text: str | None, attrib: dict[str, str]) -> None:
        self.tag = tag
        self.text = text
        self.attrib = attrib
        self.children: dict[str, list[Node]] = {}

    @classmethod
    def build(cls, root: _El) -> Node:
        """The tree under ``root`` (comments and processing instructions are skipped)."""
        top = cls(_local(root), root.text, dict(root.attrib) if root.attrib else {})
        stack: list[tuple[_El, Node]] = [(root, top)]
        while stack:
            el, node = stack.pop()
            children = node.children
            for child in el:
                tag = child.tag
                if not isinstance(tag, str):
                    continue
                brace = tag.find("}")
                local = tag[brace + 1 :] if brace >= 0 else tag
                attrib = child.attrib
                sub = cls(local, child.text, dict(attrib) if attrib else {})
                found = children.get(local)
                if found is None:
                    children[local] = [sub]
                else:
                    found.append(sub)
                if len(child):
                    stack.append((child, sub))
        return top

    def get(self, name: str) -> str | None:
        value = self.attrib.get(name)
        return None if value is None else str(value)

    def findall(self, path: str) -> list[Node]:
        nodes = [self]
        for part in path.split("/"):
            if part == ".":
                continue
            nxt: list[Node] = []
            for node in nodes:
                nxt.extend(node.children.get(part, ()))
            nodes = nxt
            if not nodes:
                break
        return nodes

    def find(self, path: str) -> Node | None:
        node: Node | None = self
        for part in path.split("/"):
            if part == ".":
                continue
            assert node is not None
            found = node.children.get(part)
            if not found:
                return None
            node = found[0]
        return node


def _agents(r: _Reader, tx: Node, specs: list[tuple[str, str, str | None]]) -> list[Agent]:
    out: list[Agent] = []
    for tag, role, acct in specs:
        agent = r.agent(tx, tag, role, acct)
        if agent is not None:
            out.append(agent)
    return out


_CHAIN = [
    ("PrvsInstgAgt1", "previous_instructing_agent", None),
    ("PrvsInstgAgt2", "previous_instructing_agent", None),
    ("PrvsInstgAgt3", "previous_instructing_agent", None),
    ("InstgAgt", "instructing_agent", None),
    ("InstdAgt", "instructed_agent", None),
    ("IntrmyAgt1", "intermediary_agent", "IntrmyAgt1Acct"),
    ("IntrmyAgt2", "intermediary_agent", "IntrmyAgt2Acct"),
    ("IntrmyAgt3", "intermediary_agent", "IntrmyAgt3Acct"),
    ("DbtrAgt", "debtor_agent", "DbtrAgtAcct"),
    ("CdtrAgt", "creditor_agent", "CdtrAgtAcct"),
]


def _customer_parties(r: _Reader, tx: Node, *, required: bool) -> list[Party]:
    parties: list[Party] = []
    for tag, role, acct in (
        ("UltmtDbtr", "ultimate_debtor", None),
        ("InitgPty", "initiating_party", None),
        ("Dbtr", "debtor", "DbtrAcct"),
        ("Cdtr", "creditor", "CdtrAcct"),
        ("UltmtCdtr", "ultimate_creditor", None),
    ):
        party = r.party(tx, tag, role, acct)
        if party is not None:
            parties.append(party)
    if required:
        _require_named(r, parties, "debtor", "Dbtr")
        _require_named(r, parties, "creditor", "Cdtr")
    return parties


def _require_named(r: _Reader, parties: list[Party], role: str, tag: str) -> None:
    for party in parties:
        if party.role == role:
            if not party.name and not party.bic:
                raise r.error(f"{tag} has no name (Nm) to screen", f"{tag}/Nm")
            return
    raise r.error(f"missing mandatory element {tag}", tag)


def _require_agent(r: _Reader, agents: list[Agent], role: str, tag: str) -> None:
    if not any(a.role == role for a in agents):
        raise r.error(f"missing mandatory element {tag}", tag)


def _settlement_agents(r: _Reader, hdr: Node | None) -> list[Agent]:
    sttlm = r.find(hdr, "SttlmInf")
    out: list[Agent] = []
    for tag, role in (
        ("InstgRmbrsmntAgt", "senders_correspondent"),
        ("InstdRmbrsmntAgt", "receivers_correspondent"),
        ("ThrdRmbrsmntAgt", "third_reimbursement"),
    ):
        agent = r.agent(sttlm, tag, role, f"{tag}Acct")
        if agent is not None:
            out.append(agent)
    # Older versions carry the instructing/instructed agents in the group header.
    out.extend(
        _agents(
            r,
            hdr,
            [("InstgAgt", "instructing_agent", None), ("InstdAgt", "instructed_agent", None)],
        )
        if hdr is not None
        else []
    )
    return out


def _pacs008(r: _Reader, body: Node) -> tuple[str, str | None, list[Transfer], list[Agent]]:
    hdr = r.find(body, "GrpHdr")
    msg_id = _message_id(r, hdr)
    header_agents = _settlement_agents(r, hdr)
    hdr_date = r.date(hdr, "IntrBkSttlmDt")
    transfers: list[Transfer] = []
    for tx in body.findall("CdtTrfTxInf"):
        amount, currency = r.amount(tx, "IntrBkSttlmAmt")
        agents = _agents(r, tx, _CHAIN)
        _require_agent(r, agents, "debtor_agent", "DbtrAgt")
        _require_agent(r, agents, "creditor_agent", "CdtrAgt")
        transfers.append(
            Transfer(
                transaction_id=r.text(tx, "PmtId/UETR")
                or r.text(tx, "PmtId/EndToEndId")
                or r.text(tx, "PmtId/TxId"),
                amount=amount,
                currency=currency,
                value_date=r.date(tx, "IntrBkSttlmDt") or hdr_date,
                parties=tuple(_customer_parties(r, tx, required=True)),
                agents=tuple(agents),
                remittance=r.remittance(tx),
            )
        )
    if not transfers:
        raise r.error("missing mandatory element CdtTrfTxInf", "CdtTrfTxInf")
    return msg_id, r.text(hdr, "CreDtTm"), transfers, header_agents


def _pacs009(r: _Reader, body: Node) -> tuple[str, str | None, list[Transfer], list[Agent]]:
    hdr = r.find(body, "GrpHdr")
    msg_id = _message_id(r, hdr)
    header_agents = _settlement_agents(r, hdr)
    hdr_date = r.date(hdr, "IntrBkSttlmDt")
    transfers: list[Transfer] = []
    for tx in body.findall("CdtTrfTxInf"):
        amount, currency = r.amount(tx, "IntrBkSttlmAmt")
        agents = _agents(r, tx, _CHAIN)
        debtor = r.agent(tx, "Dbtr", "debtor_institution", "DbtrAcct")
        creditor = r.agent(tx, "Cdtr", "creditor_institution", "CdtrAcct")
        if debtor is None:
            raise r.error("missing mandatory element Dbtr", "Dbtr")
        if creditor is None:
            raise r.error("missing mandatory element Cdtr", "Cdtr")
        agents.extend([debtor, creditor])
        parties: list[Party] = []
        remittance = r.remittance(tx)
        cover = r.find(tx, "UndrlygCstmrCdtTrf")
        if cover is not None:
            parties.extend(_customer_parties(r, cover, required=True))
            agents.extend(
                Agent(
                    role=a.role,
                    bic=a.bic,
                    name=a.name,
                    address=a.address,
                    town=a.town,
                    country=a.country,
                    account=a.account,
                    field=f"UndrlygCstmrCdtTrf/{a.field}",
                )
                for a in _agents(r, cover, _CHAIN)
            )
            extra = r.remittance(cover)
            remittance = "\n".join(p for p in (remittance, extra) if p)
        transfers.append(
            Transfer(
                transaction_id=r.text(tx, "PmtId/UETR")
                or r.text(tx, "PmtId/EndToEndId")
                or r.text(tx, "PmtId/TxId"),
                amount=amount,
                currency=currency,
                value_date=r.date(tx, "IntrBkSttlmDt") or hdr_date,
                parties=tuple(parties),
                agents=tuple(agents),
                remittance=remittance,
            )
        )
    if not transfers:
        raise r.error("missing mandatory element CdtTrfTxInf", "CdtTrfTxInf")
    return msg_id, r.text(hdr, "CreDtTm"), transfers, header_agents


def _pain001(r: _Reader, body: Node) -> tuple[str, str | None, list[Transfer], list[Agent]]:
    hdr = r.find(body, "GrpHdr")
    msg_id = _message_id(r, hdr)
    initiating = r.party(hdr, "InitgPty", "initiating_party")
    transfers: list[Transfer] = []
    blocks = body.findall("PmtInf")
    if not blocks:
        raise r.error("missing mandatory element PmtInf", "PmtInf")
    for block in blocks:
        debtor = r.party(block, "Dbtr", "debtor", "DbtrAcct")
        ultimate = r.party(block, "UltmtDbtr", "ultimate_debtor")
        debtor_agent = r.agent(block, "DbtrAgt", "debtor_agent", "DbtrAgtAcct")
        exec_date = r.date(block, "ReqdExctnDt/Dt") or r.date(block, "ReqdExctnDt")
        txs = block.findall("CdtTrfTxInf")
        if not txs:
            raise r.error("missing mandatory element PmtInf/CdtTrfTxInf", "CdtTrfTxInf")
        for tx in txs:
            if r.find(tx, "Amt/InstdAmt") is not None:
                amount, currency = r.amount(tx, "Amt/InstdAmt")
            else:
                amount, currency = r.amount(tx, "Amt/EqvtAmt/Amt")
            parties: list[Party] = [p for p in (initiating, debtor, ultimate) if p is not None]
            parties.extend(_customer_parties(r, tx, required=False))
            _require_named(r, parties, "debtor", "Dbtr")
            _require_named(r, parties, "creditor", "Cdtr")
            agents: list[Agent] = [debtor_agent] if debtor_agent is not None else []
            agents.extend(_agents(r, tx, _CHAIN))
            _require_agent(r, agents, "debtor_agent", "DbtrAgt")
            transfers.append(
                Transfer(
                    transaction_id=r.text(tx, "PmtId/EndToEndId") or r.text(tx, "PmtId/InstrId"),
                    amount=amount,
                    currency=currency,
                    value_date=exec_date,
                    parties=tuple(parties),
                    agents=tuple(agents),
                    remittance=r.remittance(tx),
                )
            )
    return msg_id, r.text(hdr, "CreDtTm"), transfers, []


def _message_id(r: _Reader, hdr: Node | None) -> str:
    if hdr is None:
        raise r.error("missing mandatory element GrpHdr", "GrpHdr")
    msg_id = r.text(hdr, "MsgId")
    if not msg_id:
        raise r.error("missing mandatory element GrpHdr/MsgId", "GrpHdr/MsgId")
    return msg_id


_HANDLERS = {"pacs.008": _pacs008, "pacs.009": _pacs009, "pain.001": _pain001}


def parse_iso20022(raw: bytes, file: str | None = None) -> PaymentMessage:
    """One ISO 20022 message (optionally with its ``AppHdr``) as a :class:`PaymentMessage`."""
    if len(raw) > MAX_BYTES:
        raise ParseError(f"message larger than {MAX_BYTES} bytes", file=file)
    try:
        root = etree.fromstring(raw, parser=_parser())
    except etree.XMLSyntaxError as exc:
        line = getattr(exc, "lineno", None)
        raise ParseError(f"not well-formed XML: {exc.msg}", file=file, line=line) from exc
    if root is None:
        raise ParseError("empty XML document", file=file)
    tree = root.getroottree()
    if tree.docinfo.doctype:
        raise ParseError("XML with a DOCTYPE is refused (entity expansion)", file=file)
    if _local(root) == "Document":
        document = root
    else:
        documents = root.findall(".//{*}Document")
        if len(documents) > 1:
            raise ParseError(
                f"{len(documents)} Document elements in one file (one message per file)",
                file=file,
                field="Document",
            )
        document = documents[0] if documents else None
    if document is None:
        raise ParseError("no ISO 20022 Document element", file=file, field="Document")
    namespace = etree.QName(document).namespace or ""
    match = _NS.match(namespace)
    if not match:
        raise ParseError(
            f"not an ISO 20022 message namespace: {namespace[:80]!r}", file=file, field="Document"
        )
    kind = match.group("kind")
    if kind not in SUPPORTED:
        raise ParseError(
            f"unsupported ISO 20022 message {kind} (supported: {', '.join(SUPPORTED)})",
            file=file,
            field="Document",
        )
    hdr_el = root if _local(root) == "AppHdr" else root.find(".//{*}AppHdr")
    hdr_root = Node.build(hdr_el) if hdr_el is not None else None
    body_el = document.find("{*}" + SUPPORTED[kind])
    body = Node.build(body_el) if body_el is not None else None
    if body is None:
        raise ParseError(
            f"{kind} without {SUPPORTED[kind]} element", file=file, field=SUPPORTED[kind]
        )
    reader = _Reader(file)
    msg_id, created, transfers, header_agents = _HANDLERS[kind](reader, body)
    header_agents = _app_header(reader, hdr_root) + header_agents
    return PaymentMessage(
        message_id=msg_id,
        format=namespace.rsplit(":", 1)[-1],
        message_type=kind,
        transfers=tuple(transfers),
        agents=tuple(header_agents),
        created=created,
    )


def _app_header(r: _Reader, hdr: Node | None) -> list[Agent]:
    if hdr is None:
        return []
    out: list[Agent] = []
    for tag, role in (("Fr", "sender"), ("To", "receiver")):
        bic = r.bic(hdr, f"{tag}/FIId/FinInstnId", f"AppHdr/{tag}")
        if bic:
            out.append(Agent(role=role, bic=bic, field=f"AppHdr/{tag}"))
    return out
