"""Listed entities and queries in the compiled form the index and scorers use."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache
from typing import NamedTuple

from circumspect.errors import InputError
from circumspect.matching.compare import CompiledName, compile_name
from circumspect.model.entities import ListedEntity
from circumspect.model.screening import QUERY_SCHEMATA, Query
from circumspect.names.confusables import disguises, invisible_chars
from circumspect.names.identifiers import compact, detect
from circumspect.names.normalize import clean

#: Longest query name accepted (characters); longer names are refused with a clear error.
MAX_QUERY_CHARS = 1000

#: FtM properties holding identifiers we index.
ID_PROPS: tuple[str, ...] = (
    "innCode",
    "ogrnCode",
    "imoNumber",
    "swiftBic",
    "leiCode",
    "registrationNumber",
    "taxNumber",
    "idNumber",
    "passportNumber",
    "vatCode",
    "okpoCode",
    "bikCode",
)


class IndexedEntity(NamedTuple):
    """What the matcher keeps of a listed entity."""

    id: str
    source: str
    source_id: str
    caption: str
    schema: str
    names: tuple[CompiledName, ...]
    ids: frozenset[str]
    raw_ids: frozenset[str]
    countries: frozenset[str]
    birth_dates: tuple[str, ...]
    #: Per name: True for weak aliases (OFAC weak a.k.a., UN "low quality").
    weak: tuple[bool, ...] = ()


@dataclass(frozen=True, slots=True)
class PreparedQuery:
    query: Query
    name: CompiledName
    schema: str
    ids: frozenset[str]
    raw_id: str | None
    country: str | None
    birth_date: str | None
    #: What the query's spelling hid (invisible characters, mixed-script words).
    disguises: tuple[str, ...] = ()
    #: The name compiled as a person's, for a ``LegalEntity`` query written with initials
    #: (``Сечин И.И.``): compared with listed persons so the initials rules apply.
    person_name: CompiledName | None = None


def identifier_keys(value: str) -> set[str]:
    """``kind:normal`` keys for every kind ``value`` validly is."""
    return {f"{kind}:{norm}" for kind, norm in detect(value)}


@lru_cache(maxsize=1)
def _country_type() -> object:
    from followthemoney.types import registry

    return registry.country


_YMD_RE = re.compile(r"^(\d{4})(?:[-./](\d{1,2})(?:[-./](\d{1,2}))?)?$")
_DMY_RE = re.compile(r"^(\d{1,2})[-./](\d{1,2})[-./](\d{4})$")


def clean_date(value: str) -> str | None:
    """``YYYY``, ``YYYY-MM`` or ``YYYY-MM-DD`` from ISO-like (``1969-7-16``) or day-first
    (``16.07.1969``, as Kazakh and Russian documents write it) dates; ``InputError`` else."""
    text = value.strip()
    if not text:
        return None
    m = _YMD_RE.match(text)
    parts: tuple[str | None, ...] | None = None
    if m:
        parts = m.groups()
    else:
        d = _DMY_RE.match(text)
        if d:
            parts = (d.group(3), d.group(2), d.group(1))
    if parts is None:
        raise InputError(
            f"birth date {text!r} is not YYYY, YYYY-MM, YYYY-MM-DD or DD.MM.YYYY",
            field="birth_date",
        )
    year, month, day = parts
    if month is not None and not 1 <= int(month) <= 12:
        raise InputError(f"birth date {text!r} has month {month}", field="birth_date")
    if day is not None and not 1 <= int(day) <= 31:
        raise InputError(f"birth date {text!r} has day {day}", field="birth_date")
    out = str(year)
    if month is not None:
        out += f"-{int(month):02d}"
    if day is not None:
        out += f"-{int(day):02d}"
    return out


def clean_country(value: str | None) -> str | None:
    """ISO 3166 alpha-2 (lowercase) from a code or a country name; ``InputError`` if unknown."""
    if value is None or not value.strip():
        return None
    ctype = _country_type()
    code = ctype.clean(value.strip())  # type: ignore[attr-defined]
    if code is None:
        raise InputError(f"unknown country {value!r}", field="country")
    return str(code)


def check_name(name: str) -> str:
    """The cleaned query name, or ``InputError`` for empty, huge or control-character names."""
    if name is None or not str(name).strip():
        raise InputError("name is empty", field="name")
    if isinstance(name, str):
        return _checked_name(name)  # memoised: pair scoring checks the same names again
    return _check_name(name)


@lru_cache(maxsize=100_000)
def _checked_name(name: str) -> str:
    return _check_name(name)


def _check_name(name: str) -> str:
    if len(name) > MAX_QUERY_CHARS:
        raise InputError(
            f"name is {len(name)} characters long; the limit is {MAX_QUERY_CHARS}", field="name"
        )
    for ch in name:
        if ch not in "\t\n\r" and unicodedata.category(ch) in ("Cc", "Cs", "Co"):
            raise InputError(f"name contains control character U+{ord(ch):04X}", field="name")
    cleaned = clean(name)
    if not any(ch.isalnum() for ch in cleaned):
        hidden = " (only invisible characters)" if invisible_chars(name) and not cleaned else ""
        raise InputError(f"name has no letters or digits{hidden}", field="name")
    return cleaned


#: An initial: a capital letter followed by a dot, or a lone capital letter word, in Latin or
#: Cyrillic (``И.И.``, ``I I``).
_INITIALS = re.compile(r"(?:^|[\s.,])[A-ZА-ЯЁІҚҒҮҰӨҺӘ](?:\.|(?=\s|$))")


def prepare_query(query: Query) -> PreparedQuery:
    """Validate and compile a query (``InputError`` naming the field on bad input)."""
    if query.schema not in QUERY_SCHEMATA:
        raise InputError(
            f"unknown schema {query.schema!r}; use one of {', '.join(QUERY_SCHEMATA)}",
            field="schema",
        )
    name = check_name(query.name)
    birth = clean_date(query.birth_date) if query.birth_date else None
    ident = query.identifier.strip() if query.identifier else None
    ids = frozenset(identifier_keys(ident)) if ident else frozenset()
    raw = compact(ident) if ident else None
    person = (
        compile_name(name, "Person")
        if query.schema == "LegalEntity" and _INITIALS.search(name)
        else None
    )
    return PreparedQuery(
        query=query,
        name=compile_name(name, query.schema),
        person_name=person,
        schema=query.schema,
        ids=ids,
        raw_id=raw if raw and len(raw) >= 5 else None,
        country=clean_country(query.country),
        birth_date=birth or None,
        disguises=disguises(query.name),
    )


def index_entity(entity: ListedEntity) -> IndexedEntity:
    """Compile a listed entity (names under its schema, identifiers, countries, dates)."""
    schema = entity.schema
    names: list[CompiledName] = []
    weak: list[bool] = []
    seen: set[str] = set()
    strong = set(entity.names(weak=False))
    for name in entity.names(weak=True):
        key = name.strip().casefold()
        if not key or key in seen:
            continue
        seen.add(key)
        compiled = compile_name(clean(name), schema)
        if not compiled.empty:
            names.append(compiled)
            weak.append(name not in strong)
    ids: set[str] = set()
    raw: set[str] = set()
    for prop in ID_PROPS:
        for value in entity.get(prop):
            ids |= identifier_keys(value)
            c = compact(value)
            if len(c) >= 5:
                raw.add(c)
    from followthemoney.types import registry

    countries = frozenset(str(c) for c in entity.proxy.get_type_values(registry.country))
    births = tuple(entity.get("birthDate")) if schema == "Person" else ()
    return IndexedEntity(
        id=entity.id,
        source=entity.source,
        source_id=entity.source_id,
        caption=entity.caption,
        schema=schema,
        names=tuple(names),
        ids=frozenset(ids),
        raw_ids=frozenset(raw),
        countries=countries,
        birth_dates=births,
        weak=tuple(weak),
    )


def index_entities(entities: Iterable[ListedEntity]) -> list[IndexedEntity]:
    return [index_entity(e) for e in entities]
