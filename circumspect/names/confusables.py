"""Disguised spellings: invisible characters and look-alike letters from another script.

A party that wants to slip through screening writes its name so that it *looks* the same to
a person but differs to a program: a zero-width space inside a word (``Gazprom\\u200bbank``),
or Cyrillic letters inside a Latin word (``ОРLОТ`` with Cyrillic О and Р) and the reverse.

* :func:`remove_invisible` drops format and invisible characters (every Unicode ``Cf``
  character: zero-width space/joiner/non-joiner, word joiner, soft hyphen, BOM, bidi
  controls, tag characters; plus variation selectors, the combining grapheme joiner and the
  Hangul fillers), so the word stays one word.
* :func:`fold_word` reads a word that mixes Latin, Cyrillic and Greek letters in one script.
  The letter tables come from the Unicode confusables data (UTS #39) through ICU's
  ``SpoofChecker.getSkeleton`` (PyICU): a Cyrillic or Greek letter whose skeleton is one
  Latin letter folds to that letter (``Р`` -> ``P``) and a Latin letter folds to the Cyrillic
  letter with the same skeleton (``a`` -> ``а``).
* :func:`fold_variants` gives every reading of a text worth comparing; :func:`disguises`
  names what was hidden (a feature of the hit, see ``docs/names.md``).

All functions are pure and total.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable
from functools import lru_cache

from circumspect.names.core import CORE

#: Scripts whose letters are confused with each other.
_CONFUSED_SCRIPTS = ("Latin", "Cyrillic", "Greek")
#: Invisible characters outside category Cf: variation selectors, the combining grapheme
#: joiner, Hangul fillers, Khmer inherent vowels, the Mongolian free variation selectors.
_EXTRA_INVISIBLE = frozenset(
    [chr(c) for c in range(0xFE00, 0xFE10)]
    + [chr(c) for c in range(0xE0100, 0xE01F0)]
    + [chr(c) for c in range(0x180B, 0x1810)]
    + ["\u034f", "\u115f", "\u1160", "\u3164", "\uffa0", "\u17b4", "\u17b5"]
)
_WORD_RE = re.compile(r"\w+")


def is_invisible(ch: str) -> bool:
    """Whether a character is a format or invisible character (removed from names)."""
    return unicodedata.category(ch) == "Cf" or ch in _EXTRA_INVISIBLE


def remove_invisible_py(text: str) -> str:
    """``text`` without format and invisible characters (``Gazprom\\u200bbank`` ->
    ``Gazprombank``); the pure-Python reference of :func:`remove_invisible`."""
    if text.isascii():
        return text
    return "".join(ch for ch in text if not is_invisible(ch))


#: ``text`` without format and invisible characters (``Gazprom\\u200bbank`` ->
#: ``Gazprombank``): the compiled core's when built, else :func:`remove_invisible_py`.
remove_invisible: Callable[[str], str] = (
    CORE.remove_invisible if CORE is not None else remove_invisible_py
)


def invisible_chars(text: str) -> list[str]:
    """The invisible characters of ``text`` as ``U+200B ZERO WIDTH SPACE`` (a byte-order mark
    at the very start, left by a file's encoding, is not counted)."""
    if text.isascii():
        return []
    body = text[1:] if text.startswith("\ufeff") else text
    seen: list[str] = []
    for ch in body:
        if is_invisible(ch):
            label = f"U+{ord(ch):04X} {unicodedata.name(ch, 'FORMAT CHARACTER')}"
            if label not in seen:
                seen.append(label)
    return seen


@lru_cache(maxsize=8192)
def letter_script(ch: str) -> str | None:
    """``Latin``, ``Cyrillic`` or ``Greek`` for a letter of those scripts, else ``None``."""
    if not ch.isalpha():
        return None
    name = unicodedata.name(ch, "")
    for script in _CONFUSED_SCRIPTS:
        if name.startswith(script.upper()):
            return script
    return None


def _skeleton_tables() -> tuple[dict[str, str], dict[str, str]]:
    """(Cyrillic/Greek letter -> Latin letter, Latin letter -> Cyrillic letter) from the
    UTS #39 confusables skeletons, same case only."""
    import icu

    checker = icu.SpoofChecker()
    latin_by_skeleton: dict[tuple[str, bool], str] = {}
    for ch in "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz":
        latin_by_skeleton.setdefault((checker.getSkeleton(0, ch), ch.isupper()), ch)
    to_latin: dict[str, str] = {}
    # Russian and Kazakh letters first, so that they win ties in the reverse table.
    ranges = [range(0x410, 0x450), range(0x400, 0x410), range(0x450, 0x530), range(0x370, 0x400)]
    to_cyrillic: dict[str, str] = {}
    for block in ranges:
        for code in block:
            ch = chr(code)
            if not ch.isalpha():
                continue
            skel = checker.getSkeleton(0, ch)
            latin = latin_by_skeleton.get((skel, ch.isupper()))
            if latin is None:
                continue
            to_latin[ch] = latin
            if letter_script(ch) == "Cyrillic":
                to_cyrillic.setdefault(latin, ch)
    return to_latin, to_cyrillic


@lru_cache(maxsize=1)
def tables() -> tuple[dict[str, str], dict[str, str]]:
    """The folding tables (built once from ICU's confusables data)."""
    return _skeleton_tables()


def _fold_char(ch: str, table: dict[str, str]) -> str | None:
    """The look-alike of ``ch`` in the target script; a lower-case letter without one of its
    own takes its capital's (small capitals: ``к`` reads as ``k``)."""
    found = table.get(ch)
    if found is not None:
        return found
    if ch.islower():
        upper = table.get(ch.upper())
        if upper is not None:
            return upper.lower()
    return None


def mixed(word: str) -> set[str]:
    """Confusable scripts (Latin, Cyrillic, Greek) used in one word."""
    return {s for s in map(letter_script, word) if s is not None}


def fold_word(word: str, target: str) -> tuple[str, bool]:
    """``(word with its look-alike letters written in target script, complete)``; complete is
    False when some letter of another script has no look-alike in the target script."""
    to_latin, to_cyrillic = tables()
    out: list[str] = []
    complete = True
    for ch in word:
        script = letter_script(ch)
        if script is None or script == target:
            out.append(ch)
            continue
        if target == "Latin":
            folded = _fold_char(ch, to_latin)
        elif script == "Latin":
            folded = _fold_char(ch, to_cyrillic)
        else:  # Greek to Cyrillic: through its Latin look-alike
            latin = _fold_char(ch, to_latin)
            folded = _fold_char(latin, to_cyrillic) if latin else None
        if folded is None:
            out.append(ch)
            complete = False
        else:
            out.append(folded)
    return "".join(out), complete


def _fold_text(text: str, target: str, strict: bool) -> str | None:
    """Every mixed-script word folded to ``target``; ``None`` if a word cannot be folded
    completely (with ``strict``) or nothing changed."""
    changed = False
    failed = False

    latin_elsewhere = target == "Latin" and any(letter_script(ch) == "Latin" for ch in text)

    def repl(m: re.Match[str]) -> str:
        nonlocal changed, failed
        word = m.group(0)
        if len(mixed(word)) < 2:
            # A word wholly in look-alike letters among Latin words (ЅТОСК in "OPEN ЅТОСК
            # COMPANY") is read in Latin too, when every letter has a look-alike.
            if latin_elsewhere and mixed(word) - {"Latin"}:
                folded, complete = fold_word(word, target)
                if complete:
                    changed = True
                    return folded
            return word
        folded, complete = fold_word(word, target)
        if not complete:
            failed = True
            if strict:
                return word
        changed = changed or folded != word
        return folded

    out = _WORD_RE.sub(repl, text)
    if not changed or (strict and failed):
        return None
    return out


def _majority(text: str) -> str:
    """Each mixed word folded towards the script most of its letters use."""

    def repl(m: re.Match[str]) -> str:
        word = m.group(0)
        scripts = [s for s in map(letter_script, word) if s is not None]
        if len(set(scripts)) < 2:
            return word
        lat = scripts.count("Latin")
        target = "Latin" if lat * 2 >= len(scripts) else "Cyrillic"
        return fold_word(word, target)[0]

    return _WORD_RE.sub(repl, text)


def look_alike_latin(text: str) -> str | None:
    """The text read as Latin when every Cyrillic or Greek letter in it has a Latin look-alike
    (``ВАНК`` -> ``BAHK``): a name typed entirely in look-alike letters; else ``None``."""
    to_latin, _ = tables()
    found = False
    out: list[str] = []
    for ch in text:
        script = letter_script(ch)
        if script in ("Cyrillic", "Greek"):
            folded = _fold_char(ch, to_latin)
            if folded is None:
                return None
            found = True
            out.append(folded)
        else:
            out.append(ch)
    return "".join(out) if found else None


def fold_variants(text: str) -> list[str]:
    """Readings of a name to compare: the text itself when no word mixes scripts; else every
    mixed word folded wholly to Latin, wholly to Cyrillic (each only when complete), or to
    its majority script (``ОРLОТ`` -> ``OPLOT``; ``Сбeрбaнк`` -> ``Сбербанк``)."""
    if text.isascii():
        return [text]
    words = _WORD_RE.findall(text)
    if not any(len(mixed(w)) >= 2 for w in words):
        scripts_used = set().union(*(mixed(w) for w in words)) if words else set()
        if "Latin" not in scripts_used or len(scripts_used) < 2:
            return [text]
        # Scripts differ between words only: the text as written first, then its words in
        # look-alike letters read in Latin ("OPEN ЅТОСК COMPANY").
        latin = _fold_text(text, "Latin", True)
        return [text] if latin is None else [text, latin]
    out: list[str] = []
    for candidate in (
        _fold_text(text, "Latin", True),
        _fold_text(text, "Cyrillic", True),
        _majority(text),
    ):
        if candidate is not None and candidate not in out:
            out.append(candidate)
    return out or [text]


def mixed_words(text: str) -> list[str]:
    """Words of ``text`` that mix Latin, Cyrillic or Greek letters."""
    if text.isascii():
        return []
    return [w for w in _WORD_RE.findall(remove_invisible(text)) if len(mixed(w)) >= 2]


def disguises(text: str) -> tuple[str, ...]:
    """What the spelling of a name hides, one sentence each: invisible characters and words
    mixing scripts. Empty for an ordinary name."""
    out: list[str] = []
    hidden = invisible_chars(text)
    if hidden:
        out.append("invisible characters " + ", ".join(hidden[:3]))
    words = mixed_words(text)
    if words:
        shown = ", ".join(
            f"{w} ({' and '.join(sorted(mixed(w)))})" for w in dict.fromkeys(words[:3])
        )
        out.append("letters of two scripts in one word: " + shown)
    return tuple(out)
