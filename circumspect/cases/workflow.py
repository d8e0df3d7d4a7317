"""Screenings, parties, cases and decisions of the case store."""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping, Sequence
from typing import Any

from sqlalchemy import func, or_, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from circumspect.cases.audit import AuditEntry, PartyRow, ScreeningWrite
from circumspect.cases.common import (
    CandidateLike,
    CaseOutcome,
    CaseSpec,
    CaseStateError,
    candidate_dict,
    candidate_key,
    case_priority,
    is_alert,
    iso,
    now,
    query_key,
)
from circumspect.cases.models import (
    Case,
    DecisionRecord,
    Party,
    Suppression,
)
from circumspect.cases.types import (
    CaseDetail,
    CaseKind,
    CaseStatus,
    CaseSummary,
    Decision,
    DecisionEntry,
    JsonObject,
    JsonValue,
    parse_enum,
)
from circumspect.cases.users import Users
from circumspect.errors import InputError, NotFoundError


class CaseWorkflow(Users):
    """Screenings, parties, cases and decisions of the case store."""

    # -- parties -----------------------------------------------------------------------
    def record_screening(
        self,
        actor: str,
        queries: Sequence[Mapping[str, JsonValue]],
        results: Sequence[Sequence[CandidateLike]],
        snapshot_ids: Mapping[str, str],
        *,
        open_cases: bool = True,
        idem_keys: Sequence[str | None] | None = None,
    ) -> list[CaseOutcome]:
        """Remember screened parties, audit the screening, open cases for alerts.

        One transaction for the audit record and the parties; one per opened case (each with
        its own audit record), so a crash loses no acknowledged case and a retry with the same
        idempotency keys creates none twice.
        """
        keys = [query_key(q) for q in queries]
        scoped = self._scoped_keys(actor, idem_keys, keys)
        alerts = 0
        outcomes: list[CaseOutcome] = []
        for cands in results:
            alerts += sum(1 for c in cands if is_alert(c))
        stamp = now()
        parties = {
            key: PartyRow(
                key,
                {k: v for k, v in query.items() if k not in ("query_id", "idempotency_key")},
                stamp,
            )
            for query, key in zip(queries, keys, strict=True)
        }
        entry = AuditEntry(
            actor,
            "screen",
            "screening",
            {
                "queries": len(queries),
                "query_keys": keys[:1000],
                "alerts": alerts,
                "snapshots": dict(snapshot_ids),
            },
        )
        # Group commit: concurrent requests' parties and records share one transaction; this
        # returns once the one holding this request's record has committed (docs/service.md).
        self._screenings.submit(ScreeningWrite(list(parties.values()), entry))
        if not open_cases:
            return [CaseOutcome("none", None) for _ in queries]
        specs = []
        for i, (query, cands) in enumerate(zip(queries, results, strict=True)):
            alerting = [candidate_dict(c) for c in cands if is_alert(c)]
            specs.append(CaseSpec(CaseKind.PARTY, query, alerting, idem_key=scoped[i]))
        outcomes.extend(self.open_cases(specs, snapshot_ids=snapshot_ids, actor=actor))
        return outcomes

    def _scoped_keys(
        self, actor: str, idem_keys: Sequence[str | None] | None, query_keys: Sequence[str]
    ) -> list[str | None]:
        """Per-party idempotency keys scoped to the user, checked before anything is written:
        a key that already names a case of another query is refused (409), never answered."""
        from circumspect.cases.idempotency import conflict, scoped_key

        given = list(idem_keys) if idem_keys else [None] * len(query_keys)
        scoped = [scoped_key(actor, k) if k else None for k in given]
        wanted = {k: q for k, q in zip(scoped, query_keys, strict=True) if k is not None}
        if len(wanted) < sum(1 for k in scoped if k is not None):
            raise conflict("for two parties of this request")
        if wanted:
            with self._read.begin() as session:
                rows = session.execute(
                    select(Case.idem_key, Case.query_key).where(Case.idem_key.in_(list(wanted)))
                ).all()
            for idem, qkey in rows:
                if qkey != wanted[str(idem)]:
                    index = scoped.index(idem)
                    raise conflict(f"for another party (item {index})")
        return scoped

    # -- cases -------------------------------------------------------------------------
    def _hashes_for(self, keys: Iterable[str], given: Mapping[str, str] | None) -> dict[str, str]:
        out: dict[str, str] = {}
        for key in keys:
            value = (given or {}).get(key)
            if value is None and self.entity_hash_lookup is not None:
                value = self.entity_hash_lookup(key)
            out[key] = value or ""
        return out

    def open_case(
        self,
        kind: CaseKind | str,
        query: Mapping[str, JsonValue],
        candidates: Sequence[CandidateLike],
        *,
        snapshot_ids: Mapping[str, str] | None = None,
        actor: str = "system",
        summary: str = "",
        idem_key: str | None = None,
        entity_hashes: Mapping[str, str] | None = None,
    ) -> CaseOutcome:
        """Open (or find, reopen, suppress) the case for an alert.

        ``candidates`` are the alerting candidates (screening ``Candidate`` objects or dicts;
        declaration and payment flags are dicts with an ``id`` or ``rule``). A candidate whose
        (query, entity) pair was reviewed as a false positive stays suppressed while the
        entity's list record hash is unchanged; a changed record reopens that case.
        """
        kind = parse_enum(CaseKind, kind, "kind")
        cands = [candidate_dict(c) for c in candidates]
        if not cands:
            return CaseOutcome("none", None)
        qkey = query_key(query)
        keys = [candidate_key(c, i) for i, c in enumerate(cands)]
        hashes = self._hashes_for(keys, entity_hashes)
        snaps = dict(snapshot_ids or {})
        try:
            return self._open_case_tx(
                kind, dict(query), cands, keys, hashes, qkey, snaps, actor, summary, idem_key
            )
        except IntegrityError:
            # A concurrent request with the same idempotency key won the race.
            if idem_key is None:
                raise
            with self._read.begin() as session:
                row = session.execute(
                    select(Case.id, Case.query_key).where(Case.idem_key == idem_key)
                ).one()
            return self._existing_by_key(int(row.id), str(row.query_key), qkey)

    def open_cases(
        self,
        specs: Sequence[CaseSpec],
        *,
        snapshot_ids: Mapping[str, str] | None = None,
        actor: str = "system",
        max_cases: int | None = None,
    ) -> list[CaseOutcome]:
        """Open the cases of one request together: all in ONE transaction (every case and
        its audit record commit together, or none), at most ``max_cases`` alerting items
        (``LimitError``, HTTP 413, before anything is written; default
        ``CIRCUMSPECT_BATCH_MAX_CASES``). A spec without candidates gives ``none``."""
        from circumspect import settings
        from circumspect.errors import LimitError

        limit = settings.get_int("CIRCUMSPECT_BATCH_MAX_CASES") if max_cases is None else max_cases
        alerting = sum(1 for spec in specs if spec.candidates)
        if alerting > limit:
            raise LimitError(
                f"this request would open up to {alerting:,} cases, more than the limit of "
                f"{limit:,} per request (CIRCUMSPECT_BATCH_MAX_CASES); nothing was opened, "
                "split the request"
            )
        snaps = dict(snapshot_ids or {})
        prepared: list[_Prepared | None] = []
        for spec in specs:
            kind = parse_enum(CaseKind, spec.kind, "kind")
            cands = [candidate_dict(c) for c in spec.candidates]
            if not cands:
                prepared.append(None)
                continue
            keys = [candidate_key(c, i) for i, c in enumerate(cands)]
            hashes = self._hashes_for(keys, spec.entity_hashes)
            prepared.append(
                (
                    kind,
                    dict(spec.query),
                    cands,
                    keys,
                    hashes,
                    query_key(spec.query),
                    snaps,
                    actor,
                    spec.summary,
                    spec.idem_key,
                )
            )
        try:
            with self._write.begin() as session:
                return [
                    CaseOutcome("none", None)
                    if args is None
                    else self._open_case_in(session, *args)
                    for args in prepared
                ]
        except IntegrityError:
            # A concurrent request with the same idempotency keys committed first: nothing of
            # this transaction was written; resolve each item on its own against that one.
            return [
                CaseOutcome("none", None)
                if args is None
                else self.open_case(
                    spec.kind,
                    spec.query,
                    spec.candidates,
                    snapshot_ids=snaps,
                    actor=actor,
                    summary=spec.summary,
                    idem_key=spec.idem_key,
                    entity_hashes=spec.entity_hashes,
                )
                for spec, args in zip(specs, prepared, strict=True)
            ]

    @staticmethod
    def _existing_by_key(case_id: int, case_query: str, qkey: str) -> CaseOutcome:
        """The case an idempotency key names, only when it is the case of this very query."""
        if case_query != qkey:
            from circumspect.cases.idempotency import conflict

            raise conflict(f"for case {case_id} of another query")
        return CaseOutcome("existing", case_id)

    def _open_case_tx(
        self,
        kind: CaseKind,
        query: JsonObject,
        cands: list[JsonObject],
        keys: list[str],
        hashes: dict[str, str],
        qkey: str,
        snaps: dict[str, str],
        actor: str,
        summary: str,
        idem_key: str | None,
    ) -> CaseOutcome:
        with self._write.begin() as session:
            return self._open_case_in(
                session, kind, query, cands, keys, hashes, qkey, snaps, actor, summary, idem_key
            )

    def _open_case_in(
        self,
        session: Session,
        kind: CaseKind,
        query: JsonObject,
        cands: list[JsonObject],
        keys: list[str],
        hashes: dict[str, str],
        qkey: str,
        snaps: dict[str, str],
        actor: str,
        summary: str,
        idem_key: str | None,
    ) -> CaseOutcome:
        if idem_key is not None:
            found = session.execute(
                select(Case.id, Case.query_key).where(Case.idem_key == idem_key)
            ).one_or_none()
            if found is not None:
                return self._existing_by_key(int(found.id), str(found.query_key), qkey)
        suppressed: list[str] = []
        reopened: list[int] = []
        covered: set[str] = set()
        rows = (
            session.execute(
                select(Suppression).where(
                    Suppression.query_key == qkey, Suppression.entity_id.in_(keys)
                )
            )
            .scalars()
            .all()
        )
        for sup in rows:
            if sup.entity_hash == hashes.get(sup.entity_id, ""):
                suppressed.append(sup.entity_id)
                continue
            case = session.get(Case, sup.case_id)
            session.delete(sup)
            if case is None:
                continue
            if case.status == CaseStatus.CLOSED:
                case.status = CaseStatus.OPEN.value
                case.decision = None
                case.decision_reason = None
                case.decided_by = None
                case.decided_at = None
                case.candidates = cands
                case.entity_hashes = {**case.entity_hashes, **hashes}
                case.snapshot_ids = snaps or case.snapshot_ids
                case.updated_at = now()
                self._audit(
                    session,
                    actor,
                    "case.reopen",
                    f"case:{case.id}",
                    {
                        "entity_id": sup.entity_id,
                        "old_hash": sup.entity_hash,
                        "new_hash": hashes.get(sup.entity_id, ""),
                        "reason": "list record changed",
                        "snapshots": snaps,
                    },
                )
                reopened.append(case.id)
            covered.update(candidate_key(c, i) for i, c in enumerate(case.candidates))
        remaining = [k for k in keys if k not in suppressed and k not in covered]
        if not remaining:
            if reopened:
                return CaseOutcome("reopened", reopened[0], suppressed, reopened)
            return CaseOutcome("suppressed", None, suppressed, reopened)
        existing = (
            session.execute(
                select(Case).where(
                    Case.query_key == qkey,
                    Case.kind == kind,
                    Case.status.in_((CaseStatus.OPEN.value, CaseStatus.ESCALATED.value)),
                )
            )
            .scalars()
            .all()
        )
        for case in existing:
            have = {candidate_key(c, i) for i, c in enumerate(case.candidates)}
            if set(remaining) <= have:
                return CaseOutcome("existing", case.id, suppressed, reopened)
        kept = [c for c, k in zip(cands, keys, strict=True) if k in remaining]
        top = max(kept, key=_score)
        stamp = now()
        case = Case(
            kind=kind.value,
            status=CaseStatus.OPEN.value,
            query_key=qkey,
            query=query,
            summary=summary,
            candidates=kept,
            entity_hashes={k: hashes.get(k, "") for k in remaining},
            snapshot_ids=snaps,
            top_score=_score(top),
            top_caption=str(top.get("caption") or top.get("text") or "")[:500],
            idem_key=idem_key,
            created_by=actor,
            created_at=stamp,
            updated_at=stamp,
        )
        session.add(case)
        session.flush()
        self._audit(
            session,
            actor,
            "case.open",
            f"case:{case.id}",
            {
                "kind": kind.value,
                "query_key": qkey,
                "entities": remaining,
                "snapshots": snaps,
                "top_score": case.top_score,
                "suppressed": suppressed,
            },
        )
        return CaseOutcome("opened", case.id, suppressed, reopened)

    def decide(self, case_id: int, decision: Decision | str, reason: str, actor: str) -> CaseDetail:
        """Record an analyst's decision (true_match, false_positive, escalate) with a reason."""
        decision = parse_enum(Decision, decision, "decision")
        reason = reason.strip()
        if not reason:
            raise InputError("a decision needs a reason", field="reason")
        with self._write.begin() as session:
            case = session.get(Case, case_id)
            if case is None:
                raise NotFoundError(f"no case {case_id}", record=str(case_id))
            if case.status == CaseStatus.CLOSED:
                raise CaseStateError(
                    f"case {case_id} is closed ({case.decision}); it reopens when the list "
                    "record changes",
                    record=str(case_id),
                )
            stamp = now()
            case.decision = decision.value
            case.decision_reason = reason
            case.decided_by = actor
            case.decided_at = stamp
            case.updated_at = stamp
            status = CaseStatus.ESCALATED if decision == Decision.ESCALATE else CaseStatus.CLOSED
            case.status = status.value
            session.add(
                DecisionRecord(
                    case_id=case.id, decision=decision.value, reason=reason, actor=actor, at=stamp
                )
            )
            suppressed: list[str] = []
            if decision == Decision.FALSE_POSITIVE:
                for key, digest in case.entity_hashes.items():
                    old = session.execute(
                        select(Suppression).where(
                            Suppression.query_key == case.query_key,
                            Suppression.entity_id == key,
                        )
                    ).scalar_one_or_none()
                    if old is not None:
                        session.delete(old)
                        session.flush()
                    session.add(
                        Suppression(
                            query_key=case.query_key,
                            entity_id=key,
                            entity_hash=digest,
                            case_id=case.id,
                            created_at=stamp,
                        )
                    )
                    suppressed.append(key)
            self._audit(
                session,
                actor,
                "case.decide",
                f"case:{case.id}",
                {
                    "decision": decision.value,
                    "reason": reason,
                    "status": case.status,
                    "suppressed": suppressed,
                    "snapshots": case.snapshot_ids,
                },
            )
            session.flush()
            return self._case_detail(session, case)

    @staticmethod
    def _case_head(case: Case) -> dict[str, Any]:
        """The fields every view of a case shares, read from its row (its stored strings
        parsed into the enums: a value outside them fails here, never passes on)."""
        return {
            "id": case.id,
            "kind": CaseKind(case.kind),
            "status": CaseStatus(case.status),
            "decision": None if case.decision is None else Decision(case.decision),
            "decision_reason": case.decision_reason,
            "decided_by": case.decided_by,
            "decided_at": iso(case.decided_at),
            "query": case.query,
            "summary": case.summary,
            "top_score": case.top_score,
            "top_caption": case.top_caption,
            "created_by": case.created_by,
            "created_at": iso(case.created_at),
            "updated_at": iso(case.updated_at),
            "snapshot_ids": case.snapshot_ids,
            "priority": case_priority(case.candidates),
        }

    def _case_detail(self, session: Session, case: Case) -> CaseDetail:
        rows = (
            session.execute(
                select(DecisionRecord)
                .where(DecisionRecord.case_id == case.id)
                .order_by(DecisionRecord.id)
            )
            .scalars()
            .all()
        )
        history = [DecisionEntry(Decision(r.decision), r.reason, r.actor, iso(r.at)) for r in rows]
        return CaseDetail(
            **self._case_head(case),
            candidates=case.candidates,
            entity_hashes=case.entity_hashes,
            history=history,
        )

    def get_case(self, case_id: int) -> CaseDetail:
        with self._read.begin() as session:
            case = session.get(Case, case_id)
            if case is None:
                raise NotFoundError(f"no case {case_id}", record=str(case_id))
            return self._case_detail(session, case)

    def list_cases(
        self,
        *,
        status: CaseStatus | str | None = None,
        kind: CaseKind | str | None = None,
        search: str | None = None,
        limit: int = 50,
        offset: int = 0,
    ) -> tuple[list[CaseSummary], int]:
        stmt = select(Case)
        # a filter outside the vocabulary is an error naming it, never an empty listing
        if status:
            stmt = stmt.where(Case.status == parse_enum(CaseStatus, status, "status").value)
        if kind:
            stmt = stmt.where(Case.kind == parse_enum(CaseKind, kind, "kind").value)
        if search:
            pattern = f"%{search.strip()}%"
            stmt = stmt.where(or_(Case.top_caption.ilike(pattern), Case.summary.ilike(pattern)))
        with self._read.begin() as session:
            total = session.execute(select(func.count()).select_from(stmt.subquery())).scalar_one()
            rows = (
                session.execute(stmt.order_by(Case.id.desc()).limit(limit).offset(offset))
                .scalars()
                .all()
            )
            items = [
                CaseSummary(**self._case_head(case), candidate_count=len(case.candidates))
                for case in rows
            ]
            return items, int(total)

    def count_cases(self) -> dict[str, int]:
        with self._read.begin() as session:
            rows = session.execute(select(Case.status, func.count()).group_by(Case.status)).all()
            return {str(status): int(n) for status, n in rows}

    def parties(self) -> Iterator[JsonObject]:
        with self._read.begin() as session:
            for party in session.execute(select(Party)).scalars():
                yield dict(party.query)


#: What ``open_cases`` prepares for ``_open_case_in`` per alerting spec.
_Prepared = tuple[
    CaseKind,
    JsonObject,
    list[JsonObject],
    list[str],
    dict[str, str],
    str,
    dict[str, str],
    str,
    str,
    str | None,
]


def _score(candidate: Mapping[str, JsonValue]) -> float:
    value = candidate.get("score") or 0.0
    if isinstance(value, int | float | str):
        return float(value)
    raise InputError(f"a candidate's score must be a number, not {value!r}", field="score")
