"""UK Sanctions List (FCDO) CSV (``UK-Sanctions-List.csv``).

Line 1 is ``Report Date: 08-Oct-2026``; line 2 the header (58 columns in the 2025-2026
files: ``Last Updated, Unique ID, OFSI Group ID, UN Reference Number, Name 6, Name 1 ..
Name 5, Name type, Alias strength, Title, Name non-latin script, ..., Regime Name,
Designation Type, ..., Address Line 1..6, Address Postal Code, Address Country, ...,
Date Designated, D.O.B, Nationality(/ies), National Identifier number, Passport number, ...,
IMO number, ..., Current believed flag of ship, ...``). Columns are found by header name,
so older files (``Group Type`` instead of ``Designation Type``) and re-ordered columns work.

One entry spans several rows (one per name and address): rows are grouped by
``Unique ID`` into one entity. ``Name 6`` is the family name of a person or the whole name
of an entity or ship; ``Name 1``..``Name 5`` are given/other names. ``Name type`` Primary
Name -> ``name``, else ``alias`` (``weakAlias`` when ``Alias strength`` says weak/low).
Dates are ``dd/mm/yyyy`` with ``00`` for unknown day or month.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterator, Sequence
from pathlib import Path

from followthemoney.proxy import EntityProxy

from circumspect.errors import ParseError
from circumspect.model.entities import ListedEntity, make_entity_id, new_proxy
from circumspect.sources.base import (
    country_code,
    decode_text,
    guess_org_schema,
    make_sanction,
    put,
    put_kz_number,
    reject_binary,
)

FORMAT = "uk_csv"
AUTHORITY = "UK Foreign, Commonwealth & Development Office (FCDO)"

_REQUIRED = ("Unique ID", "Name 6", "Name type", "Regime Name")
_TYPE_COLUMNS = ("Designation Type", "Group Type")
_DATE = re.compile(r"^(\d{1,2})/(\d{1,2})/(\d{4})$")
_LABELLED_ID = re.compile(
    r"\b(INN|OGRN|BIN|IIN|KPP|SWIFT/BIC|SWIFT|BIC|LEI|IMO|Tax Identification Number|"
    r"Taxpayer Identification Number|Registration Number|Company Number)\b\s*(?:\([A-Z]+\))?"
    r"\s*(?:number|no\.?)?\s*[:#-]?\s*([A-Z0-9][A-Z0-9-]{4,})",
    re.IGNORECASE,
)
_ENUM_SPLIT = re.compile(r"\(\d+\)|\|")


def uk_dates(value: str) -> list[str]:
    """``dd/mm/yyyy`` (``00`` for unknown parts) -> ISO prefix; several values allowed."""
    out: list[str] = []
    for part in _ENUM_SPLIT.split(value):
        match = _DATE.match(part.strip())
        if not match:
            continue
        day, month, year = (int(g) for g in match.groups())
        if year == 0:
            continue
        if month == 0:
            out.append(f"{year:04d}")
        elif day == 0:
            out.append(f"{year:04d}-{month:02d}")
        else:
            out.append(f"{year:04d}-{month:02d}-{day:02d}")
    return out


def _multi(value: str) -> list[str]:
    return [p.strip(" ,;") for p in _ENUM_SPLIT.split(value) if p.strip(" ,;")]


def _identifiers(proxy: EntityProxy, text: str) -> None:
    for match in _LABELLED_ID.finditer(text):
        label, value = match.group(1).upper(), match.group(2).strip("-")
        if label == "INN" or label.startswith("TAX"):
            put(
                proxy,
                "innCode" if len(value) in (10, 12) and value.isdigit() else "taxNumber",
                value,
            )
            put(proxy, "taxNumber", value)
        elif label == "OGRN":
            put(proxy, "ogrnCode", value)
            put(proxy, "registrationNumber", value)
        elif label in ("BIN", "IIN"):
            if not put_kz_number(proxy, value):
                put(proxy, "registrationNumber", value)
        elif label in ("SWIFT/BIC", "SWIFT", "BIC"):
            put(proxy, "swiftBic", value)
        elif label == "LEI":
            put(proxy, "leiCode", value)
        elif label == "IMO":
            put(proxy, "imoNumber", value)
        else:
            put(proxy, "registrationNumber", value)


def _read(path: Path) -> tuple[list[str], list[tuple[int, dict[str, str]]]]:
    label = str(path)
    text = decode_text(path.read_bytes(), label, ("utf-8",))
    reject_binary(text, label)
    reader = csv.reader(io.StringIO(text, newline=""), strict=True)
    rows: list[tuple[int, dict[str, str]]] = []
    header: list[str] | None = None
    try:
        for fields in reader:
            line = reader.line_num
            if header is None:
                if not fields or (len(fields) == 1 and fields[0].lower().startswith("report date")):
                    continue
                header = [f.strip() for f in fields]
                missing = [c for c in _REQUIRED if c not in header]
                if not any(c in header for c in _TYPE_COLUMNS):
                    missing.append("Designation Type")
                if missing:
                    raise ParseError(
                        f"not a UK Sanctions List header: missing {', '.join(missing)}",
                        file=label,
                        line=line,
                    )
                continue
            if not fields or all(not f.strip() for f in fields):
                continue
            if len(fields) != len(header):
                raise ParseError(
                    f"expected {len(header)} columns (as in the header), found {len(fields)}",
                    file=label,
                    line=line,
                )
            row = {h: f.strip() for h, f in zip(header, fields, strict=True)}
            if not row["Unique ID"]:
                raise ParseError(
                    "row without a Unique ID", file=label, line=line, field="Unique ID"
                )
            rows.append((line, row))
    except csv.Error as exc:
        raise ParseError(f"malformed CSV: {exc}", file=label, line=reader.line_num) from exc
    if header is None:
        raise ParseError("no header line", file=label)
    return header, rows


def _full_name(row: dict[str, str]) -> str:
    given = [row.get(f"Name {i}", "") for i in range(1, 6)]
    return " ".join(p for p in [*given, row.get("Name 6", "")] if p).strip()


def _kind(row: dict[str, str]) -> str:
    for column in _TYPE_COLUMNS:
        if row.get(column):
            return row[column].strip().lower()
    return ""


def build_entity(
    source: str, uid: str, rows: list[tuple[int, dict[str, str]]], file: str
) -> ListedEntity:
    first_line, first = rows[0]
    primary_rows = [
        r
        for _, r in rows
        if r["Name type"].lower().startswith("primary name")
        and not r["Name type"].lower().startswith("primary name variation")
    ]
    primary = _full_name(primary_rows[0] if primary_rows else first)
    if not primary:
        raise ParseError(
            "entry without a name", file=file, line=first_line, record=uid, field="Name 6"
        )
    kind = _kind(first)
    if kind == "individual":
        schema = "Person"
    elif kind == "ship":
        schema = "Vessel"
    else:
        schema = guess_org_schema(primary)
    entity_id = make_entity_id(source, uid)
    proxy = new_proxy(schema, entity_id, [("name", primary)])
    if schema == "Person":
        source_row = primary_rows[0] if primary_rows else first
        put(proxy, "lastName", source_row.get("Name 6", ""))
        put(proxy, "firstName", source_row.get("Name 1", ""))
        put(
            proxy,
            "middleName",
            " ".join(p for p in (source_row.get(f"Name {i}", "") for i in range(2, 6)) if p),
        )
    programs: list[str] = []
    for _, row in rows:
        name = _full_name(row)
        if name and name != primary:
            strength = row.get("Alias strength", "").lower()
            weak = "weak" in strength or "low" in strength
            put(proxy, "weakAlias" if weak else "alias", name)
        put(proxy, "alias", row.get("Name non-latin script", ""))
        put(proxy, "title", row.get("Title", ""))
        regime = row.get("Regime Name", "")
        if regime and regime not in programs:
            programs.append(regime)
        _row_details(proxy, row)
    for program in programs:
        put(proxy, "program", program)
    sanction = make_sanction(
        source,
        uid,
        entity_id,
        authority=AUTHORITY,
        programs=programs,
        reason=first.get("UK Statement of Reasons") or None,
        extra=[
            ("authorityId", first.get("OFSI Group ID", "")),
            ("unscId", first.get("UN Reference Number", "")),
            ("provisions", first.get("Sanctions Imposed", "")),
        ],
    )
    for iso in uk_dates(first.get("Date Designated", "")):
        put(sanction, "listingDate", iso)
        put(sanction, "startDate", iso)
    for iso in uk_dates(first.get("Last Updated", "")):
        put(sanction, "modifiedAt", iso)
    return ListedEntity(proxy=proxy, source=source, source_id=uid, sanctions=[sanction])


def _row_details(proxy: EntityProxy, row: dict[str, str]) -> None:
    lines = [row.get(f"Address Line {i}", "") for i in range(1, 7)]
    country = row.get("Address Country", "")
    full = ", ".join(p for p in [*lines, row.get("Address Postal Code", ""), country] if p)
    if full and full != country:
        put(proxy, "address", full)
    put(proxy, "country", country_code(country))
    put(proxy, "phone", row.get("Phone number", ""))
    put(proxy, "website", row.get("Website", ""))
    put(proxy, "email", row.get("Email address", ""))
    put(proxy, "notes", row.get("Other Information", ""))
    _identifiers(proxy, row.get("Other Information", ""))
    for iso in uk_dates(row.get("D.O.B", "")):
        put(proxy, "birthDate", iso)
    for nationality in _multi(row.get("Nationality(/ies)", "")):
        put(proxy, "nationality", country_code(nationality))
    national_id = row.get("National Identifier number", "")
    for value in _multi(national_id):
        token = value.split()[0] if value.split() else ""
        if not put_kz_number(proxy, token):
            put(proxy, "idNumber", value)
    for value in _multi(row.get("Passport number", "")):
        put(proxy, "passportNumber", value)
    put(proxy, "position", row.get("Position", ""))
    gender = row.get("Gender", "").lower()
    if gender in ("male", "female"):
        put(proxy, "gender", gender)
    birth_country = row.get("Country of birth", "")
    put(
        proxy,
        "birthPlace",
        ", ".join(p for p in (row.get("Town of birth", ""), birth_country) if p),
    )
    put(proxy, "birthCountry", country_code(birth_country))
    registration = row.get("Business registration number (s)", "")
    if registration:
        if _LABELLED_ID.search(registration):
            _identifiers(proxy, registration)
        else:
            for value in _multi(registration):
                if not put_kz_number(proxy, value):
                    put(proxy, "registrationNumber", value)
    put(proxy, "legalForm", row.get("Type of entity", ""))
    imo = re.sub(r"\D", "", row.get("IMO number", ""))
    put(proxy, "imoNumber", imo)
    put(proxy, "flag", country_code(row.get("Current believed flag of ship", "")))
    for flag in _multi(row.get("Previous flags", "")):
        put(proxy, "pastFlags", country_code(flag))
    put(proxy, "type", row.get("Type of ship", ""))
    put(proxy, "tonnage", row.get("Tonnage of ship", ""))
    year = row.get("Year Built", "")
    if re.fullmatch(r"\d{4}", year):
        put(proxy, "buildDate", year)
    owner = row.get("Current owner/operator (s)", "")
    if owner:
        put(proxy, "notes", f"Current owner/operator: {owner}")
    parent = row.get("Parent company", "") or row.get("Parent Company", "")
    if parent:
        put(proxy, "notes", f"Parent company: {parent}")
    subsidiaries = row.get("Subsidiaries", "")
    if subsidiaries:
        put(proxy, "notes", f"Subsidiaries: {subsidiaries}")


def parse(source: str, paths: Sequence[Path]) -> Iterator[ListedEntity]:
    for path in paths:
        _, rows = _read(path)
        groups: dict[str, list[tuple[int, dict[str, str]]]] = {}
        for line, row in rows:
            groups.setdefault(row["Unique ID"], []).append((line, row))
        for uid, group in groups.items():
            yield build_entity(source, uid, group, str(path))
