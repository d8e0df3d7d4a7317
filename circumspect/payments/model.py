"""The typed record every payment message becomes, and the decision made on it.

A parser turns one message (ISO 20022 pacs.008 / pacs.009 / pain.001, SWIFT MT103 / MT202)
into one :class:`PaymentMessage`. A message may carry several transactions (an ISO 20022
message may hold several ``CdtTrfTxInf``, a pain.001 several payment blocks); each is a
:class:`Transfer` with its own amount, parties, agents and remittance text. Screening walks
every party and agent of every transfer.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

#: Decisions, from the most to the least severe. ``error`` is fail-closed: never released.
DECISIONS: tuple[str, ...] = ("error", "reject", "hold", "pass")

#: Party roles (people and companies in a payment).
PARTY_ROLES: tuple[str, ...] = (
    "debtor",
    "creditor",
    "ultimate_debtor",
    "ultimate_creditor",
    "initiating_party",
    "invoicer",
    "invoicee",
    "garnishee",
    "garnishment_administrator",
    "organisation",
    "other_party",
)

#: Agent roles (banks in a payment chain). ``sender``/``receiver`` are the SWIFT header
#: addresses; ``senders_correspondent`` (MT :53a:), ``receivers_correspondent`` (:54a:),
#: ``third_reimbursement`` (:55a:), ``intermediary_agent`` (:56a:, IntrmyAgt1..3),
#: ``account_with`` (:57a:, CdtrAgt), ``ordering_institution`` (:52a:, DbtrAgt),
#: ``beneficiary_institution`` (MT202 :58a:, pacs.009 Cdtr).
AGENT_ROLES: tuple[str, ...] = (
    "sender",
    "receiver",
    "instructing_agent",
    "instructed_agent",
    "previous_instructing_agent",
    "debtor_agent",
    "creditor_agent",
    "intermediary_agent",
    "senders_correspondent",
    "receivers_correspondent",
    "third_reimbursement",
    "debtor_institution",
    "creditor_institution",
    "forwarding_agent",
    "charges_agent",
    "financial_institution",
    "other_agent",
)


def address_text(lines: tuple[str, ...], town: str | None) -> str:
    """Address lines and town as one comma-separated line (blank parts dropped)."""
    return ", ".join(p for p in (*lines, town or "") if p)


@dataclass(frozen=True, slots=True)
class Party:
    """A person or company named in a payment."""

    role: str
    name: str | None = None
    address: tuple[str, ...] = ()
    town: str | None = None
    country: str | None = None
    account: str | None = None
    bic: str | None = None
    identifiers: tuple[str, ...] = ()
    field: str = ""

    def address_text(self) -> str:
        return address_text(self.address, self.town)


@dataclass(frozen=True, slots=True)
class Agent:
    """A bank in the payment chain, by BIC and/or name."""

    role: str
    bic: str | None = None
    name: str | None = None
    address: tuple[str, ...] = ()
    town: str | None = None
    country: str | None = None
    account: str | None = None
    field: str = ""

    def address_text(self) -> str:
        return address_text(self.address, self.town)


@dataclass(frozen=True, slots=True)
class Transfer:
    """One transaction of a message."""

    transaction_id: str | None
    amount: Decimal
    currency: str
    value_date: date | None
    parties: tuple[Party, ...] = ()
    agents: tuple[Agent, ...] = ()
    remittance: str = ""

    def party(self, role: str) -> Party | None:
        for party in self.parties:
            if party.role == role:
                return party
        return None

    def agent(self, role: str) -> Agent | None:
        for agent in self.agents:
            if agent.role == role:
                return agent
        return None


@dataclass(frozen=True, slots=True)
class PaymentMessage:
    """One parsed payment message."""

    message_id: str
    format: str
    message_type: str
    transfers: tuple[Transfer, ...]
    agents: tuple[Agent, ...] = ()
    created: str | None = None
    #: Parties outside any transfer's roles (charges agents' customers, invoicer/invoicee,
    #: header parties, ...): screened like every other party.
    parties: tuple[Party, ...] = ()
    #: Free text outside the remittance (ISO supplementary data): scanned like remittance.
    notes: str = ""

    @property
    def first(self) -> Transfer:
        return self.transfers[0]

    @property
    def amount(self) -> Decimal:
        return self.transfers[0].amount

    @property
    def currency(self) -> str:
        return self.transfers[0].currency

    @property
    def value_date(self) -> date | None:
        return self.transfers[0].value_date

    def all_parties(self) -> Iterator[Party]:
        yield from self.parties
        for transfer in self.transfers:
            yield from transfer.parties

    def all_agents(self) -> Iterator[Agent]:
        """Message-level agents (header sender/receiver) and those of every transfer."""
        yield from self.agents
        for transfer in self.transfers:
            yield from transfer.agents

    def remittance(self) -> str:
        return "\n".join(t.remittance for t in self.transfers if t.remittance)


@dataclass(frozen=True, slots=True)
class Flag:
    """One reason a message is not simply passed.

    ``severity`` is the decision this flag alone asks for (``reject``, ``hold`` or ``info``).
    ``check`` names the check (``bic``, ``name``, ``territory``, ``remittance``, ``imo``,
    ``country``); ``role`` the party or agent role it is about.
    """

    check: str
    severity: str
    role: str
    subject: str
    text: str
    entity_id: str | None = None
    score: float | None = None

    @property
    def code(self) -> str:
        return f"{self.check}:{self.role}" if self.role else self.check


@dataclass(slots=True)
class PaymentDecision:
    """The outcome for one message."""

    decision: str
    message_id: str | None
    format: str | None
    flags: list[Flag] = field(default_factory=list)
    explanation: str = ""
    error: str | None = None
    message: PaymentMessage | None = None

    def flag_codes(self) -> str:
        seen: list[str] = []
        for flag in self.flags:
            if flag.severity == "info":
                continue
            if flag.code not in seen:
                seen.append(flag.code)
        return ";".join(seen)

    def to_dict(self) -> dict[str, object]:
        """JSON-ready form (used by the service)."""
        return {
            "decision": self.decision,
            "message_id": self.message_id,
            "format": self.format,
            "flags": [
                {
                    "check": f.check,
                    "severity": f.severity,
                    "role": f.role,
                    "subject": f.subject,
                    "text": f.text,
                    "entity_id": f.entity_id,
                    "score": f.score,
                }
                for f in self.flags
            ],
            "explanation": self.explanation,
            "error": self.error,
        }
