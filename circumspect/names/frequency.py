"""How common a given name or surname is (``data/common_names.csv`` and
``data/listed_name_counts.csv``).

Two sources, both with a ``source`` column:

* ``common_names.csv``: frequent Russian and Kazakh surnames and given names from public
  statistics (partial tables, see each row's source);
* ``listed_name_counts.csv``: how many persons on the OFAC SDN list (2021) carry each given
  name and surname, built by ``scripts/build_name_counts.py`` (rows with 4+ persons).

Names are keyed by their spelling skeleton (:func:`circumspect.names.phonetic.skeleton`), so
``Sergey``/``Sergei``/``Сергей`` are one name. A name found in either table is *common*: an
exact match on it is weak evidence of identity, and a one-letter difference on it is likely
another name (``Ivanov``/``Ivakov``) rather than a typo.
"""

from __future__ import annotations

import csv
from functools import lru_cache
from pathlib import Path

from circumspect.names.phonetic import skeleton
from circumspect.names.translit import latin_variants

DATA = Path(__file__).resolve().parent / "data"
#: A surname counts as common from this many listed persons (given names: from 4, the
#: table's floor); fewer are usually one family.
LISTED_SURNAME_MIN = 10


@lru_cache(maxsize=1)
def _tables() -> tuple[frozenset[str], frozenset[str]]:
    """(given-name skeletons, surname skeletons)."""
    given: set[str] = set()
    surnames: set[str] = set()
    for path in (DATA / "common_names.csv", DATA / "listed_name_counts.csv"):
        with path.open(encoding="utf-8", newline="") as fh:
            for row in csv.DictReader(fh):
                listed = int(row.get("listed_persons") or 0)
                if row["kind"] != "given" and 0 < listed < LISTED_SURNAME_MIN:
                    continue  # a family on the list (ROTENBERG x4) is no common surname
                target = given if row["kind"] == "given" else surnames
                for latin in latin_variants(row["name"]):
                    sk = skeleton(latin)
                    if len(sk) >= 2:
                        target.add(sk)
    return frozenset(given), frozenset(surnames)


def is_common_given_name(token: str) -> bool:
    """Whether a spelling-skeleton token is a frequent given name."""
    return token in _tables()[0]


def is_common_surname(token: str) -> bool:
    """Whether a spelling-skeleton token is a frequent surname."""
    return token in _tables()[1]


def is_common_name(token: str) -> bool:
    """Whether a spelling-skeleton token is a frequent given name or surname."""
    given, surnames = _tables()
    return token in given or token in surnames
