"""The listed record of every entity a declaration or payment case names, as the list store
has it when the case is opened (a later list version does not change the case)."""

from __future__ import annotations

import json

from circumspect.cases.types import JsonObject, JsonValue
from circumspect.model.records import listed_record, record_json
from circumspect.store.base import Store


def _record(store: Store, entity_id: object, cache: dict[str, JsonValue]) -> JsonValue:
    if not isinstance(entity_id, str) or not entity_id:
        return None
    if entity_id not in cache:
        entity = store.get_entity(entity_id)
        cache[entity_id] = None if entity is None else dict(record_json(listed_record(entity)))
    return cache[entity_id]


def with_records(store: Store, candidates: list[JsonObject]) -> list[JsonObject]:
    """``candidates`` with ``record`` added where ``entity_id`` is a listed entity, and to
    each of their ``matches`` (the party hits of a declaration rule) likewise."""
    cache: dict[str, JsonValue] = {}
    out: list[JsonObject] = []
    for cand in candidates:
        item = dict(cand)
        record = _record(store, item.get("entity_id"), cache)
        if record is not None:
            item["record"] = record
        matches = item.get("matches")
        if isinstance(matches, list):
            enriched: list[JsonValue] = []
            for match in matches:
                if isinstance(match, dict):
                    found = _record(store, match.get("entity_id"), cache)
                    enriched.append({**match, "record": found} if found is not None else match)
                else:
                    enriched.append(match)
            item["matches"] = enriched
        out.append(item)
    return out


def rule_matches(flag_details: str) -> dict[str, list[JsonValue]]:
    """Rule id -> its ``matches`` (party hits) from a scored row's ``flag_details`` JSON;
    {} for a row without any (or with details that are not the scorer's JSON)."""
    try:
        details = json.loads(flag_details) if flag_details else []
    except ValueError:
        return {}
    out: dict[str, list[JsonValue]] = {}
    if isinstance(details, list):
        for detail in details:
            if isinstance(detail, dict) and isinstance(detail.get("matches"), list):
                out[str(detail.get("rule"))] = list(detail["matches"])
    return out
