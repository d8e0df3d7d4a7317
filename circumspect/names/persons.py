"""Person-name parts: patronymics (Russian and Kazakh, both scripts), initials.

Names come in any order (``Tokayev Kassym-Jomart Kemelevich``, ``K.-J. Tokayev``), so we
classify tokens rather than positions.
"""

from __future__ import annotations

import re

from circumspect.names.normalize import normalize

#: Russian patronymic endings (-ович, -евич, -ич, -овна, -евна, -ична, -инична) and Kazakh
#: ones written together (-ұлы, -улы, -қызы, -кызы), in Cyrillic and common Latin spellings.
_PATRONYMIC_RE = re.compile(
    r"^\w{2,}("
    r"ович|евич|ьич|овна|евна|ична|инична|ұлы|улы|қызы|кызы|"
    r"ovich|evich|ovitch|evitch|ovic|evic|ovna|evna|ichna|inichna|"
    r"uly|ulu|ouly|kyzy|qyzy|kizi|kyzi|ovitsch|ewitsch|owitsch|ovič|evič"
    r")$"
)
#: Kazakh "son of" / "daughter of" written as a separate word.
SEPARATE_PATRONYMIC_MARKERS = frozenset(
    {"ұлы", "улы", "uly", "ulu", "ouly", "қызы", "кызы", "kyzy", "qyzy", "kizi"}
)


def is_patronymic(token: str) -> bool:
    """Whether a normalised token looks like a patronymic (or is a separate ұлы/қызы)."""
    token = token.casefold()
    return token in SEPARATE_PATRONYMIC_MARKERS or bool(_PATRONYMIC_RE.match(token))


def is_initial(token: str) -> bool:
    """A one-letter token (``K.`` normalises to ``k``)."""
    return len(token) == 1 and token.isalpha()


def name_parts(name: str) -> dict[str, list[str]]:
    """Tokens of a person name grouped as ``patronymic``, ``initial`` and ``other``."""
    parts: dict[str, list[str]] = {"patronymic": [], "initial": [], "other": []}
    for tok in normalize(name).split():
        if is_patronymic(tok):
            parts["patronymic"].append(tok)
        elif is_initial(tok):
            parts["initial"].append(tok)
        else:
            parts["other"].append(tok)
    return parts


def drop_patronymic(name: str) -> str:
    """The normalised name without patronymic tokens (at least one token stays)."""
    tokens = normalize(name).split()
    kept = [t for t in tokens if not is_patronymic(t)]
    return " ".join(kept or tokens)
