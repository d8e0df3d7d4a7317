"""Small writers of trade files in the real layouts, for tests."""

from __future__ import annotations

import csv
from collections.abc import Iterable, Sequence
from pathlib import Path

from circumspect.flows.formats import COMTRADE_COLUMNS, RELATIONAL_COLUMNS

EU27 = (
    "European Union - 27 countries (AT, BE, BG, CY, CZ, DE, DK, EE, ES, FI, FR, GR, HR, HU, "
    "IE, IT, LT, LU, LV, MT, NL, PL, PT, RO, SE, SI, SK)"
)


def write_relational(
    path: Path, rows: Iterable[Sequence[str]], header: Sequence[str] = RELATIONAL_COLUMNS
) -> Path:
    with path.open("w", newline="", encoding="utf-8") as fh:
        writer = csv.writer(fh)
        writer.writerow(header)
        writer.writerows(rows)
    return path


def rel(
    reporter: str,
    partner: str,
    period: str,
    value: str,
    product: str = "TOTAL-Total",
    flow: str = "2-EXPORT",
) -> list[str]:
    return [reporter, partner, product, flow, "T-Total", period, value]


def comtrade_row(**kw: str) -> dict[str, str]:
    row = {c: "" for c in COMTRADE_COLUMNS}
    row.update(
        {
            "typeCode": "C",
            "freqCode": "M",
            "flowCode": "X",
            "partner2Code": "0",
            "motCode": "0",
            "customsCode": "C00",
            "cmdCode": "TOTAL",
        }
    )
    row.update(kw)
    return row


def write_comtrade(path: Path, rows: Iterable[dict[str, str]]) -> Path:
    with path.open("w", newline="", encoding="utf-8") as fh:
        writer = csv.DictWriter(fh, fieldnames=COMTRADE_COLUMNS)
        writer.writeheader()
        writer.writerows(rows)
    return path
