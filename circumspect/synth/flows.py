"""Write the SYNTHETIC demo trade files under ``circumspect/data/demo/flows/``.

Run ``python -m circumspect.synth.flows`` to regenerate them (seeded, deterministic).
The numbers are invented; only the layouts are real: a Eurostat "relational view" export
(country labels, ``Aug. 2022`` periods, ``TOTAL-Total`` products) and a UN Comtrade CSV
(47 columns) with HS-6 product detail, CHPL and other goods, so that the CHPL split and the
difference-in-differences estimate have something to work on. The generated data build in a
diversion effect: after February 2022, exports of CHPL goods to Kazakhstan, Kyrgyzstan and
Armenia rise by about 80% more than other goods and other destinations, and exports to
Russia fall.
"""

from __future__ import annotations

import csv
import math
import random
from pathlib import Path

from circumspect.flows.formats import COMTRADE_COLUMNS, RELATIONAL_COLUMNS

OUT = Path(__file__).resolve().parent.parent / "data" / "demo" / "flows"
MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]
EU27_LABEL = (
    "European Union - 27 countries (AT, BE, BG, CY, CZ, DE, DK, EE, ES, FI, FR, GR, HR, HU, "
    "IE, IT, LT, LU, LV, MT, NL, PL, PT, RO, SE, SI, SK)"
)
REPORTERS = {
    "Germany (incl. German Democratic Republic 'DD' from 1991)": 0.45,
    "France (incl. Saint Barthélemy 'BL' -> 2012)": 0.25,
    "Italy (incl. San Marino 'SM' -> 1993)": 0.30,
}
PARTNERS = {"Kazakhstan": 450e6, "Kyrgyzstan": 25e6, "Russian Federation (Russia)": 7000e6}
#: (reporter M49, name), partners (M49, ISO3, name, neighbour?), HS-6 products (CHPL?)
CT_REPORTERS = [(276, "DEU", "Germany"), (380, "ITA", "Italy")]
CT_PARTNERS = [
    (398, "KAZ", "Kazakhstan", True),
    (417, "KGZ", "Kyrgyzstan", True),
    (51, "ARM", "Armenia", True),
    (643, "RUS", "Russian Federation", False),
    (826, "GBR", "United Kingdom", False),
    (156, "CHN", "China", False),
    (842, "USA", "USA", False),
    (756, "CHE", "Switzerland", False),
]
CT_PRODUCTS = [
    ("854231", True),
    ("854232", True),
    ("847150", True),
    ("851762", True),
    ("870323", False),
    ("300490", False),
    ("220421", False),
    ("940360", False),
]


def _relational(rng: random.Random) -> list[list[str]]:
    rows: list[list[str]] = []
    for year in (2021, 2022, 2023):
        for m in range(1, 13):
            post = (year, m) >= (2022, 3)
            for partner, base in PARTNERS.items():
                if partner.startswith("Russian"):
                    level = base * (0.45 if post else 1.0)
                elif partner == "Kyrgyzstan":
                    level = base * (4.0 if post else 1.0)
                else:
                    level = base * (1.8 if post else 1.0)
                total = 0
                for reporter, share in REPORTERS.items():
                    v = int(level * share * rng.uniform(0.85, 1.15))
                    total += v
                    rows.append(
                        [
                            reporter,
                            partner,
                            "TOTAL-Total",
                            "2-EXPORT",
                            "T-Total",
                            f"{MONTHS[m - 1]}. {year}",
                            str(v),
                        ]
                    )
                rows.append(
                    [
                        EU27_LABEL,
                        partner,
                        "TOTAL-Total",
                        "2-EXPORT",
                        "T-Total",
                        f"{MONTHS[m - 1]}. {year}",
                        str(total),
                    ]
                )
    # Realistic defects the loader must count, not drop silently:
    rows.append(["Malta", "Kyrgyzstan", "TOTAL-Total", "2-EXPORT", "T-Total", "Mar. 2023", ":"])
    rows.append(["Atlantis", "Kazakhstan", "TOTAL-Total", "2-EXPORT", "T-Total", "Mar. 2023", "5"])
    rows.append(list(rows[0]))  # an identical duplicate cell
    return rows


def _comtrade(rng: random.Random) -> list[dict[str, str]]:
    out: list[dict[str, str]] = []
    pair_level = {(p[0], h): rng.uniform(13, 16) for p in CT_PARTNERS for h, _ in CT_PRODUCTS}
    for year in (2021, 2022, 2023):
        for m in range(1, 13):
            post = (year, m) >= (2022, 3)
            for rc, riso, rname in CT_REPORTERS:
                for pc, piso, pname, neighbour in CT_PARTNERS:
                    for hs, chpl in CT_PRODUCTS:
                        log_v = pair_level[(pc, hs)] + rng.gauss(0, 0.25)
                        if post and pc == 643:
                            log_v -= 1.2 if chpl else 0.5
                        if post and neighbour:
                            log_v += 0.6 if chpl else 0.2
                        value = round(math.exp(log_v), 2)
                        row = {c: "" for c in COMTRADE_COLUMNS}
                        row.update(
                            {
                                "typeCode": "C",
                                "freqCode": "M",
                                "refPeriodId": f"{year}{m:02d}01",
                                "refYear": str(year),
                                "refMonth": str(m),
                                "period": f"{year}{m:02d}",
                                "reporterCode": str(rc),
                                "reporterISO": riso,
                                "reporterDesc": rname,
                                "flowCode": "X",
                                "flowDesc": "Export",
                                "partnerCode": str(pc),
                                "partnerISO": piso,
                                "partnerDesc": pname,
                                "partner2Code": "0",
                                "partner2ISO": "W00",
                                "partner2Desc": "World",
                                "classificationCode": "H6",
                                "classificationSearchCode": "HS",
                                "isOriginalClassification": "true",
                                "cmdCode": hs,
                                "cmdDesc": "",
                                "aggrLevel": "6",
                                "isLeaf": "true",
                                "customsCode": "C00",
                                "customsDesc": "TOTAL CPC",
                                "mosCode": "0",
                                "motCode": "0",
                                "motDesc": "TOTAL MOT",
                                "primaryValue": str(value),
                                "fobvalue": str(value),
                                "isReported": "true",
                                "isAggregate": "false",
                            }
                        )
                        out.append(row)
    return out


def main() -> None:
    rng = random.Random(20220224)
    OUT.mkdir(parents=True, exist_ok=True)
    with (OUT / "synthetic_relational_view_eu_exports.csv").open(
        "w", newline="", encoding="utf-8"
    ) as fh:
        writer = csv.writer(fh)
        writer.writerow(RELATIONAL_COLUMNS)
        writer.writerows(_relational(rng))
    with (OUT / "synthetic_comtrade_hs6_exports.csv").open("w", newline="", encoding="utf-8") as fh:
        dwriter = csv.DictWriter(fh, fieldnames=COMTRADE_COLUMNS)
        dwriter.writeheader()
        dwriter.writerows(_comtrade(rng))
    print(f"wrote synthetic demo trade files to {OUT}")


if __name__ == "__main__":
    main()
