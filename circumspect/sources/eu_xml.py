"""EU Financial Sanctions Files, ``xmlFullSanctionsList_1_1`` (namespace
``http://eu.europa.ec/fpi/fsd/export``).

Each ``sanctionEntity`` (``logicalId`` -> ``source_id``; ``euReferenceNumber``,
``unitedNationId``, ``designationDate``) holds attribute-borne children:
``subjectType@code`` (person / enterprise), ``nameAlias`` (``wholeName``, ``firstName``,
``middleName``, ``lastName``, ``function``, ``gender``, ``title``, ``nameLanguage``,
``strong``), ``birthdate`` (``birthdate``, ``year``, ``circa``, ``city``, ``place``,
``countryIso2Code``), ``citizenship``, ``address`` (``street``, ``poBox``, ``zipCode``,
``city``, ``region``, ``place``, ``countryIso2Code``), ``identification``
(``identificationTypeCode``, ``number``, ``countryIso2Code``, ...), ``regulation``
(``programme``, ``publicationDate``, ``numberTitle``, ``publicationUrl``) and ``remark``.

Names: the first strong name in English/no language is ``name``; other strong names are
``alias`` (Cyrillic and other scripts included); ``strong="false"`` names are ``weakAlias``.
"""

from __future__ import annotations

import re
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
from circumspect.sources.xmlutil import attr, children, iter_elements, local, text

FORMAT = "eu_xml"
AUTHORITY = "European Union (Council of the EU)"


def _alias_name(alias: Any) -> str:
    whole = attr(alias, "wholeName")
    if whole:
        return whole
    parts = [attr(alias, "firstName"), attr(alias, "middleName"), attr(alias, "lastName")]
    return " ".join(p for p in parts if p)


def _country(element: Any) -> str | None:
    code = attr(element, "countryIso2Code")
    if code and code not in ("00", "XX"):
        found = country_code(code)
        if found:
            return found
    return country_code(attr(element, "countryDescription"))


def _names(proxy: EntityProxy, aliases: list[Any], is_person: bool) -> None:
    strong = [a for a in aliases if attr(a, "strong").lower() != "false" and _alias_name(a)]
    primary = next(
        (a for a in strong if attr(a, "nameLanguage").upper() in ("", "EN")),
        strong[0] if strong else None,
    )
    if primary is None:
        return
    put(proxy, "name", _alias_name(primary))
    for alias in aliases:
        name = _alias_name(alias)
        if not name or alias is primary:
            continue
        put(proxy, "weakAlias" if attr(alias, "strong").lower() == "false" else "alias", name)
    if is_person:
        put(proxy, "firstName", attr(primary, "firstName"))
        put(proxy, "middleName", attr(primary, "middleName"))
        put(proxy, "lastName", attr(primary, "lastName"))
    for alias in aliases:
        gender = attr(alias, "gender").upper()
        if is_person and gender in ("M", "F"):
            put(proxy, "gender", "male" if gender == "M" else "female")
        put(proxy, "position", attr(alias, "function"))
        if is_person:
            put(proxy, "title", attr(alias, "title"))


def _birth(proxy: EntityProxy, element: Any) -> None:
    for birth in children(element, "birthdate"):
        found = parse_dates(attr(birth, "birthdate")) or parse_dates(attr(birth, "year"))
        if not found and attr(birth, "year"):
            found = parse_dates(attr(birth, "year"))
        for iso in found:
            put(proxy, "birthDate", iso)
        place = ", ".join(
            p
            for p in (
                attr(birth, "city") or attr(birth, "place"),
                attr(birth, "region"),
                attr(birth, "countryDescription").title(),
            )
            if p
        )
        put(proxy, "birthPlace", place)
        put(proxy, "birthCountry", _country(birth))


def _identifier(proxy: EntityProxy, ident: Any) -> None:
    number = attr(ident, "number") or attr(ident, "latinNumber")
    if not number:
        return
    kind = f"{attr(ident, 'identificationTypeCode')} {attr(ident, 'identificationTypeDescription')}"
    kind = kind.lower()
    country = _country(ident)
    digits = re.sub(r"\D", "", number)
    if country == "kz" and "passport" not in kind and put_kz_number(proxy, number):
        return
    if "passport" in kind:
        put(proxy, "passportNumber", number)
    elif "swift" in kind or "bic" in kind.split():
        put(proxy, "swiftBic", number)
    elif "imo" in kind.split():
        put(proxy, "imoNumber", number)
    elif "lei" in kind.split() or "legal entity identifier" in kind:
        put(proxy, "leiCode", number)
    elif "inn" in kind.split() or "tax" in kind or "fiscal" in kind:
        if country == "ru" and len(digits) in (10, 12) and digits == number:
            put(proxy, "innCode", number)
        put(proxy, "taxNumber", number)
    elif "ogrn" in kind or "regnumber" in kind or "registration" in kind:
        if country == "ru" and len(digits) in (13, 15) and digits == number:
            put(proxy, "ogrnCode", number)
        put(proxy, "registrationNumber", number)
    else:
        put(proxy, "idNumber", number)


def _address(proxy: EntityProxy, address: Any) -> None:
    country = _country(address)
    parts = [
        attr(address, "street"),
        attr(address, "poBox"),
        attr(address, "zipCode"),
        attr(address, "city"),
        attr(address, "region"),
        attr(address, "place"),
        attr(address, "countryDescription").title(),
    ]
    full = ", ".join(p for p in parts if p)
    if full and full != parts[-1]:
        put(proxy, "address", full)
    put(proxy, "country", country)


def build_entity(source: str, element: Any, file: str) -> ListedEntity:
    line = element.sourceline if isinstance(element.sourceline, int) else None
    logical_id = attr(element, "logicalId")
    if not logical_id:
        raise ParseError("sanctionEntity without logicalId", file=file, line=line)
    subject = children(element, "subjectType")
    code = attr(subject[0], "code").lower() if subject else ""
    aliases = children(element, "nameAlias")
    first_name = next((_alias_name(a) for a in aliases if _alias_name(a)), "")
    if not first_name:
        raise ParseError(
            "sanctionEntity without a name",
            file=file,
            line=line,
            record=logical_id,
            field="nameAlias",
        )
    is_person = code == "person" or (subject and attr(subject[0], "classificationCode") == "P")
    schema = "Person" if is_person else guess_org_schema(first_name)
    entity_id = make_entity_id(source, logical_id)
    proxy = new_proxy(schema, entity_id)
    _names(proxy, aliases, bool(is_person))
    if is_person:
        _birth(proxy, element)
        for citizenship in children(element, "citizenship"):
            put(proxy, "nationality", _country(citizenship))
    for ident in children(element, "identification"):
        _identifier(proxy, ident)
    for address in children(element, "address"):
        _address(proxy, address)
    remarks = [
        r.text.strip()
        for r in children(element, "remark")
        if isinstance(r.text, str) and r.text.strip()
    ]
    for remark in remarks:
        put(proxy, "notes", remark)
    programmes: list[str] = []
    dates: list[str] = []
    for regulation in children(element, "regulation"):
        programme = attr(regulation, "programme")
        if programme and programme not in programmes:
            programmes.append(programme)
        dates.extend(parse_dates(attr(regulation, "publicationDate")))
    for programme in programmes:
        put(proxy, "program", programme)
    listing = attr(element, "designationDate") or (min(dates) if dates else "")
    reference = attr(element, "euReferenceNumber")
    sanction = make_sanction(
        source,
        logical_id,
        entity_id,
        authority=AUTHORITY,
        programs=programmes,
        listing_date=listing or None,
        reason=attr(element, "designationDetails") or None,
        extra=[("authorityId", reference), ("unscId", attr(element, "unitedNationId"))],
    )
    for regulation in children(element, "regulation"):
        put(sanction, "provisions", attr(regulation, "numberTitle"))
        put(sanction, "sourceUrl", text(regulation, "publicationUrl"))
    return ListedEntity(proxy=proxy, source=source, source_id=logical_id, sanctions=[sanction])


def parse(source: str, paths: Sequence[Path]) -> Iterator[ListedEntity]:
    for path in paths:
        seen_root = False
        for element in iter_elements(path, {"sanctionEntity", "export"}):
            if local(element.tag) == "export":
                seen_root = True
                continue
            yield build_entity(source, element, str(path))
        if not seen_root:
            raise ParseError("not an EU FSF export (no <export> root)", file=str(path))
