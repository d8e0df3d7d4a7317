"""Writing payment messages from a plain description: ISO 20022 pacs.008.001.08,
pacs.009.001.08 (with cover), pain.001.001.09 and SWIFT MT103 / MT202.

Used by the generator (``generate.py``) and to write the demo messages. The XML follows the
published message definitions (CBPR+ usage: ``AppHdr`` head.001.001.02 beside the
``Document``); the MT text follows the FIN block structure with ``CRLF`` line ends.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from xml.sax.saxutils import escape

ISO_FORMATS = ("pacs.008", "pacs.009", "pain.001")
MT_FORMATS = ("MT103", "MT202")
FORMATS = ISO_FORMATS + MT_FORMATS


@dataclass
class PartySpec:
    name: str
    street: str | None = None
    town: str | None = None
    postcode: str | None = None
    country: str | None = None  # ISO alpha-2, upper case
    account: str | None = None
    bic: str | None = None


@dataclass
class BankSpec:
    bic: str | None
    name: str | None = None
    town: str | None = None
    country: str | None = None


@dataclass
class PaymentSpec:
    msg_id: str
    amount: Decimal
    currency: str
    value_date: date
    debtor: PartySpec
    creditor: PartySpec
    debtor_agent: BankSpec
    creditor_agent: BankSpec
    intermediaries: list[BankSpec] = field(default_factory=list)
    senders_correspondent: BankSpec | None = None
    ultimate_creditor: PartySpec | None = None
    remittance: str = ""
    uetr: str = "8a562c67-ca16-48ba-b074-65581be6f011"


def iban(country: str, bban: str) -> str:
    """An IBAN with correct check digits for ``country`` and ``bban``."""
    digits = "".join(str(int(c, 36)) for c in (bban + country + "00").upper())
    check = 98 - int(digits) % 97
    return f"{country.upper()}{check:02d}{bban.upper()}"


def _x(value: str) -> str:
    return escape(value, {'"': "&quot;"})


def _amount(value: Decimal) -> str:
    return f"{value:.2f}"


def _adr(p: PartySpec | BankSpec, indent: str) -> str:
    lines: list[str] = []
    street = getattr(p, "street", None)
    postcode = getattr(p, "postcode", None)
    if street:
        lines.append(f"{indent}  <StrtNm>{_x(street)}</StrtNm>")
    if postcode:
        lines.append(f"{indent}  <PstCd>{_x(postcode)}</PstCd>")
    if p.town:
        lines.append(f"{indent}  <TwnNm>{_x(p.town)}</TwnNm>")
    if p.country:
        lines.append(f"{indent}  <Ctry>{_x(p.country)}</Ctry>")
    if not lines:
        return ""
    return f"{indent}<PstlAdr>\n" + "\n".join(lines) + f"\n{indent}</PstlAdr>\n"


def _fi(tag: str, bank: BankSpec, indent: str) -> str:
    inner = ""
    if bank.bic:
        inner += f"{indent}    <BICFI>{_x(bank.bic)}</BICFI>\n"
    if bank.name:
        inner += f"{indent}    <Nm>{_x(bank.name)}</Nm>\n"
        inner += _adr(bank, indent + "    ")
    return (
        f"{indent}<{tag}>\n{indent}  <FinInstnId>\n{inner}{indent}  </FinInstnId>\n"
        f"{indent}</{tag}>\n"
    )


def _party(tag: str, p: PartySpec, indent: str) -> str:
    out = f"{indent}<{tag}>\n{indent}  <Nm>{_x(p.name)}</Nm>\n" + _adr(p, indent + "  ")
    if p.bic:
        out += f"{indent}  <Id><OrgId><AnyBIC>{_x(p.bic)}</AnyBIC></OrgId></Id>\n"
    return out + f"{indent}</{tag}>\n"


def _acct(tag: str, account: str | None, indent: str) -> str:
    if not account:
        return ""
    if account[:2].isalpha() and account[2:4].isdigit():
        ident = f"<IBAN>{_x(account)}</IBAN>"
    else:
        ident = f"<Othr><Id>{_x(account)}</Id></Othr>"
    return f"{indent}<{tag}><Id>{ident}</Id></{tag}>\n"


def _rmt(text: str, indent: str) -> str:
    if not text:
        return ""
    chunks = [text[i : i + 140] for i in range(0, len(text), 140)][:10]
    body = "".join(f"{indent}  <Ustrd>{_x(c)}</Ustrd>\n" for c in chunks)
    return f"{indent}<RmtInf>\n{body}{indent}</RmtInf>\n"


def _app_hdr(
    spec: PaymentSpec,
    msg_def: str,
    sender: str | None,
    receiver: str | None,
    receiver_name: str | None = None,
) -> str:
    def fi(bic: str | None, name: str | None = None) -> str:
        inner = f"<BICFI>{_x(bic)}</BICFI>" if bic else f"<Nm>{_x(name or 'UNKNOWN')}</Nm>"
        return f"<FIId><FinInstnId>{inner}</FinInstnId></FIId>"

    return (
        '  <AppHdr xmlns="urn:iso:std:iso:20022:tech:xsd:head.001.001.02">\n'
        f"    <Fr>{fi(sender)}</Fr>\n    <To>{fi(receiver, receiver_name)}</To>\n"
        f"    <BizMsgIdr>{_x(spec.msg_id)}</BizMsgIdr>\n"
        f"    <MsgDefIdr>{msg_def}</MsgDefIdr>\n    <BizSvc>swift.cbprplus.02</BizSvc>\n"
        f"    <CreDt>{spec.value_date.isoformat()}T09:30:00Z</CreDt>\n  </AppHdr>\n"
    )


def render_pacs008(spec: PaymentSpec) -> bytes:
    ns = "urn:iso:std:iso:20022:tech:xsd:pacs.008.001.08"
    sender = spec.debtor_agent.bic
    receiver = (
        spec.intermediaries[0].bic if spec.intermediaries else None
    ) or spec.creditor_agent.bic
    tx = "      "
    body = (
        f"{tx}<PmtId>\n{tx}  <InstrId>{_x(spec.msg_id)}</InstrId>\n"
        f"{tx}  <EndToEndId>{_x(spec.msg_id)}-E2E</EndToEndId>\n"
        f"{tx}  <UETR>{spec.uetr}</UETR>\n{tx}</PmtId>\n"
        f'{tx}<IntrBkSttlmAmt Ccy="{spec.currency}">{_amount(spec.amount)}</IntrBkSttlmAmt>\n'
        f"{tx}<IntrBkSttlmDt>{spec.value_date.isoformat()}</IntrBkSttlmDt>\n"
        f"{tx}<ChrgBr>SHAR</ChrgBr>\n"
    )
    if sender:
        body += _fi("InstgAgt", BankSpec(sender), tx)
    if receiver:
        body += _fi("InstdAgt", BankSpec(receiver), tx)
    for i, bank in enumerate(spec.intermediaries[:3], start=1):
        body += _fi(f"IntrmyAgt{i}", bank, tx)
    body += _party("Dbtr", spec.debtor, tx) + _acct("DbtrAcct", spec.debtor.account, tx)
    body += _fi("DbtrAgt", spec.debtor_agent, tx) + _fi("CdtrAgt", spec.creditor_agent, tx)
    body += _party("Cdtr", spec.creditor, tx) + _acct("CdtrAcct", spec.creditor.account, tx)
    if spec.ultimate_creditor:
        body += _party("UltmtCdtr", spec.ultimate_creditor, tx)
    body += _rmt(spec.remittance, tx)
    settlement = "INDA"
    xml = (
        '<?xml version="1.0" encoding="UTF-8"?>\n<BusinessMessage>\n'
        + _app_hdr(spec, "pacs.008.001.08", sender, receiver, spec.creditor_agent.name)
        + f'  <Document xmlns="{ns}">\n    <FIToFICstmrCdtTrf>\n      <GrpHdr>\n'
        f"        <MsgId>{_x(spec.msg_id)}</MsgId>\n"
        f"        <CreDtTm>{spec.value_date.isoformat()}T09:30:00+05:00</CreDtTm>\n"
        "        <NbOfTxs>1</NbOfTxs>\n"
        f"        <SttlmInf><SttlmMtd>{settlement}</SttlmMtd></SttlmInf>\n      </GrpHdr>\n"
        "    <CdtTrfTxInf>\n"
        + body.replace("\n      ", "\n        ").replace("      <", "        <", 1)
        + "    </CdtTrfTxInf>\n"
        "    </FIToFICstmrCdtTrf>\n  </Document>\n</BusinessMessage>\n"
    )
    return xml.encode("utf-8")


def render_pacs009(spec: PaymentSpec) -> bytes:
    """A pacs.009 COV: bank-to-bank cover of the customer transfer in ``spec``."""
    ns = "urn:iso:std:iso:20022:tech:xsd:pacs.009.001.08"
    tx = "      "
    debtor_fi = spec.debtor_agent
    creditor_fi = spec.creditor_agent
    body = (
        f"{tx}<PmtId>\n{tx}  <InstrId>{_x(spec.msg_id)}</InstrId>\n"
        f"{tx}  <EndToEndId>{_x(spec.msg_id)}-E2E</EndToEndId>\n"
        f"{tx}  <UETR>{spec.uetr}</UETR>\n{tx}</PmtId>\n"
        f'{tx}<IntrBkSttlmAmt Ccy="{spec.currency}">{_amount(spec.amount)}</IntrBkSttlmAmt>\n'
        f"{tx}<IntrBkSttlmDt>{spec.value_date.isoformat()}</IntrBkSttlmDt>\n"
    )
    if debtor_fi.bic:
        body += _fi("InstgAgt", BankSpec(debtor_fi.bic), tx)
    corr = spec.senders_correspondent or (spec.intermediaries[0] if spec.intermediaries else None)
    if corr is not None and corr.bic:
        body += _fi("InstdAgt", BankSpec(corr.bic), tx)
    for i, bank in enumerate(spec.intermediaries[:3], start=1):
        body += _fi(f"IntrmyAgt{i}", bank, tx)
    body += _fi("Dbtr", debtor_fi, tx) + _fi("CdtrAgt", creditor_fi, tx)
    body += _fi("Cdtr", creditor_fi, tx)
    cover = f"{tx}<UndrlygCstmrCdtTrf>\n"
    inner = tx + "  "
    cover += _party("Dbtr", spec.debtor, inner) + _acct("DbtrAcct", spec.debtor.account, inner)
    cover += _fi("DbtrAgt", spec.debtor_agent, inner) + _fi("CdtrAgt", spec.creditor_agent, inner)
    cover += _party("Cdtr", spec.creditor, inner) + _acct("CdtrAcct", spec.creditor.account, inner)
    if spec.ultimate_creditor:
        cover += _party("UltmtCdtr", spec.ultimate_creditor, inner)
    cover += _rmt(spec.remittance, inner)
    cover += f"{tx}</UndrlygCstmrCdtTrf>\n"
    xml = (
        '<?xml version="1.0" encoding="UTF-8"?>\n<BusinessMessage>\n'
        + _app_hdr(
            spec,
            "pacs.009.001.08",
            debtor_fi.bic,
            corr.bic if corr else creditor_fi.bic,
            (corr.name if corr else None) or creditor_fi.name,
        )
        + f'  <Document xmlns="{ns}">\n    <FICdtTrf>\n      <GrpHdr>\n'
        f"        <MsgId>{_x(spec.msg_id)}</MsgId>\n"
        f"        <CreDtTm>{spec.value_date.isoformat()}T09:30:00+05:00</CreDtTm>\n"
        "        <NbOfTxs>1</NbOfTxs>\n"
        "        <SttlmInf><SttlmMtd>INDA</SttlmMtd></SttlmInf>\n      </GrpHdr>\n"
        "      <CdtTrfTxInf>\n" + body + cover + "      </CdtTrfTxInf>\n"
        "    </FICdtTrf>\n  </Document>\n</BusinessMessage>\n"
    )
    return xml.encode("utf-8")


def render_pain001(spec: PaymentSpec) -> bytes:
    ns = "urn:iso:std:iso:20022:tech:xsd:pain.001.001.09"
    pi = "      "
    tx = "        "
    block = (
        f"{pi}<PmtInfId>{_x(spec.msg_id)}-1</PmtInfId>\n{pi}<PmtMtd>TRF</PmtMtd>\n"
        f"{pi}<NbOfTxs>1</NbOfTxs>\n"
        f"{pi}<ReqdExctnDt><Dt>{spec.value_date.isoformat()}</Dt></ReqdExctnDt>\n"
        + _party("Dbtr", spec.debtor, pi)
        + _acct("DbtrAcct", spec.debtor.account, pi)
        + _fi("DbtrAgt", spec.debtor_agent, pi)
        + f"{pi}<CdtTrfTxInf>\n"
        f"{tx}<PmtId><EndToEndId>{_x(spec.msg_id)}-E2E</EndToEndId></PmtId>\n"
        f'{tx}<Amt><InstdAmt Ccy="{spec.currency}">{_amount(spec.amount)}</InstdAmt></Amt>\n'
        f"{tx}<ChrgBr>SHAR</ChrgBr>\n"
    )
    for i, bank in enumerate(spec.intermediaries[:1], start=1):
        block += _fi(f"IntrmyAgt{i}", bank, tx)
    block += _fi("CdtrAgt", spec.creditor_agent, tx)
    block += _party("Cdtr", spec.creditor, tx) + _acct("CdtrAcct", spec.creditor.account, tx)
    if spec.ultimate_creditor:
        block += _party("UltmtCdtr", spec.ultimate_creditor, tx)
    block += _rmt(spec.remittance, tx) + f"{pi}</CdtTrfTxInf>\n"
    xml = (
        f'<?xml version="1.0" encoding="UTF-8"?>\n<Document xmlns="{ns}">\n'
        "  <CstmrCdtTrfInitn>\n    <GrpHdr>\n"
        f"      <MsgId>{_x(spec.msg_id)}</MsgId>\n"
        f"      <CreDtTm>{spec.value_date.isoformat()}T08:15:00</CreDtTm>\n"
        "      <NbOfTxs>1</NbOfTxs>\n"
        f"      <CtrlSum>{_amount(spec.amount)}</CtrlSum>\n"
        f"      <InitgPty><Nm>{_x(spec.debtor.name)}</Nm></InitgPty>\n    </GrpHdr>\n"
        "    <PmtInf>\n" + block + "    </PmtInf>\n  </CstmrCdtTrfInitn>\n</Document>\n"
    )
    return xml.encode("utf-8")


def _mt_lines(text: str, width: int = 35, limit: int = 4) -> list[str]:
    words = text.split()
    lines: list[str] = []
    current = ""
    for word in words:
        word = word[:width]
        if current and len(current) + 1 + len(word) > width:
            lines.append(current)
            current = word
        else:
            current = f"{current} {word}" if current else word
    if current:
        lines.append(current)
    return lines[:limit]


def _mt_party(tag: str, p: PartySpec, structured: bool) -> list[str]:
    account = f"/{p.account}" if p.account else None
    if p.bic and not p.street:
        return [f":{tag}A:" + (account or f"/{p.bic}"), p.bic] if account else [f":{tag}A:{p.bic}"]
    if structured:
        lines = [account or "/NOTPROVIDED"]
        lines += [f"1/{x}" for x in _mt_lines(p.name, 33, 2)]
        if p.street:
            lines += [f"2/{x}" for x in _mt_lines(p.street, 33, 1)]
        if p.country:
            lines.append(f"3/{p.country}/{(p.town or '')[:30]}".rstrip("/"))
        elif p.town:
            lines += [f"2/{x}" for x in _mt_lines(p.town, 33, 1)]
        opt = "F"
        return [f":{tag}{opt}:{lines[0]}", *lines[1:]]
    body = _mt_lines(p.name, 35, 2)
    room = 4 - len(body)
    town_line = " ".join(x for x in (p.postcode, p.town, p.country) if x)
    if room >= 2 and p.street:
        body += _mt_lines(p.street, 35, 1)
    if town_line:
        body += _mt_lines(town_line, 35, 1)
    opt = "K" if tag == "50" else ""
    if account:
        return [f":{tag}{opt}:{account}", *body]
    return [f":{tag}{opt}:{body[0]}", *body[1:]]


def _mt_bank(tag: str, bank: BankSpec) -> list[str]:
    if bank.bic:
        return [f":{tag}A:{bank.bic}"]
    lines = _mt_lines(bank.name or "", 35, 2)
    lines += _mt_lines(" ".join(x for x in (bank.town, bank.country) if x), 35, 4 - len(lines))
    return [f":{tag}D:{lines[0]}", *lines[1:]]


def _lt(bic: str, terminal: str = "A") -> str:
    base = bic[:8]
    branch = bic[8:11] if len(bic) == 11 else "XXX"
    return f"{base}{terminal}{branch}"


def _ascii(text: str) -> str:
    from normality import ascii_text

    return text if text.isascii() else (ascii_text(text) or "?")


def render_mt103(spec: PaymentSpec, structured: bool = False) -> bytes:
    sender = spec.debtor_agent.bic or "KCJBKZKX"
    receiver = (
        (spec.intermediaries[0].bic if spec.intermediaries else None)
        or spec.creditor_agent.bic
        or "COBADEFF"
    )
    ccy_amount = f"{spec.amount:.2f}".replace(".", ",")
    lines = [
        f":20:{spec.msg_id[:16]}",
        ":23B:CRED",
        f":32A:{spec.value_date:%y%m%d}{spec.currency}{ccy_amount}",
        f":33B:{spec.currency}{ccy_amount}",
    ]
    debtor = PartySpec(
        **{
            **spec.debtor.__dict__,
            "name": _ascii(spec.debtor.name),
            "street": _ascii(spec.debtor.street or "") or None,
            "town": _ascii(spec.debtor.town or "") or None,
        }
    )
    creditor = PartySpec(
        **{
            **spec.creditor.__dict__,
            "name": _ascii(spec.creditor.name),
            "street": _ascii(spec.creditor.street or "") or None,
            "town": _ascii(spec.creditor.town or "") or None,
        }
    )
    lines += _mt_party("50", debtor, structured)
    if not spec.debtor_agent.bic or spec.debtor_agent.bic != sender:
        lines += _mt_bank("52", _ascii_bank(spec.debtor_agent))
    if spec.senders_correspondent:
        lines += _mt_bank("53", _ascii_bank(spec.senders_correspondent))
    for bank in spec.intermediaries[:1]:
        lines += _mt_bank("56", _ascii_bank(bank))
    lines += _mt_bank("57", _ascii_bank(spec.creditor_agent))
    lines += _mt_party("59", creditor, structured)
    rem: list[str] = []
    if spec.ultimate_creditor:  # CBPR+ translation: /ULTB/ in field 70
        rem += _mt_lines("/ULTB/" + _ascii(spec.ultimate_creditor.name), 35, 2)
    if spec.remittance:
        rem += _mt_lines(_ascii(spec.remittance), 35, 4 - len(rem))
    if rem:
        lines += [f":70:{rem[0]}", *rem[1:]]
    lines += [":71A:SHA"]
    text = (
        f"{{1:F01{_lt(sender)}0000000000}}{{2:I103{_lt(receiver, 'X')}N}}"
        f"{{3:{{108:{spec.msg_id[:16]}}}{{121:{spec.uetr}}}}}{{4:\r\n"
        + "\r\n".join(lines)
        + "\r\n-}"
    )
    return text.encode("ascii", "replace")


def _ascii_bank(bank: BankSpec) -> BankSpec:
    return BankSpec(
        bank.bic,
        _ascii(bank.name) if bank.name else None,
        _ascii(bank.town) if bank.town else None,
        bank.country,
    )


def render_mt202(spec: PaymentSpec) -> bytes:
    sender = spec.debtor_agent.bic or "KCJBKZKX"
    corr = spec.senders_correspondent or (spec.intermediaries[0] if spec.intermediaries else None)
    receiver = (corr.bic if corr else None) or spec.creditor_agent.bic or "COBADEFF"
    ccy_amount = f"{spec.amount:.2f}".replace(".", ",")
    lines = [
        f":20:{spec.msg_id[:16]}",
        f":21:{spec.msg_id[-16:]}",
        f":32A:{spec.value_date:%y%m%d}{spec.currency}{ccy_amount}",
    ]
    for bank in spec.intermediaries[:1]:
        lines += _mt_bank("56", _ascii_bank(bank))
    lines += _mt_bank("57", _ascii_bank(spec.creditor_agent))
    lines += _mt_bank("58", _ascii_bank(spec.creditor_agent))
    info: list[str] = []
    if spec.ultimate_creditor:
        info += ["/ULTB/" + x for x in _mt_lines(_ascii(spec.ultimate_creditor.name), 29, 1)]
    if spec.remittance:
        info += ["/BNF/" + x for x in _mt_lines(_ascii(spec.remittance), 30, 1)]
        info += ["//" + x for x in _mt_lines(_ascii(spec.remittance), 33, 6)[1 : 6 - len(info)]]
    if info:
        lines += [f":72:{info[0]}", *info[1:]]
    text = (
        f"{{1:F01{_lt(sender)}0000000000}}{{2:I202{_lt(receiver, 'X')}N}}"
        f"{{3:{{121:{spec.uetr}}}}}{{4:\r\n" + "\r\n".join(lines) + "\r\n-}"
    )
    return text.encode("ascii", "replace")


def render(spec: PaymentSpec, fmt: str, structured: bool = False) -> bytes:
    """The message for ``spec`` in ``fmt`` (one of :data:`FORMATS`)."""
    if fmt == "pacs.008":
        return render_pacs008(spec)
    if fmt == "pacs.009":
        return render_pacs009(spec)
    if fmt == "pain.001":
        return render_pain001(spec)
    if fmt == "MT103":
        return render_mt103(spec, structured)
    if fmt == "MT202":
        return render_mt202(spec)
    raise ValueError(f"unknown format {fmt!r}")


def file_suffix(fmt: str) -> str:
    return ".xml" if fmt in ISO_FORMATS else ".fin"
