"""Custom lists (``--source custom:NAME``): a bank's or forwarder's own list, as a CSV/XLSX
table with a column mapping, or as FollowTheMoney JSON lines (any FtM file).

``--map name=Company Name,country=Country,inn=INN`` maps list fields to column headers
(case-insensitive); without ``--map``, columns named like a field (``name``, ``alias``,
``country``...) are used. A table whose mapping has no ``name`` column is refused before
anything is read or stored; so is a mapping naming a column the file does not have, or an
unknown field. Every cell that cannot be read (an unknown country, a date that is not a date,
a schema that is not one) is a :class:`ParseError` naming file, line and column.

Fields: ``name`` (required), ``alias`` (``;``-separated), ``schema`` (person/individual,
company, organisation/organization/entity, vessel, aircraft/airplane, or an FtM schema
name), ``country``, ``nationality``, ``birth_date``, ``address``, ``program``, ``notes``,
``record_id`` (the list's own id: stable entity ids across reloads), and identifiers ``id``
(generic), ``inn``, ``ogrn``, ``bin``, ``iin``, ``imo``, ``bic``, ``lei``, ``passport``,
``registration``, ``tax``. Without ``record_id`` an entry's id is a slug of its name plus a
hash of its mapped values, so an unchanged row keeps its id and an edited row is a change.
"""

from __future__ import annotations

import csv
import hashlib
import io
import re
from collections.abc import Iterator, Sequence
from pathlib import Path

from followthemoney.proxy import EntityProxy

from circumspect.errors import InputError, ParseError
from circumspect.model.entities import ListedEntity, make_entity_id, new_proxy
from circumspect.sources.base import (
    country_code,
    decode_text,
    guess_org_schema,
    make_sanction,
    parse_dates,
    put,
    put_kz_number,
    reject_binary,
)

FORMAT = "custom_table"

#: field -> FtM property (identifiers and plain values); special fields handled in code.
_PROPS: dict[str, str] = {
    "inn": "innCode",
    "ogrn": "ogrnCode",
    "imo": "imoNumber",
    "bic": "swiftBic",
    "lei": "leiCode",
    "passport": "passportNumber",
    "registration": "registrationNumber",
    "tax": "taxNumber",
    "id": "idNumber",
    "address": "address",
    "notes": "notes",
}
FIELDS: tuple[str, ...] = (
    "name",
    "alias",
    "schema",
    "country",
    "nationality",
    "birth_date",
    "program",
    "record_id",
    "bin",
    "iin",
    *_PROPS,
)
_SCHEMATA = {
    "person": "Person",
    "individual": "Person",
    "company": "Company",
    "organisation": "Organization",
    "organization": "Organization",
    "entity": "LegalEntity",
    "legalentity": "LegalEntity",
    "vessel": "Vessel",
    "ship": "Vessel",
    "aircraft": "Airplane",
    "airplane": "Airplane",
}


def parse_mapping(text: str | None) -> dict[str, str]:
    """``name=Company Name,country=Country`` -> {field: column}; InputError when malformed."""
    out: dict[str, str] = {}
    if not text:
        return out
    for part in text.split(","):
        if not part.strip():
            continue
        field_name, sep, column = part.partition("=")
        key = field_name.strip().lower()
        if not sep or not column.strip():
            raise InputError(f"--map item {part.strip()!r} is not FIELD=Column", field="map")
        if key not in FIELDS:
            raise InputError(
                f"--map: unknown field {key!r}; known: {', '.join(FIELDS)}", field="map"
            )
        if key in out:
            raise InputError(f"--map: field {key!r} given twice", field="map")
        out[key] = column.strip()
    return out


def is_table(path: Path) -> bool:
    """CSV/XLSX (not FtM JSON): decided from the first bytes."""
    with path.open("rb") as fh:
        head = fh.read(64).lstrip(b"\xef\xbb\xbf").lstrip()
    return not head.startswith(b"{")


def _read_xlsx(path: Path) -> list[list[str]]:
    import zipfile

    from openpyxl import load_workbook

    try:
        book = load_workbook(path, read_only=True, data_only=True)
    except (zipfile.BadZipFile, OSError, KeyError, ValueError) as exc:
        raise ParseError(f"not a readable XLSX workbook: {exc}", file=str(path)) from exc
    try:
        sheet = book.worksheets[0]
        rows = [
            ["" if cell is None else str(cell).strip() for cell in row]
            for row in sheet.iter_rows(values_only=True)
        ]
    finally:
        book.close()
    return rows


def _read_csv(path: Path) -> list[list[str]]:
    label = str(path)
    text = decode_text(path.read_bytes(), label, ("utf-8", "cp1251", "cp1252"))
    reject_binary(text, label)
    first = text.split("\n", 1)[0]
    delimiter = max((",", ";", "\t"), key=first.count)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, strict=True)
    try:
        return [[c.strip() for c in row] for row in reader]
    except csv.Error as exc:
        raise ParseError(f"malformed CSV: {exc}", file=label, line=reader.line_num) from exc


def read_table(path: Path) -> list[list[str]]:
    """Rows of a CSV (comma, semicolon or tab) or the first sheet of an XLSX file."""
    with path.open("rb") as fh:
        magic = fh.read(4)
    rows = _read_xlsx(path) if magic.startswith(b"PK") else _read_csv(path)
    if not rows or not any(rows[0]):
        raise ParseError("empty file: no header row", file=str(path), line=1)
    return rows


def resolve(path: Path, header: Sequence[str], mapping: dict[str, str]) -> dict[str, int]:
    """{field: column index}; InputError when no name column or a mapped column is absent."""
    index = {h.strip().lower(): i for i, h in enumerate(header) if h.strip()}
    if mapping:
        wanted = dict(mapping)
    else:
        wanted = {f: f for f in FIELDS if f in index}
        wanted.update({"birth_date": "birth date"} if "birth date" in index else {})
    out: dict[str, int] = {}
    for key, column in wanted.items():
        position = index.get(column.lower())
        if position is None:
            raise InputError(
                f"column {column!r} (for {key}) is not in the header "
                f"({', '.join(h for h in header if h)})",
                file=str(path),
                line=1,
                field="map",
            )
        out[key] = position
    if "name" not in out:
        raise InputError(
            "no name column: name one with --map name=COLUMN (header: "
            f"{', '.join(h for h in header if h)}); nothing was stored",
            file=str(path),
            line=1,
            field="name",
        )
    return out


def check(path: Path, mapping: dict[str, str]) -> dict[str, int]:
    """Read the header and resolve the mapping (the check done before anything is stored)."""
    return resolve(path, read_table(path)[0], mapping)


def _schema(value: str, name: str, file: str, line: int) -> str:
    if not value:
        return guess_org_schema(name, default="LegalEntity")
    key = re.sub(r"[\s_-]+", "", value.lower())
    schema = _SCHEMATA.get(key)
    if schema is None:
        raise ParseError(
            f"unknown schema {value!r} (expected one of {', '.join(sorted(_SCHEMATA))})",
            file=file,
            line=line,
            field="schema",
        )
    return schema


def _values(value: str) -> list[str]:
    return [v.strip() for v in value.split(";") if v.strip()]


def _put_checked(proxy: EntityProxy, prop: str, value: str, key: str, file: str, line: int) -> None:
    """Add a mapped value, or ParseError when the schema has no such property or FtM
    rejects the value (an INN with a wrong check digit, say): nothing is dropped silently."""
    schema_prop = proxy.schema.properties.get(prop)
    if schema_prop is None:
        raise ParseError(
            f"{key} does not apply to a {proxy.schema.name}", file=file, line=line, field=key
        )
    before = len(proxy.get(prop))
    put(proxy, prop, value)
    if len(proxy.get(prop)) == before:
        raise ParseError(
            f"{value!r} is not a valid {key} value (or repeats one)",
            file=file,
            line=line,
            field=key,
        )


def _entity(
    source: str, row: dict[str, str], file: str, line: int, seen: dict[str, int]
) -> ListedEntity | None:
    name = re.sub(r"\s+", " ", row.get("name", "")).strip()
    if not name:
        raise ParseError("row without a name", file=file, line=line, field="name")
    schema = _schema(row.get("schema", ""), name, file, line)
    record = row.get("record_id", "")
    if record:
        source_id = record
        if record in seen:
            raise ParseError(
                f"record id {record} occurs twice (first on line {seen[record]})",
                file=file,
                line=line,
                field="record_id",
            )
    else:
        digest = hashlib.sha1(
            "\x1f".join(f"{k}={v}" for k, v in sorted(row.items())).encode("utf-8")
        ).hexdigest()[:10]
        slug = re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-")[:40]
        source_id = f"{slug}-{digest}" if slug else digest
        if source_id in seen:
            return None  # the same row twice: one entry
    seen[source_id] = line
    entity_id = make_entity_id(source, source_id)
    proxy = new_proxy(schema, entity_id, [("name", name)])
    for alias in _values(row.get("alias", "")):
        put(proxy, "alias", alias)
    for key in ("country", "nationality"):
        for value in _values(row.get(key, "")):
            code = country_code(value)
            if code is None:
                raise ParseError(f"unknown country {value!r}", file=file, line=line, field=key)
            put(proxy, "country" if key == "country" else "nationality", code)
    for value in _values(row.get("birth_date", "")):
        dates = parse_dates(value)
        if not dates:
            raise ParseError(f"unreadable date {value!r}", file=file, line=line, field="birth_date")
        for iso in dates:
            put(proxy, "birthDate", iso)
    for key in ("bin", "iin"):
        for value in _values(row.get(key, "")):
            if not put_kz_number(proxy, re.sub(r"\s", "", value)):
                raise ParseError(
                    f"{key.upper()} {value!r} is not 12 digits", file=file, line=line, field=key
                )
    for key, prop in _PROPS.items():
        for value in _values(row.get(key, "")):
            if key == "id" and put_kz_number(proxy, value):
                continue
            _put_checked(proxy, prop, value, key, file, line)
    programs = _values(row.get("program", ""))
    for program in programs:
        put(proxy, "program", program)
    sanction = make_sanction(
        source,
        source_id,
        entity_id,
        authority=f"custom list {source[len('custom:') :]}",
        programs=programs,
    )
    return ListedEntity(proxy=proxy, source=source, source_id=source_id, sanctions=[sanction])


def parse(
    source: str, paths: Sequence[Path], mapping: dict[str, str] | None = None
) -> Iterator[ListedEntity]:
    """Entities of custom-list tables (one entity per row; identical rows once)."""
    seen: dict[str, int] = {}
    for path in paths:
        rows = read_table(path)
        columns = resolve(path, rows[0], mapping or {})
        for number, cells in enumerate(rows[1:], start=2):
            if not any(cells):
                continue
            row = {k: cells[i] if i < len(cells) else "" for k, i in columns.items()}
            entity = _entity(source, row, str(path), number, seen)
            if entity is not None:
                yield entity
