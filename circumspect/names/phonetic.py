"""The comparison skeleton of a Latin token: spelling differences between transliteration
schemes and languages collapsed, so that ``Tokayev``/``Tokaev``, ``Kassym``/``Kasym``/
``Qasym``, ``Zhomart``/``Jomart``, ``Timtchenko``/``Timchenko``, ``Dmitriy``/``Dmitry``/
``Dmitrii`` give the same or nearly the same key.

Input: lowercase ASCII letters (see :func:`circumspect.names.normalize.ascii_fold`).
"""

from __future__ import annotations

import re
from functools import lru_cache

#: Ordered rewrites (longest first where they overlap).
_RULES: tuple[tuple[str, str], ...] = (
    ("shch", "s"),
    ("schtsch", "s"),
    ("chtch", "s"),
    ("shh", "s"),
    ("tsch", "C"),
    ("tch", "C"),
    ("tsh", "C"),
    ("ch", "C"),
    ("cz", "c"),
    ("sch", "s"),
    ("sh", "s"),
    ("dzh", "j"),
    ("dj", "j"),
    ("zh", "j"),
    ("kh", "h"),
    ("gh", "g"),
    ("ph", "f"),
    ("ck", "k"),
    ("ts", "c"),
    ("tz", "c"),
    ("ou", "u"),
    ("x", "ks"),
    ("q", "k"),
    ("w", "v"),
    ("y", "i"),
)
_RULE_RE = re.compile("|".join(re.escape(a) for a, _ in _RULES))
_RULE_MAP = dict(_RULES)
_DOUBLE_RE = re.compile(r"(.)\1+")
_VOWEL_I_VOWEL = re.compile(r"(?<=[aeiou])i(?=[aeiou])")
_NON_ALNUM = re.compile(r"[^a-z0-9]")


@lru_cache(maxsize=262144)
def skeleton(token: str) -> str:
    """Spelling-collapsed key of one lowercase ASCII token (may be empty for ``''``)."""
    t = _NON_ALNUM.sub("", token)
    if len(t) <= 1:
        return t
    if t.startswith("ye") or t.startswith("ie"):
        t = "e" + t[2:]
    t = _RULE_RE.sub(lambda m: _RULE_MAP[m.group(0)], t)
    t = _VOWEL_I_VOWEL.sub("", t)
    t = _DOUBLE_RE.sub(r"\1", t)
    t = t.replace("ie", "e") if t.endswith("iev") or "iev" in t else t
    if t.endswith("i") and len(t) > 3:
        t = t.rstrip("i") + "i"
    # English spellings as written in Cyrillic: "trade" / "трейд" (treid) -> "tred"
    return t.lower()


_VOWELS_RE = re.compile(r"[aeiou]")


@lru_cache(maxsize=262144)
def consonants(token: str) -> str:
    """Skeleton without vowels (for names written in Arabic or Hebrew script, which omit
    short vowels): ``mohamed`` -> ``mhmd``."""
    s = skeleton(token)
    c = _VOWELS_RE.sub("", s[1:]) if s else s
    return (s[:1] + c) if s[:1] not in "aeiou" else c or s[:1]
