"""Text normalisation for names: Unicode form, quotes and punctuation, casefold, scripts.

All functions are pure and total: any ``str`` (empty, 10,000 characters, control
characters, mixed scripts) gives a result, never an exception.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable
from functools import lru_cache

from circumspect.names.confusables import remove_invisible
from circumspect.names.core import CORE

#: Quotation marks of the styles found on Kazakh, Russian and Western documents:
#: «», „“, “”, ‘’, ‚‛, ‹›, "", '' and the prime / backtick look-alikes.
QUOTES = "\"'«»„“”‟‘’‚‛‹›`´′″〝〞＂＇"

_QUOTE_RE = re.compile(f"[{re.escape(QUOTES)}]")
_SPACE_RE = re.compile(r"\s+")


def _is_control(ch: str) -> bool:
    return unicodedata.category(ch) in ("Cc", "Cs", "Co", "Cn")


def controls_to_spaces_py(text: str) -> str:
    """Control, surrogate, private-use and unassigned characters as spaces (reference)."""
    return "".join(" " if _is_control(ch) else ch for ch in text)


_controls_to_spaces: Callable[[str], str] = (
    CORE.controls_to_spaces if CORE is not None else controls_to_spaces_py
)


def clean(text: str) -> str:
    """NFKC form, format and invisible characters removed (a zero-width space or soft hyphen
    inside a word leaves one word), control characters as spaces, whitespace collapsed.

    Case, punctuation and quotes are kept: this is the display form of a name.
    """
    if text.isascii() and text.isprintable():
        return _SPACE_RE.sub(" ", text).strip()
    text = remove_invisible(unicodedata.normalize("NFKC", remove_invisible(text)))
    text = _controls_to_spaces(text)
    return _SPACE_RE.sub(" ", text).strip()


def strip_quotes(text: str) -> str:
    """Remove every quotation mark (``ТОО «Береке»`` -> ``ТОО Береке``)."""
    return _SPACE_RE.sub(" ", _QUOTE_RE.sub(" ", text)).strip()


def casefold(text: str) -> str:
    """Unicode casefold, keeping ``ё`` as ``е`` (Russian writes both for the same name)."""
    return text.casefold().replace("ё", "е")


@lru_cache(maxsize=65536)
def normalize(text: str) -> str:
    """The comparison form of a name: clean, casefolded, punctuation and quotes as spaces.

    Letters (any script), digits and spaces survive; apostrophes inside words are dropped
    (``O'Neil`` -> ``oneil``), hyphens and other punctuation become spaces.
    """
    text = clean(text)
    text = casefold(text)
    out: list[str] = []
    for ch in text:
        cat = unicodedata.category(ch)
        if cat[0] in ("L", "N") or cat[0] == "M":
            out.append(ch)
        elif ch in "'’`´ʼ":
            continue
        else:
            out.append(" ")
    result = _SPACE_RE.sub(" ", "".join(out)).strip()
    return unicodedata.normalize("NFC", result)


def tokenize(text: str) -> list[str]:
    """Tokens of :func:`normalize` (split on spaces)."""
    return normalize(text).split()


#: Scripts we distinguish; everything else is reported by its Unicode name prefix.
_SCRIPT_PREFIXES: tuple[tuple[str, str], ...] = (
    ("LATIN", "Latin"),
    ("CYRILLIC", "Cyrillic"),
    ("ARABIC", "Arabic"),
    ("HEBREW", "Hebrew"),
    ("GREEK", "Greek"),
    ("CJK", "Han"),
    ("HANGUL", "Hangul"),
    ("HIRAGANA", "Hiragana"),
    ("KATAKANA", "Katakana"),
    ("THAI", "Thai"),
    ("DEVANAGARI", "Devanagari"),
    ("GEORGIAN", "Georgian"),
    ("ARMENIAN", "Armenian"),
)


@lru_cache(maxsize=4096)
def char_script(ch: str) -> str | None:
    """Script of one letter (``None`` for digits, punctuation, spaces, marks)."""
    if not unicodedata.category(ch).startswith("L"):
        return None
    name = unicodedata.name(ch, "")
    for prefix, script in _SCRIPT_PREFIXES:
        if name.startswith(prefix):
            return script
    return name.split(" ")[0].title() if name else "Unknown"


def scripts(text: str) -> set[str]:
    """All scripts whose letters occur in ``text``."""
    found: set[str] = set()
    for ch in text:
        script = char_script(ch)
        if script is not None:
            found.add(script)
    return found


def detect_script(text: str) -> str:
    """``Latin``, ``Cyrillic``, ``Arabic``, ... ; ``Mixed`` for several, ``None`` for none.

    A Cyrillic text containing any of the Kazakh letters ә ғ қ ң ө ұ ү һ і is still
    ``Cyrillic`` (use :func:`is_kazakh` to tell).
    """
    found = scripts(text)
    if not found:
        return "None"
    if len(found) == 1:
        return next(iter(found))
    return "Mixed"


KAZAKH_LETTERS = frozenset("әғқңөұүһіӘҒҚҢӨҰҮҺІ")


def is_kazakh(text: str) -> bool:
    """True when the text uses a letter found in Kazakh but not in Russian Cyrillic."""
    return any(ch in KAZAKH_LETTERS for ch in text)


def ascii_fold(text: str) -> str:
    """Latin letters without diacritics (``ä`` -> ``a``, ``ş`` -> ``s``, ``ı`` -> ``i``)."""
    if text.isascii():
        return text
    text = text.replace("ı", "i").replace("ß", "ss").replace("ø", "o").replace("æ", "ae")
    text = text.replace("œ", "oe").replace("đ", "d").replace("ł", "l").replace("ŀ", "l")
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))
