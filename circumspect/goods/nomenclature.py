"""The HS 2022 nomenclature (sections, chapters, headings, subheadings) with descriptions.

Two forms:

* the public CSV of ``github.com/datasets/harmonized-system`` (``data/harmonized-system.csv``,
  ODC-PDDL-1.0): columns ``section,hscode,description,parent,level``, plus optionally its
  ``sections.csv`` (``section,name``). :func:`load_csv` reads it.
* the compact file the project ships, ``circumspect/goods/data/hs2022.json.gz``, generated
  from that CSV by :func:`build_data` (``circumspect goods build-data``): gzip'd JSON
  ``{"format", "source", "version", "sections": {roman: name}, "codes": {code: [description,
  section]}}``. Parents and levels follow from the code digits, so they are not stored.
"""

from __future__ import annotations

import csv
import gzip
import io
import json
from collections.abc import Iterator
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from circumspect.errors import InputError, ParseError
from circumspect.fsutil import atomic_path
from circumspect.goods.codes import HsCode, normalize_code

DATA_DIR = Path(__file__).resolve().parent / "data"
SHIPPED = DATA_DIR / "hs2022.json.gz"
FORMAT = "circumspect-hs/1"
SOURCE = (
    "HS 2022 nomenclature, github.com/datasets/harmonized-system data/harmonized-system.csv "
    "(ODC-PDDL-1.0), converted by circumspect.goods.nomenclature.build_data"
)
_CSV_COLUMNS = ("section", "hscode", "description", "parent", "level")


@dataclass(frozen=True, slots=True)
class HsEntry:
    code: str
    description: str
    section: str

    @property
    def level(self) -> int:
        return len(self.code)

    @property
    def parent(self) -> str | None:
        return None if len(self.code) == 2 else self.code[:-2]


class Nomenclature:
    """Lookup of HS codes (2, 4 and 6 digits) and their descriptions."""

    def __init__(
        self,
        entries: dict[str, HsEntry],
        sections: dict[str, str] | None = None,
        version: str = "HS2022",
        source: str = SOURCE,
    ) -> None:
        self.entries = entries
        self.sections = sections or {}
        self.version = version
        self.source = source

    def __len__(self) -> int:
        return len(self.entries)

    def __contains__(self, code: str) -> bool:
        return code in self.entries

    def get(self, code: str) -> HsEntry | None:
        return self.entries.get(code)

    def subheadings(self) -> Iterator[HsEntry]:
        return (e for e in self.entries.values() if e.level == 6)

    def children(self, code: str) -> list[HsEntry]:
        n = len(code) + 2
        return [e for c, e in self.entries.items() if len(c) == n and c.startswith(code)]

    def validate(self, code: object) -> HsCode:
        """Normalise ``code`` and check that its HS part exists in the nomenclature."""
        hs = normalize_code(code)
        known = hs.digits[: min(6, len(hs.digits))]
        if known not in self.entries:
            level = {2: "chapter", 4: "heading", 6: "subheading"}[len(known)]
            raise InputError(
                f"HS code {hs.digits}: {level} {known} does not exist in {self.version}"
            )
        return hs

    def describe(self, code: HsCode | str) -> str:
        """The most specific description, with its heading for context."""
        hs = normalize_code(code)
        parts = []
        for prefix in (hs.digits[:4], hs.digits[:6]):
            if len(prefix) <= len(hs.digits) and prefix in self.entries:
                text = self.entries[prefix].description
                if text not in parts:
                    parts.append(text)
        if not parts and hs.chapter in self.entries:
            parts.append(self.entries[hs.chapter].description)
        return " / ".join(parts)

    def path(self, code: HsCode | str) -> list[HsEntry]:
        """Chapter, heading and subheading entries of a code (those that exist)."""
        hs = normalize_code(code)
        return [self.entries[p] for p in reversed(hs.prefixes()) if p in self.entries]


def _rows(path: Path) -> Iterator[tuple[int, dict[str, str]]]:
    try:
        text = path.read_text(encoding="utf-8-sig")
    except OSError as exc:
        raise InputError(f"cannot read {path}: {exc.strerror}", file=str(path)) from exc
    except UnicodeDecodeError as exc:
        raise ParseError("not UTF-8 text", file=str(path)) from exc
    reader = csv.DictReader(io.StringIO(text))
    yield from enumerate(reader, start=2)


def load_csv(path: Path, sections_path: Path | None = None) -> Nomenclature:
    """Read the datasets/harmonized-system CSV (and optionally its sections.csv)."""
    path = Path(path)
    entries: dict[str, HsEntry] = {}
    header_checked = False
    for line, row in _rows(path):
        if not header_checked:
            missing = [c for c in _CSV_COLUMNS if c not in row]
            if missing:
                raise ParseError(
                    f"not a harmonized-system CSV: missing columns {', '.join(missing)}",
                    file=str(path),
                    line=1,
                )
            header_checked = True
        code = (row["hscode"] or "").strip()
        if (row["section"] or "").strip() == "TOTAL":
            # the grand total and chapter 99 "not specified according to kind" are
            # statistical aggregates, not goods classifications
            continue
        if not code.isdigit() or len(code) not in (2, 4, 6):
            raise ParseError(f"bad hscode {code!r}", file=str(path), line=line, field="hscode")
        level = (row["level"] or "").strip()
        if level != str(len(code)):
            raise ParseError(
                f"level {level!r} does not match hscode {code}",
                file=str(path),
                line=line,
                field="level",
            )
        parent = (row["parent"] or "").strip()
        expected_parent = "TOTAL" if len(code) == 2 else code[:-2]
        if parent != expected_parent:
            raise ParseError(
                f"parent {parent!r} of {code} should be {expected_parent}",
                file=str(path),
                line=line,
                field="parent",
            )
        if code in entries:
            raise ParseError(f"duplicate hscode {code}", file=str(path), line=line)
        entries[code] = HsEntry(code, (row["description"] or "").strip(), row["section"].strip())
    if not entries:
        raise ParseError("no HS codes", file=str(path))
    sections: dict[str, str] = {}
    if sections_path is not None:
        for _, row in _rows(Path(sections_path)):
            sections[row["section"].strip()] = (row.get("name") or "").strip()
    return Nomenclature(entries, sections)


def build_data(csv_path: Path, out: Path, sections_path: Path | None = None) -> Nomenclature:
    """Write the compact shipped form of a harmonized-system CSV (atomically)."""
    nom = load_csv(csv_path, sections_path)
    payload = {
        "format": FORMAT,
        "source": SOURCE,
        "version": nom.version,
        "sections": nom.sections,
        "codes": {c: [e.description, e.section] for c, e in sorted(nom.entries.items())},
    }
    raw = json.dumps(payload, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
    out = Path(out)
    # mtime=0 keeps the file byte-identical between rebuilds
    with (
        atomic_path(out) as tmp,
        open(tmp, "wb") as fh,
        gzip.GzipFile(filename="", fileobj=fh, mode="wb", mtime=0) as gz,
    ):
        gz.write(raw)
    return nom


def load_data(path: Path) -> Nomenclature:
    """Read a file written by :func:`build_data`."""
    try:
        with gzip.open(path, "rb") as fh:
            payload = json.loads(fh.read())
    except (OSError, ValueError) as exc:
        raise ParseError(f"cannot read HS data: {exc}", file=str(path)) from exc
    if not isinstance(payload, dict) or payload.get("format") != FORMAT:
        raise ParseError(f"not a {FORMAT} file", file=str(path))
    entries = {
        code: HsEntry(code, str(value[0]), str(value[1]))
        for code, value in payload["codes"].items()
    }
    return Nomenclature(
        entries, dict(payload.get("sections", {})), str(payload["version"]), str(payload["source"])
    )


@lru_cache(maxsize=1)
def default_nomenclature() -> Nomenclature:
    """The HS 2022 nomenclature shipped with circumspect."""
    return load_data(SHIPPED)
