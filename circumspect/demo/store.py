"""Demo step: load the bundled demo lists into the store and show versions and a diff.

1. An "previous publication" of the demo OFAC SDN list is generated in ``ctx.out/store``
   from the shipped one (ARLAN TRADE LLP not yet listed; TIMCHENKO without the
   RUSSIA-EO14024 program) and loaded first.
2. Every demo list under ``circumspect/data/demo/lists/<source>/`` is loaded into the store
   at ``settings.db_url()`` (so the shipped OFAC list becomes the active, newer snapshot).
3. ``lists status`` and ``lists diff ofac_sdn`` are written to ``ctx.out/store`` and
   summarised; ``ctx.shared["db_url"]`` tells later steps where the lists are.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

from circumspect import settings
from circumspect.demo.context import DemoContext
from circumspect.errors import CircumspectError
from circumspect.model.entities import SOURCES
from circumspect.store import open_store
from circumspect.store.loading import LoadReport, load_paths

#: OFAC ent_num of the entry the "previous publication" does not have yet, and of the one
#: whose programs it lacks.
_NEW_ENTRY = b"90001"
_CHANGED_ENTRY = b"16666"
_LATER_PROGRAM = b"] [RUSSIA-EO14024"


def _row_id(row: bytes) -> bytes:
    return row.split(b",", 1)[0].strip().strip(b'"')


def previous_ofac(shipped: Path, target: Path) -> Path:
    """A copy of the shipped OFAC CSV set as it might have been one publication earlier."""
    if target.exists():
        shutil.rmtree(target)
    shutil.copytree(shipped, target)
    for path in target.iterdir():
        path.chmod(0o644)
    sdn = target / "sdn.csv"
    data = sdn.read_bytes()
    tail = b"\x1a" if data.endswith(b"\x1a") else b""
    rows = [r for r in data.rstrip(b"\x1a").split(b"\r\n") if r.strip()]
    ids = [_row_id(r) for r in rows]
    drop = ids.index(_NEW_ENTRY) if _NEW_ENTRY in ids else len(rows) - 1
    if _CHANGED_ENTRY in ids:
        index = ids.index(_CHANGED_ENTRY)
        rows[index] = rows[index].replace(_LATER_PROGRAM, b"", 1)
    del rows[drop]
    sdn.write_bytes(b"\r\n".join(rows) + b"\r\n" + tail)
    return target


def run(ctx: DemoContext) -> str:
    out: Path = ctx.out / "store"
    out.mkdir(parents=True, exist_ok=True)
    url = settings.db_url()
    lists_dir: Path = ctx.data / "lists"
    store = open_store(url)
    reports: list[LoadReport] = []
    problems: list[str] = []
    try:
        shipped_ofac = lists_dir / "ofac_sdn"
        if shipped_ofac.is_dir() and any(shipped_ofac.iterdir()):
            older = previous_ofac(shipped_ofac, out / "ofac_sdn-previous")
            load_paths(store, "ofac_sdn", sorted(older.iterdir()))
        for source in SOURCES:
            folder = lists_dir / source
            files = sorted(p for p in folder.iterdir() if p.is_file()) if folder.is_dir() else []
            if not files:
                continue
            try:
                reports.append(load_paths(store, source, files))
            except CircumspectError as exc:
                problems.append(f"{source}: {exc}")
        status = {s: _snap(v) for s, v in store.active_snapshots().items()}
        (out / "status.json").write_text(json.dumps(status, indent=2), encoding="utf-8")
        diff_text = "no OFAC demo list"
        if "ofac_sdn" in status:
            diff = store.diff("ofac_sdn")
            changes = [
                {
                    "entity_id": c.entity_id,
                    "kind": c.kind,
                    "caption": c.caption,
                    "properties": c.properties,
                }
                for c in diff.changes
            ]
            (out / "diff-ofac_sdn.json").write_text(
                json.dumps(
                    {"from": diff.from_snapshot, "to": diff.to_snapshot, "changes": changes},
                    indent=2,
                    ensure_ascii=False,
                ),
                encoding="utf-8",
            )
            counts = diff.counts()
            described = "; ".join(
                f"{c.kind} {c.caption}" + (f" ({', '.join(c.properties)})" if c.properties else "")
                for c in diff.changes[:4]
            )
            diff_text = (
                f"ofac_sdn snapshot {diff.from_snapshot} -> {diff.to_snapshot}: "
                f"{counts['added']} added, {counts['removed']} removed, "
                f"{counts['changed']} changed: {described}"
            )
    finally:
        store.close()
    ctx.shared["db_url"] = url
    loaded = ", ".join(f"{r.source} {r.snapshot.entity_count}" for r in reports)
    total = sum(r.snapshot.entity_count for r in reports)
    lines = [
        f"loaded {len(reports)} demo lists ({loaded}; {total} entities) into "
        f"{url.split('://', 1)[0]} store",
        diff_text,
        f"status and diff written to {out}",
    ]
    if problems:
        lines.append("FAILED to load: " + " | ".join(problems))
    return "\n   ".join(lines)


def _snap(snapshot: Any) -> dict[str, Any]:
    return {
        "id": snapshot.id,
        "loaded_at": snapshot.loaded_at.isoformat(),
        "entity_count": snapshot.entity_count,
        "checksum": snapshot.checksum,
    }
