"""Domain vocabulary shared by every stage (list entities, screening values)."""

from circumspect.model.entities import SOURCES, ListedEntity, make_entity_id
from circumspect.model.screening import Candidate, FeatureScore, PartyScreener, Query

__all__ = [
    "SOURCES",
    "Candidate",
    "FeatureScore",
    "ListedEntity",
    "PartyScreener",
    "Query",
    "make_entity_id",
]
