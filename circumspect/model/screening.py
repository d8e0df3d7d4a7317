"""Values exchanged with the party screening capability (``circumspect.matching``).

Goods/risk, payments, cases and the API call screening only through ``PartyScreener``.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Protocol

#: Schemata a query may name. ``LegalEntity`` means "company or person, unknown".
QUERY_SCHEMATA: tuple[str, ...] = (
    "Person",
    "Company",
    "Organization",
    "LegalEntity",
    "Vessel",
    "Airplane",
)


@dataclass(frozen=True, slots=True)
class Query:
    """A party to screen."""

    name: str
    schema: str = "LegalEntity"
    country: str | None = None
    birth_date: str | None = None
    identifier: str | None = None
    query_id: str | None = None


@dataclass(frozen=True, slots=True)
class FeatureScore:
    """One feature's contribution, with the sentence a reviewer reads."""

    feature: str
    score: float
    weight: float
    text: str


@dataclass(frozen=True, slots=True)
class Identifier:
    """An identifier the list gives for an entry (``kind`` is the FtM property)."""

    kind: str
    value: str


@dataclass(frozen=True, slots=True)
class ListedRecord:
    """What the list says about an entry, for the reviewer of a hit
    (built by :func:`circumspect.model.records.listed_record`)."""

    #: the list within the source: ``SDN``, ``SSI``, ``DPL``, ``UN 1267``, ``EL`` ...
    list: str
    authority: str
    programs: tuple[str, ...] = ()
    listing_date: str | None = None
    identifiers: tuple[Identifier, ...] = ()
    addresses: tuple[str, ...] = ()
    countries: tuple[str, ...] = ()
    birth_dates: tuple[str, ...] = ()
    remarks: tuple[str, ...] = ()
    #: the "Linked To" names the record states
    linked: tuple[str, ...] = ()
    source_url: str | None = None


@dataclass(frozen=True, slots=True)
class SourceRef:
    """One list entry of an entity listed on several lists (``Candidate.sources``)."""

    entity_id: str
    source: str
    source_id: str
    list: str
    #: this entry's own score for the query (None when it was not scored)
    score: float | None = None


@dataclass(slots=True)
class Candidate:
    """A listed entity that may be the queried party."""

    entity_id: str
    source: str
    source_id: str
    caption: str
    schema: str
    score: float
    alert: bool
    explanation: str
    matched_name: str | None = None
    features: list[FeatureScore] = field(default_factory=list)
    snapshot_id: str | None = None
    #: the listed record as the active snapshot has it (None for derived candidates)
    record: ListedRecord | None = None
    #: every entry of the same entity across lists (cross-list resolution), this one first;
    #: empty when the entity is on one list only
    sources: list[SourceRef] = field(default_factory=list)

    def links(self) -> list[str]:
        """The relationships the lists state for this entry (``linked_to_listed`` texts)."""
        return [f.text for f in self.features if f.feature == "linked_to_listed"]

    def explanation_with_links(self) -> str:
        """The explanation plus the stated relationships, for one-line outputs."""
        links = self.links()
        return self.explanation + (" | linked_to_listed: " + "; ".join(links) if links else "")


#: A filter on listed entries: ``keep(entity_id, source, source_id)``.
EntryFilter = Callable[[str, str, str], bool]


class PartyScreener(Protocol):
    """What other stages need from party screening."""

    @property
    def threshold(self) -> float: ...

    def screen(self, query: Query, limit: int = 5) -> list[Candidate]:
        """Candidates for one party, best first."""
        ...

    def by_identifier(self, value: str) -> list[Candidate]:
        """Listed entities carrying this identifier (BIC, IMO, INN, BIN, ...), exact."""
        ...
