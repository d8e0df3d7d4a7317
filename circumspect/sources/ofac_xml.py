"""OFAC advanced sanctions data model XML (``sdn_advanced.xml``, ``cons_advanced.xml``).

The file is normalised: ``ReferenceValueSets`` holds the code tables (alias types, name-part
types, party sub-types, feature types, ID document types, countries, detail references,
location-part types, sanctions programs and lists); ``Locations`` and ``IDRegDocuments`` are
referenced by id; ``DistinctParties/DistinctParty`` (``FixedRef`` = the OFAC entry number,
our ``source_id``, the same as ``ent_num`` in the CSV files) carry a ``Profile`` with
``Identity/Alias/DocumentedName/DocumentedNamePart/NamePartValue`` and ``Feature``s
(birth date, place of birth, nationality, address, gender, vessel details, ...);
``SanctionsEntries/SanctionsEntry`` (by ``ProfileID``) carry the list, the programs and the
listing date, but come *after* the parties in the file.

To stream large files the parser reads the file twice with lxml ``iterparse``: pass one
keeps the code tables, locations, documents and sanctions entries (small) and skips the
parties; pass two builds one entity per ``DistinctParty``. Memory stays proportional to
the side tables, not to the parties.

Document types and feature names are the same labels the CSV remarks use ("Passport",
"SWIFT/BIC", "Tax ID No.", "Registration Number", "Vessel Registration Identification"),
so identifiers are mapped by the remarks item parser (:mod:`circumspect.sources.remarks`).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from followthemoney.proxy import EntityProxy

from circumspect.errors import ParseError
from circumspect.model.entities import ListedEntity, make_entity_id, new_proxy
from circumspect.sources.base import country_code, guess_org_schema, make_sanction, put
from circumspect.sources.remarks import apply_item
from circumspect.sources.xmlutil import attr, child, children, iter_elements, local, text

FORMAT = "ofac_xml"
AUTHORITY = "US Office of Foreign Assets Control (OFAC)"

#: ReferenceValueSets tables we read: element name -> key in Refs.tables
_TABLES = {
    "AliasType": "alias_type",
    "Country": "country",
    "DetailReference": "detail_ref",
    "FeatureType": "feature_type",
    "IDRegDocType": "doc_type",
    "List": "list",
    "LocPartType": "loc_part_type",
    "NamePartType": "name_part_type",
    "PartySubType": "party_subtype",
    "PartyType": "party_type",
    "SanctionsProgram": "program",
    "SanctionsType": "sanctions_type",
    "Script": "script",
    "EntryEventType": "entry_event_type",
    "RelationType": "relation_type",
}


@dataclass
class _Location:
    address: str  # street/city/... and country name; "" when only a country is given
    country: str | None


@dataclass
class _Entry:
    lists: list[str] = field(default_factory=list)
    programs: list[str] = field(default_factory=list)
    dates: list[str] = field(default_factory=list)
    measures: list[str] = field(default_factory=list)


@dataclass
class _Refs:
    tables: dict[str, dict[str, str]] = field(default_factory=lambda: defaultdict(dict))
    subtype_party: dict[str, str] = field(default_factory=dict)
    country_iso: dict[str, str] = field(default_factory=dict)
    locations: dict[str, _Location] = field(default_factory=dict)
    documents: dict[str, list[tuple[str, str, str | None]]] = field(
        default_factory=lambda: defaultdict(list)
    )
    entries: dict[str, _Entry] = field(default_factory=lambda: defaultdict(_Entry))
    #: From-ProfileID -> (relation type, To-ProfileID) of ``ProfileRelationship``s
    relations: dict[str, list[tuple[str, str]]] = field(default_factory=lambda: defaultdict(list))
    seen_root: bool = False

    def value(self, table: str, key: str) -> str:
        return self.tables[table].get(key, "")


def _date(element: Any) -> str | None:
    """ISO date prefix from an element with Year/Month/Day children."""
    if element is None:
        return None
    year, month, day = text(element, "Year"), text(element, "Month"), text(element, "Day")
    if not year.isdigit():
        return None
    if month.isdigit() and day.isdigit():
        return f"{int(year):04d}-{int(month):02d}-{int(day):02d}"
    if month.isdigit():
        return f"{int(year):04d}-{int(month):02d}"
    return f"{int(year):04d}"


def _read_reference_sets(refs: _Refs, element: Any) -> None:
    for node in element.iter():
        if not isinstance(node.tag, str):
            continue
        name = local(node.tag)
        table = _TABLES.get(name)
        if table is None:
            continue
        ident = attr(node, "ID")
        label = node.text.strip() if isinstance(node.text, str) else ""
        if ident:
            refs.tables[table][ident] = label
            if name == "PartySubType":
                refs.subtype_party[ident] = attr(node, "PartyTypeID")
            if name == "Country" and attr(node, "ISO2"):
                refs.country_iso[ident] = attr(node, "ISO2").lower()


def _country_of(refs: _Refs, country_id: str) -> str | None:
    if not country_id:
        return None
    return refs.country_iso.get(country_id) or country_code(refs.value("country", country_id))


def _read_location(refs: _Refs, element: Any) -> None:
    parts: dict[str, str] = {}
    for part in children(element, "LocationPart"):
        kind = refs.value("loc_part_type", attr(part, "LocPartTypeID")).upper()
        values = children(part, "LocationPartValue")
        chosen = next(
            (v for v in values if attr(v, "Primary") == "true"), values[0] if values else None
        )
        if chosen is not None and text(chosen, "Value"):
            parts[kind] = text(chosen, "Value")
    country_node = child(element, "LocationCountry")
    country_id = attr(country_node, "CountryID") if country_node is not None else ""
    country_name = refs.value("country", country_id)
    order = ("ADDRESS1", "ADDRESS2", "ADDRESS3", "CITY", "STATE/PROVINCE", "POSTAL CODE", "REGION")
    fields = [parts[k] for k in order if parts.get(k)]
    fields += [v for k, v in parts.items() if k not in order]
    if fields and country_name:
        fields.append(country_name)
    refs.locations[attr(element, "ID")] = _Location(
        address=", ".join(fields), country=_country_of(refs, country_id)
    )


def _read_document(refs: _Refs, element: Any) -> None:
    number = text(element, "IDRegistrationNo")
    identity = attr(element, "IdentityID")
    if not number or not identity:
        return
    doc_type = refs.value("doc_type", attr(element, "IDRegDocTypeID"))
    country = refs.value("country", attr(element, "IssuedBy-CountryID")) or None
    refs.documents[identity].append((doc_type, number, country))


def _read_entry(refs: _Refs, element: Any) -> None:
    entry = refs.entries[attr(element, "ProfileID")]
    list_name = refs.value("list", attr(element, "ListID"))
    if list_name and list_name not in entry.lists:
        entry.lists.append(list_name)
    for event in children(element, "EntryEvent"):
        found = _date(child(event, "Date"))
        if found:
            entry.dates.append(found)
    for measure in children(element, "SanctionsMeasure"):
        kind = refs.value("sanctions_type", attr(measure, "SanctionsTypeID"))
        comment = text(measure, "Comment")
        if kind.lower() == "program" and comment:
            if comment not in entry.programs:
                entry.programs.append(comment)
        elif kind:
            entry.measures.append(kind if not comment else f"{kind}: {comment}")


def _first_pass(path: Path) -> _Refs:
    refs = _Refs()
    tags = {
        "ReferenceValueSets",
        "Location",
        "IDRegDocument",
        "SanctionsEntry",
        "DistinctParty",
        "Sanctions",
        "ProfileRelationship",
    }
    for element in iter_elements(path, tags):
        name = local(element.tag)
        if name == "ReferenceValueSets":
            _read_reference_sets(refs, element)
        elif name == "Location":
            _read_location(refs, element)
        elif name == "IDRegDocument":
            _read_document(refs, element)
        elif name == "SanctionsEntry":
            _read_entry(refs, element)
        elif name == "ProfileRelationship":
            _read_relationship(refs, element)
        elif name == "Sanctions":
            refs.seen_root = True
    return refs


def _read_relationship(refs: _Refs, element: Any) -> None:
    """``From-ProfileID`` is ``RelationType`` of ``To-ProfileID`` ("Linked To", "Owned or
    Controlled By", "Associate Of", ...). Kept on the From party as a ``notes`` line that
    :mod:`circumspect.ownership.relations` reads (OFAC profile ids equal FixedRefs)."""
    source, target = attr(element, "From-ProfileID"), attr(element, "To-ProfileID")
    kind = refs.value("relation_type", attr(element, "RelationTypeID")) or "Related To"
    if attr(element, "Former") == "true":
        kind = f"Former {kind}"
    if source and target:
        refs.relations[source].append((kind, target))


def _name_groups(refs: _Refs, identity: Any) -> dict[str, str]:
    """NamePartGroup id -> name-part type (Last Name, First Name, ...) of one Identity."""
    groups: dict[str, str] = {}
    for group in identity.iter():
        if isinstance(group.tag, str) and local(group.tag) == "NamePartGroup":
            groups[attr(group, "ID")] = refs.value("name_part_type", attr(group, "NamePartTypeID"))
    return groups


def _documented_name(
    refs: _Refs, groups: dict[str, str], name_el: Any
) -> tuple[str, str, str, bool]:
    """(display name, last, first, latin) of one DocumentedName."""
    last: list[str] = []
    rest: list[str] = []
    latin = True
    for part in children(name_el, "DocumentedNamePart"):
        value = child(part, "NamePartValue")
        if value is None or not isinstance(value.text, str) or not value.text.strip():
            continue
        script = refs.value("script", attr(value, "ScriptID")).lower()
        if script and script != "latin":
            latin = False
        kind = groups.get(attr(value, "NamePartGroupID"), "").lower()
        (last if kind == "last name" else rest).append(value.text.strip())
    if last and rest:
        return f"{' '.join(last)}, {' '.join(rest)}", " ".join(last), " ".join(rest), latin
    return " ".join(last + rest), " ".join(last), " ".join(rest), latin


def _names(refs: _Refs, proxy: EntityProxy, identity: Any, is_person: bool) -> None:
    groups = _name_groups(refs, identity)
    for alias in children(identity, "Alias"):
        alias_type = refs.value("alias_type", attr(alias, "AliasTypeID")).upper()
        primary = attr(alias, "Primary") == "true"
        weak = attr(alias, "LowQuality") == "true"
        for name_el in children(alias, "DocumentedName"):
            name, last, first, latin = _documented_name(refs, groups, name_el)
            if not name:
                continue
            if primary and latin and not proxy.get("name"):
                put(proxy, "name", name)
                if is_person and last and first:
                    put(proxy, "lastName", last)
                    put(proxy, "firstName", first)
            elif weak:
                put(proxy, "weakAlias", name)
            elif alias_type == "F.K.A.":
                put(proxy, "previousName", name)
            elif primary:
                put(proxy, "alias", name)  # the primary name in another script
            else:
                put(proxy, "alias", name)


def _feature_values(refs: _Refs, version: Any) -> list[tuple[str, str | None]]:
    """(text, country) values of one FeatureVersion: details, locations or dates."""
    values: list[tuple[str, str | None]] = []
    for detail in children(version, "VersionDetail"):
        ref = attr(detail, "DetailReferenceID")
        value = refs.value("detail_ref", ref) if ref else (detail.text or "").strip()
        if value:
            values.append((value, None))
    for loc in children(version, "VersionLocation"):
        location = refs.locations.get(attr(loc, "LocationID"))
        if location is not None:
            values.append((location.address, location.country))
    return values


def _period_dates(version: Any) -> list[str]:
    out: list[str] = []
    for period in children(version, "DatePeriod"):
        start = child(period, "Start")
        if start is None:
            continue
        low, high = _date(child(start, "From")), _date(child(start, "To"))
        if low and high and low != high and low[:4] != high[:4]:
            out.extend(
                str(y)
                for y in range(int(low[:4]), int(high[:4]) + 1)
                if int(high[:4]) - int(low[:4]) <= 30
            )
        elif low and high and low != high:
            out.append(low[:4] if low[:7] != high[:7] else low[:7])
        elif low:
            out.append(low)
    return out


_FEATURE_PROPS = {
    "birthdate": "birthDate",
    "place of birth": "birthPlace",
    "nationality country": "nationality",
    "citizenship country": "citizenship",
    "gender": "gender",
    "vessel call sign": "callSign",
    "vessel type": "type",
    "vessel flag": "flag",
    "vessel tonnage": "tonnage",
    "vessel gross registered tonnage": "grossRegisteredTonnage",
    "vessel year of build": "buildDate",
    "website": "website",
    "email address": "email",
    "phone number": "phone",
    "aircraft model": "model",
    "aircraft manufacture date": "buildDate",
    "aircraft manufacturer's serial number (msn)": "serialNumber",
    "aircraft tail number": "registrationNumber",
    "organization established date": "incorporationDate",
    "title": "position",
    "former vessel flag": "pastFlags",
}
_DATE_PROPS = {"birthDate", "buildDate", "incorporationDate"}
_COUNTRY_PROPS = {"nationality", "citizenship", "flag", "pastFlags"}


def _features(refs: _Refs, proxy: EntityProxy, profile: Any) -> None:
    for feature in children(profile, "Feature"):
        name = refs.value("feature_type", attr(feature, "FeatureTypeID"))
        key = name.lower()
        prop = _FEATURE_PROPS.get(key)
        for version in children(feature, "FeatureVersion"):
            if prop in _DATE_PROPS:
                for iso in _period_dates(version):
                    put(proxy, prop, iso)
                continue
            for value, country in _feature_values(refs, version):
                if key == "location":
                    put(proxy, "address", value)
                    put(proxy, "country", country)
                elif prop in _COUNTRY_PROPS:
                    put(proxy, prop, country or country_code(value))
                elif prop == "gender":
                    put(proxy, "gender", value.lower())
                elif prop is not None:
                    put(proxy, prop, value)
                else:
                    put(proxy, "notes", f"{name}: {value}")


def build_entity(source: str, refs: _Refs, party: Any, file: str) -> ListedEntity:
    line = party.sourceline if isinstance(party.sourceline, int) else None
    fixed_ref = attr(party, "FixedRef")
    if not fixed_ref:
        raise ParseError("DistinctParty without FixedRef", file=file, line=line)
    profile = child(party, "Profile")
    if profile is None:
        raise ParseError("DistinctParty without Profile", file=file, line=line, record=fixed_ref)
    subtype_id = attr(profile, "PartySubTypeID")
    subtype = refs.value("party_subtype", subtype_id).lower()
    party_type = refs.value("party_type", refs.subtype_party.get(subtype_id, "")).lower()
    identities = children(profile, "Identity")
    identity = next(
        (i for i in identities if attr(i, "Primary") == "true"),
        identities[0] if identities else None,
    )
    if identity is None:
        raise ParseError("profile without Identity", file=file, line=line, record=fixed_ref)
    if subtype == "vessel":
        schema = "Vessel"
    elif subtype == "aircraft":
        schema = "Airplane"
    elif party_type == "individual":
        schema = "Person"
    else:
        schema = "Organization"
    entity_id = make_entity_id(source, fixed_ref)
    proxy = new_proxy(schema, entity_id)
    _names(refs, proxy, identity, schema == "Person")
    if not proxy.get("name"):
        raise ParseError("party without a primary name", file=file, line=line, record=fixed_ref)
    if schema == "Organization":
        better = guess_org_schema(str(proxy.first("name")))
        if better != "Organization":
            company = new_proxy(better, entity_id)
            for prop, values in proxy.properties.items():
                for value in values:
                    put(company, prop, value)
            proxy = company
    _features(refs, proxy, profile)
    for other in identities:
        if other is not identity:
            _names(refs, proxy, other, False)
        for doc_type, number, country in refs.documents.get(attr(other, "ID"), []):
            item = f"{doc_type} {number}" + (f" ({country})" if country else "")
            if not apply_item(proxy, item):
                put(proxy, "idNumber", number)
    put(proxy, "notes", text(party, "Comment"))
    for kind, target in refs.relations.get(attr(profile, "ID"), []):
        put(proxy, "notes", f"Relationship: {kind} -> OFAC entry {target}")
    entry = refs.entries.get(attr(profile, "ID"), _Entry())
    for program in entry.programs:
        put(proxy, "program", program)
    sanction = make_sanction(
        source,
        fixed_ref,
        entity_id,
        authority=AUTHORITY,
        programs=entry.programs,
        listing_date=min(entry.dates) if entry.dates else None,
        extra=[("provisions", m) for m in entry.measures]
        + [("description", f"List: {name}") for name in entry.lists],
    )
    return ListedEntity(proxy=proxy, source=source, source_id=fixed_ref, sanctions=[sanction])


def parse(source: str, paths: Sequence[Path]) -> Iterator[ListedEntity]:
    for path in paths:
        refs = _first_pass(path)
        if not refs.seen_root:
            raise ParseError("not an OFAC advanced XML file (no <Sanctions> root)", file=str(path))
        tags = {
            "DistinctParty",
            "ReferenceValueSets",
            "Location",
            "IDRegDocument",
            "SanctionsEntry",
        }
        for element in iter_elements(path, tags):
            if local(element.tag) == "DistinctParty":
                yield build_entity(source, refs, element, str(path))
