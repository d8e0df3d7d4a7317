"""Request and response bodies of the HTTP API (pydantic 2; they make ``/openapi.json``)."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

SchemaName = Literal["Person", "Company", "Organization", "LegalEntity", "Vessel", "Airplane"]


def _no_control(value: str | None) -> str | None:
    if value is None:
        return None
    if any(ord(ch) < 32 and ch not in "\t" for ch in value):
        raise ValueError("must not contain control characters")
    return value


class ErrorBody(BaseModel):
    status: int
    code: str
    message: str
    field: str | None = None
    details: list[dict[str, Any]] = Field(default_factory=list)


class ErrorEnvelope(BaseModel):
    """Every error, whatever its status, has this shape."""

    error: ErrorBody


class PartyIn(BaseModel):
    model_config = ConfigDict(populate_by_name=True, extra="forbid")

    name: str = Field(min_length=1, max_length=500, description="Name as written, any script.")
    schema_: SchemaName = Field("LegalEntity", alias="schema")
    country: str | None = Field(None, max_length=80)
    birth_date: str | None = Field(
        None, pattern=r"^\d{4}(-\d{2}(-\d{2})?)?$", description="YYYY, YYYY-MM or YYYY-MM-DD"
    )
    identifier: str | None = Field(None, max_length=100, description="BIC, IMO, INN, BIN, ...")
    id: str | None = Field(None, max_length=200, description="Your reference, echoed back.")
    idempotency_key: str | None = Field(
        None, max_length=200, description="Retrying with the same key never opens a case twice."
    )

    @field_validator("name", "country", "identifier", "id", "idempotency_key")
    @classmethod
    def _clean(cls, value: str | None) -> str | None:
        return _no_control(value)

    @field_validator("name")
    @classmethod
    def _not_blank(cls, value: str) -> str:
        if not value.strip():
            raise ValueError("must not be blank")
        return value


class ScreenRequest(BaseModel):
    """One party (``name`` ...) or a batch (``queries``), not both."""

    model_config = ConfigDict(populate_by_name=True, extra="forbid")

    name: str | None = Field(None, min_length=1, max_length=500)
    schema_: SchemaName = Field("LegalEntity", alias="schema")
    country: str | None = Field(None, max_length=80)
    birth_date: str | None = Field(None, pattern=r"^\d{4}(-\d{2}(-\d{2})?)?$")
    identifier: str | None = Field(None, max_length=100)
    id: str | None = Field(None, max_length=200)
    idempotency_key: str | None = Field(None, max_length=200)
    queries: list[PartyIn] | None = Field(None, min_length=1, max_length=1000)
    limit: int = Field(5, ge=1, le=50, description="Candidates per party.")
    open_cases: bool = Field(True, description="Open cases for alerts.")
    threshold: float | None = Field(
        None,
        ge=0.0,
        le=1.0,
        description="Alert threshold for this request (default: the service's).",
    )
    include_dataset: list[Annotated[str, Field(max_length=80)]] | None = Field(
        None, max_length=50, description="Only candidates from these sources (or `sanctions`)."
    )
    exclude_dataset: list[Annotated[str, Field(max_length=80)]] | None = Field(
        None, max_length=50, description="No candidates from these sources."
    )
    exclude_entity_ids: list[Annotated[str, Field(max_length=255)]] | None = Field(
        None,
        max_length=500,
        description="Listed entity ids never returned (decided false positives).",
    )

    @field_validator("name", "country", "identifier", "id", "idempotency_key")
    @classmethod
    def _clean(cls, value: str | None) -> str | None:
        value = _no_control(value)
        if value is not None and not value.strip():
            raise ValueError("must not be blank")
        return value

    @model_validator(mode="after")
    def _one_or_batch(self) -> ScreenRequest:
        if (self.name is None) == (self.queries is None):
            raise ValueError("give either `name` (one party) or `queries` (a batch), not both")
        return self

    def parties(self) -> list[PartyIn]:
        if self.queries is not None:
            return self.queries
        assert self.name is not None
        return [
            PartyIn(
                name=self.name,
                schema=self.schema_,
                country=self.country,
                birth_date=self.birth_date,
                identifier=self.identifier,
                id=self.id,
                idempotency_key=self.idempotency_key,
            )
        ]


class FeatureOut(BaseModel):
    feature: str
    score: float
    weight: float
    text: str


class IdentifierOut(BaseModel):
    kind: str
    value: str


class RecordOut(BaseModel):
    """What the list says about the entry (``ListedRecord``); ``list`` is the list within
    the source (SDN, SSI, DPL, UN 1267, EL ...)."""

    model_config = ConfigDict(populate_by_name=True)

    list_: str = Field(alias="list")
    authority: str
    programs: list[str] = Field(default_factory=list)
    listing_date: str | None = None
    identifiers: list[IdentifierOut] = Field(default_factory=list)
    addresses: list[str] = Field(default_factory=list)
    countries: list[str] = Field(default_factory=list)
    birth_dates: list[str] = Field(default_factory=list)
    remarks: list[str] = Field(default_factory=list)
    linked: list[str] = Field(default_factory=list)
    source_url: str | None = None


class SourceRefOut(BaseModel):
    """One list entry of an entity listed on several lists."""

    model_config = ConfigDict(populate_by_name=True)

    entity_id: str
    source: str
    source_id: str
    list_: str = Field(alias="list")
    score: float | None = None


class CandidateOut(BaseModel):
    entity_id: str
    source: str
    source_id: str
    caption: str
    schema_: str = Field(alias="schema")
    score: float
    alert: bool
    explanation: str
    matched_name: str | None = None
    features: list[FeatureOut] = Field(default_factory=list)
    snapshot_id: str | None = None
    record: RecordOut | None = None
    sources: list[SourceRefOut] = Field(default_factory=list)

    model_config = ConfigDict(populate_by_name=True)


class EntityHistoryOut(BaseModel):
    snapshot_id: str
    loaded_at: datetime
    active: bool
    status: Literal["added", "changed", "unchanged", "removed"]
    changes: dict[str, dict[str, list[str]]] = Field(default_factory=dict)


class EntityOut(BaseModel):
    """A listed entity with its record and its history across list snapshots."""

    model_config = ConfigDict(populate_by_name=True)

    entity_id: str
    source: str
    source_id: str
    caption: str
    schema_: str = Field(alias="schema")
    listed: bool
    record: RecordOut
    entity: dict[str, Any]
    history: list[EntityHistoryOut]


class CaseRef(BaseModel):
    status: str
    case_id: int | None = None
    suppressed: list[str] = Field(default_factory=list)


class ScreenResult(BaseModel):
    query: dict[str, Any]
    candidates: list[CandidateOut]
    alert: bool
    case: CaseRef | None = None


class ScreenResponse(BaseModel):
    results: list[ScreenResult]
    snapshots: dict[str, str]
    threshold: float
    elapsed_ms: float


class DecisionIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    decision: Literal["true_match", "false_positive", "escalate"]
    reason: str = Field(min_length=1, max_length=5000)

    @field_validator("reason")
    @classmethod
    def _reason(cls, value: str) -> str:
        if not value.strip():
            raise ValueError("must not be blank")
        if "\x00" in value:
            raise ValueError("must not contain NUL characters")
        return value


class CaseOut(BaseModel):
    id: int
    kind: str
    status: str
    decision: str | None = None
    decision_reason: str | None = None
    decided_by: str | None = None
    decided_at: str | None = None
    query: dict[str, Any]
    summary: str
    top_score: float
    top_caption: str
    created_by: str
    created_at: str | None = None
    updated_at: str | None = None
    snapshot_ids: dict[str, str]
    candidates: list[dict[str, Any]] | None = None
    entity_hashes: dict[str, str] | None = None
    candidate_count: int | None = None
    history: list[dict[str, Any]] | None = None
    #: ``high`` when a hit's name was disguised (docs/screening.md), else ``normal``.
    priority: str = "normal"


class CaseList(BaseModel):
    items: list[CaseOut]
    total: int
    limit: int
    offset: int


class AuditVerify(BaseModel):
    ok: bool
    records: int
    first_bad: int | None
    problem: str | None = Field(None, description="What is wrong, naming the record or row.")
    row: str | None = Field(None, description="The covered row (table:id) edited outside.")


class AuditRecordOut(BaseModel):
    seq: int
    at: str
    actor: str
    action: str
    object: str
    data: Any
    hash: str


class SnapshotOut(BaseModel):
    id: str
    source: str
    loaded_at: str
    checksum: str
    entity_count: int
    active: bool
    files: list[str]


class ListsOut(BaseModel):
    active: list[SnapshotOut]


class ChangeOut(BaseModel):
    entity_id: str
    kind: str
    caption: str
    properties: dict[str, dict[str, list[str]]] = Field(default_factory=dict)


class DiffOut(BaseModel):
    source: str
    from_snapshot: str | None
    to_snapshot: str
    counts: dict[str, int]
    changes: list[ChangeOut]


class RescreenIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    sources: list[str] | None = Field(None, max_length=20)


class UserIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: str = Field(min_length=1, max_length=200)
    role: Literal["viewer", "analyst", "admin"]

    @field_validator("name")
    @classmethod
    def _name(cls, value: str) -> str:
        if not value.strip():
            raise ValueError("must not be blank")
        return _no_control(value) or value


class UserCreated(BaseModel):
    name: str
    role: str
    api_key: str


class UserOut(BaseModel):
    name: str
    role: str
    active: bool
    key_prefix: str
    created_at: str | None = None


class Me(BaseModel):
    name: str
    role: str


class Health(BaseModel):
    status: str
    version: str
    database: str
