"""Format detection from a file's first bytes (and, for OFAC CSV sets, its name).

Formats: ``ofac_csv``, ``ofac_xml``, ``un_xml``, ``eu_xml``, ``uk_csv``, ``bis_dpl``, ``ftm``.
Detection never trusts the extension alone: a UN XML file named ``sdn.csv`` is UN XML.
"""

from __future__ import annotations

import csv
import json
import re
from dataclasses import dataclass
from pathlib import Path

from circumspect.errors import FormatMismatchError, ParseError

FORMATS: tuple[str, ...] = (
    "ofac_csv",
    "ofac_xml",
    "un_xml",
    "eu_xml",
    "uk_csv",
    "bis_dpl",
    "us_csl",
    "kz_afm",
    "ftm",
)

#: Which formats each source accepts (FtM JSON lines: our own exports, or OpenSanctions).
ACCEPTS: dict[str, tuple[str, ...]] = {
    "ofac_sdn": ("ofac_csv", "ofac_xml", "ftm"),
    "ofac_cons": ("ofac_csv", "ofac_xml", "ftm"),
    "un_sc": ("un_xml", "ftm"),
    "eu_fsf": ("eu_xml", "ftm"),
    "uk_fcdo": ("uk_csv", "ftm"),
    "bis_dpl": ("bis_dpl", "ftm"),
    "us_csl": ("us_csl", "ftm"),
    "kz_afm": ("kz_afm", "ftm"),
    "opensanctions": ("ftm",),
}

DESCRIPTIONS: dict[str, str] = {
    "ofac_csv": "OFAC CSV (sdn.csv/alt.csv/add.csv/sdn_comments.csv or the cons_* set)",
    "ofac_xml": "OFAC advanced XML (sdn_advanced.xml / cons_advanced.xml)",
    "un_xml": "UN Security Council consolidated XML",
    "eu_xml": "EU Financial Sanctions Files XML (xmlFullSanctionsList_1_1)",
    "uk_csv": "UK Sanctions List (FCDO) CSV",
    "bis_dpl": "BIS Denied Persons List (tab-separated)",
    "us_csl": "US Consolidated Screening List CSV (trade.gov, with or without _id)",
    "kz_afm": "Kazakhstan Financial Monitoring Agency list XML",
    "ftm": "FollowTheMoney JSON lines",
}

_HEAD_BYTES = 65536
_XML_ROOT = re.compile(r"<(?![?!])([A-Za-z_][\w.\-]*:)?([A-Za-z_][\w.\-]*)")


@dataclass(frozen=True, slots=True)
class Detected:
    format: str
    #: ``sdn``/``cons`` for OFAC files when the name or content tells, else None.
    variant: str | None = None


def _head(path: Path) -> bytes:
    try:
        with path.open("rb") as fh:
            return fh.read(_HEAD_BYTES)
    except FileNotFoundError as exc:
        raise ParseError("file not found", file=str(path)) from exc
    except IsADirectoryError as exc:
        raise ParseError("is a directory, not a list file", file=str(path)) from exc
    except OSError as exc:
        raise ParseError(f"cannot read file: {exc.strerror}", file=str(path)) from exc


def _ofac_variant(path: Path) -> str | None:
    name = path.name.lower()
    if name.startswith("cons"):
        return "cons"
    if name.startswith(("sdn", "alt", "add")):
        return "sdn"
    return None


def detect(path: Path) -> Detected:
    """The format of one file; ParseError when it is empty or of no known list format."""
    raw = _head(path)
    if raw[:2] in (b"\xff\xfe", b"\xfe\xff"):
        raise ParseError(
            "UTF-16 text is not read: the lists are published in UTF-8 or "
            "Latin-1; save the file as UTF-8",
            file=str(path),
            line=1,
        )
    stripped = raw.lstrip(b"\xef\xbb\xbf").strip(b" \t\r\n\x1a")
    if not stripped:
        raise ParseError("empty file", file=str(path))
    text = stripped.decode("utf-8", errors="replace")
    if text.startswith("<"):
        for match in _XML_ROOT.finditer(text):
            root = match.group(2)
            if root == "CONSOLIDATED_LIST":
                return Detected("un_xml")
            if root == "export" and ("sanctionEntity" in text or "fsd" in text):
                return Detected("eu_xml")
            if root == "Sanctions":
                return Detected("ofac_xml", _ofac_variant(path))
            from circumspect.sources.kz_afm import looks_like

            if looks_like(text):
                return Detected("kz_afm")
            break
        raise FormatMismatchError(
            "XML of no supported list format (root element not CONSOLIDATED_LIST, "
            "export or Sanctions, and no AFM person/org records)",
            file=str(path),
            line=1,
        )
    first_line = text.splitlines()[0]
    if first_line.startswith("{"):
        try:
            json.loads(first_line)
        except ValueError:
            if len(raw) < _HEAD_BYTES:
                raise ParseError("first line is not valid JSON", file=str(path), line=1) from None
        return Detected("ftm")
    lowered = first_line.lower()
    if "entity_number" in lowered and (
        "license_policy" in lowered or "source_information_url" in lowered
    ):
        return Detected("us_csl")
    if "\t" in first_line and "name" in lowered and "street_address" in lowered:
        return Detected("bis_dpl")
    if lowered.startswith("report date") or (
        "unique id" in lowered and "name 1" in lowered and "name 6" in lowered
    ):
        return Detected("uk_csv")
    try:
        row = next(csv.reader([first_line]), [])
    except csv.Error:
        row = []
    if row and row[0].strip().isdigit() and len(row) in (2, 5, 6, 12):
        return Detected("ofac_csv", _ofac_variant(path))
    raise FormatMismatchError(
        "not a supported list format (expected one of: "
        + "; ".join(DESCRIPTIONS[f] for f in FORMATS)
        + ")",
        file=str(path),
        line=1,
    )
