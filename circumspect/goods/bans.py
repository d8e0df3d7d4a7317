"""Export bans and the Russian parallel-import list, each with its legal basis and version.

A ban list is one UTF-8 CSV file (shipped ones in ``circumspect/goods/data/bans/``) with
metadata lines before the header, ``# key: value``:

``id, name, regime`` (EU, US, UK, RU), ``kind`` (``export_ban`` or ``parallel_import``),
``legal_basis, article, version, source_url``, ``applies_from`` (who the ban binds: ``EU``,
``US``, ``UK`` or ``ANY``), ``applies_to`` (destinations, e.g. ``RU,BY``), ``art12g`` (yes when
the goods need the EU "no re-export to Russia" clause, Art. 12g), ``status`` (``complete`` or
``partial``), ``expected_count`` (the number of lines the source states, or ``unknown``),
``expected_count_source`` and ``shipped_count`` (the number of data lines in the file).

Columns: ``code, description, list, article, source_url, version`` and optionally
``condition`` (free text, e.g. "only of a cylinder capacity exceeding 1 900 cm3"),
``min_value`` / ``min_value_currency`` (per-item value under which the line does not apply)
and ``brands`` (``;``-separated trademarks for the parallel-import list; empty = every brand).

A code of 2, 4, 6 or 8 digits covers every longer code starting with it: a declared CN-8 or
TN VED 10-digit code resolves to the HS-6, heading and chapter lines above it.

A list is COMPLETE only when its metadata says so *and* its line count equals the count its
source states; everything else is reported PARTIAL (``goods lists status``).

:func:`parse_official` reads the official publication formats (text copied from EUR-Lex
annex tables, eCFR supplement tables, the Russian order's annex table) so a user can refresh
a list when the law changes (``circumspect goods lists import``).
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

from circumspect.errors import InputError, ParseError
from circumspect.goods.codes import normalize_code

BANS_DIR = Path(__file__).resolve().parent / "data" / "bans"

#: EU member states (ISO 3166-1 alpha-2).
EU27: frozenset[str] = frozenset(
    [
        "AT",
        "BE",
        "BG",
        "HR",
        "CY",
        "CZ",
        "DK",
        "EE",
        "FI",
        "FR",
        "DE",
        "GR",
        "IE",
        "IT",
        "LV",
        "LT",
        "LU",
        "MT",
        "NL",
        "PL",
        "PT",
        "RO",
        "SK",
        "SI",
        "ES",
        "SE",
    ]
)
#: Countries applying export restrictions on Russia substantially similar to the US ones:
#: the partner countries of EAR Supplement No. 3 to Part 746, plus the US itself.
COALITION: frozenset[str] = EU27 | frozenset(
    ["US", "GB", "JP", "CA", "AU", "NZ", "CH", "NO", "IS", "LI", "KR", "TW"]
)
GROUPS: dict[str, frozenset[str]] = {
    "EU": EU27,
    "US": frozenset({"US"}),
    "UK": frozenset({"GB"}),
}
COLUMNS: tuple[str, ...] = ("code", "description", "list", "article", "source_url", "version")
OPTIONAL: tuple[str, ...] = ("condition", "min_value", "min_value_currency", "brands")
META_REQUIRED: tuple[str, ...] = (
    "id",
    "name",
    "regime",
    "kind",
    "legal_basis",
    "article",
    "version",
    "source_url",
    "applies_from",
    "applies_to",
    "status",
    "expected_count",
    "expected_count_source",
    "shipped_count",
)
KINDS = ("export_ban", "parallel_import")
LEVEL_NAMES = {2: "chapter", 4: "heading", 6: "HS-6", 8: "CN-8", 10: "TN VED-10"}


@dataclass(frozen=True, slots=True)
class BanEntry:
    code: str
    description: str
    list_id: str
    article: str
    source_url: str
    version: str
    condition: str = ""
    min_value: float | None = None
    min_value_currency: str = ""
    brands: tuple[str, ...] = ()
    line: int = 0


@dataclass(slots=True)
class BanList:
    id: str
    name: str
    regime: str
    kind: str
    legal_basis: str
    article: str
    version: str
    source_url: str
    applies_from: str
    applies_to: frozenset[str]
    art12g: bool
    status: str
    expected_count: int | None
    expected_count_source: str
    shipped_count: int
    entries: list[BanEntry] = field(default_factory=list)
    note: str = ""
    file: str = ""

    @property
    def complete(self) -> bool:
        """Complete only when declared so and the line count matches the source's count."""
        return (
            self.status == "complete"
            and self.expected_count is not None
            and len(self.entries) == self.expected_count
        )

    def binds(self, origin: str = "", exporter: str = "") -> bool:
        """Whether the list's regime binds goods of this origin / from this exporter country."""
        if self.applies_from == "ANY":
            return True
        group = GROUPS.get(self.applies_from, frozenset())
        if self.applies_from == "US":
            return origin in group  # EAR follows US-origin items wherever they are
        return origin in group or exporter in group

    def meta(self) -> dict[str, str]:
        return {
            "id": self.id,
            "name": self.name,
            "regime": self.regime,
            "kind": self.kind,
            "legal_basis": self.legal_basis,
            "article": self.article,
            "version": self.version,
            "source_url": self.source_url,
            "applies_from": self.applies_from,
            "applies_to": ",".join(sorted(self.applies_to)),
            "art12g": "yes" if self.art12g else "no",
            "status": self.status,
            "expected_count": "unknown"
            if self.expected_count is None
            else str(self.expected_count),
            "expected_count_source": self.expected_count_source,
            "shipped_count": str(len(self.entries)),
            "note": self.note,
        }


@dataclass(frozen=True, slots=True)
class BanHit:
    """A ban-list line covering a checked code."""

    list: BanList
    entry: BanEntry
    applies: bool
    why: str

    @property
    def level(self) -> str:
        return LEVEL_NAMES.get(len(self.entry.code), str(len(self.entry.code)))

    def text(self) -> str:
        cond = f"; {self.entry.condition}" if self.entry.condition else ""
        brands = f"; brands: {', '.join(self.entry.brands)}" if self.entry.brands else ""
        partial = "" if self.list.complete else " [list PARTIAL]"
        return (
            f"{self.list.name}, {self.list.article} ({self.list.legal_basis}; version: "
            f"{self.list.version}) via {self.level} {self.entry.code}{cond}{brands}{partial}"
        )

    def to_dict(self) -> dict[str, Any]:
        return {
            "list": self.list.id,
            "name": self.list.name,
            "regime": self.list.regime,
            "kind": self.list.kind,
            "article": self.list.article,
            "legal_basis": self.list.legal_basis,
            "version": self.list.version,
            "source_url": self.entry.source_url,
            "listed_code": self.entry.code,
            "level": self.level,
            "condition": self.entry.condition,
            "min_value": self.entry.min_value,
            "min_value_currency": self.entry.min_value_currency,
            "brands": list(self.entry.brands),
            "list_complete": self.list.complete,
            "applies": self.applies,
            "why": self.why,
        }


def _split_meta(text: str) -> tuple[dict[str, str], str, int]:
    meta: dict[str, str] = {}
    lines = text.splitlines(keepends=True)
    n = 0
    for raw in lines:
        stripped = raw.strip()
        if not stripped.startswith("#"):
            break
        key, sep, value = stripped.lstrip("#").partition(":")
        if sep:
            meta[key.strip().lower()] = value.strip()
        n += 1
    return meta, "".join(lines[n:]), n


def load_ban_file(path: Path) -> BanList:
    """Read a ban list CSV; any bad metadata or line raises ``ParseError`` naming it."""
    path = Path(path)
    try:
        text = path.read_bytes().decode("utf-8-sig")
    except OSError as exc:
        raise InputError(f"cannot read ban list: {exc.strerror}", file=str(path)) from exc
    except UnicodeDecodeError as exc:
        raise ParseError("ban list is not UTF-8 text", file=str(path)) from exc
    meta, body, offset = _split_meta(text)
    for key in META_REQUIRED:
        if not meta.get(key):
            raise ParseError(f"ban list metadata '# {key}: ...' missing", file=str(path), field=key)
    if meta["kind"] not in KINDS:
        raise ParseError(f"kind must be one of {', '.join(KINDS)}", file=str(path), field="kind")
    if meta["status"] not in ("complete", "partial"):
        raise ParseError("status must be complete or partial", file=str(path), field="status")
    if meta["applies_from"] not in (*GROUPS, "ANY"):
        raise ParseError(
            "applies_from must be EU, US, UK or ANY", file=str(path), field="applies_from"
        )
    expected: int | None = None
    if meta["expected_count"].lower() != "unknown":
        try:
            expected = int(meta["expected_count"])
        except ValueError as exc:
            raise ParseError(
                "expected_count must be a number or 'unknown'",
                file=str(path),
                field="expected_count",
            ) from exc
    reader = csv.DictReader(io.StringIO(body))
    fields = [f.strip().lower() for f in (reader.fieldnames or [])]
    reader.fieldnames = fields
    missing = [c for c in COLUMNS if c not in fields]
    if missing:
        raise ParseError(
            "ban list needs columns " + ", ".join(COLUMNS) + "; missing: " + ", ".join(missing),
            file=str(path),
            line=offset + 1,
        )
    entries: list[BanEntry] = []
    for n, row in enumerate(reader, start=offset + 2):
        raw = (row.get("code") or "").strip()
        try:
            code = normalize_code(raw).digits
        except InputError as exc:
            raise ParseError(exc.message, file=str(path), line=n, field="code") from exc
        if (row.get("list") or "").strip() != meta["id"]:
            raise ParseError(
                f"list column {row.get('list')!r} differs from the file's id {meta['id']!r}",
                file=str(path),
                line=n,
                field="list",
            )
        min_value: float | None = None
        mv = (row.get("min_value") or "").strip()
        if mv:
            try:
                min_value = float(mv)
            except ValueError as exc:
                raise ParseError(
                    "min_value is not a number", file=str(path), line=n, field="min_value"
                ) from exc
            if not (row.get("min_value_currency") or "").strip():
                raise ParseError(
                    "min_value without min_value_currency",
                    file=str(path),
                    line=n,
                    field="min_value_currency",
                )
        brands = tuple(b.strip() for b in (row.get("brands") or "").split(";") if b.strip())
        entries.append(
            BanEntry(
                code=code,
                description=(row.get("description") or "").strip(),
                list_id=meta["id"],
                article=(row.get("article") or "").strip(),
                source_url=(row.get("source_url") or "").strip(),
                version=(row.get("version") or "").strip(),
                condition=(row.get("condition") or "").strip(),
                min_value=min_value,
                min_value_currency=(row.get("min_value_currency") or "").strip().upper(),
                brands=brands,
                line=n,
            )
        )
    try:
        shipped = int(meta["shipped_count"])
    except ValueError as exc:
        raise ParseError(
            "shipped_count must be a number", file=str(path), field="shipped_count"
        ) from exc
    if shipped != len(entries):
        raise ParseError(
            f"shipped_count says {shipped} lines but the file has {len(entries)}",
            file=str(path),
            field="shipped_count",
        )
    return BanList(
        id=meta["id"],
        name=meta["name"],
        regime=meta["regime"],
        kind=meta["kind"],
        legal_basis=meta["legal_basis"],
        article=meta["article"],
        version=meta["version"],
        source_url=meta["source_url"],
        applies_from=meta["applies_from"],
        applies_to=frozenset(c.strip().upper() for c in meta["applies_to"].split(",") if c.strip()),
        art12g=meta.get("art12g", "no").lower() in ("yes", "true", "1"),
        status=meta["status"],
        expected_count=expected,
        expected_count_source=meta["expected_count_source"],
        shipped_count=shipped,
        entries=entries,
        note=meta.get("note", ""),
        file=str(path),
    )


def write_ban_file(blist: BanList, out: Path) -> None:
    """Write a ban list in the CSV form :func:`load_ban_file` reads (atomically)."""
    from circumspect.fsutil import atomic_path

    buf = io.StringIO()
    for key, value in blist.meta().items():
        buf.write(f"# {key}: {' '.join(value.split())}\n")
    writer = csv.writer(buf, lineterminator="\n")
    writer.writerow([*COLUMNS, *OPTIONAL])
    for e in blist.entries:
        writer.writerow(
            [
                e.code,
                e.description,
                blist.id,
                e.article or blist.article,
                e.source_url or blist.source_url,
                e.version or blist.version,
                e.condition,
                "" if e.min_value is None else f"{e.min_value:g}",
                e.min_value_currency,
                ";".join(e.brands),
            ]
        )
    with atomic_path(Path(out)) as tmp:
        Path(tmp).write_text(buf.getvalue(), encoding="utf-8")


# --- official publication formats ------------------------------------------------------

#: a CN/HS code as printed in EUR-Lex / eCFR / the Russian annex: "8703 23 19", "8703.23",
#: "870323", "ex 8703 23", "из 8703"
_CODE = re.compile(r"^(?:(ex|из)\s+)?(\d{2}(?:[ .]?\d{2}){0,3}(?:[ .]?\d{2})?)(?=\s|$|[|\t;,])")
OFFICIAL_FORMATS = ("eu-annex", "ear-supplement", "minpromtorg")


@dataclass(frozen=True, slots=True)
class OfficialRow:
    line: int
    code: str
    description: str
    ex: bool
    brands: tuple[str, ...] = ()


def _cells(line: str) -> list[str]:
    text = line.strip()
    if "|" in text:
        return [c.strip() for c in text.strip("|").split("|")]
    if "\t" in text:
        return [c.strip() for c in text.split("\t")]
    return [text]


def parse_official(text: str, fmt: str, file: str = "<text>") -> list[OfficialRow]:
    """Rows of an official publication table; lines without a code (titles, notes) skipped.

    * ``eu-annex``: EUR-Lex annex tables, "CN code | Description" (``ex`` prefix allowed)
      or a line starting with the code followed by the description.
    * ``ear-supplement``: eCFR tables "HTS-6 code | HTS description | price".
    * ``minpromtorg``: the Russian order's annex "No. | goods | TN VED code | trademarks";
      several codes in one cell (comma separated) give several rows.
    A line whose first code-like cell is not a valid code raises ``ParseError``.
    """
    if fmt not in OFFICIAL_FORMATS:
        raise InputError(f"unknown official format {fmt!r}; use {', '.join(OFFICIAL_FORMATS)}")
    rows: list[OfficialRow] = []
    for n, line in enumerate(text.splitlines(), start=1):
        if not line.strip() or set(line.strip()) <= set("|-: \t"):
            continue
        cells = [c for c in _cells(line)]
        if fmt == "minpromtorg":
            if len(cells) < 3:
                continue
            code_cells = [c for c in cells[1:] if _CODE.match(c)]
            if not code_cells or not cells[0].rstrip(".").isdigit():
                continue
            code_cell = code_cells[0]
            ci = cells.index(code_cell)
            description = " ".join(c for c in cells[1:ci] if c)
            brand_text = " ".join(cells[ci + 1 :])
            brands = tuple(
                b.strip() for b in re.split(r"[;,\n]", brand_text) if b.strip() and b != "-"
            )
            for part in re.split(r"[,;]", code_cell):
                rows.append(_official_row(part.strip(), description, brands, n, file))
            continue
        first = cells[0]
        m = _CODE.match(first)
        if not m:
            continue
        rest = first[m.end() :].strip(" |\t")
        description = " ".join(x for x in [rest, *cells[1:2]] if x)
        rows.append(_official_row(first[: m.end()], description, (), n, file))
    return rows


def _official_row(
    written: str, description: str, brands: tuple[str, ...], n: int, file: str
) -> OfficialRow:
    m = _CODE.match(written)
    if not m:
        raise ParseError(f"not a goods code: {written!r}", file=file, line=n, field="code")
    try:
        code = normalize_code(m.group(2)).digits
    except InputError as exc:
        raise ParseError(exc.message, file=file, line=n, field="code") from exc
    return OfficialRow(n, code, description, bool(m.group(1)), brands)


def import_official(path: Path, fmt: str, template: BanList, version: str | None = None) -> BanList:
    """A ban list from an official publication text, with ``template``'s metadata."""
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8-sig")
    except OSError as exc:
        raise InputError(f"cannot read: {exc.strerror}", file=str(path)) from exc
    except UnicodeDecodeError as exc:
        raise ParseError("not UTF-8 text", file=str(path)) from exc
    rows = parse_official(text, fmt, str(path))
    if not rows:
        raise ParseError(f"no code lines found in the {fmt} text", file=str(path))
    ver = version or template.version
    entries = [
        BanEntry(
            code=r.code,
            description=r.description,
            list_id=template.id,
            article=template.article,
            source_url=template.source_url,
            version=ver,
            condition="ex-code: only part of the code is covered" if r.ex else "",
            brands=r.brands,
            line=r.line,
        )
        for r in rows
    ]
    return BanList(
        id=template.id,
        name=template.name,
        regime=template.regime,
        kind=template.kind,
        legal_basis=template.legal_basis,
        article=template.article,
        version=ver,
        source_url=template.source_url,
        applies_from=template.applies_from,
        applies_to=template.applies_to,
        art12g=template.art12g,
        status=template.status,
        expected_count=template.expected_count,
        expected_count_source=template.expected_count_source,
        shipped_count=len(entries),
        entries=entries,
        note=f"imported from {path.name} ({fmt})",
    )


# --- index ------------------------------------------------------------------------------


class BanIndex:
    """Prefix lookups of codes over several ban lists."""

    def __init__(self, lists: Sequence[BanList]) -> None:
        self.lists = list(lists)
        ids = [b.id for b in self.lists]
        dup = sorted({i for i in ids if ids.count(i) > 1})
        if dup:
            raise InputError(f"ban list id(s) loaded twice: {', '.join(dup)}")
        self._by_code: dict[str, list[tuple[BanList, BanEntry]]] = {}
        for blist in self.lists:
            for entry in blist.entries:
                self._by_code.setdefault(entry.code, []).append((blist, entry))
        self._cache: dict[str, list[tuple[BanList, BanEntry]]] = {}

    def get(self, list_id: str) -> BanList | None:
        return next((b for b in self.lists if b.id == list_id), None)

    def covering(self, code: object) -> list[tuple[BanList, BanEntry]]:
        """Every (list, line) whose code covers ``code`` (longest listed code first)."""
        hs = normalize_code(code)
        cached = self._cache.get(hs.digits)
        if cached is not None:
            return cached
        found: list[tuple[BanList, BanEntry]] = []
        for prefix in hs.prefixes():
            found.extend(self._by_code.get(prefix, ()))
        self._cache[hs.digits] = found
        return found

    def check(
        self,
        code: object,
        origin: str = "",
        to: str = "",
        exporter: str = "",
        kinds: Iterable[str] = KINDS,
    ) -> list[BanHit]:
        """Hits for a code, each saying whether it applies to this origin and destination."""
        origin, to, exporter = origin.upper(), to.upper(), exporter.upper()
        wanted = set(kinds)
        hits = []
        for blist, entry in self.covering(code):
            if blist.kind not in wanted:
                continue
            reasons = []
            binds = blist.binds(origin, exporter) if (origin or exporter) else True
            if origin or exporter:
                who = f"origin {origin or '-'}" + (f", exporter {exporter}" if exporter else "")
                reasons.append(
                    f"{who} {'is' if binds else 'is not'} bound by "
                    + ("any origin" if blist.applies_from == "ANY" else blist.applies_from)
                )
            dest_ok = (to in blist.applies_to) if to else True
            if to:
                reasons.append(
                    f"destination {to} {'is' if dest_ok else 'is not'} covered "
                    f"({', '.join(sorted(blist.applies_to))})"
                )
            hits.append(BanHit(blist, entry, binds and dest_ok, "; ".join(reasons)))
        return hits

    def art12g_codes(self) -> list[str]:
        return sorted({e.code for b in self.lists if b.art12g for e in b.entries})


def ban_files(folder: Path = BANS_DIR) -> list[Path]:
    return sorted(Path(folder).glob("*.csv"))


def load_bans(paths: Iterable[Path] = (), include_shipped: bool = True) -> BanIndex:
    files = [*(ban_files() if include_shipped else []), *(Path(p) for p in paths)]
    return BanIndex([load_ban_file(p) for p in files])


@lru_cache(maxsize=1)
def default_bans() -> BanIndex:
    return load_bans()
