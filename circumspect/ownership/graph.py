"""The ownership rule, computed: aggregate ownership by blocked persons, cycles included.

Pure computation, no I/O. Nodes are opaque keys (a listed entity id, an identifier such as a
BIN or an INN, see :mod:`circumspect.ownership.ids`); an :class:`Edge` says "``owner`` holds
``share`` (a fraction 0..1) of ``owned``" and/or "``owner`` controls ``owned``".

Method (see ``docs/decisions/1400-ownership-aggregation.md``): for one :class:`Rule` the
blocked set starts with the persons listed under the rule's sources. The blocked share of a
party ``t`` is

    a(t) = sum over owners u of  share(u, t) * w(u),   w(u) = 1 when u is blocked,
                                                        w(u) = a(u) otherwise (look-through)

i.e. effective ownership multiplied along every chain and added across chains, where a chain
stops at the first blocked holder (its stake counts in full, so nothing is counted twice).
A party whose ``a`` meets the threshold, or that a blocked person controls (rules with
``control``), becomes blocked itself and its stakes count in full from then on (OFAC's
"entities owned 50 % or more by blocked persons are blocked, and so are their 50 %
subsidiaries"). The system is solved by monotone residual propagation ("push"): weight
increases travel along out-edges until every residual is below ``EPSILON``. Cycles are
handled because the weight going round a cycle shrinks by the cycle's product of shares
(below 1, since shares into one party add up to at most 100 %); it is the least fixed
point of a monotone system, so the result does not depend on the order of the edges.
"""

from __future__ import annotations

from collections import defaultdict, deque
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

#: Residuals smaller than this are not propagated further.
EPSILON = 1e-12
#: Tolerance when comparing an aggregate with a threshold (floating-point sums).
TOLERANCE = 1e-9
#: Proof paths are enumerated to this many hops; the rest is reported as one remainder.
PROOF_DEPTH = 8
#: Proof paths contributing less than this (a fraction) are folded into the remainder.
PROOF_MIN_SHARE = 1e-4


@dataclass(frozen=True, slots=True)
class Edge:
    """``owner`` holds ``share`` of ``owned`` (``None``: unknown) and/or controls it."""

    owner: str
    owned: str
    share: float | None
    control: bool = False
    source: str = ""
    date: str = ""


@dataclass(frozen=True, slots=True)
class Rule:
    """One authority's ownership and control rule."""

    name: str
    authority: str
    #: list sources whose entries count as blocked persons under this rule
    sources: tuple[str, ...]
    #: fraction, e.g. 0.5
    threshold: float
    #: True: aggregate >= threshold blocks (OFAC); False: > threshold (EU, UK)
    inclusive: bool
    #: a party controlled by a blocked person is blocked (EU, UK)
    control: bool
    #: stakes held through parties that are not themselves blocked count, multiplied along
    #: the chain; False counts only stakes of blocked holders (the strict OFAC reading)
    look_through: bool = True

    def meets(self, share: float) -> bool:
        if self.inclusive:
            return share >= self.threshold - TOLERANCE
        return share > self.threshold + TOLERANCE

    def describe(self) -> str:
        sign = ">=" if self.inclusive else ">"
        text = f"{self.name.upper()}: owned {sign} {pct(self.threshold)} in aggregate"
        return text + (" or controlled" if self.control else "") + " by listed persons"


@dataclass(frozen=True, slots=True)
class Contribution:
    """Part of a party's blocked share: ``share`` held by ``path[0]`` along ``path``."""

    share: float
    path: tuple[str, ...]

    @property
    def owner(self) -> str:
        return self.path[0]


@dataclass(slots=True)
class Finding:
    """The result of one rule for one party, with its proof."""

    rule: Rule
    party: str
    aggregate: float
    #: "listed" | "owned" | "controlled" | "" (not blocked)
    status: str
    contributions: list[Contribution] = field(default_factory=list)
    #: blocked parties controlling this one (direct control edges)
    controllers: list[str] = field(default_factory=list)
    #: the part of ``aggregate`` not shown as a path (cycles, longer or tiny chains)
    remainder: float = 0.0

    @property
    def blocked(self) -> bool:
        return bool(self.status)


@dataclass(slots=True)
class RuleResult:
    """Blocked shares and statuses of every reached party under one rule."""

    rule: Rule
    aggregate: dict[str, float]
    status: dict[str, str]
    controllers: dict[str, list[str]]
    converged: bool


def pct(value: float) -> str:
    """A fraction as a percentage: ``0.55`` -> ``55 %``, ``0.1234`` -> ``12.34 %``."""
    text = f"{value * 100:.2f}".rstrip("0").rstrip(".")
    return f"{text} %"


class OwnershipGraph:
    """Edges indexed both ways; :meth:`compute` applies a rule."""

    def __init__(self, edges: Iterable[Edge]) -> None:
        self.out: dict[str, list[Edge]] = defaultdict(list)
        self.inc: dict[str, list[Edge]] = defaultdict(list)
        self.edge_count = 0
        for edge in edges:
            self.out[edge.owner].append(edge)
            self.inc[edge.owned].append(edge)
            self.edge_count += 1

    def nodes(self) -> set[str]:
        return set(self.out) | set(self.inc)

    def compute(self, rule: Rule, listed: Iterable[str]) -> RuleResult:
        """Blocked shares and statuses under ``rule`` with ``listed`` as blocked persons."""
        aggregate: dict[str, float] = defaultdict(float)
        pushed: dict[str, float] = defaultdict(float)
        pending: dict[str, float] = {}
        status: dict[str, str] = {}
        controllers: dict[str, list[str]] = defaultdict(list)
        queue: deque[str] = deque()

        def add(node: str, delta: float) -> None:
            if node not in pending:
                pending[node] = 0.0
                queue.append(node)
            pending[node] += delta

        def block(node: str, why: str) -> None:
            status[node] = why
            delta = 1.0 - pushed[node] - pending.get(node, 0.0)
            if delta > EPSILON:
                add(node, delta)

        for node in sorted(set(listed)):
            block(node, "listed")
        budget = 200 * (self.edge_count + len(status) + 10)
        steps = 0
        while queue:
            node = queue.popleft()
            delta = pending.pop(node)
            if delta <= EPSILON:
                continue
            pushed[node] += delta
            node_blocked = node in status
            for edge in self.out.get(node, ()):
                steps += 1
                target = edge.owned
                if edge.share:
                    aggregate[target] += delta * edge.share
                if rule.control and edge.control and node_blocked:
                    if node not in controllers[target]:
                        controllers[target].append(node)
                    if target not in status:
                        block(target, "controlled")
                        continue
                if target in status:
                    continue
                if rule.meets(aggregate[target]):
                    block(target, "owned")
                elif rule.look_through:
                    rest = aggregate[target] - pushed[target] - pending.get(target, 0.0)
                    if rest > EPSILON:
                        add(target, rest)
            if steps > budget:
                return RuleResult(rule, dict(aggregate), status, dict(controllers), False)
        return RuleResult(rule, dict(aggregate), status, dict(controllers), True)

    def finding(self, result: RuleResult, party: str) -> Finding:
        """The rule's result for one party, with the chains that make up its share."""
        rule = result.rule
        total = result.aggregate.get(party, 0.0)
        found = Finding(
            rule=rule,
            party=party,
            aggregate=total,
            status=result.status.get(party, ""),
            controllers=sorted(result.controllers.get(party, [])),
        )
        if found.status == "listed" and total <= EPSILON:
            return found
        paths: list[Contribution] = []

        def walk(node: str, factor: float, path: tuple[str, ...]) -> None:
            for edge in self.inc.get(node, ()):
                owner = edge.owner
                if not edge.share or owner in path:
                    continue
                share = factor * edge.share
                if owner in result.status:
                    if share >= PROOF_MIN_SHARE:
                        paths.append(Contribution(share, (owner, *path)))
                elif (
                    rule.look_through
                    and len(path) < PROOF_DEPTH
                    and share * result.aggregate.get(owner, 0.0) >= PROOF_MIN_SHARE
                ):
                    walk(owner, share, (owner, *path))

        walk(party, 1.0, (party,))
        paths.sort(key=lambda c: (-c.share, c.path))
        found.contributions = paths
        found.remainder = max(0.0, total - sum(c.share for c in paths))
        if found.remainder < TOLERANCE:
            found.remainder = 0.0
        return found


def explain(finding: Finding, label: Mapping[str, str]) -> str:
    """One sentence: ``owned 55 % in aggregate: 30 % by X (SDN) directly, 25 % by Y (SDN)
    via Z``; ``label`` maps node keys to display names (with their list)."""

    def name(node: str) -> str:
        return label.get(node, node)

    rule = finding.rule
    parts: list[str] = []
    for item in finding.contributions:
        via = item.path[1:-1]
        how = "directly" if not via else "via " + " -> ".join(name(n) for n in via)
        parts.append(f"{pct(item.share)} by {name(item.owner)} {how}")
    if finding.remainder > 0:
        parts.append(f"{pct(finding.remainder)} through cycles or longer chains")
    ownership = f"owned {pct(finding.aggregate)} in aggregate"
    if parts:
        ownership += ": " + ", ".join(parts)
    if finding.status == "controlled":
        who = ", ".join(name(n) for n in finding.controllers)
        text = f"controlled by {who}; {ownership}"
    elif finding.status == "listed":
        text = f"listed itself; {ownership}"
    else:
        text = ownership
    verdict = "blocked" if finding.blocked else "not blocked"
    return f"{rule.name.upper()} ({verdict}): {text}"
