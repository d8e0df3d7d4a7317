"""Sanctions list parsers: one module per format, one entry point.

``parse_source(source, paths)`` detects the format of the files from their contents (and,
for OFAC CSV sets, their names), checks that ``source`` accepts that format, and returns a
:class:`ParsedSource` whose ``entities()`` streams :class:`ListedEntity` objects. Wrong
formats raise :class:`~circumspect.errors.FormatMismatchError`; malformed content raises
:class:`~circumspect.errors.ParseError` naming the file, line or record and the problem.
Parsers never write to the store.

Which source accepts which format: see :data:`ACCEPTS` and ``docs/formats.md``.
"""

from __future__ import annotations

import hashlib
import importlib
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from circumspect.errors import FormatMismatchError, InputError, ParseError
from circumspect.model.entities import (
    CUSTOM_PREFIX,
    ListedEntity,
    is_source,
    unknown_source_message,
)
from circumspect.sources.detect import ACCEPTS, DESCRIPTIONS, FORMATS, Detected, detect

__all__ = [
    "ACCEPTS",
    "DEMO_LISTS",
    "FORMATS",
    "ParsedSource",
    "checksum",
    "demo_entities",
    "demo_lists",
    "detect",
    "parse_source",
]

#: The demo lists shipped with the package, one folder per source, in the real formats.
DEMO_LISTS = Path(__file__).resolve().parent.parent / "data" / "demo" / "lists"

#: format -> module under ``circumspect.sources``
_MODULES: dict[str, str] = {
    "ofac_csv": "ofac_csv",
    "ofac_xml": "ofac_xml",
    "un_xml": "un_xml",
    "eu_xml": "eu_xml",
    "uk_csv": "uk_csv",
    "bis_dpl": "bis_dpl",
    "us_csl": "us_csl",
    "kz_afm": "kz_afm",
    "ftm": "ftm",
    "custom_table": "custom",
}


def checksum(paths: Sequence[Path]) -> str:
    """sha256 (hex) over the files' bytes, files in name order."""
    digest = hashlib.sha256()
    for path in sorted(paths, key=lambda p: (p.name, str(p))):
        with path.open("rb") as fh:
            for chunk in iter(lambda: fh.read(1 << 20), b""):
                digest.update(chunk)
    return digest.hexdigest()


@dataclass(frozen=True)
class ParsedSource:
    """A list's files, checked and ready to stream entities."""

    source: str
    format: str
    files: tuple[str, ...]
    checksum: str
    paths: tuple[Path, ...] = field(repr=False, default=())
    #: custom lists: (field, column) pairs of ``--map``
    mapping: tuple[tuple[str, str], ...] = ()

    def entities(self) -> Iterator[ListedEntity]:
        """Stream the entities (parses the files again on every call).

        A record id seen twice (two copies of a file, a list with a repeated id) is a
        ``ParseError``: entity ids must be unique within a snapshot.
        """
        module = importlib.import_module(f"circumspect.sources.{_MODULES[self.format]}")
        if self.format == "custom_table":
            stream = module.parse(self.source, list(self.paths), dict(self.mapping))
        else:
            stream = module.parse(self.source, list(self.paths))
        seen: set[str] = set()
        for entity in stream:
            if entity.id in seen:
                raise ParseError(
                    f"record id {entity.source_id} occurs twice",
                    file=", ".join(self.files),
                    record=entity.source_id,
                )
            seen.add(entity.id)
            yield entity


def _check_variant(source: str, path: Path, found: Detected) -> None:
    if found.variant is None or found.format not in ("ofac_csv", "ofac_xml"):
        return
    if source == "ofac_sdn" and found.variant == "cons":
        raise FormatMismatchError(
            "this is the OFAC consolidated (non-SDN) list: load it with --source ofac_cons",
            file=str(path),
        )
    if source == "ofac_cons" and found.variant == "sdn":
        raise FormatMismatchError(
            "this is the OFAC SDN list: load it with --source ofac_sdn", file=str(path)
        )


def parse_source(
    source: str, paths: Sequence[Path | str], mapping: dict[str, str] | None = None
) -> ParsedSource:
    """Detect and check the files of one list source; entities are parsed lazily.

    ``mapping`` ({field: column}) is for custom-list tables only (``custom:NAME``).
    """
    if not is_source(source):
        raise InputError(unknown_source_message(source), field="source")
    if not paths:
        raise InputError(f"no files given for source {source}")
    resolved = tuple(Path(p) for p in paths)
    if source.startswith(CUSTOM_PREFIX):
        custom_parsed = _custom_source(source, resolved, mapping or {})
        if custom_parsed is not None:
            return custom_parsed
    elif mapping:
        raise InputError("--map is for custom lists (--source custom:NAME) only", field="map")
    formats: dict[str, list[Path]] = {}
    for path in resolved:
        if not path.is_file():
            raise ParseError(
                "file not found" if not path.exists() else "not a regular file", file=str(path)
            )
        found = detect(path)
        accepted = ACCEPTS.get(source, ("ftm",))
        if found.format not in accepted:
            raise FormatMismatchError(
                f"{DESCRIPTIONS[found.format]} is not a format of source {source} "
                f"(accepted: {', '.join(DESCRIPTIONS[f] for f in accepted)})",
                file=str(path),
            )
        _check_variant(source, path, found)
        formats.setdefault(found.format, []).append(path)
    if len(formats) > 1:
        listing = "; ".join(
            f"{fmt}: {', '.join(p.name for p in ps)}" for fmt, ps in formats.items()
        )
        raise FormatMismatchError(f"files of different formats given together ({listing})")
    fmt = next(iter(formats))
    if fmt == "ftm":
        from circumspect.sources import ftm

        for path in resolved:
            ftm.check_source(source, path)
    return ParsedSource(
        source=source,
        format=fmt,
        files=tuple(str(p) for p in resolved),
        checksum=checksum(resolved),
        paths=resolved,
    )


def _custom_source(
    source: str, paths: tuple[Path, ...], mapping: dict[str, str]
) -> ParsedSource | None:
    """A custom list's tables, checked (name column, mapped columns) before anything is
    stored; None for FtM JSON files, which take the ordinary path."""
    from circumspect.sources import custom

    for path in paths:
        if not path.is_file():
            raise ParseError(
                "file not found" if not path.exists() else "not a regular file", file=str(path)
            )
    tables = [p for p in paths if custom.is_table(p)]
    if not tables:
        if mapping:
            raise InputError("--map applies to CSV/XLSX tables, not FtM JSON", field="map")
        return None
    if len(tables) != len(paths):
        raise FormatMismatchError("CSV/XLSX tables and FtM JSON given together")
    for path in paths:
        custom.check(path, mapping)
    return ParsedSource(
        source=source,
        format="custom_table",
        files=tuple(str(p) for p in paths),
        checksum=checksum(paths),
        paths=paths,
        mapping=tuple(sorted(mapping.items())),
    )


def demo_lists(base: Path = DEMO_LISTS) -> list[tuple[str, list[Path]]]:
    """(source, files) for every folder under ``base`` that holds files, in folder-name
    order; each folder is named after its source."""
    out: list[tuple[str, list[Path]]] = []
    for folder in sorted(p for p in base.iterdir() if p.is_dir()):
        files = sorted(p for p in folder.iterdir() if p.is_file())
        if files:
            out.append((folder.name, files))
    return out


def demo_entities(base: Path = DEMO_LISTS) -> list[ListedEntity]:
    """Every entity of the demo lists under ``base``."""
    return [e for source, files in demo_lists(base) for e in parse_source(source, files).entities()]
