"""``/v1/ownership/{party}``: the ownership graph around a party, each rule's finding with its
proof, and the relationships the lists state (``docs/ownership.md``)."""

from __future__ import annotations

from typing import Any

from circumspect.api.deps import RuntimeDep, role, v1_router
from circumspect.errors import NotFoundError

router = v1_router(tags=["ownership"])


@router.get("/ownership/{party}", openapi_extra=role("viewer"))
def ownership(party: str, rt: RuntimeDep) -> list[dict[str, Any]]:
    """The party (a listed id, a BIN/IIN/INN/OGRN/LEI, or an exact name): owners, holdings,
    each rule's aggregate with the chains that make it up, and the lists' statements."""
    view = rt.ownership_view()
    nodes = view.resolve(party)
    if not nodes:
        raise NotFoundError(f"{party!r} is in no ownership dataset and is no listed id")
    return [view.explain_data(node) for node in nodes]
