"""Use cases: screen a payment message and turn held or rejected payments into review cases.

:func:`screen_payment` is the service path (``POST /v1/payments/screen``): screen, audit,
open a case keyed by the message's SHA-256. :func:`open_payment_case` is the CLI path
(``payments screen --cases``): one case per message, whose query is the message summary
(id, format, amount, sender) and whose candidates are the findings that stopped it (listed
entity id where there is one, else the check, role and subject). The idempotency key
(format, sender BIC, message id) makes re-screening the same message find its case instead
of opening another.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

from circumspect.cases import open_case
from circumspect.cases.service import CaseOutcome
from circumspect.cases.types import CaseKind, JsonObject
from circumspect.payments import screen_message
from circumspect.payments.model import PaymentDecision
from circumspect.services.records import with_records
from circumspect.services.runtime import Runtime
from circumspect.services.screening import CaseRef, case_ref


@dataclass(frozen=True, slots=True)
class PaymentOutcome:
    """A screened message, the list versions it was screened against, and its case."""

    decision: PaymentDecision
    snapshots: dict[str, str]
    sha256: str
    case: CaseRef | None


def screen_payment(rt: Runtime, actor: str, raw: bytes) -> PaymentOutcome:
    """Screen one raw message (ISO 20022 XML or SWIFT MT), audit it, and open (or find) a
    payment case when the decision is ``hold`` or ``reject``."""
    screener, snaps = rt.screener()
    decision = screen_message(raw, screener)
    digest = hashlib.sha256(raw).hexdigest()
    rt.cases.audit(
        actor,
        "payment.screen",
        "payment",
        {
            "message_id": decision.message_id,
            "format": decision.format,
            "decision": decision.decision,
            "sha256": digest,
            "snapshots": snaps,
        },
    )
    case = None
    if decision.decision in ("hold", "reject"):
        flags: list[JsonObject] = [
            {
                "entity_id": f.entity_id or f"{f.check}:{f.role or ''}:{f.subject or ''}",
                "score": f.score or 1.0,
                "alert": True,
                "caption": f.subject or "",
                "explanation": f.text or "",
                "check": f.check,
                "severity": f.severity,
                "role": f.role,
            }
            for f in decision.flags
        ]
        query: JsonObject = {
            "message_id": decision.message_id,
            "format": decision.format,
            "sha256": digest,
        }
        outcome = rt.cases.open_case(
            CaseKind.PAYMENT,
            query,
            with_records(rt.store(), flags)
            or [{"id": "decision", "score": 1.0, "explanation": decision.explanation}],
            snapshot_ids=snaps,
            actor=actor,
            summary=str(decision.explanation or "")[:2000],
            idem_key=f"payment:{digest}",
        )
        case = case_ref(outcome)
    return PaymentOutcome(decision, snaps, digest, case)


def case_request(
    decision: PaymentDecision, file: str | None = None
) -> tuple[JsonObject, list[JsonObject], str] | None:
    """(query, candidates, idempotency key) for a held or rejected message, else None."""
    if decision.decision not in ("hold", "reject"):
        return None
    message = decision.message
    sender = None
    if message is not None:
        sender = next((a.bic for a in message.agents if a.role == "sender"), None) or next(
            (a.bic for a in message.all_agents() if a.role == "debtor_agent" and a.bic), None
        )
    query: JsonObject = {
        "message_id": decision.message_id,
        "format": decision.format,
        "decision": decision.decision,
        "sender": sender,
        "amount": str(message.amount) if message is not None else None,
        "currency": message.currency if message is not None else None,
        "file": file,
    }
    candidates: list[JsonObject] = [
        {
            "entity_id": f.entity_id or f"{f.check}:{f.role}:{f.subject}",
            "score": f.score if f.score is not None else 1.0,
            "explanation": f.text,
            "flag": f.code,
            "severity": f.severity,
        }
        for f in decision.flags
        if f.severity != "info"
    ]
    key = f"payment:{decision.format}:{sender or '-'}:{decision.message_id}"
    return query, candidates, key


def open_payment_case(
    decision: PaymentDecision,
    *,
    file: str | None = None,
    db_url: str | None = None,
    actor: str = "system",
) -> CaseOutcome | None:
    """Open (or find) the review case of a held or rejected message; None for others."""
    request = case_request(decision, file)
    if request is None:
        return None
    query, candidates, key = request
    from circumspect.store import open_store

    store = open_store(db_url)
    try:
        candidates = with_records(store, candidates)
    finally:
        store.close()
    return open_case(
        CaseKind.PAYMENT,
        query,
        candidates,
        actor=actor,
        summary=decision.explanation[:500],
        idem_key=key,
        db_url=db_url,
    )
