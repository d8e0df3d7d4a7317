"""Every list fixture under ../shared/fixtures/lists loads into the store, and the counts per
sub-list agree with an independent count of the raw files (csv / lxml, not our parsers).

A new folder under fixtures/lists without an entry here fails the test, so no fixture can
be added and silently not loaded.
"""

from __future__ import annotations

import csv
import re
from collections import Counter
from collections.abc import Callable
from pathlib import Path

import pytest
from lxml import etree

from circumspect.model.entities import ListedEntity
from circumspect.store.loading import load_paths
from circumspect.store.sql import SqlStore
from tests.support import shared_path


def _ofac_rows(path: Path) -> list[list[str]]:
    with path.open(encoding="latin-1", newline="") as fh:
        return [r for r in csv.reader(fh) if r and r[0].strip().isdigit()]


def _programs(value: str) -> list[str]:
    return [p.strip() for p in value.strip().strip("[]").split("] [") if p.strip()]


def count_ofac_sdn(folder: Path) -> Counter[str]:
    """SDN: per entry type (individual/vessel/aircraft/other) from sdn.csv's column 3."""
    kinds = {"individual": "Person", "vessel": "Vessel", "aircraft": "Airplane"}
    return Counter(
        kinds.get(r[2].strip().strip('"').lower(), "org") for r in _ofac_rows(folder / "sdn.csv")
    ) + Counter(total=len(_ofac_rows(folder / "sdn.csv")))


def sdn_counts(entities: list[ListedEntity]) -> Counter[str]:
    out: Counter[str] = Counter(
        e.schema if e.schema in ("Person", "Vessel", "Airplane") else "org" for e in entities
    )
    return out + Counter(total=len(entities))


def count_ofac_cons(folder: Path) -> Counter[str]:
    """Consolidated non-SDN: per program (its sub-lists: NS-PLC, SSI (UKRAINE-EO13662), ...)."""
    out: Counter[str] = Counter()
    for row in _ofac_rows(folder / "cons_prim.csv"):
        out.update(_programs(row[3]))
    return out + Counter(total=len(_ofac_rows(folder / "cons_prim.csv")))


def program_counts(entities: list[ListedEntity]) -> Counter[str]:
    out: Counter[str] = Counter()
    for entity in entities:
        out.update(set(entity.get("program")))
    return out + Counter(total=len(entities))


def count_un(folder: Path) -> Counter[str]:
    """UN: per UN_LIST_TYPE (the sanctions regime) and individuals vs entities."""
    tree = etree.parse(str(folder / "UN_consolidated.xml"))
    out: Counter[str] = Counter()
    for tag, kind in (("INDIVIDUAL", "Person"), ("ENTITY", "org")):
        for element in tree.iter(tag):
            out[kind] += 1
            out[str(element.findtext("UN_LIST_TYPE")).strip()] += 1
    return out + Counter(total=out["Person"] + out["org"])


def un_counts(entities: list[ListedEntity]) -> Counter[str]:
    out: Counter[str] = Counter()
    for entity in entities:
        out["Person" if entity.schema == "Person" else "org"] += 1
        out.update(entity.get("program"))
    return out + Counter(total=len(entities))


def count_dpl(folder: Path) -> Counter[str]:
    """DPL: one entry per distinct (name, street, city, state, country, postal code)."""
    with (folder / "dpl.txt").open(encoding="utf-8", newline="") as fh:
        rows = list(csv.DictReader(fh, delimiter="\t"))
    keys = {
        tuple(
            re.sub(r"\s+", " ", r[c]).strip().upper()
            for c in ("Name", "Street_Address", "City", "State", "Country", "Postal_Code")
        )
        for r in rows
    }
    return Counter(total=len(keys), rows=len(rows))


def dpl_counts(entities: list[ListedEntity]) -> Counter[str]:
    return Counter(total=len(entities), rows=0)


def count_csl(path: Path) -> Counter[str]:
    """US CSL: per sub-list code in the ``source`` column (one per OFAC entry number, else
    per distinct name and addresses)."""
    keys: set[tuple[str, ...]] = set()
    with path.open(encoding="utf-8", newline="") as fh:
        for row in csv.DictReader(fh):
            code = re.search(r"\(([A-Z-]+?)(?: List)?\)", row["source"])
            assert code is not None, row["source"]
            number = row["entity_number"].strip()
            rest = (number,) if number else (row["name"].strip().upper(), row["addresses"].upper())
            keys.add((code.group(1), *rest))
    return Counter(k[0] for k in keys) + Counter(total=len(keys))


def sublist_counts(entities: list[ListedEntity]) -> Counter[str]:
    return Counter(str(e.sublist) for e in entities) + Counter(total=len(entities))


Case = tuple[
    str, Callable[[Path], list[Path]], Callable[[Path], Counter[str]], Callable[..., Counter[str]]
]

CASES: dict[str, list[Case]] = {
    "ofac_sdn_2021": [("ofac_sdn", lambda d: sorted(d.glob("*.csv")), count_ofac_sdn, sdn_counts)],
    "ofac_consolidated": [
        ("ofac_cons", lambda d: sorted(d.glob("*.csv")), count_ofac_cons, program_counts)
    ],
    "un": [("un_sc", lambda d: [d / "UN_consolidated.xml"], count_un, un_counts)],
    "bis_dpl": [("bis_dpl", lambda d: [d / "dpl.txt"], count_dpl, dpl_counts)],
    "us_csl": [
        ("us_csl", lambda d: [d / "csl.csv"], lambda d: count_csl(d / "csl.csv"), sublist_counts),
        (
            "us_csl",
            lambda d: [d / "consolidated_2023.csv"],
            lambda d: count_csl(d / "consolidated_2023.csv"),
            sublist_counts,
        ),
    ],
}


def test_every_fixture_folder_is_covered() -> None:
    base = shared_path("fixtures", "lists")
    folders = {p.name for p in base.iterdir() if p.is_dir()}
    assert folders <= set(CASES), f"fixture folders without a load test: {folders - set(CASES)}"


@pytest.mark.parametrize(
    ("folder", "index"), [(f, i) for f, cases in CASES.items() for i in range(len(cases))]
)
def test_fixture_loads_with_independent_counts(folder: str, index: int, tmp_path: Path) -> None:
    source, files, independent, ours = CASES[folder][index]
    base = shared_path("fixtures", "lists", folder)
    store = SqlStore(f"sqlite:///{tmp_path / 'store.db'}")
    try:
        report = load_paths(store, source, files(base))
        stored = list(store.iter_entities(sources=[source]))
        assert store.count_entities(report.snapshot.id) == report.snapshot.entity_count
    finally:
        store.close()
    expected = independent(base)
    got = ours(stored)
    if folder == "bis_dpl":
        got["rows"] = expected["rows"]  # the row count is informative only
    assert report.snapshot.entity_count == expected["total"]
    assert got == expected
