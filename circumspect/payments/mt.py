"""SWIFT MT103 (single customer credit transfer) and MT202 / MT202 COV (general financial
institution transfer) messages in the FIN format.

Read: basic header block 1 (sender's logical terminal), application header block 2 (message
type and receiver for input messages; sender in the MIR for output messages), user header
block 3 (only ``{119:COV}``), text block 4 with the fields

* ``:20:`` reference, ``:21:`` related reference (MT202), ``:23B:`` bank operation code,
  ``:32A:`` value date / currency / amount, ``:71A:`` charges;
* ``:50A:``, ``:50F:``, ``:50K:`` ordering customer; ``:59:``, ``:59A:``, ``:59F:`` beneficiary;
* ``:52A/D:`` ordering institution, ``:53A/B/D:`` sender's correspondent,
  ``:54A/B/D:`` receiver's correspondent, ``:55A/B/D:`` third reimbursement institution,
  ``:56A/C/D:`` intermediary, ``:57A/B/C/D:`` account with institution, ``:58A/D:``
  beneficiary institution (MT202);
* ``:70:`` remittance information, ``:72:`` sender to receiver information, ``:77B:``
  regulatory reporting (all three are scanned as remittance text).

Structured ``50F``/``59F`` lines (``1/`` name, ``2/`` address, ``3/CC/town``, ``4/`` to
``8/``) are read by number. Anything that does not fit the published field format raises
:class:`ParseError` naming the field.
"""

from __future__ import annotations

import csv
import re
from dataclasses import dataclass
from datetime import date
from functools import lru_cache
from importlib import resources

from circumspect.errors import ParseError
from circumspect.payments.checks import (
    check_country,
    check_currency,
    check_decimals,
    normalize_account,
    normalize_bic,
    parse_amount,
)
from circumspect.payments.model import Agent, Party, PaymentMessage, Transfer

MAX_BYTES = 200_000
_TAG = re.compile(r"^:(?P<tag>\d{2}[A-Z]?):(?P<rest>.*)$")
_B1 = re.compile(r"^[FAL]\d{2}(?P<lt>[A-Z0-9]{12})\d{4}\d{6}$")
_B2_IN = re.compile(r"^I(?P<type>\d{3})(?P<lt>[A-Z0-9]{12})(?P<rest>[A-Z0-9]*)$")
_B2_OUT = re.compile(
    r"^O(?P<type>\d{3})\d{4}\d{6}(?P<lt>[A-Z0-9]{12})\d{4}\d{6}\d{6}\d{4}"
    r"(?P<rest>[A-Z0-9]*)$"
)
_32A = re.compile(r"^(?P<date>\d{6})(?P<ccy>[A-Z]{3})(?P<amount>[0-9,]{2,15})$")
_NUMBERED = re.compile(r"^(?P<n>[1-8])/(?P<text>.*)$")
SUPPORTED_TYPES = ("103", "202")
_CCY_AMOUNT = re.compile(r"^(?P<ccy>[A-Z]{3})(?P<amount>[0-9,]{2,15})$")
_CHARGES = frozenset({"BEN", "OUR", "SHA"})
#: Field widths: 35 characters a line; a first line holding a party identifier
#: ``[/1!a][/34x]`` (options A, B, C, D) may have 37.
WIDTH = 35
ID_WIDTH = 37


@dataclass(frozen=True, slots=True)
class FieldRule:
    """One field of an MT message definition (``data/mt_fields.csv``)."""

    message: str
    sequence: str
    tag: str  # "20", "32A", or "50a" for a field with letter options
    options: dict[str, int]  # option letter ("-" none) -> max lines; fixed fields: {"-": n}
    mandatory: bool
    max_repeat: int | None
    role: str

    def same_field(self, f: _Field) -> bool:
        if self.tag.endswith("a"):
            return f.number == self.tag[:2]
        return f.tag == self.tag

    @property
    def label(self) -> str:
        return f":{self.tag}:"

    def has_room(self, count: int) -> bool:
        return self.max_repeat is None or count < self.max_repeat


@lru_cache(maxsize=1)
def field_rules() -> dict[str, tuple[FieldRule, ...]]:
    """Message (``MT103``, ``MT202``, ``MT202 COV`` sequence B) -> its fields in order."""
    text = (
        resources.files("circumspect.payments")
        .joinpath("data/mt_fields.csv")
        .read_text(encoding="utf-8")
    )
    out: dict[str, list[FieldRule]] = {}
    for row in csv.DictReader(text.splitlines()):
        if row["lines"]:
            options = {"-": int(row["lines"])}
        else:
            options = {
                key: int(value)
                for key, _, value in (item.partition(":") for item in row["options"].split())
            }
        out.setdefault(row["message"], []).append(
            FieldRule(
                message=row["message"],
                sequence=row["sequence"],
                tag=row["tag"],
                options=options,
                mandatory=row["status"] == "M",
                max_repeat=None if row["max_repeat"] == "unbounded" else int(row["max_repeat"]),
                role=row["role"],
            )
        )
    return {key: tuple(value) for key, value in out.items()}


@dataclass(frozen=True, slots=True)
class _Field:
    tag: str
    lines: tuple[str, ...]
    line: int

    @property
    def number(self) -> str:
        return self.tag[:2]

    @property
    def option(self) -> str:
        return self.tag[2:]


def _blocks(text: str, file: str | None) -> dict[str, str]:
    """Top-level ``{n:...}`` blocks; block 4 runs to its ``-}`` terminator."""
    blocks: dict[str, str] = {}
    pos, size = 0, len(text)
    while pos < size:
        char = text[pos]
        if char in " \r\n\t":
            pos += 1
            continue
        if char != "{":
            raise ParseError(
                f"unexpected text outside the blocks at offset {pos}",
                file=file,
                line=text.count("\n", 0, pos) + 1,
            )
        colon = text.find(":", pos)
        if colon < 0 or colon - pos > 4:
            raise ParseError(
                f"malformed block start at offset {pos}",
                file=file,
                line=text.count("\n", 0, pos) + 1,
            )
        block_id = text[pos + 1 : colon]
        if block_id in blocks:
            if block_id == "1":
                raise ParseError(
                    "more than one message in the file",
                    file=file,
                    line=text.count("\n", 0, pos) + 1,
                )
            raise ParseError(
                f"block {block_id} repeated", file=file, line=text.count("\n", 0, pos) + 1
            )
        if block_id == "4":
            end = text.find("\n-}", colon)
            if end < 0:
                raise ParseError("block 4 has no '-}' terminator", file=file, field="block 4")
            blocks["4"] = text[colon + 1 : end]
            pos = end + 3
            continue
        depth, cursor = 0, pos
        while cursor < size:
            if text[cursor] == "{":
                depth += 1
            elif text[cursor] == "}":
                depth -= 1
                if depth == 0:
                    break
            cursor += 1
        if depth != 0:
            raise ParseError(
                f"block {block_id} is not closed", file=file, field=f"block {block_id}"
            )
        blocks[block_id] = text[colon + 1 : cursor]
        pos = cursor + 1
    return blocks


def _fields(block4: str, first_line: int, file: str | None) -> list[_Field]:
    fields: list[_Field] = []
    tag: str | None = None
    lines: list[str] = []
    start = first_line
    for offset, raw_line in enumerate(block4.replace("\r\n", "\n").split("\n")):
        line = raw_line.rstrip("\r")
        match = _TAG.match(line)
        if match:
            if tag is not None:
                fields.append(_Field(tag, tuple(lines), start))
            tag, lines, start = match.group("tag"), [match.group("rest")], first_line + offset
        elif tag is None:
            if line.strip():
                raise ParseError(
                    "text before the first field tag in block 4",
                    file=file,
                    line=first_line + offset,
                    field="block 4",
                )
        else:
            lines.append(line)
    if tag is not None:
        fields.append(_Field(tag, tuple(lines), start))
    return fields


def _long_name(lines: list[str]) -> str:
    """The name in a name-and-address field: the first line, continued on the second when
    the first is full (33-35 characters: the 35-character line limit cut the name). The
    second line stays in the address too, so nothing escapes the territory check."""
    if len(lines) > 1 and len(lines[0]) >= 33:
        return f"{lines[0]} {lines[1]}"
    return lines[0]


def _lt_bic(lt: str, field: str, file: str | None) -> str:
    """BIC of a 12-character logical terminal address (BIC8 + terminal code + branch)."""
    return normalize_bic(lt[:8] + lt[9:12], field, file)


class _MT:
    def __init__(self, file: str | None) -> None:
        self.file = file

    def err(self, message: str, f: _Field | str) -> ParseError:
        if isinstance(f, _Field):
            return ParseError(message, file=self.file, line=f.line, field=f":{f.tag}:")
        return ParseError(message, file=self.file, field=f)

    def _value_lines(self, f: _Field) -> list[str]:
        lines = [" ".join(x.split()) for x in f.lines]
        while lines and not lines[-1]:
            lines.pop()
        if not lines or not any(lines):
            raise self.err("empty field", f)
        return lines

    def _split_account(self, f: _Field, lines: list[str]) -> tuple[str | None, list[str]]:
        """A leading ``/account`` (or ``/C/``, ``/D/``, ``//clearing``) line."""
        if lines and lines[0].startswith("/"):
            first = lines[0]
            if len(lines) == 1 and f.option in ("", "K", "D"):
                raise self.err("account line without name", f)
            ident = first[1:]
            if ident.startswith(("C/", "D/")):
                ident = ident[2:]
            if ident.startswith("/"):
                return ident.lstrip("/") or None, lines[1:]  # clearing code, not an account
            return normalize_account(ident, f":{f.tag}:", self.file) or None, lines[1:]
        return None, lines

    def _bic_option(self, f: _Field) -> tuple[str | None, str]:
        lines = self._value_lines(f)
        account, rest = self._split_account(f, lines)
        if len(rest) != 1:
            raise self.err(f"option {f.option} takes one BIC line", f)
        return account, normalize_bic(rest[0], f":{f.tag}:", self.file)

    def agent(self, f: _Field, role: str) -> Agent:
        if f.option == "A":
            account, bic = self._bic_option(f)
            return Agent(role=role, bic=bic, account=account, field=f.tag)
        lines = self._value_lines(f)
        account, rest = self._split_account(f, lines)
        if f.option in ("B", "C"):
            # B: [party id] [location]; C: account only. No name to screen: the account.
            location = rest[0] if rest else None
            return Agent(role=role, account=account or location, town=location, field=f.tag)
        if not rest:
            raise self.err("option D needs a name line", f)
        return Agent(
            role=role, name=_long_name(rest), address=tuple(rest[1:]), account=account, field=f.tag
        )

    def party(self, f: _Field, role: str) -> Party:
        if f.option == "A":
            account, bic = self._bic_option(f)
            return Party(role=role, bic=bic, account=account, field=f.tag)
        lines = self._value_lines(f)
        if f.option == "F":
            return self._structured(f, role, lines)
        account, rest = self._split_account(f, lines)
        if not rest:
            raise self.err("no name line", f)
        return Party(
            role=role, name=_long_name(rest), address=tuple(rest[1:]), account=account, field=f.tag
        )

    def _structured(self, f: _Field, role: str, lines: list[str]) -> Party:
        first = lines[0]
        account: str | None = None
        idents: list[str] = []
        if first.startswith("/"):
            account = normalize_account(first[1:], f":{f.tag}:", self.file)
        elif re.match(r"^[A-Z]{4}/[A-Z]{2}/.+$", first):
            idents.append(first)  # party identifier code/country/identifier
        else:
            raise self.err("option F must start with /account or a party identifier", f)
        names: list[str] = []
        address: list[str] = []
        town: str | None = None
        country: str | None = None
        last = 0
        for line in lines[1:]:
            match = _NUMBERED.match(line)
            if not match:
                raise self.err(f"option F line {line[:20]!r} is not numbered 1/ to 8/", f)
            number, text = int(match.group("n")), match.group("text").strip()
            if number < last and number != 8 and not (number == 2 and last == 3):
                raise self.err("option F lines out of order", f)
            last = number
            if number == 1:
                names.append(text)
            elif number == 2:
                address.append(text)
            elif number == 3:
                cc, _, place = text.partition("/")
                country = check_country(cc, f":{f.tag}: line 3/", self.file)
                if place:
                    town = place.strip()
            elif number in (4, 5, 6, 7):
                idents.append(f"{number}/{text}")
            elif number == 8:
                names.append(text)
        if not names:
            raise self.err("option F without a 1/ name line", f)
        return Party(
            role=role,
            name=" ".join(names),
            address=tuple(address),
            town=town,
            country=country,
            account=account,
            identifiers=tuple(idents),
            field=f.tag,
        )


_CODED_PARTY = re.compile(r"^/(?P<code>ULTB|ULTD)/(?P<name>.*)$")


def _coded_parties(f: _Field) -> list[Party]:
    """Ultimate parties written with the codes ``/ULTB/`` (ultimate beneficiary) and
    ``/ULTD/`` (ultimate debtor) in :70: or :72: (continuation lines start ``//``)."""
    out: list[Party] = []
    lines = [x.strip() for x in f.lines]
    i = 0
    while i < len(lines):
        match = _CODED_PARTY.match(lines[i])
        i += 1
        if not match:
            continue
        name = match.group("name").strip()
        while i < len(lines) and lines[i].startswith("//"):
            name += " " + lines[i][2:].strip()
            i += 1
        if name:
            role = "ultimate_creditor" if match.group("code") == "ULTB" else "ultimate_debtor"
            out.append(Party(role=role, name=name, field=f.tag))
    return out


def _assign(
    fields: list[_Field], rules: tuple[FieldRule, ...], message: str, file: str | None
) -> list[tuple[_Field, FieldRule]]:
    """Each field matched to its place in the message definition, in order: a field the
    message does not define, an option it does not have, a non-repeatable field given twice,
    a field out of order, or a missing mandatory field is a :class:`ParseError`."""
    counts = [0] * len(rules)
    cursor = 0
    out: list[tuple[_Field, FieldRule]] = []
    for f in fields:
        label = f":{f.tag}:"
        index = next(
            (
                i
                for i in range(cursor, len(rules))
                if rules[i].same_field(f) and rules[i].has_room(counts[i])
            ),
            None,
        )
        if index is None:
            known = [r for r in rules if r.same_field(f)]
            if not known:
                raise ParseError(
                    f"field {label} is not part of {message}", file=file, line=f.line, field=label
                )
            if all(counts[i] for i, r in enumerate(rules) if r.same_field(f)):
                raise ParseError(
                    f"field {label} repeated: {known[0].label} may appear at most "
                    f"{known[0].max_repeat} time(s) in {message}",
                    file=file,
                    line=f.line,
                    field=label,
                )
            raise ParseError(
                f"field {label} out of order in {message}", file=file, line=f.line, field=label
            )
        rule = rules[index]
        option = f.option or "-"
        if rule.tag.endswith("a") and option not in rule.options:
            raise ParseError(
                f"field {f.number} has no option {f.option!r} in {message} "
                f"(allowed: {', '.join(o if o != '-' else 'none' for o in rule.options)})",
                file=file,
                line=f.line,
                field=label,
            )
        counts[index] += 1
        cursor = index
        out.append((f, rule))
    for i, rule in enumerate(rules):
        if rule.mandatory and not counts[i]:
            where = f" (sequence {rule.sequence})" if rule.message.endswith("COV") else ""
            raise ParseError(
                f"missing mandatory field {rule.label}{where}", file=file, field=rule.label
            )
    return out


def _check_lines(reader: _MT, f: _Field, rule: FieldRule) -> None:
    """Every line of a field holds text (an empty line, e.g. ``:59:`` with nothing after
    the tag and the name on the next line, is not a valid field and would read two ways),
    at most the number of lines and the width the field's format allows."""
    lines = [x.rstrip() for x in f.lines]
    while len(lines) > 1 and not lines[-1]:
        lines.pop()
    for number, line in enumerate(lines, start=1):
        if not line.strip():
            raise reader.err(f"line {number} of field :{f.tag}: is empty", f)
        width = ID_WIDTH if number == 1 and line.startswith("/") else WIDTH
        if len(line) > width:
            raise reader.err(
                f"line {number} of field :{f.tag}: has {len(line)} characters (at most {width})",
                f,
            )
    allowed = rule.options.get(f.option or "-", 0) if rule.tag.endswith("a") else rule.options["-"]
    if len(lines) > allowed:
        raise reader.err(f"field :{f.tag}: has {len(lines)} lines (at most {allowed})", f)


def parse_mt(raw: bytes, file: str | None = None) -> PaymentMessage:
    """One FIN MT103 or MT202 message as a :class:`PaymentMessage`."""
    if len(raw) > MAX_BYTES:
        raise ParseError(f"message larger than {MAX_BYTES} bytes", file=file)
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise ParseError(f"not UTF-8/ASCII text (byte at offset {exc.start})", file=file) from exc
    if text.startswith("\ufeff"):
        text = text[1:]
    if re.search(r"[\x00-\x08\x0b\x0c\x0e-\x1f]", text):
        raise ParseError("control characters in an MT message", file=file)
    blocks = _blocks(text, file)
    for needed in ("1", "2", "4"):
        if needed not in blocks:
            raise ParseError(f"missing block {needed}", file=file, field=f"block {needed}")
    b1 = _B1.match(blocks["1"].strip())
    if not b1:
        raise ParseError("malformed basic header block 1", file=file, field="block 1")
    b2_text = blocks["2"].strip()
    b2 = _B2_IN.match(b2_text) or _B2_OUT.match(b2_text)
    if not b2:
        raise ParseError("malformed application header block 2", file=file, field="block 2")
    mt_type = b2.group("type")
    if mt_type not in SUPPORTED_TYPES:
        raise ParseError(
            f"unsupported message type MT{mt_type} (supported: MT103, MT202)",
            file=file,
            field="block 2",
        )
    own = _lt_bic(b1.group("lt"), "block 1", file)
    other = _lt_bic(b2.group("lt"), "block 2", file)
    sender, receiver = (own, other) if b2_text.startswith("I") else (other, own)
    header_agents = (
        Agent(role="sender", bic=sender, field="block 1" if b2_text.startswith("I") else "block 2"),
        Agent(
            role="receiver", bic=receiver, field="block 2" if b2_text.startswith("I") else "block 1"
        ),
    )
    cover = "{119:COV}" in blocks.get("3", "")
    body_start = text.find("{4:")
    first_line = text.count("\n", 0, body_start) + 1
    fields = _fields(blocks["4"], first_line, file)
    reader = _MT(file)
    message_kind = f"MT{mt_type}"
    rules = field_rules()[message_kind]
    if cover and mt_type == "202":
        rules = rules + field_rules()["MT202 COV"]
    assigned = _assign(fields, rules, message_kind + (" COV" if cover else ""), file)
    for f, rule in assigned:
        _check_lines(reader, f, rule)
    by_rule: dict[str, list[_Field]] = {}
    for f, rule in assigned:
        by_rule.setdefault(rule.tag, []).append(f)
    ref_field = by_rule["20"][0]
    reference = " ".join(reader._value_lines(ref_field))
    if (
        len(reference) > 16
        or reference.startswith("/")
        or reference.endswith("/")
        or "//" in reference
    ):
        raise reader.err(
            "reference must be 1-16 characters without leading, trailing or double '/'", ref_field
        )
    f32 = by_rule["32A"][0]
    match = _32A.match("".join(reader._value_lines(f32)))
    if not match:
        raise reader.err("32A must be YYMMDD, currency and an amount with a decimal comma", f32)
    try:
        value_date = date(
            2000 + int(match.group("date")[:2]),
            int(match.group("date")[2:4]),
            int(match.group("date")[4:6]),
        )
    except ValueError as exc:
        raise reader.err(f"invalid value date {match.group('date')}", f32) from exc
    currency = check_currency(match.group("ccy"), ":32A:", file)
    amount = parse_amount(match.group("amount"), ":32A:", file, comma=True)
    check_decimals(match.group("amount"), currency, ":32A:", file, line=f32.line)
    for tag in ("33B", "71F", "71G"):
        for f in by_rule.get(tag, ()):
            found = _CCY_AMOUNT.match("".join(reader._value_lines(f)))
            if not found:
                raise reader.err(f"{tag} must be a currency and an amount with a decimal comma", f)
            check_currency(found.group("ccy"), f":{tag}:", file)
            parse_amount(found.group("amount"), f":{tag}:", file, comma=True)
            check_decimals(found.group("amount"), found.group("ccy"), f":{tag}:", file, line=f.line)
    for f in by_rule.get("71A", ()):
        if "".join(reader._value_lines(f)) not in _CHARGES:
            raise reader.err("71A must be BEN, OUR or SHA", f)
    parties: list[Party] = []
    agents: list[Agent] = []
    texts: list[str] = []
    for f, rule in assigned:
        if rule.role in ("debtor", "creditor"):
            parties.append(reader.party(f, rule.role))
        elif rule.role:
            agents.append(reader.agent(f, rule.role))
        elif f.number in ("70", "72", "77"):
            texts.append("\n".join(x.strip() for x in f.lines if x.strip()))
            parties.extend(_coded_parties(f))
    transfer = Transfer(
        transaction_id=reference,
        amount=amount,
        currency=currency,
        value_date=value_date,
        parties=tuple(parties),
        agents=tuple(agents),
        remittance="\n".join(t for t in texts if t),
    )
    return PaymentMessage(
        message_id=reference,
        format=f"MT{mt_type}" + (" COV" if cover and mt_type == "202" else ""),
        message_type=f"MT{mt_type}",
        transfers=(transfer,),
        agents=header_agents,
    )
