"""SYNTHETIC HS-6 trade for the watchlist: coalition exports to a hub and the hub's exports
to Russia, in the UN Comtrade CSV layout (annual rows), with planted diversion codes.

``generate_hs6_flows(path, planted=..., n_codes=..., seed=...)`` writes one file. Every code
has coalition exports to the hub (DE, IT, FR, US report) and hub exports to the target (the
hub reports) for 2019-2023 with +-30 % noise. Planted codes grow 4-8x into the hub from 2022
and the hub's exports of them to the target jump; two kinds of decoys do only one of the two
(growth into the hub that stays there; a hub export to the target that was always large).
"""

from __future__ import annotations

import csv
import random
from collections.abc import Sequence
from pathlib import Path

from circumspect.flows.formats import COMTRADE_COLUMNS

#: (M49, ISO3) of the reporters
COALITION_REPORTERS = ((276, "DEU"), (380, "ITA"), (251, "FRA"), (842, "USA"))
HUB = (398, "KAZ")
TARGET = (643, "RUS")
YEARS = (2019, 2020, 2021, 2022, 2023)


def _row(
    rc: tuple[int, str], pc: tuple[int, str], code: str, year: int, value: float
) -> dict[str, str]:
    row = {c: "" for c in COMTRADE_COLUMNS}
    row.update(
        {
            "typeCode": "C",
            "freqCode": "A",
            "refPeriodId": f"{year}0101",
            "refYear": str(year),
            "period": str(year),
            "reporterCode": str(rc[0]),
            "reporterISO": rc[1],
            "flowCode": "X",
            "partnerCode": str(pc[0]),
            "partnerISO": pc[1],
            "partner2Code": "0",
            "classificationCode": "H6",
            "cmdCode": code,
            "aggrLevel": "6",
            "customsCode": "C00",
            "motCode": "0",
            "primaryValue": f"{value:.2f}",
        }
    )
    return row


def generate_hs6_flows(
    path: Path,
    planted: Sequence[str],
    codes: Sequence[str],
    seed: int = 7,
) -> Path:
    """Write the Comtrade CSV; ``codes`` are the background HS-6 codes (planted excluded)."""
    rng = random.Random(seed)
    background = [c for c in codes if c not in planted]
    decoy_hub = set(background[: max(1, len(background) // 20)])
    decoy_target = set(background[len(decoy_hub) : 2 * len(decoy_hub)])
    rows: list[dict[str, str]] = []
    for code in [*planted, *background]:
        into = rng.uniform(2e6, 40e6)
        onward = rng.uniform(0.05e6, 2e6)
        for year in YEARS:
            post = year >= 2022
            grow_in = 1.0
            grow_out = 1.0
            if code in planted and post:
                grow_in, grow_out = rng.uniform(4, 8), rng.uniform(15, 40)
            elif code in decoy_hub and post:
                grow_in = rng.uniform(4, 8)  # stays in the hub
            elif code in decoy_target:
                grow_out = 8.0  # always a large hub export, no growth into the hub
            for rc in COALITION_REPORTERS:
                share = {276: 0.4, 380: 0.25, 251: 0.2, 842: 0.15}[rc[0]]
                v = into * share * grow_in * rng.uniform(0.7, 1.3)
                rows.append(_row(rc, HUB, code, year, v))
            rows.append(_row(HUB, TARGET, code, year, onward * grow_out * rng.uniform(0.7, 1.3)))
    with path.open("w", newline="", encoding="utf-8") as fh:
        writer = csv.DictWriter(fh, fieldnames=COMTRADE_COLUMNS)
        writer.writeheader()
        writer.writerows(rows)
    return path
