"""Kazakhstan Financial Monitoring Agency (AFM): list of organisations and persons linked to
the financing of terrorism and extremism (Article 12 of the Law "On Countering the
Legalisation (Laundering) of Proceeds of Crime and the Financing of Terrorism").

Layouts read (documented in ``docs/formats.md``, section ``kz_afm``, with the public sources
they were taken from; no real extract was available, the tests use hand-written files):

* legacy ``https://afmrk.gov.kz/blacklist/export/active/xml``: root ``<xml>`` with
  ``<persons><person>`` (``num``, ``lname``, ``fname``, ``mname``, ``birthdate``
  ``dd.mm.yyyy``, ``iin``, ``note`` such as ``включен от dd.mm.yyyy``),
  ``<organisations><org>`` (``num``, ``org_name``, ``note``) and ``<organisationscis><org>``
  (organisations banned in CIS states: also ``org_name_en``);
* the later export ``api.websfm.kz/.../xml_category_1/?status=acting``: ``person`` and
  ``org`` records with the same fields plus ``correction`` and ``added_to_list``.

IIN (persons) and BIN (organisations) are decisive identifiers: they go to ``idNumber`` /
``registrationNumber`` and ``taxNumber`` (``put_kz_number``), which the screener matches
exactly. The BIN element is not documented publicly: ``org_bin``, ``bin`` and ``org_iin``
elements and a ``БИН``/``BIN`` number in ``note`` are read. An IIN/BIN that is not 12 digits
is a ``ParseError``; one that fails the Kazakh checksum is kept (the list is authoritative)
with a note saying so.

Ids: ``iin-<IIN>`` / ``bin-<BIN>`` when present, else ``<p|org>-<slug>-<8 hex of a hash of
the names and birth date>``; records with the same id are merged.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from circumspect.errors import ParseError
from circumspect.model.entities import ListedEntity, make_entity_id, new_proxy
from circumspect.names.identifiers import problem
from circumspect.sources.base import make_sanction, parse_dates, put, put_all, put_kz_number
from circumspect.sources.xmlutil import iter_elements, local

FORMAT = "kz_afm"
AUTHORITY = "Financial Monitoring Agency of the Republic of Kazakhstan (AFM)"
PROGRAM = "AFM list of persons and organisations linked to the financing of terrorism and extremism"
CIS_PROGRAM = "AFM list: organisations recognised as terrorist or extremist in CIS states"

_NOTE_BIN = re.compile(r"(?:БИН|BIN)\s*:?\s*(\d{12})\b", re.IGNORECASE)
_INCLUDED = re.compile(r"включен\w*\s+от\s+(\d{1,2}\.\d{1,2}\.\d{4})", re.IGNORECASE)
_ROOT_HINTS = ("<persons", "<organisations", "<lname", "<org_name")


def looks_like(head: str) -> bool:
    """True when an XML head is the AFM list (used by format detection)."""
    return any(hint in head for hint in _ROOT_HINTS)


@dataclass
class _Record:
    kind: str  # "person" | "org"
    cis: bool
    line: int
    fields: list[dict[str, str]] = field(default_factory=list)


def _fields(element: Any) -> dict[str, str]:
    out: dict[str, str] = {}
    for sub in element:
        if isinstance(sub.tag, str):
            value = (sub.text or "").strip()
            if value:
                out[local(sub.tag)] = re.sub(r"\s+", " ", value)
    return out


def _number(value: str, kind: str, file: str, line: int) -> tuple[str, str | None]:
    """(12 digits, checksum problem or None); ParseError when not 12 digits."""
    digits = re.sub(r"[\s-]", "", value)
    if not re.fullmatch(r"\d{12}", digits):
        raise ParseError(
            f"{kind.upper()} {value!r} is not 12 digits", file=file, line=line, field=kind
        )
    return digits, problem(f"kz_{kind}", digits)


def _hash_key(*parts: str) -> str:
    norm = "\x1f".join(re.sub(r"\s+", " ", p).strip().upper() for p in parts)
    return hashlib.sha1(norm.encode("utf-8")).hexdigest()[:8]


def _slug(value: str) -> str:
    """ASCII slug of a name ('' for a name in Cyrillic only: the hash then identifies it)."""
    return re.sub(r"[^a-z0-9]+", "-", value.lower()).strip("-")[:40]


def _person_key(values: dict[str, str], file: str, line: int) -> str:
    if values.get("iin"):
        digits, _ = _number(values["iin"], "iin", file, line)
        return f"iin-{digits}"
    names = [values.get(k, "") for k in ("lname", "fname", "mname")]
    digest = _hash_key(*names, values.get("birthdate", ""))
    slug = _slug(" ".join(n for n in names if n))
    return f"p-{slug}-{digest}" if slug else f"p-{digest}"


def _org_bin(values: dict[str, str]) -> str | None:
    for tag in ("org_bin", "bin", "org_iin"):
        if values.get(tag):
            return values[tag]
    match = _NOTE_BIN.search(values.get("note", ""))
    return match.group(1) if match else None


def _org_key(values: dict[str, str], file: str, line: int) -> str:
    bin_value = _org_bin(values)
    if bin_value:
        digits, _ = _number(bin_value, "bin", file, line)
        return f"bin-{digits}"
    name = values.get("org_name") or values.get("org_name_en", "")
    slug = _slug(name)
    return f"org-{slug}-{_hash_key(name)}" if slug else f"org-{_hash_key(name)}"


def _listing_dates(values: dict[str, str]) -> list[str]:
    out = parse_dates(values.get("added_to_list", ""))
    for tag in ("note", "correction"):
        match = _INCLUDED.search(values.get(tag, ""))
        if match:
            out += parse_dates(match.group(1))
    return sorted(set(out))


def _build_person(source: str, key: str, record: _Record, file: str) -> ListedEntity:
    entity_id = make_entity_id(source, key)
    proxy = new_proxy("Person", entity_id)
    for values in record.fields:
        last, first, middle = (values.get(k, "") for k in ("lname", "fname", "mname"))
        full = " ".join(p for p in (last, first, middle) if p)
        put(proxy, "name", full)
        put(proxy, "lastName", last)
        put(proxy, "firstName", first)
        put(proxy, "fatherName", middle)
        put(proxy, "middleName", middle)
        for iso in parse_dates(values.get("birthdate", "")):
            put(proxy, "birthDate", iso)
        if values.get("iin"):
            digits, issue = _number(values["iin"], "iin", file, record.line)
            put_kz_number(proxy, digits)
            put(proxy, "country", "kz")  # an IIN is issued to Kazakh residents
            if issue:
                put(proxy, "notes", f"IIN {digits} as published fails the Kazakh check ({issue})")
        put(proxy, "notes", values.get("note"))
    put(proxy, "topics", "sanction")
    put(proxy, "topics", "crime.terror")
    return _finish(source, key, proxy, record)


def _build_org(source: str, key: str, record: _Record, file: str) -> ListedEntity:
    entity_id = make_entity_id(source, key)
    proxy = new_proxy("Organization", entity_id)
    for values in record.fields:
        for tag in ("org_name", "org_name_en"):
            names = [n.strip() for n in values.get(tag, "").split(";") if n.strip()]
            if names:
                put(proxy, "name" if not proxy.get("name") else "alias", names[0])
                put_all(proxy, "alias", names[1:])
        bin_value = _org_bin(values)
        if bin_value:
            digits, issue = _number(bin_value, "bin", file, record.line)
            put_kz_number(proxy, digits)
            if issue:
                put(proxy, "notes", f"BIN {digits} as published fails the Kazakh check ({issue})")
        put(proxy, "notes", values.get("note"))
    put(proxy, "topics", "sanction")
    put(proxy, "topics", "crime.terror")
    return _finish(source, key, proxy, record)


def _finish(source: str, key: str, proxy: Any, record: _Record) -> ListedEntity:
    entity_id = str(proxy.id)
    dates = sorted({d for values in record.fields for d in _listing_dates(values)})
    program = CIS_PROGRAM if record.cis else PROGRAM
    sanction = make_sanction(
        source,
        key,
        entity_id,
        authority=AUTHORITY,
        programs=[program],
        listing_date=dates[0] if dates else None,
    )
    put(proxy, "program", program)
    for values in record.fields:
        put(sanction, "summary", values.get("correction"))
        put(sanction, "recordId", values.get("num"))
    return ListedEntity(
        proxy=proxy,
        source=source,
        source_id=key,
        sanctions=[sanction],
        sublist="CIS"
        if record.cis
        else ("persons" if record.kind == "person" else "organisations"),
    )


def parse(source: str, paths: Sequence[Path]) -> Iterator[ListedEntity]:
    records: dict[str, _Record] = {}
    for path in paths:
        label = str(path)
        seen = 0
        for element in iter_elements(path, {"person", "org"}):
            seen += 1
            line = int(element.sourceline or 0)
            values = _fields(element)
            kind = local(element.tag)
            parent = element.getparent()
            cis = parent is not None and local(parent.tag) == "organisationscis"
            if kind == "person":
                if not any(values.get(k) for k in ("lname", "fname")):
                    raise ParseError("person without a name", file=label, line=line, field="lname")
                key = _person_key(values, label, line)
            else:
                if not (values.get("org_name") or values.get("org_name_en")):
                    raise ParseError(
                        "organisation without a name", file=label, line=line, field="org_name"
                    )
                key = _org_key(values, label, line)
            record = records.setdefault(key, _Record(kind=kind, cis=cis, line=line))
            if record.kind != kind:
                raise ParseError(
                    f"{key} is both a person and an organisation", file=label, line=line
                )
            record.fields.append(values)
        if seen == 0:
            raise ParseError("no <person> or <org> record in the AFM list", file=label)
    for key, record in records.items():
        build = _build_person if record.kind == "person" else _build_org
        yield build(source, key, record, ", ".join(str(p) for p in paths))
