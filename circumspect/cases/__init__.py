"""Cases: alerts, review decisions, suppression, re-screening and the audit chain.

``open_case(...)`` is how other areas (screening, declarations, payments) turn an alert into
a case; they never write case tables themselves.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from circumspect.cases.common import CandidateLike
    from circumspect.cases.service import CaseOutcome
    from circumspect.cases.types import CaseKind, JsonValue


def open_case(
    kind: CaseKind | str,
    query: Mapping[str, JsonValue],
    candidates: Sequence[CandidateLike],
    *,
    snapshot_ids: Mapping[str, str] | None = None,
    actor: str = "system",
    summary: str = "",
    idem_key: str | None = None,
    entity_hashes: Mapping[str, str] | None = None,
    db_url: str | None = None,
) -> CaseOutcome:
    """Open a case for an alert (``kind``: party | declaration | payment).

    ``query`` is what was screened (a party's fields, a declaration row, a payment's
    summary); ``candidates`` the alerting hits or flags (``Candidate`` objects or dicts with
    ``entity_id``/``id``/``rule``, ``score`` and an explanation). Returns a ``CaseOutcome``
    (``opened``, ``existing``, ``reopened`` or ``suppressed``, with the case id).
    """
    from circumspect.cases.service import get_service

    return get_service(db_url).open_case(
        kind,
        query,
        candidates,
        snapshot_ids=snapshot_ids,
        actor=actor,
        summary=summary,
        idem_key=idem_key,
        entity_hashes=entity_hashes,
    )


__all__ = ["open_case"]
