"""Party keys of the ownership graph: identifiers (BIN/IIN, INN, OGRN, LEI) or list ids.

A key is the identifier's compact normal form (``7707083893``, ``5493001KJTIIGC8Y1R12``) or
a listed entity id (``ofac-sdn-16807``). A value may name its kind (``INN:7707083893``,
``lei 5493...``); without a kind it must validly be at least one of the known kinds
(checksums included, :func:`circumspect.names.identifiers.detect`), else it is unknown.
"""

from __future__ import annotations

import re
from functools import lru_cache

from circumspect.names import identifiers

#: kinds a user may name in front of a value, -> canonical kinds accepted for it
KIND_PREFIXES: dict[str, tuple[str, ...]] = {
    "bin": ("kz_bin",),
    "iin": ("kz_iin",),
    "bin/iin": ("kz_bin", "kz_iin"),
    "inn": ("ru_inn",),
    "ogrn": ("ru_ogrn",),
    "ogrnip": ("ru_ogrn",),
    "lei": ("lei",),
}
#: identifier kinds an ownership party may carry (BIC and IMO name no owner)
PARTY_KINDS: tuple[str, ...] = ("kz_bin", "kz_iin", "ru_inn", "ru_ogrn", "lei")
#: FtM properties of listed entities that hold such identifiers
ENTITY_ID_PROPS: tuple[str, ...] = (
    "innCode",
    "ogrnCode",
    "leiCode",
    "registrationNumber",
    "taxNumber",
    "idNumber",
)

_PREFIXED = re.compile(
    r"^\s*(?P<kind>bin/iin|bin|iin|inn|ogrnip|ogrn|lei)\s*[:#]?\s*(?P<v>\S.*)$", re.I
)
_LIST_ID = re.compile(r"^[a-z][a-z0-9]*(?:-[a-z0-9]+)*-[A-Za-z0-9._-]+$")


@lru_cache(maxsize=1 << 18)
def identifier_key(value: str) -> tuple[str | None, str]:
    """(key, reason): the compact identifier for a BIN/IIN/INN/OGRN/LEI value, or None and
    why it is not one."""
    text = value.strip()
    prefixed = ""
    match = _PREFIXED.match(text)
    if match:
        kinds = KIND_PREFIXES[match.group("kind").lower()]
        number = match.group("v")
        for kind in kinds:
            if identifiers.validate(kind, number):
                return identifiers.normalize_id(kind, number), ""
        prefixed = (
            f"not a valid {match.group('kind').upper()}: {identifiers.problem(kinds[0], number)}"
        )
    found = [(k, v) for k, v in identifiers.detect(text) if k in PARTY_KINDS]
    if found:
        return found[0][1], ""
    return None, prefixed or "not a valid BIN/IIN, INN, OGRN or LEI (check digits included)"


def looks_like_list_id(value: str) -> bool:
    """True for ids of the form ``<source>-<record>`` (``ofac-sdn-16807``, ``eu-fsf-EU.1.2``)."""
    return bool(_LIST_ID.match(value.strip())) and not value.strip().isdigit()


def entity_keys(values: dict[str, list[str]]) -> set[str]:
    """Compact identifier keys of a listed entity, from its FtM identifier properties."""
    out: set[str] = set()
    for prop in ENTITY_ID_PROPS:
        for raw in values.get(prop, []):
            compact = identifiers.compact(raw)
            if compact and any(k in PARTY_KINDS for k, _ in identifiers.detect(compact)):
                out.add(compact)
    return out
