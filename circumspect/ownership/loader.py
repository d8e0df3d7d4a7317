"""Ownership data a user brings: CSV rows or FtM ``Ownership`` entities -> checked edges.

CSV header (UTF-8, comma-separated, any column order)::

    owner_name,owner_id,owned_name,owned_id,share,source,date[,control]

``share`` is a percentage (``30``, ``30.5``, ``30 %``); ``control`` (optional column) is
``yes``/``no`` (also ``true``/``false``/``1``/``0``) and says the owner controls the owned
party whatever its share (EU/UK "control"); a control row may leave ``share`` empty. Ids are
a BIN/IIN, INN, OGRN or LEI (check digits verified, optionally prefixed ``INN:``...) or the
id of a listed entity (``ofac-sdn-16807``) that the store knows.

FtM JSON lines (OpenSanctions, GLEIF level 2): ``Ownership`` entities (``owner``,
``asset``, ``percentage``, ``role``, ``startDate``, ``endDate``) and the parties they name
(any LegalEntity schema; the party's key is its first BIN/IIN/INN/OGRN/LEI, else its id).
``role`` containing "control" or "consolidat" (GLEIF's accounting consolidation) marks
control.

Every row ends as exactly one :class:`RowOutcome`: ``loaded``, ``duplicate`` (the same edge
again, same values) or ``rejected`` with the reason. Rejections never depend on row order:
shares above 100 % in total for one owned party reject every row of that party; two rows
giving one pair different values reject both.
"""

from __future__ import annotations

import csv
import hashlib
import io
import re
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

import orjson

from circumspect.errors import ParseError
from circumspect.ownership.graph import TOLERANCE, Edge, pct
from circumspect.ownership.ids import entity_keys, identifier_key, looks_like_list_id
from circumspect.sources.base import decode_text, reject_binary

REQUIRED = ("owner_name", "owner_id", "owned_name", "owned_id", "share", "source", "date")
OPTIONAL = ("control",)
_SHARE = re.compile(r"^\s*(?P<n>[+-]?\d+(?:[.,]\d+)?)\s*%?\s*$")
_DATE = re.compile(r"^\d{4}(?:-\d{2}(?:-\d{2})?)?$")
_YES = {"yes", "y", "true", "1"}
_NO = {"no", "n", "false", "0", ""}
_CONTROL_ROLE = re.compile(r"control|consolidat", re.I)

#: A callable answering "is this a listed entity id the store knows?"
KnownIds = Callable[[str], bool]


@dataclass(slots=True)
class RowOutcome:
    """What became of one input row."""

    line: int
    status: str  # "loaded" | "duplicate" | "rejected"
    reason: str = ""
    edge: Edge | None = None
    raw: str = ""


@dataclass(slots=True)
class OwnershipData:
    """The checked content of one ownership file."""

    format: str
    checksum: str
    files: tuple[str, ...]
    edges: list[Edge]
    #: node key -> names seen for it
    names: dict[str, list[str]]
    outcomes: list[RowOutcome] = field(default_factory=list)

    def counts(self) -> dict[str, int]:
        out = {"rows": len(self.outcomes), "loaded": 0, "duplicate": 0, "rejected": 0}
        for outcome in self.outcomes:
            out[outcome.status] += 1
        return out

    def rejected(self) -> list[RowOutcome]:
        return [o for o in self.outcomes if o.status == "rejected"]


@dataclass(slots=True)
class _Row:
    line: int
    raw: str
    owner: str
    owned: str
    share: float | None
    control: bool
    source: str
    date: str
    owner_name: str
    owned_name: str


def parse_share(text: str) -> tuple[float | None, str]:
    """(fraction or None when empty, reason when invalid) from a percentage text."""
    if not text.strip():
        return None, ""
    match = _SHARE.match(text)
    if not match:
        return None, f"share {text!r} is not a percentage"
    value = float(match.group("n").replace(",", "."))
    if value < 0:
        return None, f"negative share {text.strip()}"
    if value > 100:
        return None, f"share {text.strip()} is above 100 %"
    return value / 100.0, ""


def resolve_key(value: str, known: KnownIds) -> tuple[str | None, str]:
    """(node key, reason when unknown) for an id from a row."""
    text = value.strip()
    if not text:
        return None, "empty id"
    key, why = identifier_key(text)
    if key is not None:
        return key, ""
    if looks_like_list_id(text):
        if known(text):
            return text, ""
        return None, f"unknown id {text!r}: no listed entity has this id"
    return None, f"unknown id {text!r}: {why}"


def _check_date(text: str) -> str:
    text = text.strip()
    if not text:
        return ""
    if not _DATE.match(text):
        return f"date {text!r} is not YYYY, YYYY-MM or YYYY-MM-DD"
    parts = [int(p) for p in text.split("-")]
    try:
        date(parts[0], parts[1] if len(parts) > 1 else 1, parts[2] if len(parts) > 2 else 1)
    except ValueError:
        return f"date {text!r} does not exist"
    return ""


def read_csv(path: Path, known: KnownIds) -> OwnershipData:
    """Check an ownership CSV; ParseError only when the file as a whole cannot be read."""
    label = str(path)
    data = path.read_bytes()
    text = decode_text(data, label)
    reject_binary(text, label)
    reader = csv.reader(io.StringIO(text, newline=""))
    try:
        header = [h.strip().lower() for h in next(reader)]
    except StopIteration:
        raise ParseError(
            "empty file: expected the header " + ",".join(REQUIRED), file=label
        ) from None
    except csv.Error as exc:
        raise ParseError(f"unreadable CSV header: {exc}", file=label, line=1) from exc
    missing = [c for c in REQUIRED if c not in header]
    if missing:
        raise ParseError(
            f"missing column(s) {', '.join(missing)}; expected {','.join(REQUIRED)}[,control]",
            file=label,
            line=1,
        )
    unknown = [c for c in header if c not in REQUIRED + OPTIONAL]
    if unknown or len(set(header)) != len(header):
        what = f"unknown column(s) {', '.join(unknown)}" if unknown else "a repeated column"
        raise ParseError(f"{what} in the header", file=label, line=1)
    rows: list[_Row] = []
    outcomes: list[RowOutcome] = []
    names: dict[str, list[str]] = defaultdict(list)
    line = 1
    while True:
        try:
            values = next(reader)
        except StopIteration:
            break
        except csv.Error as exc:
            raise ParseError(f"malformed CSV: {exc}", file=label, line=reader.line_num) from exc
        line = reader.line_num
        raw = ",".join(values)
        if not any(v.strip() for v in values):
            continue
        if len(values) != len(header):
            outcomes.append(
                RowOutcome(
                    line, "rejected", f"{len(values)} fields, expected {len(header)}", raw=raw
                )
            )
            continue
        row = dict(zip(header, values, strict=True))
        problem, parsed = _check_row(line, raw, row, known)
        if parsed is None:
            outcomes.append(RowOutcome(line, "rejected", problem, raw=raw))
            continue
        rows.append(parsed)
    return _finish("ownership_csv", data, (label,), rows, outcomes, names)


def _check_row(
    line: int, raw: str, row: dict[str, str], known: KnownIds
) -> tuple[str, _Row | None]:
    owner, why = resolve_key(row["owner_id"], known)
    if owner is None:
        return f"owner_id: {why}", None
    owned, why = resolve_key(row["owned_id"], known)
    if owned is None:
        return f"owned_id: {why}", None
    share, why = parse_share(row["share"])
    if why:
        return why, None
    flag = row.get("control", "").strip().lower()
    if flag not in _YES | _NO:
        return f"control {row.get('control')!r} is not yes/no", None
    control = flag in _YES
    if share is None and not control:
        return "share is empty (give a percentage, or control=yes)", None
    if share is not None and share <= 0 and not control:
        return "share 0 % holds nothing", None
    why = _check_date(row["date"])
    if why:
        return why, None
    if owner == owned:
        return f"self-ownership: {row['owner_id'].strip()} owns itself", None
    return "", _Row(
        line=line,
        raw=raw,
        owner=owner,
        owned=owned,
        share=share,
        control=control,
        source=row["source"].strip(),
        date=row["date"].strip(),
        owner_name=row["owner_name"].strip(),
        owned_name=row["owned_name"].strip(),
    )


def read_ftm(path: Path, known: KnownIds) -> OwnershipData:
    """Check FtM JSON lines: ``Ownership`` entities and the parties they name."""
    from followthemoney import model

    label = str(path)
    data = path.read_bytes()
    text = decode_text(data, label)
    reject_binary(text, label)
    parties: dict[str, tuple[str, str]] = {}  # ftm id -> (key, name)
    links: list[tuple[int, str, dict[str, Any]]] = []
    outcomes: list[RowOutcome] = []
    for number, raw in enumerate(text.splitlines(), start=1):
        if not raw.strip():
            continue
        try:
            body = orjson.loads(raw)
            proxy = model.get_proxy(body)
        except Exception as exc:  # orjson/FtM errors: the row is rejected with the reason
            outcomes.append(RowOutcome(number, "rejected", f"not an FtM entity: {exc}", raw=raw))
            continue
        props = {p: [str(v) for v in proxy.get(p)] for p in proxy.schema.properties}
        if proxy.schema.is_a("Ownership"):
            links.append((number, raw, props))
        elif proxy.schema.is_a("LegalEntity") and proxy.id:
            keys = sorted(entity_keys(props))
            key = keys[0] if keys else str(proxy.id)
            parties[str(proxy.id)] = (key, str(proxy.caption))
            outcomes.append(RowOutcome(number, "loaded", "party", raw=""))
        else:
            outcomes.append(
                RowOutcome(number, "rejected", f"schema {proxy.schema.name} is not used", raw=raw)
            )
    rows: list[_Row] = []
    for number, raw, props in links:
        ends: list[tuple[str, str]] = []
        problem = ""
        for prop in ("owner", "asset"):
            ref = (props.get(prop) or [""])[0]
            if ref in parties:
                ends.append(parties[ref])
            elif ref and known(ref):
                ends.append((ref, ref))
            else:
                problem = f"{prop}: unknown id {ref!r} (no party in the file, no listed entity)"
                break
        if problem:
            outcomes.append(RowOutcome(number, "rejected", problem, raw=raw))
            continue
        share, why = parse_share((props.get("percentage") or [""])[0])
        roles = " ".join(props.get("role", []) + props.get("ownershipType", []))
        control = bool(_CONTROL_ROLE.search(roles))
        ended = max(props.get("endDate", []) or [""])
        if not why and ended and ended <= date.today().isoformat():
            why = f"ownership ended on {ended}"
        if not why and ends[0][0] == ends[1][0]:
            why = f"self-ownership: {ends[0][0]} owns itself"
        if why:
            outcomes.append(RowOutcome(number, "rejected", why, raw=raw))
            continue
        start = min(props.get("startDate", []) or [""])
        rows.append(
            _Row(
                number,
                raw,
                ends[0][0],
                ends[1][0],
                share,
                control,
                "ftm",
                start,
                ends[0][1],
                ends[1][1],
            )
        )
    return _finish("ownership_ftm", data, (label,), rows, outcomes, defaultdict(list))


def _finish(
    fmt: str,
    data: bytes,
    files: tuple[str, ...],
    rows: list[_Row],
    outcomes: list[RowOutcome],
    names: dict[str, list[str]],
) -> OwnershipData:
    """Duplicates, conflicts and over-100 % totals, decided independently of row order."""
    by_pair: dict[tuple[str, str], list[_Row]] = defaultdict(list)
    for row in rows:
        by_pair[(row.owner, row.owned)].append(row)
    kept: dict[tuple[str, str], _Row] = {}
    for pair, group in by_pair.items():
        group.sort(key=lambda r: r.line)
        values = {(r.share, r.control) for r in group}
        if len(values) > 1:
            lines = ", ".join(str(r.line) for r in group)
            for row in group:
                outcomes.append(
                    RowOutcome(
                        row.line,
                        "rejected",
                        f"conflicting rows for one pair (lines {lines})",
                        raw=row.raw,
                    )
                )
            continue
        kept[pair] = group[0]
        for row in group[1:]:
            outcomes.append(
                RowOutcome(row.line, "duplicate", f"same as line {group[0].line}", raw=row.raw)
            )
    totals: dict[str, float] = defaultdict(float)
    for row in kept.values():
        totals[row.owned] += row.share or 0.0
    edges: list[Edge] = []
    for pair in sorted(kept):
        row = kept[pair]
        if totals[row.owned] > 1.0 + TOLERANCE:
            name = row.owned_name or row.owned
            reason = f"shares in {name} total {pct(totals[row.owned])} (above 100 %)"
            outcomes.append(RowOutcome(row.line, "rejected", reason, raw=row.raw))
            continue
        edge = Edge(row.owner, row.owned, row.share, row.control, row.source, row.date)
        edges.append(edge)
        outcomes.append(RowOutcome(row.line, "loaded", "", edge=edge))
        for key, name in ((row.owner, row.owner_name), (row.owned, row.owned_name)):
            if name and name not in names[key]:
                names[key].append(name)
    outcomes.sort(key=lambda o: o.line)
    return OwnershipData(
        format=fmt,
        checksum=hashlib.sha256(data).hexdigest(),
        files=files,
        edges=edges,
        names=dict(names),
        outcomes=outcomes,
    )


def read_file(path: Path, known: KnownIds, fmt: str | None = None) -> OwnershipData:
    """Read an ownership file as ``csv`` or ``ftm`` (by ``fmt``, else by its extension)."""
    kind = fmt or ("ftm" if path.suffix.lower() in (".json", ".jsonl", ".ftm", ".ijson") else "csv")
    if not path.is_file():
        raise ParseError("no such file", file=str(path))
    if kind == "csv":
        return read_csv(path, known)
    if kind == "ftm":
        return read_ftm(path, known)
    raise ParseError(f"unknown ownership format {kind!r}; use csv or ftm", file=str(path))
