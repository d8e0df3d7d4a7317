"""Relationships the lists state: OFAC "Linked To:", OFAC advanced-XML relationships, the UK
list's parent company and subsidiaries, EU/UK/UN "associated entities" remarks.

The parsers keep these as ``notes`` text (nothing is lost); :func:`extract` reads them back
into :class:`ListRelation` values and resolves each target to a listed entity id when the
name matches exactly (case and spacing aside) one entry of the SAME list (its name or an
alias); otherwise the target is kept as text. :func:`to_ftm` turns them into FtM
relationship entities (``UnknownLink``, ``Ownership``, ``Directorship``, ``Family``,
``Associate``); an unresolved target becomes a ``LegalEntity`` stub carrying the text, so
every relationship is valid FtM (both ends present).
"""

from __future__ import annotations

import hashlib
import re
from collections import defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import IO, Any

import orjson
from followthemoney.proxy import EntityProxy

from circumspect.model.entities import ListedEntity, new_proxy

#: ``Relationship: <type> -> OFAC entry <FixedRef>`` (written by the OFAC XML parser)
XML_MARKER = re.compile(r"^Relationship:\s*(?P<type>.+?)\s*->\s*OFAC entry\s+(?P<ref>\S+)$")
_LINKED = re.compile(r"^Linked To:\s*(?P<t>.+)$", re.I)
_PARENT = re.compile(r"^Parent company:\s*(?P<t>.+)$", re.I)
_SUBSIDIARIES = re.compile(r"^Subsidiar(?:y|ies):\s*(?P<t>.+)$", re.I)
_ASSOCIATED = re.compile(
    r"\b(?P<label>associated (?:entities|entity|individuals|individual|persons|person|with)|"
    r"associates?|linked (?:to|with))\s*:?\s+(?P<t>[^;\n]+)",
    re.I,
)
_ENUM = re.compile(r"\(\d+\)|\|")
#: OFAC advanced-XML relation types -> FtM schema (anything else is an UnknownLink)
XML_KINDS: dict[str, str] = {
    "owned or controlled by": "Ownership",
    "associate of": "Associate",
    "family member of": "Family",
    "leader or official of": "Directorship",
    "principal executive officer": "Directorship",
}
SCHEMATA: tuple[str, ...] = ("UnknownLink", "Ownership", "Directorship", "Family", "Associate")


@dataclass(frozen=True, slots=True)
class ListRelation:
    """``subject`` (the entry whose record states it) is related to ``target``.

    For ``Ownership`` ``subject_owns`` says which way: True when the subject owns the target
    (a subsidiary), False when the target owns the subject (a parent, "owned by").
    """

    source: str
    subject: str
    kind: str
    role: str
    target_text: str
    target: str | None = None
    subject_owns: bool = False
    #: why the target stayed text ("no entry of this name", "N entries of this name")
    unresolved: str = ""


def name_key(text: str) -> str:
    """Exact-match key: case-folded, quotes and a final full stop dropped, spaces collapsed."""
    text = text.strip().strip("\"'‘’“”").strip()
    text = text[:-1] if text.endswith(".") else text
    return " ".join(text.casefold().split())


def _items(note: str) -> list[str]:
    return [part.strip() for part in note.split(";") if part.strip()]


def candidates(entity: ListedEntity) -> Iterator[tuple[str, str, str, bool]]:
    """(kind, role, target text, subject_owns) stated in one entity's notes; XML relations
    come as (kind, role, ``#<FixedRef>``, subject_owns)."""
    for note in entity.get("notes"):
        marker = XML_MARKER.match(note.strip())
        if marker:
            rel_type = marker.group("type")
            kind = XML_KINDS.get(rel_type.casefold(), "UnknownLink")
            yield kind, rel_type, "#" + marker.group("ref"), False
            continue
        stated = False
        for item in _items(note):
            for pattern, kind, role, owns in (
                (_LINKED, "UnknownLink", "Linked To", False),
                (_PARENT, "Ownership", "Parent company", False),
                (_SUBSIDIARIES, "Ownership", "Subsidiary", True),
            ):
                match = pattern.match(item)
                if match:
                    stated = True
                    for target in _split_enum(match.group("t")):
                        yield kind, role, target, owns
        if stated or entity.source.startswith("ofac"):
            continue
        for match in _ASSOCIATED.finditer(note):
            label = match.group("label").strip()
            role = "Associated " + ("with" if label.lower().endswith("with") else "entity")
            if label.lower().startswith("linked"):
                role = "Linked To"
            yield "UnknownLink", role, match.group("t").strip().rstrip("."), False


def _split_enum(text: str) -> list[str]:
    parts = [p.strip(" ,.") for p in _ENUM.split(text)]
    return [p for p in parts if p]


class NameIndex:
    """Exact names and aliases -> entity ids, per source. A primary name that exactly one
    entry carries wins over aliases; several entries of one name leave the target text."""

    def __init__(self, entities: Iterable[ListedEntity]) -> None:
        self.by_primary: dict[tuple[str, str], set[str]] = defaultdict(set)
        self.by_name: dict[tuple[str, str], set[str]] = defaultdict(set)
        self.schema: dict[str, str] = {}
        self.source_ids: dict[tuple[str, str], str] = {}
        for entity in entities:
            self.add(entity)

    def add(self, entity: ListedEntity) -> None:
        self.schema[entity.id] = entity.schema
        self.source_ids[(entity.source, entity.source_id)] = entity.id
        for name in entity.get("name"):
            self.by_primary[(entity.source, name_key(name))].add(entity.id)
        for name in entity.names(weak=True):
            key = name_key(name)
            if key:
                self.by_name[(entity.source, key)].add(entity.id)

    def resolve(self, source: str, text: str) -> tuple[str | None, str]:
        if text.startswith("#"):
            found = self.source_ids.get((source, text[1:]))
            return (found, "") if found else (None, f"no entry {text[1:]} in {source}")
        key = (source, name_key(text))
        primary = self.by_primary.get(key, set())
        if len(primary) == 1:
            return next(iter(primary)), ""
        ids = primary or self.by_name.get(key, set())
        if len(ids) == 1:
            return next(iter(ids)), ""
        if not ids:
            return None, f"no entry of this name in {source}"
        return None, f"{len(ids)} entries of this name in {source}"


def extract(entities: Iterable[ListedEntity]) -> list[ListRelation]:
    """Every relationship stated in ``entities`` (one or more lists), targets resolved."""
    pool = list(entities)
    index = NameIndex(pool)
    out: list[ListRelation] = []
    seen: set[tuple[str, str, str, str]] = set()
    for entity in pool:
        for kind, role, text, owns in candidates(entity):
            target, why = index.resolve(entity.source, text)
            if target == entity.id:
                continue
            if target is None and len(text) > 300:
                continue  # a sentence, not a name
            key = (entity.id, kind, role, target or name_key(text))
            if key in seen:
                continue
            seen.add(key)
            kind = _fit(kind, entity.schema, index.schema.get(target or "", ""))
            shown = text if not text.startswith("#") else (target or text)
            out.append(ListRelation(entity.source, entity.id, kind, role, shown, target, owns, why))
    return out


def _fit(kind: str, subject_schema: str, target_schema: str) -> str:
    """The FtM schema the two ends allow (Family/Associate link persons; Directorship a
    person to an organisation); otherwise an UnknownLink."""
    people = subject_schema == "Person" and target_schema == "Person"
    if kind in ("Family", "Associate") and not people:
        return "UnknownLink"
    if kind == "Directorship" and (subject_schema != "Person" or target_schema == "Person"):
        return "UnknownLink"
    if kind == "Ownership" and "Vessel" in (subject_schema, target_schema):
        return "UnknownLink"
    return kind


def _digest(*parts: str) -> str:
    return hashlib.sha1("\x1f".join(parts).encode()).hexdigest()[:12]


def to_ftm(relation: ListRelation) -> list[EntityProxy]:
    """FtM entities for one relationship: the link and, when unresolved, the target stub."""
    rel_id = f"{relation.subject}-rel-{_digest(relation.kind, relation.role, relation.target_text)}"
    out: list[EntityProxy] = []
    target = relation.target
    if target is None:
        target = f"{rel_id}-target"
        stub = new_proxy(
            "LegalEntity",
            target,
            [
                ("name", relation.target_text),
                (
                    "notes",
                    f"Named in a '{relation.role}' statement of {relation.source}; "
                    f"not resolved to an entry ({relation.unresolved or 'text only'}).",
                ),
            ],
        )
        out.append(stub)
    subject = relation.subject
    kind = relation.kind
    if kind == "Ownership":
        owner, asset = (subject, target) if relation.subject_owns else (target, subject)
        props = [("owner", owner), ("asset", asset), ("role", relation.role)]
    elif kind == "Directorship":
        props = [("director", subject), ("organization", target), ("role", relation.role)]
    elif kind == "Family":
        props = [("person", subject), ("relative", target), ("relationship", relation.role)]
    elif kind == "Associate":
        props = [("person", subject), ("associate", target), ("relationship", relation.role)]
    else:
        props = [("subject", subject), ("object", target), ("role", relation.role)]
    props.append(("summary", f"{relation.role}: {relation.target_text}"))
    out.insert(0, new_proxy(kind, rel_id, props))
    return out


def write_relations(entities: Iterable[ListedEntity], fh: IO[str]) -> int:
    """Write the FtM relationship entities the lists state among ``entities`` (JSON lines,
    as ``lists export`` writes entities); returns the number of relationships."""
    count = 0
    for relation in extract(entities):
        for proxy in to_ftm(relation):
            body: dict[str, Any] = dict(proxy.to_dict())
            body["datasets"] = [relation.source]
            fh.write(orjson.dumps(body, option=orjson.OPT_SORT_KEYS).decode("utf-8") + "\n")
        count += 1
    return count
