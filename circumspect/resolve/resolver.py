"""Clusters of listed entries that are one entity, with the reason for every merge.

Positive judgements are applied first, then the rules' shared keys in a fixed order (rule,
key, entity ids), so the result does not depend on the order of the lists or rows. A merge
that would put two entries an analyst judged different into one cluster is skipped (and
reported by :meth:`Resolution.explain`), so ``split`` always wins over the rules. A rule
never puts two entries of the same source into one cluster either: a list's publisher keeps
its own records apart on purpose (OFAC lists a bank and its subsidiary with one INN), so
only an analyst's ``merge`` joins them. For the same reason a key that two entries of one
source hold is ambiguous and joins nothing: which of the two another list's entry is, the
key cannot tell.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Literal

#: An analyst's judgement on a pair of entries.
Judgement = Literal["positive", "negative"]


@dataclass(frozen=True, slots=True)
class Link:
    """Why two entries are one entity: a rule with the shared key, or a judgement."""

    left: str
    right: str
    #: a rule of :data:`circumspect.resolve.rules.RULES` or ``judgement``
    rule: str
    evidence: str

    def text(self) -> str:
        return f"{self.left} = {self.right} by {self.rule} ({self.evidence})"


@dataclass(frozen=True, slots=True)
class JudgementRow:
    left: str
    right: str
    judgement: Judgement
    actor: str
    reason: str


@dataclass(slots=True)
class Resolution:
    """Entity id -> cluster id (the smallest member id), with the links that made it."""

    cluster: dict[str, str] = field(default_factory=dict)
    members: dict[str, list[str]] = field(default_factory=dict)
    links: dict[str, list[Link]] = field(default_factory=dict)
    #: merges not made, with the reason (a negative judgement, entries of one source)
    blocked: list[tuple[Link, str]] = field(default_factory=list)
    counts: dict[str, int] = field(default_factory=dict)

    def cluster_of(self, entity_id: str) -> str:
        return self.cluster.get(entity_id, entity_id)

    def members_of(self, entity_id: str) -> list[str]:
        return self.members.get(self.cluster_of(entity_id), [entity_id])

    def explain(self, entity_id: str) -> list[str]:
        """Sentences: the cluster, each link, and any merge a judgement prevented."""
        cid = self.cluster_of(entity_id)
        members = self.members_of(entity_id)
        out = [f"cluster {cid}: {len(members)} entries ({', '.join(members)})"]
        out += [link.text() for link in self.links.get(cid, [])]
        shown: set[frozenset[str]] = set()
        for link, why in self.blocked:
            pair = frozenset((link.left, link.right))
            if (link.left in members or link.right in members) and pair not in shown:
                shown.add(pair)
                out.append(f"not merged: {link.text()}: {why}")
        return out


def build_resolution(
    keys: Mapping[str, Iterable[str]],
    judgements: Iterable[JudgementRow] = (),
    sources: Mapping[str, str] | None = None,
) -> Resolution:
    """Clusters from each entry's match keys (``rule|value``) and the judgements (the latest
    judgement of a pair counts; pairs with an entry not in ``keys`` are ignored).
    ``sources`` (entity id -> source) keeps a rule from joining two entries of one source."""
    from circumspect.resolve.rules import RULES

    latest: dict[frozenset[str], JudgementRow] = {}
    for row in judgements:
        if row.left in keys and row.right in keys and row.left != row.right:
            latest[frozenset((row.left, row.right))] = row
    negative = {pair: row for pair, row in latest.items() if row.judgement == "negative"}
    parent: dict[str, str] = {}
    members: dict[str, list[str]] = {}

    def find(x: str) -> str:
        root = x
        while parent.get(root, root) != root:
            root = parent[root]
        while parent.get(x, x) != root:
            parent[x], x = root, parent[x]
        return root

    def conflict(a: str, b: str, rule: str) -> str | None:
        left, right = members.get(a, [a]), members.get(b, [b])
        for x in left:
            for y in right:
                row = negative.get(frozenset((x, y)))
                if row is not None:
                    return f"{x} and {y} judged different by {row.actor} ({row.reason})"
        if sources is not None and rule != "judgement":
            shared = {sources.get(x) for x in left} & {sources.get(y) for y in right}
            shared.discard(None)
            if shared:
                return f"both would hold entries of {', '.join(sorted(str(s) for s in shared))}"
        return None

    resolution = Resolution()
    accepted: list[Link] = []

    def union(link: Link) -> None:
        a, b = find(link.left), find(link.right)
        if a == b:
            return
        why = conflict(a, b, link.rule)
        if why is not None:
            resolution.blocked.append((link, why))
            return
        root, other = (a, b) if a < b else (b, a)
        parent[other] = root
        members[root] = sorted(members.pop(root, [root]) + members.pop(other, [other]))
        accepted.append(link)
        resolution.counts[link.rule] = resolution.counts.get(link.rule, 0) + 1

    for pair, row in sorted(latest.items(), key=lambda kv: sorted(kv[0])):
        if row.judgement == "positive":
            left, right = sorted(pair)
            union(Link(left, right, "judgement", f"{row.actor}: {row.reason}"))
    by_key: dict[str, list[str]] = defaultdict(list)
    for entity_id, entity_keys in keys.items():
        for key in entity_keys:
            by_key[key].append(entity_id)
    order = {rule: i for i, rule in enumerate(RULES)}
    for key in sorted(by_key, key=lambda k: (order.get(k.split("|", 1)[0], 99), k)):
        ids = sorted(by_key[key])
        if len(ids) < 2:
            continue
        rule, _, value = key.partition("|")
        evidence = value.replace("|", " born ")
        crowded = _crowded_sources(ids, sources, find)
        if crowded:
            # Two entries of one list hold the key: which of them another list's entry is
            # remains open (UN lists two persons with one pair of passports), so the key
            # joins nothing and explain says why; an analyst's merge decides.
            why = f"ambiguous: {crowded} hold the same {rule}"
            resolution.blocked.extend(
                (Link(ids[0], other, rule, evidence), why) for other in ids[1:]
            )
            continue
        for other in ids[1:]:
            union(Link(ids[0], other, rule, evidence))
    for entity_id in keys:
        root = find(entity_id)
        if root != entity_id or entity_id in members:
            resolution.cluster[entity_id] = root
    for link in accepted:
        resolution.links.setdefault(find(link.left), []).append(link)
    resolution.members = {root: ids for root, ids in members.items() if len(ids) > 1}
    return resolution


def _crowded_sources(
    ids: list[str], sources: Mapping[str, str] | None, find: Callable[[str], str]
) -> str:
    """The entries of one source among ``ids`` when they are in several clusters (``""`` if
    none: entries an analyst merged count as one)."""
    if sources is None:
        return ""
    by_source: dict[str, list[str]] = defaultdict(list)
    roots: dict[str, set[str]] = defaultdict(set)
    for entity_id in ids:
        source = sources.get(entity_id)
        if source is not None:
            by_source[source].append(entity_id)
            roots[source].add(find(entity_id))
    return "; ".join(
        f"{len(held)} entries of {source} ({', '.join(held)})"
        for source, held in sorted(by_source.items())
        if len(roots[source]) > 1
    )
