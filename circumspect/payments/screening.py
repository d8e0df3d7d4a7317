"""Screening of a parsed payment: every party and agent, the remittance text, one decision.

Checks, per party and agent of every transfer (see docs/payments.md):

* **BIC** exactly against listed identifiers through ``PartyScreener.by_identifier`` (the
  11-character BIC and its 8-character institution, so ``XXX`` and branches of a listed
  bank are caught);
* **name** through ``PartyScreener.screen``;
* **territory**: address lines, town, country, and the country of the BIC and IBAN against
  comprehensively sanctioned territories (``territories.yaml``);
* **identifiers** (BIN, INN, LEI ... carried in the message) exactly;
* **remittance** text (with sender-to-receiver and regulatory information) for listed
  names, vessel IMO numbers and territory names.

The decision is the most severe flag (``reject`` > ``hold`` > ``pass``). Anything that
goes wrong (unparseable message, missing or invalid element, a screener failure) gives
``error``: a message is never passed without having been fully screened.
"""

from __future__ import annotations

import itertools
import re
import threading
import weakref
from collections.abc import Iterable
from typing import Any

from circumspect.errors import CircumspectError
from circumspect.model.entities import ListedEntity
from circumspect.model.screening import Candidate, PartyScreener, Query
from circumspect.payments.checks import bic8, bic_country, iban_country
from circumspect.payments.model import Agent, Flag, Party, PaymentDecision, PaymentMessage
from circumspect.payments.parse import detect_format, parse_message
from circumspect.payments.policy import Policy
from circumspect.payments.remittance import NameIndex, imo_numbers
from circumspect.payments.territories import Territories

_RANK = {"reject": 0, "hold": 1, "info": 2}
_MAX_EXPLANATION = 1500


class PaymentScreening:
    """Screens payment messages against a party screener (and, for free text, the listed
    names it was built from)."""

    def __init__(
        self,
        screener: PartyScreener,
        *,
        entities: Iterable[ListedEntity] | None = None,
        policy: Policy | None = None,
        territories: Territories | None = None,
        cache_size: int = 50_000,
    ) -> None:
        self.screener = screener
        self.policy = policy or Policy.load()
        self.territories = territories or Territories.load()
        self.names: NameIndex | None
        if entities is not None:
            self.names = NameIndex.build(
                entities, self.policy.remittance_min_tokens, self.policy.remittance_min_chars
            )
        else:
            self.names = NameIndex.from_screener(
                screener, self.policy.remittance_min_tokens, self.policy.remittance_min_chars
            )
        self._cache_size = cache_size
        self._name_cache: dict[tuple[str, str | None], list[Candidate]] = {}
        self._id_cache: dict[str, list[Candidate]] = {}

    # -- public ---------------------------------------------------------------------------

    def screen_raw(self, raw: bytes, file: str | None = None) -> PaymentDecision:
        """Parse and screen one raw message; never raises for bad input."""
        try:
            message = parse_message(raw, file)
        except CircumspectError as exc:
            return _error(
                exc.message + (f" ({exc.location()})" if exc.location() else ""),
                _salvage_id(raw),
                _format_hint(raw),
            )
        except (ValueError, TypeError, UnicodeError, RecursionError, MemoryError) as exc:
            return _error(
                f"cannot parse message: {type(exc).__name__}: {exc}",
                _salvage_id(raw),
                _format_hint(raw),
            )
        return self.screen(message)

    def screen(self, message: PaymentMessage) -> PaymentDecision:
        try:
            flags = self._flags(message)
        except Exception as exc:  # fail closed: a screening failure is never a pass
            return _error(
                f"screening failed: {type(exc).__name__}: {exc}",
                message.message_id,
                message.format,
                message,
            )
        return _decide(message, flags)

    # -- checks ---------------------------------------------------------------------------

    def _flags(self, message: PaymentMessage) -> list[Flag]:
        flags: list[Flag] = []
        seen_agents: set[tuple[str, str | None, str | None]] = set()
        for agent in message.all_agents():
            key = (agent.role, agent.bic, agent.name)
            if key in seen_agents:
                continue
            seen_agents.add(key)
            self._check_agent(agent, flags)
        for party in message.all_parties():
            self._check_party(party, flags)
        for transfer in message.transfers:
            if transfer.remittance:
                self._check_text(transfer.remittance, flags)
        if message.notes:
            self._check_text(message.notes, flags)
        return _dedupe(flags)

    def _check_agent(self, agent: Agent, flags: list[Flag]) -> None:
        if agent.bic:
            self._check_bic(agent.bic, agent.role, flags)
        if agent.name:
            severity = self.policy.agent_name_with_bic if agent.bic else None
            # A bank slot is screened against every schema: an evader can write a listed
            # person's or company's name where a bank belongs (MT :57D:, FinInstnId/Nm).
            schema = "Organization" if agent.bic else "LegalEntity"
            self._check_name(agent.name, agent.role, agent.country, flags, schema, severity)
        self._check_place(agent.role, agent.address_text(), agent.country, agent.account, flags)

    def _check_party(self, party: Party, flags: list[Flag]) -> None:
        if party.bic:
            self._check_bic(party.bic, party.role, flags)
        if party.name:
            self._check_name(
                party.name, party.role, party.country, flags, _party_schema(party.name)
            )
        for ident in party.identifiers:
            value = ident.split("/")[-1].strip()
            if len(value) >= 5:
                for cand in self._by_identifier(value):
                    flags.append(
                        Flag(
                            "identifier",
                            self.policy.listed_identifier,
                            party.role,
                            value,
                            f"{_role(party.role)} identifier {value} is "
                            f"carried by listed {_who(cand)}",
                            cand.entity_id,
                            1.0,
                        )
                    )
        self._check_place(party.role, party.address_text(), party.country, party.account, flags)

    def _check_bic(self, bic: str, role: str, flags: list[Flag]) -> None:
        found = {c.entity_id: c for c in self._by_identifier(bic)}
        for cand in found.values():
            flags.append(
                Flag(
                    "bic",
                    self.policy.listed_bic,
                    role,
                    bic,
                    f"{_role(role)} BIC {bic} is listed: {_who(cand)}",
                    cand.entity_id,
                    1.0,
                )
            )
        if len(bic) == 11 and not bic.endswith("XXX"):
            for cand in self._by_identifier(bic8(bic)):
                if cand.entity_id in found:
                    continue
                flags.append(
                    Flag(
                        "bic",
                        self.policy.listed_bic_branch,
                        role,
                        bic,
                        f"{_role(role)} BIC {bic} is a branch of listed bank "
                        f"{bic8(bic)}: {_who(cand)}",
                        cand.entity_id,
                        1.0,
                    )
                )
        territory = self.territories.country(bic_country(bic))
        if territory is not None:
            flags.append(
                Flag(
                    "territory",
                    territory.severity,
                    role,
                    bic,
                    f"{_role(role)} BIC {bic} is a bank in {territory.label} ({territory.basis})",
                )
            )
        elif bic_country(bic) in self.policy.info_countries:
            flags.append(
                Flag(
                    "country",
                    "info",
                    role,
                    bic,
                    f"{_role(role)} BIC {bic} is in {bic_country(bic).upper()}",
                )
            )

    def _check_name(
        self,
        name: str,
        role: str,
        country: str | None,
        flags: list[Flag],
        schema: str,
        severity: str | None = None,
    ) -> None:
        threshold = self.policy.name_threshold
        for cand in self._screen_name(name, country, schema):
            hit = cand.score >= threshold if threshold is not None else cand.alert
            if not hit:
                continue
            flags.append(
                Flag(
                    "name",
                    severity or self.policy.name_match,
                    role,
                    name,
                    f"{_role(role)} {name!r} matches listed {_who(cand)} "
                    f"(score {cand.score:.2f}): {cand.explanation_with_links()}",
                    cand.entity_id,
                    cand.score,
                )
            )

    def _check_place(
        self, role: str, address: str, country: str | None, account: str | None, flags: list[Flag]
    ) -> None:
        if address:
            for hit in self.territories.scan(address):
                flags.append(
                    Flag(
                        "territory",
                        hit.territory.severity,
                        role,
                        hit.matched,
                        f"{_role(role)} address {address[:90]!r} names "
                        f"{hit.matched!r}: {hit.territory.label} "
                        f"({hit.territory.basis})",
                    )
                )
        for label, code in (("country", country), ("IBAN country", iban_country(account))):
            territory = self.territories.country(code)
            if territory is not None:
                flags.append(
                    Flag(
                        "territory",
                        territory.severity,
                        role,
                        str(code).upper(),
                        f"{_role(role)} {label} {str(code).upper()}: "
                        f"{territory.label} ({territory.basis})",
                    )
                )
            elif code and code in self.policy.info_countries:
                flags.append(
                    Flag(
                        "country",
                        "info",
                        role,
                        code.upper(),
                        f"{_role(role)} {label} is {code.upper()}",
                    )
                )

    def _check_text(self, text: str, flags: list[Flag]) -> None:
        if self.names is not None:
            hits = self.names.scan(text)
            joined = _join_wrapped(text)
            if joined != text:
                hits += self.names.scan(joined)
            for phrase, listed in hits:
                flags.append(
                    Flag(
                        "remittance",
                        self.policy.remittance_name,
                        "remittance",
                        phrase,
                        f"remittance text names listed {listed.schema} "
                        f"{listed.caption} ({listed.source}, {listed.entity_id})",
                        listed.entity_id,
                        1.0,
                    )
                )
        for imo in imo_numbers(text):
            for cand in self._by_identifier(imo):
                flags.append(
                    Flag(
                        "imo",
                        self.policy.remittance_imo,
                        "remittance",
                        imo,
                        f"remittance text names vessel {imo}: listed {_who(cand)}",
                        cand.entity_id,
                        1.0,
                    )
                )
        cap = self.policy.territory_in_remittance
        for hit in self.territories.scan(text):
            severity = hit.territory.severity
            if _RANK[severity] < _RANK[cap]:
                severity = cap
            flags.append(
                Flag(
                    "territory",
                    severity,
                    "remittance",
                    hit.matched,
                    f"remittance text names {hit.matched!r}: {hit.territory.label}",
                )
            )

    # -- cached screener calls ------------------------------------------------------------

    def _screen_name(self, name: str, country: str | None, schema: str) -> list[Candidate]:
        key = (f"{schema}|{name}", country)
        found = self._name_cache.get(key)
        if found is None:
            found = self.screener.screen(
                Query(name=name, schema=schema, country=country), limit=self.policy.name_limit
            )
            if len(self._name_cache) >= self._cache_size:
                self._name_cache.clear()
            self._name_cache[key] = found
        return found

    def _by_identifier(self, value: str) -> list[Candidate]:
        found = self._id_cache.get(value)
        if found is None:
            found = self.screener.by_identifier(value)
            if len(self._id_cache) >= self._cache_size:
                self._id_cache.clear()
            self._id_cache[value] = found
        return found


def _join_wrapped(text: str) -> str:
    """MT free text wraps at 35 characters regardless of words (``ARCTIC VOS`` /
    ``TOK``): a variant where a full line (33+ characters) runs straight into the next one
    (without the ``//`` that starts a :72: continuation line), so names cut mid-word are
    still found."""
    lines = text.split("\n")
    out = lines[0] if lines else ""
    for prev, line in itertools.pairwise(lines):
        body = line[2:] if line.startswith("//") else line
        out += body if len(prev) >= 33 else "\n" + line
    return out


def _party_schema(name: str) -> str:
    """``Company`` when the name carries a legal form (GmbH, LLP, ТОО, ...), else
    ``LegalEntity`` (person or company unknown)."""
    from circumspect.names.legal_forms import strip_legal_form

    try:
        _, forms = strip_legal_form(name)
    except Exception:  # a names-module problem must not decide a payment
        return "LegalEntity"
    return "Company" if forms else "LegalEntity"


def _who(cand: Candidate) -> str:
    return f"{cand.caption} ({cand.source} {cand.source_id}, {cand.entity_id})"


def _role(role: str) -> str:
    return role.replace("_", " ")


def _dedupe(flags: list[Flag]) -> list[Flag]:
    seen: set[tuple[str, str, str, str | None, str]] = set()
    out: list[Flag] = []
    for flag in flags:
        key = (flag.check, flag.role, flag.subject, flag.entity_id, flag.severity)
        if key not in seen:
            seen.add(key)
            out.append(flag)
    out.sort(key=lambda f: _RANK[f.severity])
    return out


def _decide(message: PaymentMessage, flags: list[Flag]) -> PaymentDecision:
    severities = {f.severity for f in flags}
    if "reject" in severities:
        decision = "reject"
    elif "hold" in severities:
        decision = "hold"
    else:
        decision = "pass"
    stopping = [f for f in flags if f.severity != "info"]
    if stopping:
        explanation = "; ".join(f"{f.severity}: {f.text}" for f in stopping)
    else:
        explanation = (
            f"no listed BIC, name or sanctioned territory among "
            f"{sum(1 for _ in message.all_parties())} parties and "
            f"{sum(1 for _ in message.all_agents())} agents"
        )
    if len(explanation) > _MAX_EXPLANATION:
        explanation = explanation[: _MAX_EXPLANATION - 1] + "…"
    return PaymentDecision(
        decision=decision,
        message_id=message.message_id,
        format=message.format,
        flags=flags,
        explanation=explanation,
        message=message,
    )


def _error(
    reason: str, message_id: str | None, fmt: str | None, message: PaymentMessage | None = None
) -> PaymentDecision:
    return PaymentDecision(
        decision="error",
        message_id=message_id,
        format=fmt,
        flags=[],
        explanation=f"error: {reason}",
        error=reason,
        message=message,
    )


_ID_XML = re.compile(rb"<(?:\w+:)?MsgId>\s*([^<]{1,35}?)\s*</(?:\w+:)?MsgId>")
_ID_MT = re.compile(rb"(?:^|\n):20:([^\r\n]{1,16})")


def _salvage_id(raw: bytes) -> str | None:
    """The message id of a message that failed to parse, when it can be seen, so that an
    ``error`` row can be traced (informative only; never used to decide)."""
    head = raw[:20000]
    match = _ID_XML.search(head) or _ID_MT.search(head)
    if match is None:
        return None
    return match.group(1).decode("utf-8", "replace").strip() or None


def _format_hint(raw: bytes) -> str | None:
    kind = detect_format(raw)
    return {"iso20022": "ISO 20022", "mt": "SWIFT MT"}.get(kind or "")


_ENGINES: weakref.WeakKeyDictionary[Any, PaymentScreening] = weakref.WeakKeyDictionary()
_ENGINES_LOCK = threading.Lock()


def engine_for(screener: PartyScreener) -> PaymentScreening:
    """A cached :class:`PaymentScreening` per screener (the name index is built once)."""
    with _ENGINES_LOCK:
        try:
            engine = _ENGINES.get(screener)
        except TypeError:  # not weak-referenceable
            return PaymentScreening(screener)
        if engine is None:
            engine = PaymentScreening(screener)
            _ENGINES[screener] = engine
        return engine


def screen_message(
    raw: bytes, screener: PartyScreener, *, file: str | None = None
) -> PaymentDecision:
    """Screen one raw message (ISO 20022 XML or SWIFT MT bytes) against ``screener``.

    Never raises for bad input: a message that cannot be read gets decision ``error``.
    """
    return engine_for(screener).screen_raw(raw, file)
