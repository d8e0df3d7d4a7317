"""The listed record shown with every hit, and the one JSON form of a candidate.

:func:`listed_record` reads a :class:`~circumspect.model.entities.ListedEntity` into a
:class:`~circumspect.model.screening.ListedRecord` (list, authority, programmes, listing
date, identifiers, addresses, remarks, "Linked To" names, source URL);
:func:`candidate_json` is the JSON form of a :class:`Candidate` used by ``screen --json``,
``/v1/screen``, ``screen-file``'s extra columns and the cases (docs/screening.md).
"""

from __future__ import annotations

import csv
import dataclasses
import hashlib
import re
from functools import lru_cache
from pathlib import Path

from circumspect.model.entities import CUSTOM_PREFIX, ListedEntity
from circumspect.model.screening import Candidate, Identifier, ListedRecord

#: JSON values (what :func:`candidate_json` returns is made of these).
JSON = str | int | float | bool | None | list["JSON"] | dict[str, "JSON"]

#: FtM properties shown as identifiers, in this order.
IDENTIFIER_PROPS: tuple[str, ...] = (
    "innCode",
    "ogrnCode",
    "kppCode",
    "okpoCode",
    "registrationNumber",
    "taxNumber",
    "idNumber",
    "passportNumber",
    "swiftBic",
    "bikCode",
    "leiCode",
    "imoNumber",
    "mmsi",
    "callSign",
    "vatCode",
    "dunsCode",
    "serialNumber",
)
#: Short list names of single-list sources.
SOURCE_LISTS: dict[str, str] = {
    "ofac_sdn": "SDN",
    "bis_dpl": "DPL",
    "eu_fsf": "EU FSF",
    "uk_fcdo": "UK Sanctions List",
    "kz_afm": "KZ AFM",
    "opensanctions": "OpenSanctions",
}
#: OFAC non-SDN programmes and the list they belong to (OFAC's consolidated list).
OFAC_NON_SDN: tuple[tuple[str, str], ...] = (
    ("UKRAINE-EO13662", "SSI"),
    ("NS-PLC", "NS-PLC"),
    ("NS-ISA", "NS-ISA"),
    ("NS-MBS", "NS-MBS"),
    ("CMIC", "NS-CMIC"),
    ("FSE", "FSE"),
    ("CAPTA", "CAPTA"),
    ("561", "CAPTA"),
)
#: The authority of a source's entries when the record names none.
SOURCE_AUTHORITIES: dict[str, str] = {
    "ofac_sdn": "US Office of Foreign Assets Control (OFAC)",
    "ofac_cons": "US Office of Foreign Assets Control (OFAC)",
    "un_sc": "United Nations Security Council",
    "eu_fsf": "European Union (Council of the EU)",
    "uk_fcdo": "UK Foreign, Commonwealth and Development Office (FCDO)",
    "bis_dpl": "US Bureau of Industry and Security (BIS)",
    "kz_afm": "Financial Monitoring Agency of the Republic of Kazakhstan (AFM)",
}
#: Where a source's entries can be looked up, when the record gives no URL of its own.
SOURCE_URLS: dict[str, str] = {
    "ofac_sdn": "https://sanctionssearch.ofac.treas.gov/Details.aspx?id={source_id}",
    "ofac_cons": "https://sanctionssearch.ofac.treas.gov/Details.aspx?id={source_id}",
    "bis_dpl": "https://www.bis.gov/licensing/guidance-on-end-user-and-end-use-controls-and-us-person-controls/denied-persons-list",
    "eu_fsf": "https://webgate.ec.europa.eu/fsd/fsf",
    "uk_fcdo": "https://www.gov.uk/government/publications/the-uk-sanctions-list",
    "us_csl": "https://www.trade.gov/consolidated-screening-list",
    "kz_afm": "https://afmrk.gov.kz/",
}
#: Bump when :func:`listed_record` reads an entity differently (cached records are rebuilt).
RECORD_VERSION = "2"
_WEB_URL = re.compile(r"https?://[^\s]+$", re.I)
_LINKED = re.compile(r"Linked To:\s*([^;]+?)\s*\.?\s*(?:;|$)", re.I)


@lru_cache(maxsize=1)
def un_regimes() -> dict[str, tuple[str, str]]:
    """UN reference-number prefix -> (list name, committee page) (``data/un_regimes.csv``)."""
    path = Path(__file__).resolve().parent / "data" / "un_regimes.csv"
    with path.open(encoding="utf-8", newline="") as fh:
        return {row["prefix"]: (row["list"], row["source_url"]) for row in csv.DictReader(fh)}


@lru_cache(maxsize=1)
def record_layout() -> str:
    """A short key of :data:`RECORD_VERSION` and the fields of ``ListedRecord`` and
    ``Identifier``: records cached on disk under another key are stale and rebuilt, so a
    pickle of an older layout is never read into the new one."""
    names = [f.name for cls in (ListedRecord, Identifier) for f in dataclasses.fields(cls)]
    text = f"{RECORD_VERSION}|{','.join(names)}"
    return hashlib.sha256(text.encode()).hexdigest()[:8]


def _unique(values: list[str]) -> tuple[str, ...]:
    if not values:
        return ()
    return tuple(dict.fromkeys(v.strip() for v in values if v and v.strip()))


def _list_name(entity: ListedEntity, programs: tuple[str, ...], refs: list[str]) -> str:
    source = entity.source
    if entity.sublist:
        return entity.sublist
    if source in SOURCE_LISTS:
        return SOURCE_LISTS[source]
    if source == "ofac_cons":
        for program in programs:
            for key, name in OFAC_NON_SDN:
                if key in program.upper():
                    return name
        return "OFAC non-SDN"
    if source == "un_sc":
        for ref in refs:
            found = un_regimes().get(ref[:2].upper())
            if found:
                return found[0]
        return "UN"
    if source.startswith(CUSTOM_PREFIX):
        return source[len(CUSTOM_PREFIX) :]
    return source


def listed_record(entity: ListedEntity) -> ListedRecord:
    """What the list says about ``entity`` (one read of each proxy's properties: this runs
    for every entity when the index is built)."""
    props = entity.proxy.properties
    sprops = [s.properties for s in entity.sanctions]

    def values(name: str) -> list[str]:
        return props.get(name, [])

    def of_sanctions(*names: str) -> list[str]:
        return [v for sp in sprops for name in names for v in sp.get(name, ())]

    programs = _unique(of_sanctions("program") + values("program"))
    refs = of_sanctions("programId") + values("programId")
    authority = _unique(of_sanctions("authority"))
    dates = sorted(of_sanctions("listingDate", "startDate"))
    identifiers = tuple(
        Identifier(prop, value)
        for prop in IDENTIFIER_PROPS
        if prop in props
        for value in _unique(props[prop])
    )
    notes = values("notes")
    remarks = _unique(notes + of_sanctions("reason", "description", "provisions", "summary"))
    linked = _unique([m.group(1) for note in notes for m in _LINKED.finditer(note)])
    # only web addresses: the record's URL becomes a link on the pages
    urls = _unique([u for u in of_sanctions("sourceUrl") if _WEB_URL.match(u)])
    url: str | None = urls[0] if urls else None
    if url is None and entity.source == "un_sc":
        for ref in refs:
            found = un_regimes().get(ref[:2].upper())
            if found:
                url = found[1]
                break
    if url is None and entity.source in SOURCE_URLS:
        url = SOURCE_URLS[entity.source].format(source_id=entity.source_id)
    countries = _unique(
        [
            c
            for prop in ("country", "nationality", "citizenship", "jurisdiction")
            for c in values(prop)
        ]
    )
    return ListedRecord(
        list=_list_name(entity, programs, refs),
        authority="; ".join(authority) or SOURCE_AUTHORITIES.get(entity.source, ""),
        programs=programs,
        listing_date=dates[0] if dates else None,
        identifiers=identifiers,
        addresses=_unique(values("address")),
        countries=countries,
        birth_dates=_unique(values("birthDate")),
        remarks=remarks,
        linked=linked,
        source_url=url,
    )


def record_json(record: ListedRecord) -> dict[str, JSON]:
    return {
        "list": record.list,
        "authority": record.authority,
        "programs": list(record.programs),
        "listing_date": record.listing_date,
        "identifiers": [{"kind": i.kind, "value": i.value} for i in record.identifiers],
        "addresses": list(record.addresses),
        "countries": list(record.countries),
        "birth_dates": list(record.birth_dates),
        "remarks": list(record.remarks),
        "linked": list(record.linked),
        "source_url": record.source_url,
    }


def candidate_json(candidate: Candidate) -> dict[str, JSON]:
    """The one JSON form of a candidate (CLI, API, screen-file columns, cases)."""
    return {
        "entity_id": candidate.entity_id,
        "source": candidate.source,
        "source_id": candidate.source_id,
        "caption": candidate.caption,
        "schema": candidate.schema,
        "score": candidate.score,
        "alert": candidate.alert,
        "explanation": candidate.explanation,
        "matched_name": candidate.matched_name,
        "features": [
            {"feature": f.feature, "score": f.score, "weight": f.weight, "text": f.text}
            for f in candidate.features
        ],
        "snapshot_id": candidate.snapshot_id,
        "record": None if candidate.record is None else record_json(candidate.record),
        "sources": [
            {
                "entity_id": ref.entity_id,
                "source": ref.source,
                "source_id": ref.source_id,
                "list": ref.list,
                "score": ref.score,
            }
            for ref in candidate.sources
        ],
    }


def record_columns(candidate: Candidate) -> list[str]:
    """The record as flat text columns (:data:`RECORD_COLUMNS`) for tables."""
    record = candidate.record
    if record is None:
        return [""] * (len(RECORD_COLUMNS) - 1) + [
            "; ".join(f"{ref.source}:{ref.entity_id}" for ref in candidate.sources)
        ]
    return [
        record.list,
        record.authority,
        "; ".join(record.programs),
        record.listing_date or "",
        "; ".join(f"{i.kind}: {i.value}" for i in record.identifiers),
        " | ".join(record.addresses),
        "; ".join(dict.fromkeys(list(record.linked) + candidate.links())),
        record.source_url or "",
        "; ".join(f"{ref.source}:{ref.entity_id}" for ref in candidate.sources),
    ]


RECORD_COLUMNS: tuple[str, ...] = (
    "list",
    "authority",
    "programs",
    "listing_date",
    "identifiers",
    "addresses",
    "linked",
    "source_url",
    "sources",
)
