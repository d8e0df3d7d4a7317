"""One entity across lists: records of the same person, company or vessel on several lists
are resolved into one cluster, by deterministic rules or an analyst's judgement, with the
reason for every merge kept and every merge reversible (docs/lists.md, decision 1201).

* :mod:`circumspect.resolve.rules`: the match keys of a listed entity (strong identifier,
  full name with full birth date, the OFAC record a US CSL row republishes);
* :mod:`circumspect.resolve.resolver`: clusters from the keys and the judgements
  (union-find; a negative judgement is never crossed), explanations;
* :mod:`circumspect.resolve.store`: the analysts' judgements in the list store's database.
"""

from circumspect.resolve.resolver import Link, Resolution, build_resolution
from circumspect.resolve.rules import RULES, entity_keys

__all__ = ["RULES", "Link", "Resolution", "build_resolution", "entity_keys"]
