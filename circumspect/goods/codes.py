"""HS code normalisation: HS-6, EU CN-8 and EAEU TN VED 10-digit codes.

A code may be written with dots, spaces or hyphens (``8542.31``, ``8542 31 00 00``,
``8542-31-000-0``). The result keeps the digits and the level they describe. A code that
cannot be an HS code raises :class:`~circumspect.errors.InputError` with the reason.
Whether the code exists in the HS 2022 nomenclature is checked by
:meth:`circumspect.goods.nomenclature.Nomenclature.validate`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from circumspect.errors import InputError

#: Number of digits -> what the code is.
LEVELS: dict[int, str] = {
    2: "chapter",
    4: "heading",
    6: "subheading",
    8: "cn8",
    10: "tnved10",
}

_SEPARATORS = re.compile(r"[\s.\-_/]+")


@dataclass(frozen=True, slots=True)
class HsCode:
    """A normalised goods code (digits only)."""

    digits: str

    @property
    def level(self) -> str:
        return LEVELS[len(self.digits)]

    @property
    def chapter(self) -> str:
        return self.digits[:2]

    @property
    def heading(self) -> str | None:
        return self.digits[:4] if len(self.digits) >= 4 else None

    @property
    def hs6(self) -> str | None:
        """The international HS-6 subheading (None for chapters and headings)."""
        return self.digits[:6] if len(self.digits) >= 6 else None

    def prefixes(self) -> tuple[str, ...]:
        """Every shorter code that covers this one, itself included, longest first."""
        return tuple(self.digits[:n] for n in (10, 8, 6, 4, 2) if n <= len(self.digits))

    def dotted(self) -> str:
        """``8542.31``, ``8542.31.00``, ``8542.31.000.0`` style."""
        d = self.digits
        if len(d) <= 4:
            return d
        if len(d) == 6:
            return f"{d[:4]}.{d[4:]}"
        if len(d) == 8:
            return f"{d[:4]}.{d[4:6]}.{d[6:]}"
        return f"{d[:4]}.{d[4:6]}.{d[6:9]}.{d[9:]}"

    def __str__(self) -> str:
        return self.digits


def normalize_code(code: object) -> HsCode:
    """Normalise a written HS/CN/TN VED code; raises ``InputError`` with the reason."""
    if code is None:
        raise InputError("empty HS code")
    if isinstance(code, HsCode):
        return code
    if isinstance(code, float):
        raise InputError(
            f"HS code {code!r} was read as a number: keep the column as text "
            "(a leading zero may have been lost)"
        )
    text = str(code).strip()
    if not text:
        raise InputError("empty HS code")
    digits = _SEPARATORS.sub("", text)
    if not digits:
        raise InputError(f"HS code {text!r} has no digits")
    if not digits.isdigit() or not digits.isascii():
        bad = next(c for c in digits if not (c.isascii() and c.isdigit()))
        raise InputError(f"HS code {text!r} contains {bad!r}: only digits, dots and spaces allowed")
    if len(digits) not in LEVELS:
        hint = ""
        if len(digits) in (1, 3, 5, 7, 9):
            hint = " (a leading zero lost by a spreadsheet?)"
        raise InputError(
            f"HS code {text!r} has {len(digits)} digits: expected 2 (chapter), 4 (heading), "
            f"6 (HS subheading), 8 (EU CN) or 10 (EAEU TN VED){hint}"
        )
    chapter = int(digits[:2])
    if chapter in (98, 99):
        raise InputError(
            f"HS code {text!r}: chapter {digits[:2]} is reserved for national/statistical use, "
            "not a goods classification"
        )
    if chapter == 0 or chapter > 97 or chapter == 77:
        raise InputError(f"HS code {text!r}: chapter {digits[:2]} does not exist (01-97, not 77)")
    return HsCode(digits)
