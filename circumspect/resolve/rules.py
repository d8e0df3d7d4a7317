"""Match keys: two listed entries that share a key are the same entity.

Rules (each key is ``rule|value``):

* ``identifier``: a valid strong identifier (Russian INN or OGRN, Kazakh BIN or IIN, IMO,
  LEI, BIC) under a property that holds it, with the same kind and normal form;
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
RULES: tuple[str, ...] = ("ofac_twin", "identifier", "name_dob")
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


def entity_keys(entity: ListedEntity) -> tuple[str, ...]:
    """The match keys of one listed entry (``rule|value``), sorted."""
    keys: set[str] = set()
    for prop, kinds in _ID_PROPS.items():
        for value in entity.get(prop):
            for kind, norm in detect(value):
                if kind in kinds:
                    keys.add(f"identifier|{kind}:{norm}")
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
