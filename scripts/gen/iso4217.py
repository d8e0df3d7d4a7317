"""Compile ``circumspect/payments/data/iso4217.csv`` from ISO 4217 list one.

List one ("Current currency & funds") is published by SIX Financial Information, the ISO 4217
maintenance agency, as ``list-one.xml``. The ``iso4217`` package on PyPI (public domain)
ships that file unchanged as ``iso4217/table.xml``; its ``Pblshd`` attribute is the
publication date written to the ``version`` column.

    pip download --no-deps iso4217==1.16.20260101 -d /tmp/x && unzip -q /tmp/x/*.whl -d /tmp/x
    python scripts/gen/iso4217.py /tmp/x/iso4217/table.xml > circumspect/payments/data/iso4217.csv

``minor_units`` is ``N.A.`` for codes without a minor unit rule (gold, silver, XDR, ...).
"""

from __future__ import annotations

import csv
import sys
from pathlib import Path

from circumspect.sources.xmlutil import parse_bytes


def main(path: Path) -> None:
    root = parse_bytes(path.read_bytes(), str(path))
    published = root.get("Pblshd", "")
    seen: dict[str, tuple[str, str, str]] = {}
    for entry in root.iter("CcyNtry"):
        code = (entry.findtext("Ccy") or "").strip()
        if not code or code in seen:
            continue
        seen[code] = (
            (entry.findtext("CcyNbr") or "").strip(),
            (entry.findtext("CcyMnrUnts") or "").strip(),
            " ".join((entry.findtext("CcyNm") or "").split()),
        )
    writer = csv.writer(sys.stdout, lineterminator="\n")
    writer.writerow(("code", "numeric", "minor_units", "name", "source", "version"))
    for code in sorted(seen):
        numeric, minor, name = seen[code]
        writer.writerow((code, numeric, minor, name, "ISO 4217 list one (SIX)", published))


if __name__ == "__main__":
    main(Path(sys.argv[1]))
