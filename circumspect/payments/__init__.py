"""circumspect.payments: ISO 20022 and SWIFT MT payment screening (see docs/payments.md).

``screen_message(raw, screener)`` parses one message in any supported format, screens every
party, agent, address and the remittance text, and returns a :class:`PaymentDecision`
(``pass``, ``hold``, ``reject`` or ``error``; never raises for bad input).
"""

from circumspect.payments.model import PaymentDecision, PaymentMessage
from circumspect.payments.parse import parse_message
from circumspect.payments.screening import PaymentScreening, screen_message

__all__ = [
    "PaymentDecision",
    "PaymentMessage",
    "PaymentScreening",
    "parse_message",
    "screen_message",
]
