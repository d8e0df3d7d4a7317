"""OFAC SDN and consolidated (non-SDN) lists in the legacy CSV format.

Files (no header; ``-0-`` for empty fields; Latin-1; CRLF; a 0x1A end-of-file byte):

* primary ``sdn.csv`` / ``cons_prim.csv`` (12 columns): ent_num, name, type, programs,
  title, call sign, vessel type, tonnage, GRT, vessel flag, vessel owner, remarks;
* ``alt.csv`` / ``cons_alt.csv`` (5): ent_num, alt_num, alt_type (aka/fka/nka), name, remarks;
* ``add.csv`` / ``cons_add.csv`` (6): ent_num, add_num, address, city/state/postal, country,
  remarks;
* ``sdn_comments.csv`` / ``cons_comments.csv`` (2): ent_num, continuation of the remarks
  (OFAC cuts long remarks in the primary file and carries on here, mid-word).

The primary file is required; the others are optional. One entity per primary row.
"""

from __future__ import annotations

import csv
import io
import re
from collections import defaultdict
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from circumspect.errors import ParseError
from circumspect.model.entities import ListedEntity, make_entity_id, new_proxy
from circumspect.sources.base import (
    country_code,
    decode_text,
    guess_org_schema,
    make_sanction,
    put,
    put_all,
    reject_binary,
)
from circumspect.sources.remarks import apply_remarks

FORMAT = "ofac_csv"
AUTHORITY = "US Office of Foreign Assets Control (OFAC)"

#: role -> expected column count
COLUMNS: dict[str, int] = {"primary": 12, "alt": 5, "add": 6, "comments": 2}
#: file stem -> (variant, role)
FILE_NAMES: dict[str, tuple[str, str]] = {
    "sdn": ("sdn", "primary"),
    "alt": ("sdn", "alt"),
    "add": ("sdn", "add"),
    "sdn_comments": ("sdn", "comments"),
    "cons_prim": ("cons", "primary"),
    "cons_alt": ("cons", "alt"),
    "cons_add": ("cons", "add"),
    "cons_comments": ("cons", "comments"),
}
_ROLE_BY_COLUMNS = {count: role for role, count in COLUMNS.items()}
_ENT_NUM = re.compile(r"^\d+$")


def _empty(value: str) -> bool:
    return not value.strip() or value.strip() == "-0-"


def _clean(value: str) -> str:
    return "" if _empty(value) else value.strip()


def file_role(path: Path, first_row: Sequence[str] | None) -> tuple[str | None, str | None]:
    """(variant ``sdn``/``cons``/None, role) of an OFAC CSV file, by name then columns."""
    stem = path.name.lower().rsplit(".", 1)[0]
    if stem in FILE_NAMES:
        return FILE_NAMES[stem]
    variant = "cons" if stem.startswith("cons") else None
    if first_row is not None:
        return variant, _ROLE_BY_COLUMNS.get(len(first_row))
    return variant, None


def read_rows(path: Path, role: str) -> Iterator[tuple[int, list[str]]]:
    """(line number, fields) of one OFAC CSV file; ParseError on malformed content."""
    label = str(path)
    data = path.read_bytes()
    text = decode_text(
        data.rstrip(b"\x1a\r\n \t").rstrip(b"\x1a"), label, ("utf-8", "cp1252", "latin-1")
    )
    reject_binary(text, label)
    expected = COLUMNS[role]
    reader = csv.reader(io.StringIO(text, newline=""), strict=True)
    try:
        for fields in reader:
            if not fields or (len(fields) == 1 and not fields[0].strip("\x1a \t")):
                continue
            line = reader.line_num
            if len(fields) != expected:
                raise ParseError(
                    f"expected {expected} columns in an OFAC {role} file, found {len(fields)}",
                    file=label,
                    line=line,
                )
            if not _ENT_NUM.match(fields[0].strip()):
                raise ParseError(
                    f"first column must be the numeric OFAC entry number, got {fields[0]!r}",
                    file=label,
                    line=line,
                    field="ent_num",
                )
            yield line, fields
    except csv.Error as exc:
        raise ParseError(f"malformed CSV: {exc}", file=label, line=reader.line_num) from exc


@dataclass
class _Extras:
    alts: dict[str, list[tuple[str, str]]] = field(default_factory=lambda: defaultdict(list))
    addresses: dict[str, list[tuple[str, str]]] = field(default_factory=lambda: defaultdict(list))
    comments: dict[str, list[str]] = field(default_factory=lambda: defaultdict(list))


def _load_extras(files: dict[str, list[Path]]) -> _Extras:
    extras = _Extras()
    for path in files.get("alt", []):
        for _, row in read_rows(path, "alt"):
            name = _clean(row[3])
            if name:
                extras.alts[row[0].strip()].append((_clean(row[2]).lower(), name))
    for path in files.get("add", []):
        for _, row in read_rows(path, "add"):
            street, city, country = _clean(row[2]), _clean(row[3]), _clean(row[4])
            extras.addresses[row[0].strip()].append(
                (", ".join(p for p in (street, city, country) if p), country)
            )
    for path in files.get("comments", []):
        for _, row in read_rows(path, "comments"):
            extras.comments[row[0].strip()].append(row[1])
    return extras


def split_programs(value: str) -> list[str]:
    """``[SDGT] [IRAN]`` / ``IRAN] [NPWMD`` -> ["SDGT", "IRAN"] ..."""
    return [p.strip() for p in re.split(r"\]\s*\[", _clean(value).strip("[] ")) if p.strip()]


def schema_for(sdn_type: str, name: str) -> str:
    kind = _clean(sdn_type).lower()
    if kind == "individual":
        return "Person"
    if kind == "vessel":
        return "Vessel"
    if kind == "aircraft":
        return "Airplane"
    return guess_org_schema(name)


def _person_name_parts(name: str) -> tuple[str, str]:
    """(last, first) of an OFAC ``LAST, First Middle`` name."""
    last, _, first = name.partition(",")
    return last.strip(), first.strip()


def build_entity(source: str, row: Sequence[str], extras: _Extras) -> ListedEntity:
    ent_num = row[0].strip()
    name = _clean(row[1])
    schema = schema_for(row[2], name)
    entity_id = make_entity_id(source, ent_num)
    proxy = new_proxy(schema, entity_id, [("name", name)])
    programs = split_programs(row[3])
    put_all(proxy, "program", programs)
    if schema == "Person":
        last, first = _person_name_parts(name)
        if first:
            put(proxy, "lastName", last)
            put(proxy, "firstName", first)
        put(proxy, "position", _clean(row[4]))
    elif schema == "Vessel":
        put(proxy, "callSign", _clean(row[5]))
        put(proxy, "type", _clean(row[6]))
        put(proxy, "tonnage", _clean(row[7]))
        put(proxy, "grossRegisteredTonnage", _clean(row[8]))
        flag = _clean(row[9])
        put(proxy, "flag", country_code(flag))
        owner = _clean(row[10])
        if owner:
            put(proxy, "notes", f"Vessel owner: {owner}")
    for alt_type, alt_name in extras.alts.get(ent_num, []):
        put(proxy, "previousName" if alt_type == "fka" else "alias", alt_name)
    for full, country in extras.addresses.get(ent_num, []):
        code = country_code(country)
        if full and full != country:
            put(proxy, "address", full)
        if code:
            put(proxy, "country", code)
    remarks = _clean(row[11]) + "".join(extras.comments.get(ent_num, []))
    apply_remarks(proxy, remarks)
    sanction = make_sanction(source, ent_num, entity_id, authority=AUTHORITY, programs=programs)
    return ListedEntity(proxy=proxy, source=source, source_id=ent_num, sanctions=[sanction])


def group_files(paths: Sequence[Path]) -> dict[str, list[Path]]:
    """role -> files, using names and, for unknown names, the column count of the first row."""
    files: dict[str, list[Path]] = defaultdict(list)
    for path in paths:
        _, role = file_role(path, _first_row(path))
        if role is None:
            raise ParseError(
                "not an OFAC CSV file: expected 12 (sdn/cons_prim), 5 (alt), 6 (add) or 2 "
                "(comments) columns",
                file=str(path),
                line=1,
            )
        files[role].append(path)
    return files


def _first_row(path: Path) -> list[str] | None:
    with path.open("rb") as fh:
        head = fh.read(8192)
    text = head.decode("latin-1").lstrip("\ufeff")
    first = text.splitlines()[0] if text.splitlines() else ""
    try:
        return next(csv.reader([first]), None)
    except csv.Error:
        return None


def parse(source: str, paths: Sequence[Path]) -> Iterator[ListedEntity]:
    """Entities of an OFAC CSV set (primary file plus optional alt/add/comments files)."""
    files = group_files(paths)
    if not files.get("primary"):
        raise ParseError(
            "an OFAC CSV set needs its primary file (sdn.csv or cons_prim.csv)",
            file=", ".join(str(p) for p in paths),
        )
    extras = _load_extras(files)
    for path in files["primary"]:
        for line, row in read_rows(path, "primary"):
            if _empty(row[1]):
                raise ParseError(
                    "entry without a name",
                    file=str(path),
                    line=line,
                    record=row[0].strip(),
                    field="SDN_Name",
                )
            yield build_entity(source, row, extras)
