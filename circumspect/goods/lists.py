"""Controlled goods lists (CHPL, EU Reg. 833/2014 annexes, a user's own list).

Controlled list CSV format (UTF-8, header row, extra columns kept but unused):

* ``code`` (or ``hs6``): an HS/CN/TN VED code of 2, 4, 6, 8 or 10 digits, dots and spaces
  allowed. A code covers every longer code that starts with it (a 4-digit heading covers
  all its subheadings and national codes).
* ``description``: free text (optional).
* ``category`` (or ``tier``): the list's own grouping, e.g. ``Tier 1`` for the CHPL.
* ``source``: where the line comes from (optional).

Lines before the header starting with ``#`` may carry metadata as ``# key: value``
(``name``, ``version``, ``source``). Shipped lists are described in ``data/lists.yaml``.
"""

from __future__ import annotations

import csv
import hashlib
import io
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml

from circumspect.errors import InputError, ParseError
from circumspect.goods.codes import HsCode, normalize_code

DATA_DIR = Path(__file__).resolve().parent / "data"
MANIFEST = DATA_DIR / "lists.yaml"

#: CHPL tiers, most serious first, with the weight risk rules give them (0-1).
CHPL_TIER_WEIGHTS: dict[str, float] = {
    "1": 1.0,
    "2": 0.95,
    "3.A": 0.9,
    "3.B": 0.85,
    "4.A": 0.8,
    "4.B": 0.75,
}
#: weight of a controlled code that is on no tiered list (EU annexes only, user lists)
UNTIERED_WEIGHT = 0.75


def tier_of(category: str) -> str | None:
    """``Tier 3.A`` / ``CHPL tier 3.A`` / ``3.a`` -> ``3.A`` (None when not a CHPL tier)."""
    text = category.strip().upper().replace("CHPL", "").replace("TIER", "").strip()
    return text if text in CHPL_TIER_WEIGHTS else None


@dataclass(frozen=True, slots=True)
class ListEntry:
    list_id: str
    code: str
    description: str
    category: str
    source: str
    line: int


@dataclass(slots=True)
class ControlledList:
    id: str
    name: str
    version: str
    source: str
    entries: list[ListEntry]
    file: str = ""
    tiered: bool = False

    def __len__(self) -> int:
        return len(self.entries)


@dataclass(frozen=True, slots=True)
class ListHit:
    """A list line that covers the code checked."""

    list_id: str
    list_name: str
    listed_code: str
    category: str
    tier: str | None


@dataclass(slots=True)
class ControlStatus:
    """Whether a code is on a controlled list, and where."""

    code: HsCode
    hits: list[ListHit] = field(default_factory=list)
    #: listed codes under a (too short) declared code: the goods may be controlled
    partial: list[ListHit] = field(default_factory=list)

    @property
    def controlled(self) -> bool:
        return bool(self.hits)

    @property
    def chpl_tier(self) -> str | None:
        tiers = [h.tier for h in self.hits if h.tier]
        if not tiers:
            return None
        order = list(CHPL_TIER_WEIGHTS)
        return min(tiers, key=order.index)

    @property
    def tier_weight(self) -> float:
        tier = self.chpl_tier
        if tier is not None:
            return CHPL_TIER_WEIGHTS[tier]
        return UNTIERED_WEIGHT if self.hits else 0.0

    @property
    def list_ids(self) -> list[str]:
        return sorted({h.list_id for h in self.hits})

    def summary(self) -> str:
        if self.hits:
            parts = []
            for h in self.hits:
                tier = f" tier {h.tier}" if h.tier else (f" ({h.category})" if h.category else "")
                parts.append(f"{h.list_name}{tier} via {h.listed_code}")
            return "controlled: " + "; ".join(parts)
        if self.partial:
            codes = ", ".join(sorted({h.listed_code for h in self.partial})[:5])
            return f"not listed as declared, but listed codes fall under it: {codes}"
        return "not on any loaded controlled list"

    def to_dict(self) -> dict[str, Any]:
        return {
            "code": self.code.digits,
            "controlled": self.controlled,
            "chpl_tier": self.chpl_tier,
            "lists": self.list_ids,
            "hits": [_hit_dict(h) for h in self.hits],
            "partial": [_hit_dict(h) for h in self.partial],
            "summary": self.summary(),
        }


def _hit_dict(hit: ListHit) -> dict[str, Any]:
    return {
        "list_id": hit.list_id,
        "list_name": hit.list_name,
        "listed_code": hit.listed_code,
        "category": hit.category,
        "tier": hit.tier,
    }


def _split_metadata(text: str) -> tuple[dict[str, str], str, int]:
    meta: dict[str, str] = {}
    lines = text.splitlines(keepends=True)
    skipped = 0
    for raw in lines:
        stripped = raw.strip()
        if stripped.startswith("#"):
            key, sep, value = stripped.lstrip("#").partition(":")
            if sep:
                meta[key.strip().lower()] = value.strip()
            skipped += 1
        elif not stripped and skipped == len(meta) and skipped:
            skipped += 1
        else:
            break
    return meta, "".join(lines[skipped:]), skipped


def load_list(
    path: Path,
    list_id: str | None = None,
    name: str | None = None,
    version: str | None = None,
    source: str | None = None,
    tiered: bool | None = None,
) -> ControlledList:
    """Read a controlled list CSV; every bad line raises ``ParseError`` with file and line."""
    path = Path(path)
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise InputError(f"cannot read controlled list: {exc.strerror}", file=str(path)) from exc
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise ParseError("controlled list is not UTF-8 text", file=str(path)) from exc
    meta, body, offset = _split_metadata(text)
    reader = csv.DictReader(io.StringIO(body))
    fields = [f.strip().lower() for f in (reader.fieldnames or [])]
    reader.fieldnames = fields
    code_col = "code" if "code" in fields else ("hs6" if "hs6" in fields else None)
    if code_col is None:
        raise ParseError(
            "controlled list needs a 'code' (or 'hs6') column; found: " + ", ".join(fields),
            file=str(path),
            line=offset + 1,
        )
    cat_col = "category" if "category" in fields else ("tier" if "tier" in fields else None)
    lid = list_id or meta.get("id") or path.stem
    entries: list[ListEntry] = []
    seen: set[str] = set()
    for n, row in enumerate(reader, start=offset + 2):
        value = (row.get(code_col) or "").strip()
        if not value:
            raise ParseError("empty code", file=str(path), line=n, field=code_col)
        try:
            code = normalize_code(value)
        except InputError as exc:
            raise ParseError(exc.message, file=str(path), line=n, field=code_col) from exc
        if code.digits in seen:
            continue
        seen.add(code.digits)
        entries.append(
            ListEntry(
                list_id=lid,
                code=code.digits,
                description=(row.get("description") or "").strip(),
                category=(row.get(cat_col) or "").strip() if cat_col else "",
                source=(row.get("source") or "").strip(),
                line=n,
            )
        )
    is_tiered = tiered if tiered is not None else any(tier_of(e.category) for e in entries)
    return ControlledList(
        id=lid,
        name=name or meta.get("name") or lid,
        version=version or meta.get("version") or "sha256:" + hashlib.sha256(raw).hexdigest()[:12],
        source=source or meta.get("source") or str(path),
        entries=entries,
        file=str(path),
        tiered=is_tiered,
    )


def shipped_lists() -> list[ControlledList]:
    """The lists described in ``data/lists.yaml``."""
    manifest = yaml.safe_load(MANIFEST.read_text(encoding="utf-8"))
    out = []
    for item in manifest["lists"]:
        out.append(
            load_list(
                DATA_DIR / item["file"],
                list_id=item["id"],
                name=item["name"],
                version=str(item["version"]),
                source=" ".join(str(item["source"]).split()),
                tiered=bool(item.get("tiered", False)),
            )
        )
    return out


class ControlIndex:
    """Fast control status lookups over several lists (prefix index)."""

    def __init__(self, lists: Sequence[ControlledList]) -> None:
        self.lists = list(lists)
        self._by_code: dict[str, list[ListHit]] = {}
        for clist in self.lists:
            for entry in clist.entries:
                tier = tier_of(entry.category) if clist.tiered else None
                hit = ListHit(clist.id, clist.name, entry.code, entry.category, tier)
                self._by_code.setdefault(entry.code, []).append(hit)
        self._cache: dict[str, ControlStatus] = {}

    def status(self, code: object) -> ControlStatus:
        hs = normalize_code(code)
        cached = self._cache.get(hs.digits)
        if cached is not None:
            return cached
        result = ControlStatus(hs)
        for prefix in hs.prefixes():
            result.hits.extend(self._by_code.get(prefix, ()))
        if not result.hits:
            for listed, hits in self._by_code.items():
                if len(listed) > len(hs.digits) and listed.startswith(hs.digits):
                    result.partial.extend(hits)
        self._cache[hs.digits] = result
        return result

    def versions(self) -> dict[str, str]:
        return {c.id: c.version for c in self.lists}


def build_index(extra: Iterable[Path] = (), include_shipped: bool = True) -> ControlIndex:
    lists = shipped_lists() if include_shipped else []
    lists.extend(load_list(Path(p)) for p in extra)
    return ControlIndex(lists)


@lru_cache(maxsize=1)
def default_index() -> ControlIndex:
    return build_index()


def control_status(code: object, index: ControlIndex | None = None) -> ControlStatus:
    """Control status of a code against the shipped lists (or ``index``)."""
    return (index or default_index()).status(code)
