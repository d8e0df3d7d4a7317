"""``/v1/lists``: active list versions, snapshots, diffs, and re-screening (admin)."""

from __future__ import annotations

import dataclasses
from typing import Any

from fastapi import Query

from circumspect.api import schemas as s
from circumspect.api.deps import RuntimeDep, UserDep, role, v1_router
from circumspect.errors import NotFoundError
from circumspect.services.rescreen import rescreen_parties
from circumspect.store.base import Snapshot

router = v1_router(tags=["lists"])


@router.get("/lists", response_model=s.ListsOut, openapi_extra=role("viewer"))
def lists(rt: RuntimeDep) -> dict[str, Any]:
    """Active list versions (one snapshot per source)."""
    snaps = sorted(rt.store().active_snapshots().values(), key=lambda x: x.source)
    return {"active": [snapshot_out(x) for x in snaps]}


@router.get(
    "/lists/{source}/snapshots",
    response_model=list[s.SnapshotOut],
    openapi_extra=role("viewer"),
)
def list_snapshots(source: str, rt: RuntimeDep) -> list[dict[str, Any]]:
    """Every snapshot of a source, newest first (staged ones included); 404 for a source
    that is neither a known list nor has snapshots."""
    from circumspect.errors import NotFoundError
    from circumspect.model.entities import SOURCES

    snaps = rt.store().snapshots(source)
    if not snaps and source not in SOURCES:
        raise NotFoundError(f"no list {source!r}; see GET /v1/lists", field="source")
    return [snapshot_out(x) for x in snaps]


@router.get("/lists/{source}/diff", response_model=s.DiffOut, openapi_extra=role("viewer"))
def list_diff(
    source: str,
    rt: RuntimeDep,
    from_id: str | None = Query(None, alias="from", max_length=200),
    to_id: str | None = Query(None, alias="to", max_length=200),
    limit: int = Query(500, ge=1, le=10000),
) -> dict[str, Any]:
    """Changes between two snapshots of a source (default: previous vs active)."""
    store = rt.store()
    known = {x.id for x in store.snapshots(source)}
    if not known:
        raise NotFoundError(f"no snapshots of source {source!r}", field="source")
    for name, value in (("from", from_id), ("to", to_id)):
        if value is not None and value not in known:
            raise NotFoundError(f"no snapshot {value!r} of {source}", field=name)
    diff = store.diff(source, from_id, to_id)
    return {
        "source": diff.source,
        "from_snapshot": diff.from_snapshot,
        "to_snapshot": diff.to_snapshot,
        "counts": diff.counts(),
        "changes": [dataclasses.asdict(c) for c in diff.changes[:limit]],
    }


@router.post("/lists/rescreen", openapi_extra=role("admin"))
def rescreen(body: s.RescreenIn, rt: RuntimeDep, user: UserDep) -> dict[str, Any]:
    """Re-screen stored parties against the entities changed by the newest load."""
    return rescreen_parties(rt, user.name, body.sources).to_dict()


def snapshot_out(x: Snapshot) -> dict[str, Any]:
    return {
        "id": x.id,
        "source": x.source,
        "loaded_at": x.loaded_at.isoformat(),
        "checksum": x.checksum,
        "entity_count": x.entity_count,
        "active": x.active,
        "files": list(x.files),
    }
