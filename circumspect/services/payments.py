"""Held and rejected payments become review cases (``circumspect.cases.open_case``).

One case per message: the query is the message summary (id, format, amount, sender), the
candidates are the findings that stopped it (listed entity id where there is one, else the
check, role and subject). The idempotency key (format, sender BIC, message id) makes
re-screening the same message find its case instead of opening another.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from circumspect.payments.model import PaymentDecision

if TYPE_CHECKING:
    from circumspect.cases.service import CaseOutcome


def case_request(
    decision: PaymentDecision, file: str | None = None
) -> tuple[dict[str, Any], list[dict[str, Any]], str] | None:
    """(query, candidates, idempotency key) for a held or rejected message, else None."""
    if decision.decision not in ("hold", "reject"):
        return None
    message = decision.message
    sender = None
    if message is not None:
        sender = next((a.bic for a in message.agents if a.role == "sender"), None) or next(
            (a.bic for a in message.all_agents() if a.role == "debtor_agent" and a.bic), None
        )
    query: dict[str, Any] = {
        "message_id": decision.message_id,
        "format": decision.format,
        "decision": decision.decision,
        "sender": sender,
        "amount": str(message.amount) if message is not None else None,
        "currency": message.currency if message is not None else None,
        "file": file,
    }
    candidates = [
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
    from circumspect.cases import open_case

    request = case_request(decision, file)
    if request is None:
        return None
    query, candidates, key = request
    return open_case(
        "payment",
        query,
        candidates,
        actor=actor,
        summary=decision.explanation[:500],
        idem_key=key,
        db_url=db_url,
    )
