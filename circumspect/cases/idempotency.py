"""Idempotency keys that cannot be borrowed: scoped to the user, bound to the request.

A client sends ``Idempotency-Key: K`` to make a retry safe. The key alone is not trusted:

* **scoped to the user**: the stored key is ``sha256(user, K)``, so another user's ``K``
  (or a guessed ``K:0``) names a different record and can never find this user's cases;
* **bound to the request**: the record keeps a hash of the endpoint and the canonical request
  body. The same key with the same request returns the original answer unchanged; the same
  key with another request is refused with :class:`IdempotencyConflict` (HTTP 409) before
  anything is screened or written.

Case-level keys (one per screened party, ``K:i``) are scoped the same way and, in
``CaseService.open_case``, bound to the query: a case found by its key whose query differs is
a conflict, never an answer, so a case is never attributed to another query.
"""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from circumspect.cases.models import IdempotencyRecord
from circumspect.cases.service import CaseService, CaseStateError, canonical, now, sha256
from circumspect.cases.types import JsonObject, JsonValue


class IdempotencyConflict(CaseStateError):
    """An idempotency key reused with another request or query (HTTP 409)."""


def scoped_key(user: str | int, key: str) -> str:
    """The stored form of a client's key: sha256 over (user, key)."""
    return sha256(canonical(["idem", str(user), key]))


def request_hash(endpoint: str, body: JsonValue) -> str:
    """sha256 of the endpoint and the canonical JSON of the request body."""
    return sha256(canonical({"endpoint": endpoint, "body": body}))


def conflict(what: str) -> IdempotencyConflict:
    """The 409 error for a key reused with another request."""
    return IdempotencyConflict(
        f"idempotency key already used {what}; use a new key for a new request",
        field="Idempotency-Key",
    )


class IdempotencyStore:
    """Request-level idempotency records in the case database."""

    def __init__(self, service: CaseService) -> None:
        self.service = service

    def lookup(self, user_id: int, key: str, digest: str) -> JsonObject | None:
        """The stored answer for (user, key), None when new; 409 when the request differs."""
        with self.service._read.begin() as session:
            row = session.execute(
                select(IdempotencyRecord).where(
                    IdempotencyRecord.user_id == user_id,
                    IdempotencyRecord.key_hash == scoped_key(user_id, key),
                )
            ).scalar_one_or_none()
            if row is None:
                return None
            if row.request_hash != digest:
                raise conflict("with a different request")
            return dict(row.response)

    def remember(self, user_id: int, key: str, digest: str, response: JsonObject) -> JsonObject:
        """Store the answer; when a concurrent request stored one first, return that one."""
        try:
            with self.service._write.begin() as session:
                session.add(
                    IdempotencyRecord(
                        user_id=user_id,
                        key_hash=scoped_key(user_id, key),
                        request_hash=digest,
                        response=response,
                        created_at=now(),
                    )
                )
        except IntegrityError:
            stored = self.lookup(user_id, key, digest)
            if stored is not None:
                return stored
            raise
        return response
