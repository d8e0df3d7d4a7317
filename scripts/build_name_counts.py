"""Build ``circumspect/names/data/listed_name_counts.csv``: how many listed persons carry
each given name and each surname, from the OFAC SDN list of 2021 in ``../shared``.

OFAC writes a person as ``SURNAME, Given Names`` (names and a.k.a.s), so the part before the
comma gives surnames and the part after it given names. A word is counted once per listed
person. Rows with at least ``MIN_ENTITIES`` persons are kept.

Run: ``.venv/bin/python scripts/build_name_counts.py [path to ofac_sdn_2021]``
"""

from __future__ import annotations

import csv
import sys
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from circumspect.names.normalize import ascii_fold, normalize  # noqa: E402

MIN_ENTITIES = 4
OUT = ROOT / "circumspect" / "names" / "data" / "listed_name_counts.csv"
SOURCE = "OFAC SDN list 2021 (shared/fixtures/lists/ofac_sdn_2021: sdn.csv and alt.csv)"


def main(argv: list[str]) -> None:
    folder = Path(argv[1]) if len(argv) > 1 else ROOT.parent / "shared/fixtures/lists/ofac_sdn_2021"
    persons: set[str] = set()
    names: dict[str, list[str]] = {}
    with (folder / "sdn.csv").open(encoding="latin-1", newline="") as fh:
        for row in csv.reader(fh):
            if len(row) > 2 and row[2].strip().lower() == "individual":
                persons.add(row[0])
                names.setdefault(row[0], []).append(row[1])
    with (folder / "alt.csv").open(encoding="latin-1", newline="") as fh:
        for row in csv.reader(fh):
            if len(row) > 3 and row[0] in persons:
                names[row[0]].append(row[3])
    given: Counter[str] = Counter()
    surname: Counter[str] = Counter()
    for values in names.values():
        g: set[str] = set()
        s: set[str] = set()
        for value in values:
            if "," not in value:
                continue
            last, first = value.split(",", 1)
            s.update(t for t in ascii_fold(normalize(last)).split() if len(t) >= 3)
            g.update(t for t in ascii_fold(normalize(first)).split() if len(t) >= 3)
        given.update(g)
        surname.update(s)
    rows = [(n, "given", c) for n, c in given.items() if c >= MIN_ENTITIES]
    rows += [(n, "surname", c) for n, c in surname.items() if c >= MIN_ENTITIES]
    rows.sort(key=lambda r: (r[1], -r[2], r[0]))
    with OUT.open("w", encoding="utf-8", newline="") as fh:
        writer = csv.writer(fh, lineterminator="\n")
        writer.writerow(["name", "kind", "listed_persons", "source"])
        for name, kind, count in rows:
            writer.writerow([name, kind, count, SOURCE])
    print(f"{OUT}: {len(rows)} rows from {len(names)} listed persons")


if __name__ == "__main__":
    main(sys.argv)
