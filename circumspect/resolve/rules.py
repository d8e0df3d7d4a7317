"""Match keys: two listed entries that share a key are the same entity.

Rules (each key is ``rule|value``):

* ``identifier``: a valid strong identifier (Russian INN or OGRN, Kazakh BIN or IIN, IMO,
  LEI, BIC) under a property that holds it, with the same kind and normal form;
* ``passport``: a person's passport number (letters and digits, at least 6 with a digit)
  together with a country of the person (``country``, ``nationality``, ``citizenship``:
  the lists keep a passport's issuing country there, not beside the number), so the same
  number issued by two countries is no evidence;
* ``name_dob``: a person's full name (any non-weak name, words folded to Latin and sorted)
  with a full birth date (``YYYY-MM-DD``: a year alone is not enough);
* ``ofac_twin``: a US Consolidated Screening List row from an OFAC list (SDN, SSI, FSE, ...)
  and the OFAC record it republishes (the CSL's OFAC entry number).
"""

from __future__ import annotations

import re

from circumspect.model.entities import ListedEntity, make_entity_id
from circumspect.names.identifiers import detect
from circumspect.names.normalize import ascii_fold, casefold, normalize
from circumspect.names.phonetic import skeleton
from circumspect.names.translit import transliterate

_NOT_WORD = re.compile(r"[^a-z0-9]+")
#: The rules, in the order they are applied (and explained).
RULES: tuple[str, ...] = ("ofac_twin", "identifier", "passport", "name_dob")
#: Bump when a rule changes: the match keys are cached beside the candidate index.
KEYS_VERSION = "2"
_NOT_ALNUM = re.compile(r"[^0-9A-Z]+")
#: Properties whose values are identifiers, and the kinds each may hold.
_ID_PROPS: dict[str, frozenset[str]] = {
    "innCode": frozenset({"ru_inn"}),
    "ogrnCode": frozenset({"ru_ogrn"}),
    "imoNumber": frozenset({"imo"}),
    "swiftBic": frozenset({"bic"}),
    "leiCode": frozenset({"lei"}),
    "registrationNumber": frozenset({"kz_bin", "kz_iin", "ru_inn", "ru_ogrn", "lei", "imo"}),
    "taxNumber": frozenset({"kz_bin", "kz_iin", "ru_inn"}),
    "idNumber": frozenset({"kz_bin", "kz_iin", "ru_inn", "ru_ogrn", "imo"}),
}
#: US CSL sub-lists published by OFAC: SDN rows are ``ofac_sdn`` records, the others
#: ``ofac_cons`` (OFAC's non-SDN consolidated list).
_CSL_OFAC: dict[str, str] = {
    "SDN": "ofac_sdn",
    "SSI": "ofac_cons",
    "FSE": "ofac_cons",
    "PLC": "ofac_cons",
    "CAP": "ofac_cons",
    "CMIC": "ofac_cons",
    "MBS": "ofac_cons",
}


def name_key(name: str) -> str:
    """A name's words in Latin as spelling skeletons, sorted (``Сечин Игорь`` =
    ``SECHIN, Igor`` = ``Igor Setchine``): transliteration schemes do not split a person."""
    latin = ascii_fold(casefold(transliterate(normalize(name))))
    words = [skeleton(w) for w in _NOT_WORD.sub(" ", latin).split()]
    return " ".join(sorted(w for w in words if w))


def passport_keys(entity: ListedEntity) -> set[str]:
    """``passport|CC:NUMBER`` for each passport number and country of a person."""
    if entity.schema != "Person":
        return set()
    countries = {
        c.lower()
        for prop in ("country", "nationality", "citizenship")
        for c in entity.get(prop)
        if len(c) == 2
    }
    keys: set[str] = set()
    for value in entity.get("passportNumber"):
        number = _NOT_ALNUM.sub("", value.upper())
        if len(number) >= 6 and any(ch.isdigit() for ch in number):
            keys.update(f"passport|{country}:{number}" for country in countries)
    return keys


def entity_keys(entity: ListedEntity) -> tuple[str, ...]:
    """The match keys of one listed entry (``rule|value``), sorted."""
    keys: set[str] = set()
    for prop, kinds in _ID_PROPS.items():
        for value in entity.get(prop):
            for kind, norm in detect(value):
                if kind in kinds:
                    keys.add(f"identifier|{kind}:{norm}")
    keys.update(passport_keys(entity))
    if entity.schema == "Person":
        dates = {d for d in entity.get("birthDate") if len(d) == 10}
        if dates:
            for name in entity.names(weak=False):
                key = name_key(name)
                if len(key.split()) >= 2:
                    keys.update(f"name_dob|{key}|{d}" for d in dates)
    if entity.source == "us_csl" and entity.sublist in _CSL_OFAC:
        for sanction in entity.sanctions:
            for number in sanction.get("authorityId"):
                if str(number).isdigit():
                    twin = make_entity_id(_CSL_OFAC[entity.sublist], str(number))
                    keys.add(f"ofac_twin|{twin}")
    if entity.source in ("ofac_sdn", "ofac_cons"):
        keys.add(f"ofac_twin|{entity.id}")
    return tuple(sorted(keys))
