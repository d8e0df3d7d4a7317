"""Legal forms (ТОО/TOO/ЖШС/LLP, ООО/OOO/LLC, АО/AO/АҚ/JSC, ...) from ``data/legal_forms.csv``.

Each row: ``form`` (normalised spelling, any script), ``canonical`` (``llp``, ``llc``,
``jsc``, ...), ``family`` (``limited``, ``joint_stock``, ``individual``, ``state``,
``corporation``, ``company``) and ``language``. A form is recognised as a whole token
sequence at the start or the end of a name, repeatedly (``Bereke Trading Co Ltd``), and
dotted abbreviations are joined first (``L.L.C.`` -> ``llc``, ``Т.О.О.`` -> ``тоо``).
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from circumspect.names.normalize import ascii_fold, normalize

DATA = Path(__file__).resolve().parent / "data" / "legal_forms.csv"


@dataclass(frozen=True, slots=True)
class LegalForm:
    form: str
    canonical: str
    family: str
    language: str


@lru_cache(maxsize=1)
def legal_forms() -> dict[tuple[str, ...], LegalForm]:
    """Token tuple of each form's normalised spelling -> the form."""
    out: dict[tuple[str, ...], LegalForm] = {}
    with DATA.open(encoding="utf-8", newline="") as fh:
        for row in csv.DictReader(fh):
            form = LegalForm(row["form"], row["canonical"], row["family"], row["language"])
            tokens = join_letters(normalize(row["form"]).split())
            out[tuple(tokens)] = form
            out[tuple(ascii_fold(t) for t in tokens)] = form
    return out


@lru_cache(maxsize=1)
def _max_len() -> int:
    return max(len(k) for k in legal_forms())


def join_letters(tokens: list[str]) -> list[str]:
    """Join runs of two or more one-letter tokens (``l l c`` -> ``llc``)."""
    out: list[str] = []
    run: list[str] = []
    for tok in tokens:
        if len(tok) == 1:
            run.append(tok)
            continue
        if len(run) >= 2:
            out.append("".join(run))
        else:
            out.extend(run)
        run = []
        out.append(tok)
    if len(run) >= 2:
        out.append("".join(run))
    else:
        out.extend(run)
    return out


def split_legal_forms(tokens: list[str]) -> tuple[list[str], list[LegalForm]]:
    """Remove legal forms at the start and end of a token list; at least one token stays."""
    forms = legal_forms()
    toks = list(tokens)
    found: list[LegalForm] = []
    changed = True
    while changed and len(toks) > 1:
        changed = False
        for size in range(min(_max_len(), len(toks) - 1), 0, -1):
            head = tuple(toks[:size])
            if head not in forms:
                head = tuple(ascii_fold(t) for t in head)
            if head in forms:
                found.append(forms[head])
                toks = toks[size:]
                changed = True
                break
            tail = tuple(toks[-size:])
            if tail not in forms:
                tail = tuple(ascii_fold(t) for t in tail)
            if tail in forms:
                found.append(forms[tail])
                toks = toks[:-size]
                changed = True
                break
    return toks, found


@lru_cache(maxsize=65536)
def strip_legal_form(name: str) -> tuple[str, tuple[str, ...]]:
    """``(core name, canonical forms found)``: ``ТОО «Береке»`` -> ``("береке", ("llp",))``.

    The core is normalised (see :func:`circumspect.names.normalize`).
    """
    tokens = join_letters(normalize(name).split())
    core, found = split_legal_forms(tokens)
    return " ".join(core), tuple(f.canonical for f in found)


def compatible(a: str, b: str) -> bool:
    """Whether two canonical forms can describe the same company (same family, or one is a
    generic ``co``/``inc``/``corp``)."""
    fam = _families()
    fa, fb = fam.get(a), fam.get(b)
    if fa is None or fb is None or a == b:
        return True
    if "company" in (fa, fb) or "corporation" in (fa, fb):
        return True
    return fa == fb


@lru_cache(maxsize=1)
def _families() -> dict[str, str]:
    """Canonical form -> family (built once)."""
    return {f.canonical: f.family for f in legal_forms().values()}
