"""UN Security Council consolidated list XML (``CONSOLIDATED_LIST``).

Layout: ``INDIVIDUALS/INDIVIDUAL`` and ``ENTITIES/ENTITY``, each with ``DATAID`` (our
``source_id``), ``FIRST_NAME``..``FOURTH_NAME``, ``NAME_ORIGINAL_SCRIPT``, ``UN_LIST_TYPE``
(program), ``REFERENCE_NUMBER`` (e.g. ``CDi.001``), ``LISTED_ON``, ``COMMENTS1``,
``TITLE``/``DESIGNATION``/``NATIONALITY`` (``VALUE`` lists), ``*_ALIAS`` (``QUALITY``:
Good / a.k.a. -> alias, Low -> weakAlias, f.k.a. -> previousName), ``*_ADDRESS``,
``INDIVIDUAL_DATE_OF_BIRTH`` (``TYPE_OF_DATE`` EXACT / APPROXIMATELY / BETWEEN with ``DATE``,
``YEAR`` or ``FROM_YEAR``/``TO_YEAR``), ``INDIVIDUAL_PLACE_OF_BIRTH``, ``INDIVIDUAL_DOCUMENT``.
The file is streamed with lxml ``iterparse``.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

from followthemoney.proxy import EntityProxy

from circumspect.errors import ParseError
from circumspect.model.entities import ListedEntity, make_entity_id, new_proxy
from circumspect.sources.base import (
    country_code,
    guess_org_schema,
    make_sanction,
    parse_dates,
    put,
    put_kz_number,
)
from circumspect.sources.xmlutil import children, iter_elements, local, text

FORMAT = "un_xml"
AUTHORITY = "United Nations Security Council"

_NAME_PARTS = ("FIRST_NAME", "SECOND_NAME", "THIRD_NAME", "FOURTH_NAME")


def _values(element: Any, name: str) -> list[str]:
    out: list[str] = []
    for group in children(element, name):
        for value in children(group, "VALUE"):
            if isinstance(value.text, str) and value.text.strip():
                out.append(value.text.strip())
    return out


def _place(parts: Sequence[str]) -> str:
    return ", ".join(p for p in parts if p)


def _aliases(proxy: EntityProxy, element: Any, tag: str) -> None:
    for alias in children(element, tag):
        name = text(alias, "ALIAS_NAME")
        quality = text(alias, "QUALITY").lower()
        if name:
            if quality == "low":
                put(proxy, "weakAlias", name)
            elif quality in ("f.k.a.", "fka"):
                put(proxy, "previousName", name)
            else:
                put(proxy, "alias", name)
        for iso in parse_dates(text(alias, "DATE_OF_BIRTH")):
            put(proxy, "birthDate", iso)
        place = _place([text(alias, "CITY_OF_BIRTH"), text(alias, "COUNTRY_OF_BIRTH")])
        put(proxy, "birthPlace", place)


def _addresses(proxy: EntityProxy, element: Any, tag: str) -> None:
    for address in children(element, tag):
        country = text(address, "COUNTRY")
        full = _place(
            [
                text(address, "STREET"),
                text(address, "CITY"),
                text(address, "STATE_PROVINCE"),
                text(address, "ZIP_CODE"),
                country,
            ]
        )
        if full and full != country:
            put(proxy, "address", full)
        code = country_code(country)
        put(proxy, "country", code)
        note = text(address, "NOTE")
        if note and full:
            put(proxy, "notes", f"Address {full}: {note}")


def _birth(proxy: EntityProxy, element: Any) -> None:
    for dob in children(element, "INDIVIDUAL_DATE_OF_BIRTH"):
        kind = text(dob, "TYPE_OF_DATE").upper()
        found: list[str] = []
        if kind == "BETWEEN":
            found = parse_dates(f"{text(dob, 'FROM_YEAR')} to {text(dob, 'TO_YEAR')}")
        else:
            found = parse_dates(text(dob, "DATE")) or parse_dates(text(dob, "YEAR"))
            if not found and text(dob, "FROM_YEAR"):
                found = parse_dates(f"{text(dob, 'FROM_YEAR')} to {text(dob, 'TO_YEAR')}")
        for iso in found:
            put(proxy, "birthDate", iso)
    for pob in children(element, "INDIVIDUAL_PLACE_OF_BIRTH"):
        country = text(pob, "COUNTRY")
        put(proxy, "birthPlace", _place([text(pob, "CITY"), text(pob, "STATE_PROVINCE"), country]))
        put(proxy, "birthCountry", country_code(country))


def _documents(proxy: EntityProxy, element: Any) -> None:
    for doc in children(element, "INDIVIDUAL_DOCUMENT"):
        number = text(doc, "NUMBER")
        if not number:
            continue
        kind = f"{text(doc, 'TYPE_OF_DOCUMENT')} {text(doc, 'TYPE_OF_DOCUMENT2')}".lower()
        issuer = text(doc, "ISSUING_COUNTRY") or text(doc, "COUNTRY_OF_ISSUE")
        if "passport" in kind:
            put(proxy, "passportNumber", number)
        elif "tax" in kind:
            put(proxy, "taxNumber", number)
        elif not (country_code(issuer) == "kz" and put_kz_number(proxy, number)):
            put(proxy, "idNumber", number)
        described = ", ".join(
            p
            for p in (
                text(doc, "TYPE_OF_DOCUMENT"),
                text(doc, "TYPE_OF_DOCUMENT2"),
                number,
                issuer,
                text(doc, "DATE_OF_ISSUE"),
                text(doc, "NOTE"),
            )
            if p
        )
        put(proxy, "notes", f"Document: {described}")


def build_entity(source: str, element: Any, file: str) -> ListedEntity:
    kind = local(element.tag)
    data_id = text(element, "DATAID")
    line = element.sourceline if isinstance(element.sourceline, int) else None
    if not data_id:
        raise ParseError(f"{kind} without DATAID", file=file, line=line)
    parts = [text(element, part) for part in _NAME_PARTS]
    name = " ".join(p for p in parts if p)
    if not name:
        raise ParseError(
            f"{kind} without a name", file=file, line=line, record=data_id, field="FIRST_NAME"
        )
    schema = "Person" if kind == "INDIVIDUAL" else guess_org_schema(name)
    entity_id = make_entity_id(source, data_id)
    proxy = new_proxy(schema, entity_id, [("name", name)])
    if schema == "Person":
        put(proxy, "firstName", parts[0])
        put(proxy, "secondName", parts[1])
        put(proxy, "middleName", parts[2])
        put(proxy, "gender", text(element, "GENDER").lower())
        for title in _values(element, "TITLE"):
            put(proxy, "title", title)
        for position in _values(element, "DESIGNATION"):
            put(proxy, "position", position)
        for nationality in _values(element, "NATIONALITY"):
            put(proxy, "nationality", country_code(nationality))
        _birth(proxy, element)
        _documents(proxy, element)
    put(proxy, "alias", text(element, "NAME_ORIGINAL_SCRIPT"))
    _aliases(proxy, element, f"{kind}_ALIAS")
    _addresses(proxy, element, f"{kind}_ADDRESS")
    program = text(element, "UN_LIST_TYPE")
    put(proxy, "program", program)
    reference = text(element, "REFERENCE_NUMBER")
    put(proxy, "programId", reference)
    comments = text(element, "COMMENTS1")
    put(proxy, "notes", comments)
    sanction = make_sanction(
        source,
        data_id,
        entity_id,
        authority=AUTHORITY,
        programs=[program] if program else [],
        listing_date=text(element, "LISTED_ON"),
        extra=[("unscId", reference), ("programId", reference)],
    )
    for updated in _values(element, "LAST_DAY_UPDATED"):
        put(sanction, "modifiedAt", updated)
    return ListedEntity(proxy=proxy, source=source, source_id=data_id, sanctions=[sanction])


def parse(source: str, paths: Sequence[Path]) -> Iterator[ListedEntity]:
    for path in paths:
        seen_root = False
        for element in iter_elements(path, {"INDIVIDUAL", "ENTITY", "CONSOLIDATED_LIST"}):
            if local(element.tag) == "CONSOLIDATED_LIST":
                seen_root = True
                continue
            yield build_entity(source, element, str(path))
        if not seen_root:
            raise ParseError(
                "not a UN consolidated list (no CONSOLIDATED_LIST root)", file=str(path)
            )
