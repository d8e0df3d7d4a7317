"""BIS Denied Persons List (``dpl.txt``): tab-separated, a header line, quoted fields.

Columns: Name, Street_Address, City, State, Country, Postal_Code, Effective_Date
(MM/DD/YYYY), Expiration_Date, Standard_Order, Last_Update (YYYY-MM-DD), Action, FR_Citation.

The list has no record ids and no entity type. Decision (docs/decisions/0100): rows that
are the same party at the same address (same normalised name, street, city, state, country
and postal code) are merged into one entity; the same name at a different address stays a
separate entity, because the DPL lists each denial order address separately and a bare name
is not an identity. ``source_id`` is a readable slug of the name plus 8 hex digits of a
hash of the merge key, so it is stable across reloads. Schema: ``Company`` when the name
carries a legal form, else ``LegalEntity`` (the list mixes persons and firms).
"""

from __future__ import annotations

import csv
import hashlib
import io
import re
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
    parse_dates,
    put,
    reject_binary,
)

FORMAT = "bis_dpl"
AUTHORITY = "US Bureau of Industry and Security (BIS)"
PROGRAM = "Denied Persons List"
HEADER: tuple[str, ...] = (
    "Name",
    "Street_Address",
    "City",
    "State",
    "Country",
    "Postal_Code",
    "Effective_Date",
    "Expiration_Date",
    "Standard_Order",
    "Last_Update",
    "Action",
    "FR_Citation",
)


def _norm(value: str) -> str:
    return re.sub(r"\s+", " ", value).strip().upper()


def source_id_for(key: tuple[str, ...]) -> str:
    slug = re.sub(r"[^a-z0-9]+", "-", key[0].lower()).strip("-")[:48] or "party"
    digest = hashlib.sha1("\x1f".join(key).encode("utf-8")).hexdigest()[:8]
    return f"{slug}-{digest}"


@dataclass
class _Party:
    key: tuple[str, ...]
    line: int
    rows: list[dict[str, str]] = field(default_factory=list)


def read_rows(path: Path) -> Iterator[tuple[int, dict[str, str]]]:
    label = str(path)
    text = decode_text(path.read_bytes(), label, ("utf-8", "cp1252"))
    reject_binary(text, label)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter="\t", strict=True)
    try:
        header = next(reader, None)
        if header is None:
            raise ParseError("empty file", file=label)
        names = tuple(h.strip() for h in header)
        if tuple(n.lower() for n in names) != tuple(h.lower() for h in HEADER):
            raise ParseError(f"unexpected header: expected {', '.join(HEADER)}", file=label, line=1)
        for fields in reader:
            if not fields or all(not f.strip() for f in fields):
                continue
            line = reader.line_num
            if len(fields) != len(HEADER):
                raise ParseError(
                    f"expected {len(HEADER)} tab-separated columns, found {len(fields)}",
                    file=label,
                    line=line,
                )
            row = {h: f.strip() for h, f in zip(HEADER, fields, strict=True)}
            if not row["Name"]:
                raise ParseError("row without a name", file=label, line=line, field="Name")
            yield line, row
    except csv.Error as exc:
        raise ParseError(
            f"malformed tab-separated data: {exc}", file=label, line=reader.line_num
        ) from exc


def _build(source: str, party: _Party) -> ListedEntity:
    first = party.rows[0]
    source_id = source_id_for(party.key)
    entity_id = make_entity_id(source, source_id)
    name = re.sub(r"\s+", " ", first["Name"]).strip()
    proxy = new_proxy(guess_org_schema(name, default="LegalEntity"), entity_id, [("name", name)])
    put(proxy, "program", PROGRAM)
    country = country_code(first["Country"])
    full = ", ".join(
        p
        for p in (
            first["Street_Address"],
            first["City"],
            first["State"],
            first["Postal_Code"],
            first["Country"],
        )
        if p
    )
    if full and full != first["Country"]:
        put(proxy, "address", full)
    put(proxy, "country", country)
    sanction = make_sanction(source, source_id, entity_id, authority=AUTHORITY, programs=[PROGRAM])
    for row in party.rows:
        for iso in parse_dates(row["Effective_Date"], us_order=True):
            put(sanction, "startDate", iso)
            put(sanction, "listingDate", iso)
        for iso in parse_dates(row["Expiration_Date"], us_order=True):
            put(sanction, "endDate", iso)
        for iso in parse_dates(row["Last_Update"]):
            put(sanction, "modifiedAt", iso)
        if row["Standard_Order"]:
            put(sanction, "provisions", f"Standard order: {row['Standard_Order']}")
        put(sanction, "description", row["FR_Citation"])
        put(proxy, "notes", f"{row['Action']} ({row['FR_Citation']})".strip(" ()"))
    return ListedEntity(proxy=proxy, source=source, source_id=source_id, sanctions=[sanction])


def parse(source: str, paths: Sequence[Path]) -> Iterator[ListedEntity]:
    """Entities of one or more DPL files (merging same party at the same address)."""
    parties: dict[tuple[str, ...], _Party] = {}
    for path in paths:
        for line, row in read_rows(path):
            key = tuple(
                _norm(row[c])
                for c in ("Name", "Street_Address", "City", "State", "Country", "Postal_Code")
            )
            parties.setdefault(key, _Party(key=key, line=line)).rows.append(row)
    for party in parties.values():
        yield _build(source, party)
