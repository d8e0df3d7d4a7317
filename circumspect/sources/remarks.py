"""OFAC remarks: the ``;``-separated free text at the end of an SDN/consolidated row.

OFAC packs most of an entry's details into the remarks (``DOB 01 Jan 1962; POB Tehran,
Iran; nationality Iran; Passport A1234567 (Iran); a.k.a. 'X'; ...``). :func:`apply_remarks`
reads the items it knows into FtM properties; the full remarks text is always kept in
``notes`` so nothing is lost.
"""

from __future__ import annotations

import re
from collections.abc import Callable

from followthemoney.proxy import EntityProxy

from circumspect.sources.base import country_code, parse_dates, put, put_kz_number

_ALIAS = re.compile(r"^(?:a\.k\.a\.|f\.k\.a\.|n\.k\.a\.)[\s,]*(?P<value>.+)$", re.I)
_QUOTED = re.compile(r"^['\"‘’“](?P<inner>.*)['\"‘’”]$")
_COUNTRY_SUFFIX = re.compile(r"^(?P<value>.*?)\s*\((?P<country>[^()]*)\)(?P<rest>.*)$")
_PREFIX_ALT = re.compile(r"^(?:alt\.|alternate|alt)\s+", re.I)

#: (label pattern, property, kind) for identifier items: ``<label> <value> (<country>)``.
#: kind: "id" plain identifier, "tax" tax number (INN when Russian), "reg" registration
#: number (OGRN when Russian), "imo" IMO number.
_ID_LABELS: list[tuple[re.Pattern[str], str, str]] = [
    (
        re.compile(
            r"^(?:Vessel Registration Identification|Identification Number|Company Number)"
            r"\s+IMO\s+(?P<value>.+)$",
            re.I,
        ),
        "imoNumber",
        "imo",
    ),
    (re.compile(r"^IMO\s+(?P<value>\d{7}.*)$", re.I), "imoNumber", "imo"),
    (re.compile(r"^SWIFT/BIC\s+(?P<value>.+)$", re.I), "swiftBic", "id"),
    (re.compile(r"^Legal Entity Number\s+(?P<value>.+)$", re.I), "leiCode", "id"),
    (re.compile(r"^MMSI\s+(?P<value>.+)$", re.I), "mmsi", "id"),
    (re.compile(r"^D-U-N-S Number\s+(?P<value>.+)$", re.I), "dunsCode", "id"),
    (
        re.compile(r"^(?:Passport|Diplomatic Passport)(?:\s+No\.?)?\s+(?P<value>.+)$", re.I),
        "passportNumber",
        "id",
    ),
    (
        re.compile(
            r"^(?:Tax ID No\.|Tax ID|NIT\s*#|RUC\s*#|R\.F\.C\.|RFC|RIF\s*#|V\.A\.T\. Number|"
            r"VAT Number|C\.U\.I\.T\.|C\.U\.I\.P\.|INN|Taxpayer Identification Number)"
            r"\s*:?\s*(?P<value>.+)$",
            re.I,
        ),
        "taxNumber",
        "tax",
    ),
    (
        re.compile(
            r"^(?:Registration Number|Registration ID|Business Registration Number|"
            r"Business Registration Document\s*#?|Commercial Registry Number|Company Number|"
            r"Folio Mercantil No\.|Matricula Mercantil No\.?|C\.R\. No\.|Trade License No\.|"
            r"Government Gazette Number|Certificate of Incorporation Number|"
            r"Chamber of Commerce Number|Enterprise Number|Public Registration Number|"
            r"Unified Social Credit Code \(USCC\)|OGRN|BIN|Business Number)"
            r"\s*:?\s*(?P<value>.+)$",
            re.I,
        ),
        "registrationNumber",
        "reg",
    ),
    (
        re.compile(
            r"^(?:National ID No\.|National ID|Cedula No\.|D\.N\.I\.|Identification Number|"
            r"Personal ID Card|C\.U\.R\.P\.|CURP\s*#|Citizen's Card Number|N\.I\.E\.|"
            r"National Foreign ID Number|Residency Number|Kenyan ID No\.|"
            r"Electoral Registry No\.|"
            r"SSN|Social Security Number|Birth Certificate Number|Driver's License No\.|"
            r"Moroccan Personal ID No\.|Stateless Person ID Card|Turkish Identification Number|"
            r"Bosnian Personal ID No\.|Refugee ID Card|IIN)"
            r"\s*:?\s*(?P<value>.+)$",
            re.I,
        ),
        "idNumber",
        "id",
    ),
]

_SIMPLE: list[tuple[re.Pattern[str], str]] = [
    (re.compile(r"^POB\s+(?P<value>.+)$"), "birthPlace"),
    (re.compile(r"^Website\s+(?P<value>.+)$", re.I), "website"),
    (re.compile(r"^Email(?: Address)?\s+(?P<value>.+)$", re.I), "email"),
    (re.compile(r"^(?:Phone Number|Telephone|Tel\.?)\s*:?\s*(?P<value>.+)$", re.I), "phone"),
    (
        re.compile(r"^Aircraft Manufacturer's Serial Number \(MSN\)\s+(?P<value>.+)$", re.I),
        "serialNumber",
    ),
    (re.compile(r"^Aircraft Construction Number \([^)]*\)\s+(?P<value>.+)$", re.I), "serialNumber"),
    (re.compile(r"^Aircraft Model\s+(?P<value>.+)$", re.I), "model"),
    (re.compile(r"^Aircraft Tail Number\s+(?P<value>.+)$", re.I), "registrationNumber"),
    (re.compile(r"^(?:Former|Other) Vessel Flag\s+(?P<value>.+)$", re.I), "pastFlags"),
    (re.compile(r"^Vessel Type\s+(?P<value>.+)$", re.I), "type"),
    (re.compile(r"^Vessel Flag\s+(?P<value>.+)$", re.I), "flag"),
    (re.compile(r"^Other Vessel Call Sign\s+(?P<value>.+)$", re.I), "callSign"),
    (re.compile(r"^Title\s+(?P<value>.+)$", re.I), "position"),
]

_DATES: list[tuple[re.Pattern[str], str]] = [
    (re.compile(r"^DOB\s+(?P<value>.+)$"), "birthDate"),
    (re.compile(r"^Aircraft Manufacture Date\s+(?P<value>.+)$", re.I), "buildDate"),
    (re.compile(r"^Vessel Year of Build\s+(?P<value>.+)$", re.I), "buildDate"),
    (re.compile(r"^Organization Established Date\s+(?P<value>.+)$", re.I), "incorporationDate"),
]

_COUNTRIES: list[tuple[re.Pattern[str], str]] = [
    (re.compile(r"^Nationality of Registration\s+(?P<value>.+)$", re.I), "jurisdiction"),
    (re.compile(r"^nationality\s+(?P<value>.+)$", re.I), "nationality"),
    (re.compile(r"^citizen\s+(?P<value>.+)$", re.I), "citizenship"),
]

_GENDER = re.compile(r"^Gender\s+(?P<value>Male|Female)$", re.I)


def split_remarks(remarks: str) -> list[str]:
    """The items of a remarks text, without the trailing full stop."""
    items: list[str] = []
    for raw in remarks.split(";"):
        item = raw.strip()
        if item.endswith(".") and not re.search(r"\b(?:[A-Z]\.){1,}$|\b(?:No|Co|Ltd|Inc)\.$", item):
            item = item[:-1].rstrip()
        if item:
            items.append(item)
    return items


def _unquote(value: str) -> str:
    value = value.strip().rstrip(".").strip()
    match = _QUOTED.match(value)
    return match.group("inner").strip() if match else value


def _is_russian(country: str | None) -> bool:
    return country_code(country) == "ru" if country else False


def _identifier(proxy: EntityProxy, prop: str, kind: str, text: str) -> None:
    value, country = text.strip(), None
    match = _COUNTRY_SUFFIX.match(value)
    if match:
        value, country = match.group("value").strip(), match.group("country").strip()
    else:
        # "A1234567 expires 2030" / "issued 2019": the number is the first token.
        value = re.split(r"\s+(?:expires|issued|expiring)\b", value, maxsplit=1)[0].strip()
    value = value.strip(" .,")
    if not value:
        return
    digits = re.sub(r"\D", "", value)
    if kind == "imo":
        put(proxy, "imoNumber", digits if len(digits) == 7 else value)
        return
    if kind == "tax" and _is_russian(country) and len(digits) in (10, 12) and digits == value:
        put(proxy, "innCode", value)
    if kind == "reg" and _is_russian(country) and len(digits) in (13, 15) and digits == value:
        put(proxy, "ogrnCode", value)
    if (
        (kind in ("reg", "tax") or prop == "idNumber")
        and country_code(country) == "kz"
        and put_kz_number(proxy, value)
    ):
        return
    put(proxy, prop, value)
    if prop == "swiftBic":
        return
    code = country_code(country)
    if code and prop in ("passportNumber", "idNumber") and proxy.schema.is_a("Person"):
        put(proxy, "country", code)


Handler = Callable[[EntityProxy, str], bool]


def apply_item(proxy: EntityProxy, item: str) -> bool:
    """Read one remarks item into ``proxy``; False when the item is not understood."""
    text = _PREFIX_ALT.sub("", item.strip())
    match = _ALIAS.match(text)
    if match:
        put(proxy, "weakAlias", _unquote(match.group("value")))
        return True
    match = _GENDER.match(text)
    if match:
        put(proxy, "gender", match.group("value").lower())
        return True
    for pattern, prop in _DATES:
        match = pattern.match(text)
        if match:
            for iso in parse_dates(match.group("value")):
                put(proxy, prop, iso)
            return True
    for pattern, prop in _COUNTRIES:
        match = pattern.match(text)
        if match:
            code = country_code(match.group("value"))
            if code:
                put(proxy, prop, code)
            return True
    for pattern, prop, kind in _ID_LABELS:
        match = pattern.match(text)
        if match:
            _identifier(proxy, prop, kind, match.group("value"))
            return True
    for pattern, prop in _SIMPLE:
        match = pattern.match(text)
        if match:
            value = match.group("value").strip()
            if prop == "pastFlags" or prop == "flag":
                value = country_code(value) or ""
            put(proxy, prop, value)
            return True
    return False


def apply_remarks(proxy: EntityProxy, remarks: str) -> list[str]:
    """Apply every understood item; returns the items that were not understood."""
    if not remarks or remarks.strip() == "-0-":
        return []
    put(proxy, "notes", remarks.strip())
    return [item for item in split_remarks(remarks) if not apply_item(proxy, item)]
