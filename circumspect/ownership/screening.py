"""Ownership in screening results: ``owned_by_listed`` and ``linked_to_listed`` features.

:func:`enrich` is called by :meth:`circumspect.matching.screener.Screener.screen` when the
screener was opened on a store (``Screener.from_store``), so ``screen``, ``screen-file``,
``/v1/screen``, declarations and payments all see the same thing:

* every candidate (a listed entry) gets one ``linked_to_listed`` feature per relationship
  the lists state for it, in either direction (weight 0: the name score is unchanged);
* a party the ownership data knows (by identifier, by the listed id of an alerting
  candidate, or by its exact name) gets an extra candidate, source ``ownership``, whose
  ``owned_by_listed`` features give each rule's aggregate and the proof. It alerts when
  some rule blocks the party (e.g. owned 50 % or more by SDN persons under OFAC), and is
  shown without alert when listed persons hold a smaller share.
"""

from __future__ import annotations

from circumspect.model.screening import Candidate, FeatureScore, Query
from circumspect.ownership.graph import Finding
from circumspect.ownership.service import OwnershipView

#: Source name of the candidates ownership adds.
SOURCE = "ownership"


#: Feature naming a Russian party behind a candidate (weight 0: the score is unchanged).
RUSSIAN = "russian_party"


def _russian(view: OwnershipView, entity_id: str | None) -> str:
    info = view.context.listed.get(entity_id or "")
    return f"{info.caption} ({info.id}, {info.russian})" if info and info.russian else ""


def linked_features(view: OwnershipView, entity_id: str) -> list[FeatureScore]:
    out: list[FeatureScore] = []
    russian: list[str] = []
    own = _russian(view, entity_id)
    if own:
        russian.append(f"listed Russian party {own}")
    for link in view.links(entity_id):
        listed = link.other_id is not None and link.other_id in view.context.listed
        out.append(FeatureScore("linked_to_listed", 1.0 if listed else 0.0, 0.0, link.text()))
        other = _russian(view, link.other_id)
        if other:
            russian.append(f"linked to Russian listed party {other}")
    out.extend(FeatureScore(RUSSIAN, 1.0, 0.0, text) for text in russian)
    return out


def _russian_owners(view: OwnershipView, findings: list[Finding]) -> list[FeatureScore]:
    owners: list[str] = []
    for finding in findings:
        for owner in [c.owner for c in finding.contributions] + list(finding.controllers):
            if owner not in owners:
                owners.append(owner)
    out: list[FeatureScore] = []
    for owner in owners:
        text = _russian(view, owner)
        if text:
            out.append(FeatureScore(RUSSIAN, 1.0, 0.0, f"owned or controlled by {text}"))
    return out


def ownership_candidates(
    view: OwnershipView, query: Query, entity_ids: list[str]
) -> list[Candidate]:
    out: list[Candidate] = []
    for node in view.nodes_for(query.name, query.identifier, entity_ids):
        findings = [f for f in view.findings(node) if f.status != "listed"]
        if not findings:
            continue
        blocked = [f for f in findings if f.blocked]
        features = [
            FeatureScore("owned_by_listed", round(f.aggregate, 4), 0.0, view.sentence(f))
            for f in findings
        ] + _russian_owners(view, findings)
        score = max([1.0 if f.status == "controlled" else f.aggregate for f in findings])
        head = blocked or findings
        explanation = "; ".join(view.sentence(f) for f in head)
        out.append(
            Candidate(
                entity_id=f"{SOURCE}:{node}",
                source=SOURCE,
                source_id=node,
                caption=view.name(node),
                schema=query.schema,
                score=round(min(score, 1.0), 4),
                alert=bool(blocked),
                explanation=explanation,
                matched_name=view.name(node),
                features=features,
            )
        )
    return out


def enrich(view: OwnershipView, query: Query, candidates: list[Candidate]) -> list[Candidate]:
    """``candidates`` with list links added, plus the ownership candidates of the party."""
    for candidate in candidates:
        if candidate.source != SOURCE:
            candidate.features = list(candidate.features) + linked_features(
                view, candidate.entity_id
            )
    alerting = [c.entity_id for c in candidates if c.alert and c.source != SOURCE]
    owned = ownership_candidates(view, query, alerting)
    return [c for c in owned if c.alert] + candidates + [c for c in owned if not c.alert]
