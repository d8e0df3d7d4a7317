"""The ownership view screening, the CLI, the API and the web use.

:class:`ListContext` is what the lists contribute (listed entities, their identifiers, the
relationships they state); it is computed once per set of active list snapshots and cached
under ``$CIRCUMSPECT_HOME/index/``. :class:`OwnershipView` adds the active ownership
datasets, computes every rule and answers, for a screened party, which listed persons own or
control it (``owned_by_listed``) and which listed entries its list entry is linked to
(``linked_to_listed``).
"""

from __future__ import annotations

import hashlib
import pickle
import re
from collections import defaultdict
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from circumspect.ownership.graph import (
    EPSILON,
    Edge,
    Finding,
    OwnershipGraph,
    Rule,
    RuleResult,
    explain,
    pct,
)
from circumspect.ownership.ids import entity_keys, identifier_key
from circumspect.ownership.relations import ListRelation, extract, name_key

if TYPE_CHECKING:
    from circumspect.model.entities import ListedEntity
    from circumspect.ownership.store import StoredEdge
    from circumspect.store.base import Store

#: Bump when ListContext's content or extraction rules change (invalidates the cache).
CONTEXT_VERSION = "2"
#: Short list labels used in proofs.
SOURCE_LABELS: dict[str, str] = {
    "ofac_sdn": "SDN",
    "ofac_cons": "OFAC non-SDN",
    "un_sc": "UN",
    "eu_fsf": "EU",
    "uk_fcdo": "UK",
    "bis_dpl": "BIS DPL",
    "opensanctions": "OpenSanctions",
}


@dataclass(frozen=True, slots=True)
class ListedInfo:
    id: str
    caption: str
    source: str
    schema: str
    #: Why the entry is a Russian party ("country RU", "program RUSSIA-EO14024"), or "".
    russian: str = ""


#: Sanction programmes aimed at Russia (OFAC, EU, UK and BIS names, upper case).
_RUSSIA_PROGRAM = re.compile(
    r"RUSSIA|UKRAINE-EO1366[0-2]|EO14024|EO14066|EO14068|EO14071|833/2014|269/2014"
)


def russia_reason(entity: ListedEntity) -> str:
    """Why a listed entry is a Russian party: a Russian country, nationality, address or
    jurisdiction, or a programme aimed at Russia; "" when nothing says so."""
    for prop in ("country", "nationality", "jurisdiction", "citizenship", "mainCountry"):
        if any(v.lower() == "ru" for v in entity.get(prop)):
            return "country RU"
    for sanction in entity.sanctions:
        for value in sanction.get("program"):
            if _RUSSIA_PROGRAM.search(str(value).upper()):
                return f"program {value}"
    return ""


@dataclass(slots=True)
class ListContext:
    """What the active lists contribute to ownership."""

    listed: dict[str, ListedInfo] = field(default_factory=dict)
    #: identifier key -> listed entity ids carrying it
    keys: dict[str, list[str]] = field(default_factory=dict)
    #: listed entity id -> its identifier keys
    entity_keys: dict[str, list[str]] = field(default_factory=dict)
    relations: list[ListRelation] = field(default_factory=list)


def list_context(entities: Iterable[ListedEntity]) -> ListContext:
    pool = list(entities)
    context = ListContext()
    keys: dict[str, list[str]] = defaultdict(list)
    for entity in pool:
        context.listed[entity.id] = ListedInfo(
            entity.id, entity.caption, entity.source, entity.schema, russia_reason(entity)
        )
        props = {p: entity.get(p) for p in ("innCode", "ogrnCode", "leiCode")}
        props |= {p: entity.get(p) for p in ("registrationNumber", "taxNumber", "idNumber")}
        found = sorted(entity_keys(props))
        if found:
            context.entity_keys[entity.id] = found
        for key in found:
            keys[key].append(entity.id)
    context.keys = dict(keys)
    context.relations = extract(pool)
    return context


def cached_list_context(store: Store) -> ListContext:
    """The list context of the store's active snapshots (cached on disk)."""
    from circumspect import settings
    from circumspect.fsutil import atomic_path

    active = {s: snap.id for s, snap in store.active_snapshots().items()}
    key = ",".join(f"{s}={i}" for s, i in sorted(active.items()))
    digest = hashlib.sha256(f"v{CONTEXT_VERSION}|{key}".encode()).hexdigest()[:20]
    path: Path = settings.home() / "index" / f"ownership-{digest}.pickle"
    if path.exists():
        try:
            with path.open("rb") as fh:
                loaded = pickle.load(fh)
            if isinstance(loaded, ListContext):
                return loaded
        except Exception:  # a corrupt or stale cache is rebuilt, never fatal
            pass
    context = list_context(store.iter_entities())
    with atomic_path(path) as tmp, open(tmp, "wb") as fh:
        pickle.dump(context, fh, protocol=pickle.HIGHEST_PROTOCOL)
    return context


@dataclass(slots=True)
class Link:
    """A relationship stated by a list, seen from one of its ends."""

    relation: ListRelation
    #: "out" when the entity's own record states it, "in" when another entry's record does
    direction: str
    other_id: str | None
    other_caption: str

    def text(self) -> str:
        rel = self.relation
        other = self.other_caption + (f" ({self.other_id})" if self.other_id else " (not listed)")
        if rel.kind == "Ownership":
            owns = rel.subject_owns if self.direction == "out" else not rel.subject_owns
            verb = "owns" if owns else "owned by"
            return f"{verb} {other} [{rel.role}, {rel.source}]"
        if self.direction == "out":
            return f"{rel.role}: {other} [{rel.kind}, {rel.source}]"
        return f"named as '{rel.role}' by {other} [{rel.kind}, {rel.source}]"


class OwnershipView:
    """Rules computed over the ownership datasets with the lists' entries as blocked persons."""

    def __init__(
        self,
        context: ListContext,
        edges: Sequence[StoredEdge],
        rules: Sequence[Rule],
    ) -> None:
        self.context = context
        self.rules = tuple(rules)
        self.names: dict[str, str] = {}
        self.conflicts: list[str] = []
        self._parent: dict[str, str] = {}
        chosen = self._choose(edges)
        canonical = [
            Edge(
                self.canonical(e.owner),
                self.canonical(e.owned),
                e.share,
                e.control,
                e.source,
                e.date,
            )
            for e in chosen
        ]
        self.edges = [e for e in canonical if e.owner != e.owned]
        self.graph = OwnershipGraph(self.edges)
        self.members: dict[str, set[str]] = defaultdict(set)
        for node in self._parent:
            self.members[self.canonical(node)].add(node)
        self.by_name: dict[str, set[str]] = defaultdict(set)
        for node, name in self.names.items():
            self.by_name[name_key(name)].add(self.canonical(node))
        self.results: dict[str, RuleResult] = {
            rule.name: self.graph.compute(rule, self.blocked_nodes(rule)) for rule in self.rules
        }
        self.links_out: dict[str, list[ListRelation]] = defaultdict(list)
        self.links_in: dict[str, list[ListRelation]] = defaultdict(list)
        for rel in context.relations:
            self.links_out[rel.subject].append(rel)
            if rel.target:
                self.links_in[rel.target].append(rel)

    # -- graph construction --------------------------------------------------------------

    def _choose(self, edges: Sequence[StoredEdge]) -> list[Edge]:
        """One edge per pair (the newest snapshot's) and no party above 100 % in total."""
        newest: dict[tuple[str, str], StoredEdge] = {}
        for stored in edges:
            pair = (stored.edge.owner, stored.edge.owned)
            held = newest.get(pair)
            if held is None or int(stored.snapshot_id or 0) > int(held.snapshot_id or 0):
                newest[pair] = stored
            for key, name in (
                (stored.edge.owner, stored.owner_name),
                (stored.edge.owned, stored.owned_name),
            ):
                if name and key not in self.names:
                    self.names[key] = name
        totals: dict[str, float] = defaultdict(float)
        for (_, owned), stored in newest.items():
            totals[owned] += stored.edge.share or 0.0
        out: list[Edge] = []
        for pair in sorted(newest):
            stored = newest[pair]
            if totals[pair[1]] > 1.0 + 1e-9:
                self.conflicts.append(
                    f"{self.names.get(pair[1], pair[1])}: the active datasets together give "
                    f"{pct(totals[pair[1]])}; its {len([p for p in newest if p[1] == pair[1]])} "
                    "stakes are left out until the datasets agree"
                )
                continue
            out.append(stored.edge)
        self.conflicts = sorted(set(self.conflicts))
        return out

    def _find(self, node: str) -> str:
        parent = self._parent.setdefault(node, node)
        if parent != node:
            parent = self._parent[node] = self._find(parent)
        return parent

    def _union(self, a: str, b: str) -> None:
        ra, rb = self._find(a), self._find(b)
        if ra != rb:
            # a listed entity id is the preferred representative, then the smaller key
            first, second = sorted((ra, rb), key=lambda k: (k not in self.context.listed, k))
            self._parent[second] = first

    def canonical(self, node: str) -> str:
        """The one key of a party: a listed id and the identifiers it carries are one."""
        if node not in self._parent:
            self._parent[node] = node
            ids = set(self.context.keys.get(node, []))
            if node in self.context.listed:
                ids.add(node)
            for entity_id in ids:
                self._union(node, entity_id)
                for key in self.context.entity_keys.get(entity_id, []):
                    self._union(entity_id, key)
                    for other in self.context.keys.get(key, []):
                        self._union(key, other)
        return self._find(node)

    def listed_ids(self, node: str) -> list[str]:
        """Listed entity ids that are this party."""
        out: set[str] = set()
        for member in self.members.get(node, {node}) | {node}:
            if member in self.context.listed:
                out.add(member)
            out.update(self.context.keys.get(member, []))
        return sorted(out)

    def blocked_nodes(self, rule: Rule) -> set[str]:
        nodes = self.graph.nodes()
        return {
            n
            for n in nodes
            if any(self.context.listed[e].source in rule.sources for e in self.listed_ids(n))
        }

    # -- reading -------------------------------------------------------------------------

    def name(self, node: str) -> str:
        """The list's caption for a listed party, else the name the ownership data gives."""
        ids = self.listed_ids(node)
        if ids:
            return self.context.listed[ids[0]].caption
        for member in sorted(self.members.get(node, {node}) | {node}):
            if member in self.names:
                return self.names[member]
        return node

    def label(self, node: str) -> str:
        """``NAME (SDN)`` for listed parties, ``NAME (blocked under OFAC)`` for derived."""
        lists = sorted(
            {SOURCE_LABELS.get(self.context.listed[e].source, e) for e in self.listed_ids(node)}
        )
        if lists:
            return f"{self.name(node)} ({', '.join(lists)})"
        derived = [r.name.upper() for r in self.rules if self.results[r.name].status.get(node)]
        if derived:
            return f"{self.name(node)} (blocked under {', '.join(derived)})"
        return self.name(node)

    def findings(self, node: str) -> list[Finding]:
        """Per rule, the party's blocked share with its proof (rules that reach it)."""
        out: list[Finding] = []
        for rule in self.rules:
            result = self.results[rule.name]
            if result.aggregate.get(node, 0.0) > EPSILON or result.status.get(node):
                out.append(self.graph.finding(result, node))
        return out

    def sentence(self, finding: Finding) -> str:
        """The finding in words; an owner blocked by the rule itself (not listed) is shown
        with the stakes that block it: ``25 % by Z (blocked: 100 % by Y (SDN))``."""
        return explain(finding, self._rule_labels(finding, 2, {finding.party}))

    def _rule_labels(self, finding: Finding, depth: int, seen: set[str]) -> dict[str, str]:
        labels: dict[str, str] = {}
        result = self.results[finding.rule.name]
        owners = {c.owner for c in finding.contributions} | set(finding.controllers)
        for node in owners | {n for c in finding.contributions for n in c.path}:
            labels[node] = self.label(node)
            status = result.status.get(node, "")
            if (
                node in owners
                and status in ("owned", "controlled")
                and depth > 0
                and node not in seen
            ):
                inner = self.graph.finding(result, node)
                sub = self._rule_labels(inner, depth - 1, seen | {node})
                if status == "controlled":
                    why = "controlled by " + ", ".join(sub[n] for n in inner.controllers)
                else:
                    why = ", ".join(
                        f"{pct(c.share)} by {sub[c.owner]}"
                        + (
                            ""
                            if len(c.path) == 2
                            else " via " + " -> ".join(sub[n] for n in c.path[1:-1])
                        )
                        for c in inner.contributions[:3]
                    )
                labels[node] = f"{self.name(node)} (blocked: {why})"
        return labels

    def nodes_for(
        self, name: str | None = None, identifier: str | None = None, entity_ids: Iterable[str] = ()
    ) -> list[str]:
        """Ownership parties that are the screened party: by identifier, by listed id, or
        by exact name (case and spacing aside)."""
        nodes = self.graph.nodes()
        found: set[str] = set()
        if identifier:
            key, _ = identifier_key(identifier)
            for candidate in (key, identifier.strip()):
                if candidate and self.canonical(candidate) in nodes:
                    found.add(self.canonical(candidate))
        for entity_id in entity_ids:
            node = self.canonical(entity_id)
            if node in nodes:
                found.add(node)
        if name:
            found.update(n for n in self.by_name.get(name_key(name), set()) if n in nodes)
        return sorted(found)

    def links(self, entity_id: str) -> list[Link]:
        """Relationships the lists state for one listed entity, both directions."""
        out: list[Link] = []
        for rel in self.links_out.get(entity_id, []):
            other = self.context.listed.get(rel.target or "")
            caption = other.caption if other else rel.target_text
            out.append(Link(rel, "out", rel.target, caption))
        for rel in self.links_in.get(entity_id, []):
            other = self.context.listed.get(rel.subject)
            out.append(Link(rel, "in", rel.subject, other.caption if other else rel.subject))
        return out

    def downstream(self, nodes: Iterable[str]) -> set[str]:
        """The parties ``nodes`` own or control, directly or indirectly (and ``nodes``)."""
        seen: set[str] = set()
        stack = [self.canonical(n) for n in nodes]
        while stack:
            node = stack.pop()
            if node in seen:
                continue
            seen.add(node)
            stack.extend(e.owned for e in self.graph.out.get(node, ()))
        return seen

    def neighbourhood(self, node: str, up: int = 3, down: int = 2) -> list[Edge]:
        """Edges within ``up`` hops above and ``down`` hops below ``node``."""
        edges: dict[tuple[str, str], Edge] = {}
        for depth, index, attr in ((up, self.graph.inc, "owner"), (down, self.graph.out, "owned")):
            frontier = {node}
            seen = {node}
            for _ in range(depth):
                following: set[str] = set()
                for current in frontier:
                    for edge in index.get(current, ()):
                        edges[(edge.owner, edge.owned)] = edge
                        nxt = getattr(edge, attr)
                        if nxt not in seen:
                            seen.add(nxt)
                            following.add(nxt)
                frontier = following
        return [edges[k] for k in sorted(edges)]

    def kind(self, node: str) -> str:
        """``listed``, ``blocked`` (by a rule, through ownership or control) or ``other``."""
        if self.listed_ids(node):
            return "listed"
        if any(self.results[r.name].status.get(node) for r in self.rules):
            return "blocked"
        return "other"

    def explain_data(self, node: str) -> dict[str, Any]:
        """JSON of a party's neighbourhood, findings and list links (CLI, API and web)."""
        edges = self.neighbourhood(node)
        names = {n for e in edges for n in (e.owner, e.owned)} | {node}
        return {
            "party": node,
            "label": self.label(node),
            "listed_ids": self.listed_ids(node),
            "nodes": [
                {"id": n, "label": self.label(n), "kind": self.kind(n)} for n in sorted(names)
            ],
            "edges": [
                {
                    "owner": e.owner,
                    "owned": e.owned,
                    "share": e.share,
                    "control": e.control,
                    "source": e.source,
                }
                for e in edges
            ],
            "findings": [
                {
                    "rule": f.rule.name,
                    "aggregate": round(f.aggregate, 6),
                    "status": f.status,
                    "blocked": f.blocked,
                    "text": self.sentence(f),
                    "paths": [
                        {"share": round(c.share, 6), "path": list(c.path)} for c in f.contributions
                    ],
                }
                for f in self.findings(node)
            ],
            "links": [link.text() for e in self.listed_ids(node) for link in self.links(e)],
        }

    def resolve(self, text: str) -> list[str]:
        """Parties named by ``text``: a listed id, an identifier, a node key or a name."""
        nodes = self.nodes_for(text, text, [text])
        if not nodes and text in self.context.listed:
            nodes = [text]
        return nodes

    def explain_text(self, node: str) -> str:
        """The graph around a party, the rules' findings and the lists' statements."""
        lines = [f"{self.label(node)}  [{node}]"]
        owners = self.graph.inc.get(node, [])
        lines.append("owners:" if owners else "owners: none known")
        lines.extend(self._tree(node, "up", 1, {node}))
        owned = self.graph.out.get(node, [])
        lines.append("holdings:" if owned else "holdings: none known")
        lines.extend(self._tree(node, "down", 1, {node}))
        lines.append("rules:")
        findings = {f.rule.name: f for f in self.findings(node)}
        for rule in self.rules:
            found = findings.get(rule.name)
            lines.append(
                "  " + (self.sentence(found) if found else f"{rule.name.upper()}: no listed owner")
            )
        links = [link for e in self.listed_ids(node) for link in self.links(e)]
        if links:
            lines.append("stated by the lists:")
            lines.extend(f"  {link.text()}" for link in links)
        return "\n".join(lines)

    def _tree(self, node: str, way: str, depth: int, seen: set[str]) -> list[str]:
        if depth > 4:
            return []
        edges = self.graph.inc.get(node, []) if way == "up" else self.graph.out.get(node, [])
        out: list[str] = []
        for edge in sorted(edges, key=lambda e: (-(e.share or 0.0), e.owner, e.owned)):
            other = edge.owner if way == "up" else edge.owned
            what = pct(edge.share) if edge.share else "share unknown"
            if edge.control:
                what += ", controls"
            cycle = other in seen
            out.append(
                "  " * depth
                + ("^ " if way == "up" else "v ")
                + f"{self.label(other)}: {what}"
                + (f" [{edge.source}]" if edge.source else "")
                + (" (cycle)" if cycle else "")
            )
            if not cycle:
                out.extend(self._tree(other, way, depth + 1, seen | {other}))
        return out


def open_view(store: Store, rules: Sequence[Rule] | None = None) -> OwnershipView:
    """The ownership view over the store's active lists and ownership datasets."""
    from circumspect.ownership.rules import load_rules
    from circumspect.ownership.store import OwnershipStore
    from circumspect.store.sql import SqlStore

    context = cached_list_context(store)
    edges = OwnershipStore(store).edges() if isinstance(store, SqlStore) else []
    return OwnershipView(context, edges, rules if rules is not None else load_rules())


def iter_relation_entities(context: ListContext) -> Iterator[object]:
    """FtM entities of every list relationship (links and unresolved-target stubs)."""
    from circumspect.ownership.relations import to_ftm

    for rel in context.relations:
        yield from to_ftm(rel)
