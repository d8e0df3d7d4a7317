"""US Consolidated Screening List (trade.gov ``consolidated.csv``).

One CSV gathers the export-screening lists of three US departments: Commerce/BIS (Entity
List ``EL``, Military End User ``MEU``, Unverified List ``UVL``, Denied Persons ``DPL``),
State (Nonproliferation Sanctions ``ISN``, ITAR Debarred ``DTC``) and Treasury/OFAC (``SDN``,
``SSI``, ``FSE``, ``PLC``, ``CAP``, ``NS-MBS``, ``CMIC``...). Two published layouts are read:

* 28 columns (until about 2022): ``source, entity_number, type, programs, name, title,
  addresses, federal_register_notice, start_date, end_date, standard_order,
  license_requirement, license_policy, call_sign, vessel_type, gross_tonnage,
  gross_registered_tonnage, vessel_flag, vessel_owner, remarks, source_list_url, alt_names,
  citizenships, dates_of_birth, nationalities, places_of_birth, source_information_url, ids``;
  ``ids`` items are ``[COUNTRY, ]NUMBER, TYPE``.
* 29 columns (2023 on): the same with a leading ``_id``; ``ids`` items are
  ``TYPE, NUMBER[, COUNTRY]``.

Columns are found by header name; a file missing one of them, a row of another width or a
``source`` whose sub-list cannot be read is a :class:`ParseError` naming file and line.

Every entry keeps its sub-list code as ``ListedEntity.sublist`` (``list`` in the stored
JSON) and as the Sanction's ``programId``. The licence requirement and licence policy
(BIS lists) go to the Sanction's ``provisions`` as ``License requirement: ...`` /
``License policy: ...``, the Federal Register citation to its ``description`` as ``Federal
Register: ...``. For entries that come from OFAC (SDN, SSI, ...) the OFAC entry number is the
Sanction's ``authorityId``, so an entry can be matched with the same entry of ``ofac_sdn`` /
``ofac_cons`` (whose Sanction ``recordId`` is that number).

Ids: ``<LIST>-<entity_number>`` when the row has an entity number (OFAC-derived lists),
else ``<LIST>-<name slug>-<8 hex of a hash of list, name and addresses>``, the same in both
layouts. Rows with the same id (a list repeating one party at the same addresses) are merged.
"""

from __future__ import annotations

import csv
import hashlib
import io
import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from followthemoney.proxy import EntityProxy

from circumspect.errors import ParseError
from circumspect.model.entities import ListedEntity, make_entity_id, new_proxy
from circumspect.sources.base import (
    country_code,
    decode_text,
    guess_org_schema,
    make_sanction,
    parse_dates,
    put,
    put_all,
    reject_binary,
)
from circumspect.sources.remarks import apply_item

FORMAT = "us_csl"

COLUMNS: tuple[str, ...] = (
    "source",
    "entity_number",
    "type",
    "programs",
    "name",
    "title",
    "addresses",
    "federal_register_notice",
    "start_date",
    "end_date",
    "standard_order",
    "license_requirement",
    "license_policy",
    "call_sign",
    "vessel_type",
    "gross_tonnage",
    "gross_registered_tonnage",
    "vessel_flag",
    "vessel_owner",
    "remarks",
    "source_list_url",
    "alt_names",
    "citizenships",
    "dates_of_birth",
    "nationalities",
    "places_of_birth",
    "source_information_url",
    "ids",
)

#: Sub-list code -> FtM topic of its entities.
TOPICS: dict[str, str] = {
    "EL": "export.control",
    "MEU": "export.control",
    "UVL": "export.control",
    "DPL": "export.control",
    "DTC": "debarment",
    "ISN": "sanction",
    "SDN": "sanction",
    "SSI": "sanction",
    "FSE": "sanction",
    "PLC": "sanction",
    "CAP": "sanction",
    "NS-MBS": "sanction",
    "CMIC": "sanction",
}
#: Lists published by OFAC: their entity_number is OFAC's entry number.
OFAC_LISTS = frozenset({"SDN", "SSI", "FSE", "PLC", "CAP", "NS-MBS", "CMIC"})

_LIST_CODE = re.compile(r"\(([A-Z][A-Z0-9-]*)(?:\s+List)?\)")
_AGENCIES = {
    "bureau of industry and security": "US Department of Commerce, Bureau of Industry and Security",
    "treasury department": "US Department of the Treasury, OFAC",
    "state department": "US Department of State",
}


def list_code(source_text: str) -> str | None:
    """``Entity List (EL) - Bureau of Industry and Security`` -> ``EL``."""
    match = _LIST_CODE.search(source_text)
    return match.group(1) if match else None


def authority(source_text: str) -> str:
    _, _, agency = source_text.rpartition(" - ")
    agency = agency.strip()
    return _AGENCIES.get(agency.lower(), f"US {agency}" if agency else "US Government")


def _split(value: str) -> list[str]:
    """``a; b; and c`` -> [a, b, c] (the lists end enumerations with "and")."""
    out = []
    for part in value.split(";"):
        text = re.sub(r"^and\s+", "", part.strip(), flags=re.IGNORECASE).strip()
        if text:
            out.append(text)
    return out


def _slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")[:48] or "party"


def record_key(code: str, row: dict[str, str]) -> str:
    """The stable source id of a row (see the module docstring)."""
    number = row["entity_number"].strip()
    if number:
        return f"{code}-{number}"
    norm = "\x1f".join(
        re.sub(r"\s+", " ", v).strip().upper() for v in (code, row["name"], row["addresses"])
    )
    digest = hashlib.sha1(norm.encode("utf-8")).hexdigest()[:8]
    return f"{code}-{_slug(row['name'])}-{digest}"


@dataclass
class _Entry:
    code: str
    source_text: str
    line: int
    rows: list[dict[str, str]] = field(default_factory=list)


def read_rows(path: Path) -> Iterator[tuple[int, bool, dict[str, str]]]:
    """(line, new layout?, row by column name) for every data row of one file."""
    label = str(path)
    text = decode_text(path.read_bytes(), label, ("utf-8", "cp1252"))
    reject_binary(text, label)
    reader = csv.reader(io.StringIO(text, newline=""), strict=True)
    try:
        header = next(reader, None)
        if header is None:
            raise ParseError("empty file", file=label)
        names = [h.strip().lower() for h in header]
        new_layout = bool(names) and names[0] == "_id"
        missing = [c for c in COLUMNS if c not in names]
        if missing:
            raise ParseError(
                f"not a Consolidated Screening List header: missing column(s) {', '.join(missing)}",
                file=label,
                line=1,
            )
        if len(set(names)) != len(names):
            raise ParseError("a column name occurs twice in the header", file=label, line=1)
        for fields in reader:
            line = reader.line_num
            if not fields or all(not f.strip() for f in fields):
                continue
            if len(fields) != len(names):
                raise ParseError(
                    f"expected {len(names)} comma-separated columns, found {len(fields)}",
                    file=label,
                    line=line,
                )
            yield line, new_layout, {n: f.strip() for n, f in zip(names, fields, strict=True)}
    except csv.Error as exc:
        raise ParseError(f"malformed CSV: {exc}", file=label, line=reader.line_num) from exc


def _schema(kind: str, name: str) -> str:
    value = kind.strip().lower()
    if value == "individual":
        return "Person"
    if value == "vessel":
        return "Vessel"
    if value == "aircraft":
        return "Airplane"
    if value == "entity":
        return guess_org_schema(name)
    return guess_org_schema(name, default="LegalEntity")


def id_item(item: str, new_layout: bool, default_country: str | None = None) -> str:
    """One ``ids`` item as OFAC remarks text (``TYPE NUMBER (COUNTRY)``); an item without a
    country takes ``default_country`` (the one country of all the entry's addresses)."""
    parts = [p.strip() for p in item.split(", ")]
    if new_layout:
        kind, rest = parts[0], parts[1:]
        country = rest[-1] if len(rest) >= 2 and country_code(rest[-1]) else None
        number = ", ".join(rest[:-1] if country else rest)
    else:
        kind, rest = parts[-1], parts[:-1]
        country = rest[0] if len(rest) >= 2 and country_code(rest[0]) else None
        number = ", ".join(rest[1:] if country else rest)
    text = f"{kind} {number}".strip()
    country = country or default_country
    return f"{text} ({country})" if country else text


def _add_row(proxy: EntityProxy, sanction: EntityProxy, row: dict[str, str], new: bool) -> None:
    person = proxy.schema.is_a("Person")
    put_all(proxy, "alias", _split(row["alt_names"]))
    countries: set[str] = set()
    for address in _split(row["addresses"]):
        parts = [p.strip() for p in address.split(",")]
        code = country_code(parts[-1]) if parts else None
        if address != parts[-1] or not code:
            put(proxy, "address", address)
        put(proxy, "country", code)
        countries.add(code or "")
    only = next(iter(countries)) if len(countries) == 1 else None
    for value in _split(row["dates_of_birth"]):
        put_all(proxy, "birthDate", parse_dates(value))
    put_all(proxy, "birthPlace", _split(row["places_of_birth"]))
    for value in _split(row["nationalities"]):
        put(proxy, "nationality", country_code(value))
    for value in _split(row["citizenships"]):
        put(proxy, "citizenship", country_code(value))
    if person:
        put(proxy, "position", row["title"])
    elif row["title"]:
        put(proxy, "notes", f"Title: {row['title']}")
    if proxy.schema.is_a("Vessel"):
        put(proxy, "callSign", row["call_sign"])
        put(proxy, "type", row["vessel_type"])
        put(proxy, "tonnage", row["gross_tonnage"])
        put(proxy, "grossRegisteredTonnage", row["gross_registered_tonnage"])
        put(proxy, "flag", country_code(row["vessel_flag"]))
        if row["vessel_owner"]:
            put(proxy, "notes", f"Vessel owner: {row['vessel_owner']}")
    put(proxy, "notes", row["remarks"])
    for item in _split(row["ids"]):
        if not apply_item(proxy, id_item(item, new, only or None)):
            put(sanction, "provisions", item)
    programs = _split(row["programs"])
    put_all(proxy, "program", programs)
    put_all(sanction, "program", programs)
    for iso in parse_dates(row["start_date"]):
        put(sanction, "startDate", iso)
        put(sanction, "listingDate", iso)
    put_all(sanction, "endDate", parse_dates(row["end_date"]))
    if row["license_requirement"]:
        put(sanction, "provisions", f"License requirement: {row['license_requirement']}")
    if row["license_policy"]:
        put(sanction, "provisions", f"License policy: {row['license_policy']}")
    if row["standard_order"]:
        put(sanction, "provisions", f"Standard order: {row['standard_order']}")
    if row["federal_register_notice"]:
        put(sanction, "description", f"Federal Register: {row['federal_register_notice']}")
    put(sanction, "programUrl", row["source_list_url"])
    put(sanction, "sourceUrl", row["source_information_url"])
    if new and row.get("_id"):
        put(sanction, "recordId", row["_id"])


def _build(source: str, source_id: str, entry: _Entry) -> ListedEntity:
    first, new = entry.rows[0], "_id" in entry.rows[0]
    entity_id = make_entity_id(source, source_id)
    name = re.sub(r"\s+", " ", first["name"]).strip()
    proxy = new_proxy(_schema(first["type"], name), entity_id, [("name", name)])
    put(proxy, "topics", TOPICS.get(entry.code, "sanction"))
    extra = [("programId", entry.code)]
    if entry.code in OFAC_LISTS and first["entity_number"]:
        extra.append(("authorityId", first["entity_number"]))
    sanction = make_sanction(
        source, source_id, entity_id, authority=authority(entry.source_text), extra=extra
    )
    put(sanction, "summary", entry.source_text)
    for row in entry.rows:
        _add_row(proxy, sanction, row, new)
    return ListedEntity(
        proxy=proxy, source=source, source_id=source_id, sanctions=[sanction], sublist=entry.code
    )


def parse(source: str, paths: Sequence[Path]) -> Iterator[ListedEntity]:
    """Entities of one or more CSL files (rows with the same id merged)."""
    entries: dict[str, _Entry] = {}
    for path in paths:
        for line, _new, row in read_rows(path):
            if not row["name"]:
                raise ParseError("row without a name", file=str(path), line=line, field="name")
            code = list_code(row["source"])
            if code is None:
                raise ParseError(
                    f"cannot read the sub-list of source {row['source']!r} (expected a code "
                    "in parentheses, e.g. 'Entity List (EL) - Bureau of Industry and Security')",
                    file=str(path),
                    line=line,
                    field="source",
                )
            key = record_key(code, row)
            entry = entries.setdefault(key, _Entry(code=code, source_text=row["source"], line=line))
            entry.rows.append(row)
    for key, entry in entries.items():
        yield _build(source, key, entry)
