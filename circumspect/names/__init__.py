"""Pure functions on names: normalisation, scripts, transliteration, legal forms, person
parts, identifiers. See ``docs/names.md``."""

from circumspect.names.identifiers import detect as detect_identifier
from circumspect.names.identifiers import kz_bin_registration, kz_iin_birth_date
from circumspect.names.identifiers import validate as validate_identifier
from circumspect.names.legal_forms import strip_legal_form
from circumspect.names.normalize import (
    ascii_fold,
    casefold,
    clean,
    detect_script,
    is_kazakh,
    normalize,
    strip_quotes,
    tokenize,
)
from circumspect.names.persons import drop_patronymic, is_initial, is_patronymic
from circumspect.names.phonetic import consonants, skeleton
from circumspect.names.translit import SCHEMES, latin_variants, to_cyrillic, transliterate

__all__ = [
    "SCHEMES",
    "ascii_fold",
    "casefold",
    "clean",
    "consonants",
    "detect_identifier",
    "detect_script",
    "drop_patronymic",
    "is_initial",
    "is_kazakh",
    "is_patronymic",
    "kz_bin_registration",
    "kz_iin_birth_date",
    "latin_variants",
    "normalize",
    "skeleton",
    "strip_legal_form",
    "strip_quotes",
    "to_cyrillic",
    "tokenize",
    "transliterate",
    "validate_identifier",
]
