"""ISO 20022 payment messages: pacs.008 (customer credit transfer), pacs.009 (financial
institution credit transfer, incl. the cover variant) and pain.001 (customer credit transfer
initiation).

Element lookups ignore the namespace (``{*}``), so every message version whose element names
are those of the published definitions reads the same way (tested: pacs.008.001.08/.10/.13,
pacs.009.001.08/.10, pain.001.001.03/.09/.11). Both ``BICFI`` (2009 onwards) and ``BIC``
(older versions) carry an agent's BIC. A business application header (``AppHdr``, head.001)
beside the ``Document`` gives the sender and receiver.

The parser never guesses. The XML is read by the package's one safe XML layer
(:mod:`circumspect.sources.xmlutil`: a DOCTYPE is refused); every element is then checked
against the message definition of its exact version (:mod:`circumspect.payments.structure`:
cardinalities, order, unknown elements, mixed content, value formats, ISO 4217 decimals) and
the group header's ``NbOfTxs`` / ``CtrlSum`` / ``TtlIntrBkSttlmAmt`` against the transactions.
Anything wrong raises :class:`ParseError` naming the element path; the screening turns that
into ``error``. Every element whose type is a party or a bank, wherever it sits (charges
agents, invoicer/invoicee, tax and garnishment parties, the header's ``Fr``/``To``), is
returned for screening, not only the roles read by name.
"""

from __future__ import annotations

import re
from datetime import date
from decimal import Decimal
from typing import Any

from circumspect.errors import ParseError
from circumspect.payments.checks import (
    check_country,
    check_currency,
    normalize_account,
    normalize_bic,
    parse_amount,
)
from circumspect.payments.model import Agent, Party, PaymentMessage, Transfer
from circumspect.payments.structure import Node, build, is_agent_type, is_party_type, schemas
from circumspect.sources.xmlutil import parse_bytes

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


def _split(tag: object) -> tuple[str, str]:
    if not isinstance(tag, str):
        return "", ""
    if tag.startswith("{"):
        ns, _, name = tag[1:].partition("}")
        return ns, name
    return "", tag


class _Reader:
    """Namespace-agnostic lookups with error paths for one message."""

    def __init__(self, file: str | None) -> None:
        self.file = file
        #: ids of the party and agent nodes read for a role (the rest are collected after).
        self.seen: set[int] = set()

    def text(self, el: Node | None, path: str) -> str | None:
        if el is None:
            return None
        found = el.find(path)
        if found is None or found.text is None:
            return None
        value = " ".join(found.text.split())
        return value or None

    def texts(self, el: Node | None, path: str) -> list[str]:
        if el is None:
            return []
        out: list[str] = []
        for found in el.findall(path):
            if found.text and found.text.strip():
                out.append(" ".join(found.text.split()))
        return out

    def find(self, el: Node | None, path: str) -> Node | None:
        if el is None:
            return None
        return el.find(path)

    def error(self, message: str, field: str) -> ParseError:
        return ParseError(message, file=self.file, field=field)

    # -- building blocks ------------------------------------------------------------------

    def address(
        self, el: Node | None, field: str, tag: str = "PstlAdr"
    ) -> tuple[tuple[str, ...], str | None, str | None]:
        """(address lines, town, country) of a ``PstlAdr`` (``Adr`` in NameAndAddress)."""
        adr = self.find(el, tag)
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
            check_country(country_text, f"{field}/{tag}/Ctry", self.file) if country_text else None
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
        account = self.account(self.find(parent, account_tag), account_tag) if account_tag else None
        return self.party_node(el, role, tag, account)

    def party_node(self, el: Node, role: str, field: str, account: str | None = None) -> Party:
        """A party from a ``PartyIdentification`` or ``NameAndAddress`` element."""
        self.seen.add(id(el))
        name = self.text(el, "Nm")
        address, town, country = self.address(el, field, "Adr" if el.find("Adr") else "PstlAdr")
        residence = self.text(el, "CtryOfRes")
        if country is None and residence:
            country = check_country(residence, f"{field}/CtryOfRes", self.file)
        bic = self.bic(el, "Id/OrgId", field)
        idents = tuple(
            self.texts(el, "Id/OrgId/Othr/Id")
            + self.texts(el, "Id/OrgId/LEI")
            + self.texts(el, "Id/PrvtId/Othr/Id")
        )
        if not name and not bic and not idents and not account:
            raise self.error(f"{field} has neither name nor identifier", el.path)
        return Party(
            role=role,
            name=name,
            address=address,
            town=town,
            country=country,
            account=account,
            bic=bic,
            identifiers=idents,
            field=field,
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
        account = self.account(self.find(parent, account_tag), account_tag) if account_tag else None
        return self.agent_node(el, role, tag, account)

    def agent_node(self, el: Node, role: str, field: str, account: str | None = None) -> Agent:
        """A bank from a ``BranchAndFinancialInstitutionIdentification`` element."""
        self.seen.add(id(el))
        fin = self.find(el, "FinInstnId")
        if fin is None:
            raise self.error(f"{field} has no FinInstnId", f"{el.path}/FinInstnId")
        bic = self.bic(fin, ".", f"{field}/FinInstnId")
        name = self.text(fin, "Nm")
        address, town, country = self.address(fin, f"{field}/FinInstnId")
        if not bic and not name:
            raise self.error(
                f"{field} is identified neither by BIC nor by name "
                "(a clearing member id alone cannot be screened)",
                el.path,
            )
        return Agent(
            role=role,
            bic=bic,
            name=name,
            address=address,
            town=town,
            country=country,
            account=account,
            field=field,
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
    _check_totals(r, hdr, transfers, settlement=True)
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
    _check_totals(r, hdr, transfers, settlement=True)
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
        first = len(transfers)
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
        _check_totals(r, block, transfers[first:], settlement=False)
    _check_totals(r, hdr, transfers, settlement=False)
    return msg_id, r.text(hdr, "CreDtTm"), transfers, []


def _check_totals(
    r: _Reader, head: Node | None, transfers: list[Transfer], *, settlement: bool
) -> None:
    """``NbOfTxs``, ``CtrlSum`` and (pacs) ``TtlIntrBkSttlmAmt`` of a group header or payment
    block must agree with the transactions it holds: a count or total that does not is a
    message that reads two ways (which transactions are meant?), so an error."""
    if head is None:
        return
    where = head.path
    count = r.text(head, "NbOfTxs")
    if count is not None and int(count) != len(transfers):
        raise r.error(
            f"NbOfTxs is {count} but the message holds {len(transfers)} transaction(s)",
            f"{where}/NbOfTxs",
        )
    total = sum((t.amount for t in transfers), Decimal(0))
    control = r.text(head, "CtrlSum")
    if control is not None and Decimal(control) != total:
        raise r.error(
            f"CtrlSum is {control} but the transaction amounts add up to {total}",
            f"{where}/CtrlSum",
        )
    if settlement:
        node = r.find(head, "TtlIntrBkSttlmAmt")
        if node is not None and node.text:
            currencies = {t.currency for t in transfers}
            if Decimal(node.text) != total or currencies != {node.get("Ccy")}:
                raise r.error(
                    f"TtlIntrBkSttlmAmt is {node.get('Ccy')} {node.text} but the transactions "
                    f"settle {', '.join(sorted(currencies))} {total}",
                    f"{where}/TtlIntrBkSttlmAmt",
                )


def _message_id(r: _Reader, hdr: Node | None) -> str:
    if hdr is None:
        raise r.error("missing mandatory element GrpHdr", "GrpHdr")
    msg_id = r.text(hdr, "MsgId")
    if not msg_id:
        raise r.error("missing mandatory element GrpHdr/MsgId", "GrpHdr/MsgId")
    return msg_id


_HANDLERS = {"pacs.008": _pacs008, "pacs.009": _pacs009, "pain.001": _pain001}


_HEAD_NS = re.compile(
    r"^urn:(?:iso:std:iso:20022:tech:xsd|swift:xsd):(?P<id>head\.001\.001\.\d{2})$"
)


def _split_envelope(root: Any, file: str | None) -> tuple[Any, Any | None]:
    """(Document, AppHdr or None). The Document is the root, or the root is an envelope
    holding an optional AppHdr and one Document and nothing else."""
    _, name = _split(root.tag)
    if name == "Document":
        return root, None
    if name == "AppHdr":
        raise ParseError("AppHdr without its Document", file=file, field="/AppHdr")
    if root.text is not None and root.text.strip():
        raise ParseError(f"text inside the envelope <{name}>", file=file, field=f"/{name}")
    kids: list[str] = []
    elements: dict[str, Any] = {}
    for child in root:
        child_name = _split(child.tag)[1] or "?"
        kids.append(child_name)
        elements[child_name] = child
        if child.tail is not None and child.tail.strip():
            raise ParseError(
                f"text inside the envelope <{name}>", file=file, field=f"/{name}/{child_name}"
            )
    if kids not in (["Document"], ["AppHdr", "Document"]):
        raise ParseError(
            f"envelope <{name}> must hold an optional AppHdr and one Document, in that order; "
            f"it holds {', '.join(kids) or 'nothing'}",
            file=file,
            field=f"/{name}",
        )
    return elements["Document"], elements.get("AppHdr")


def parse_iso20022(raw: bytes, file: str | None = None) -> PaymentMessage:
    """One ISO 20022 message (optionally with its ``AppHdr``) as a :class:`PaymentMessage`."""
    if len(raw) > MAX_BYTES:
        raise ParseError(f"message larger than {MAX_BYTES} bytes", file=file)
    root = parse_bytes(raw, file)
    document, hdr_el = _split_envelope(root, file)
    namespace = _split(document.tag)[0]
    match = _NS.match(namespace)
    if not match:
        raise ParseError(
            f"not an ISO 20022 message namespace: {namespace[:80]!r}", file=file, field="/Document"
        )
    kind = match.group("kind")
    if kind not in SUPPORTED:
        raise ParseError(
            f"unsupported ISO 20022 message {kind} (supported: {', '.join(SUPPORTED)})",
            file=file,
            field="/Document",
        )
    definition = namespace.rsplit(":", 1)[-1]
    schema = schemas().get(definition)
    if schema is None:
        known = sorted(m for m in schemas() if m.startswith(kind))
        raise ParseError(
            f"unsupported version {definition} (supported: {known[0]} to {known[-1]})",
            file=file,
            field="/Document",
        )
    for key in document.attrib:
        if _split(str(key))[0] != "http://www.w3.org/2001/XMLSchema-instance":
            raise ParseError(f"unknown attribute {key!r}", file=file, field="/Document")
    if document.text is not None and document.text.strip():
        raise ParseError("text directly inside <Document>", file=file, field="/Document")
    children = list(document)
    if len(children) != 1:
        raise ParseError(
            f"<Document> must hold exactly one <{schema.root.name}>, it holds {len(children)} "
            "elements",
            file=file,
            field="/Document",
        )
    body = build(children[0], schema, namespace, "/Document", file)
    hdr_root: Node | None = None
    if hdr_el is not None:
        hdr_ns = _split(hdr_el.tag)[0]
        hdr_match = _HEAD_NS.match(hdr_ns)
        hdr_schema = schemas().get(hdr_match.group("id")) if hdr_match else None
        if hdr_schema is None:
            raise ParseError(
                f"AppHdr namespace {hdr_ns[:80]!r} is not a supported head.001 version",
                file=file,
                field="/AppHdr",
            )
        hdr_root = build(hdr_el, hdr_schema, hdr_ns, "", file)
        declared = hdr_root.find("MsgDefIdr")
        if declared is not None and declared.text and declared.text.strip() != definition:
            raise ParseError(
                f"AppHdr/MsgDefIdr says {declared.text.strip()!r} but the Document is {definition}",
                file=file,
                field="/AppHdr/MsgDefIdr",
            )
    reader = _Reader(file)
    msg_id, created, transfers, header_agents = _HANDLERS[kind](reader, body)
    header_agents = _app_header(reader, hdr_root) + header_agents
    extra_parties, extra_agents, notes = _collect_rest(reader, [body, hdr_root])
    return PaymentMessage(
        message_id=msg_id,
        format=definition,
        message_type=kind,
        transfers=tuple(transfers),
        agents=tuple(header_agents + extra_agents),
        created=created,
        parties=tuple(extra_parties),
        notes="\n".join(notes),
    )


#: Roles of party and agent elements not read by a handler, by element name.
_OTHER_ROLES = {
    "Agt": "charges_agent",
    "UltmtDbtr": "ultimate_debtor",
    "UltmtCdtr": "ultimate_creditor",
    "Invcr": "invoicer",
    "Invcee": "invoicee",
    "Grnshee": "garnishee",
    "GrnshmtAdmstr": "garnishment_administrator",
    "Fr": "sender",
    "To": "receiver",
    "FIId": "financial_institution",
    "OrgId": "organisation",
}


def _collect_rest(
    r: _Reader, roots: list[Node | None]
) -> tuple[list[Party], list[Agent], list[str]]:
    """Every party or agent element no handler read (so none escapes screening), and the
    text of supplementary data (``xs:any``) for the free-text scan."""
    parties: list[Party] = []
    agents: list[Agent] = []
    notes: list[str] = []
    for root in roots:
        if root is None:
            continue
        for node in root.walk():
            if id(node) in r.seen:
                continue
            role = _OTHER_ROLES.get(node.tag)
            if is_agent_type(node.type):
                agents.append(r.agent_node(node, role or "other_agent", node.path))
            elif is_party_type(node.type):
                parties.append(r.party_node(node, role or "other_party", node.path))
            elif node.type == "SupplementaryDataEnvelope1" and node.text:
                notes.append(node.text)
    return parties, agents, notes


def _app_header(r: _Reader, hdr: Node | None) -> list[Agent]:
    if hdr is None:
        return []
    out: list[Agent] = []
    for tag, role in (("Fr", "sender"), ("To", "receiver")):
        agent = r.agent(r.find(hdr, tag), "FIId", role)
        if agent is not None:
            out.append(
                Agent(
                    role=role,
                    bic=agent.bic,
                    name=agent.name,
                    address=agent.address,
                    town=agent.town,
                    country=agent.country,
                    field=f"AppHdr/{tag}",
                )
            )
    return out
