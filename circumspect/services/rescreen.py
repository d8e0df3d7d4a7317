"""Use case: re-screen remembered parties against the entities changed by the newest load."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from circumspect.cases.service import RescreenReport
from circumspect.model.entities import ListedEntity
from circumspect.model.screening import PartyScreener
from circumspect.services.runtime import Runtime


def rescreen_parties(
    rt: Runtime, actor: str, sources: Sequence[str] | None = None
) -> RescreenReport:
    """Re-screen every stored party against the added and changed entities of ``sources``
    (default: every active source); changed entities reopen suppressed cases.

    A runtime built with a fixed screener (tests, embedders) re-screens with a screener of
    the same class over the changed entities; otherwise the matcher's default is used.
    """
    factory: Callable[[list[ListedEntity]], PartyScreener] | None = None
    if rt.config.screener is not None:
        fixed: Any = type(rt.config.screener)

        def factory(entities: list[ListedEntity]) -> PartyScreener:
            screener: PartyScreener = fixed(entities)
            return screener

    return rt.cases.rescreen(rt.store(), sources=sources, actor=actor, screener_factory=factory)
