"""Scenario generator: synthetic customs declarations into Kazakhstan with planted
circumvention patterns and clean trade (used by tests, the demo and the benchmark).

Clean trade
    Kazakh importers (consignees, valid BINs registered 1998-2021), each with one line of
    business (electronics, machinery, instruments, food, textiles, vehicles, chemicals,
    metals), a business size, and 1-4 foreign suppliers; prices per HS-6 drawn once and
    varied +-35% (log-normal) per declaration; shipment value around the consignee's size
    (log-normal, sigma 0.6); destination KZ; origin = dispatch = the exporter's country;
    transit empty or a Russia-avoiding route (GE;AZ, CN); payment from the seller's or the
    buyer's country; controlled goods always name an end user (the consignee). Newer
    companies (BIN from 2022 on) trade only uncontrolled goods.

Planted patterns (``planted`` column = the rule id expected to fire, ``clean`` otherwise)
    party_listed - a consignee/exporter/end user with a listed entity's name (names given
    by the caller), or a payment bank with a listed BIC;
    ru_by_controlled - controlled goods with destination or end user RU/BY, or transit RU/BY;
    transshipment_new_consignee - controlled goods for a consignee whose BIN shows
    registration after Feb 2022; transshipment_outside_business - a food importer with a
    clean history suddenly importing controlled electronics; unit_value_high / _low - unit
    value x20-50 or /20-50 of the HS-6 base price; quantity_implausible - a shipment
    60-150x the consignee's typical value, or a private person (IIN) importing controlled
    goods worth > 10,000 USD;
    third_country_payment - controlled goods paid from AE/HK/TR/AM while seller and buyer
    are elsewhere; forwarder_as_end_user - a logistics company as end user of controlled
    goods; end_user_missing - controlled goods without an end user; indirect_route - EU/US
    goods sold by an EU exporter but dispatched from AE/TR/HK/AM; many_suppliers - one
    consignee buying the same controlled HS-6 from 6-8 different exporters;
    coalition_origin_to_russia - a new car (HS 8703) of EU/US/JP origin worth EUR 65-150k per
    car with destination, end user or transit RU/BY; parallel_import_brand - branded phones or
    laptops (Apple, Samsung, HP, Dell) from a Chinese trader for a Kazakh consignee with a
    Russian end user, payer or destination; reexport_chain - a controlled import by a
    dedicated importer whose transfer of the same HS-6 to a Russian/Belarusian buyer follows
    within 1-55 days (:func:`generate_transfers` writes it); no_russia_clause_missing -
    controlled goods from an EU exporter with the optional ``no_russia_clause`` column empty
    or ``no``. Clean trade carries brands too (BMW, Apple, Bosch...) but never a Russian link,
    and EU exporters always declare the clause.

``generate(n, parties=..., planted_share=..., seed=...)`` returns a pandas DataFrame with the
input columns plus ``planted``; ``bad_rows`` adds invalid rows (``planted = invalid``).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from circumspect.risk.circumvention import CLAUSE_COLUMN, TRANSFER_COLUMNS
from circumspect.risk.columns import INPUT_COLUMNS

if TYPE_CHECKING:
    import pandas as pd

#: The rules this generator plants a pattern for (a rule without one here is not planted;
#: tests/risk/test_generate.py checks each planted pattern is caught by its rule).
PATTERNS: tuple[str, ...] = (
    "party_listed",
    "ru_by_controlled",
    "transshipment_new_consignee",
    "transshipment_outside_business",
    "unit_value_high",
    "unit_value_low",
    "quantity_implausible",
    "third_country_payment",
    "forwarder_as_end_user",
    "end_user_missing",
    "indirect_route",
    "many_suppliers",
    "coalition_origin_to_russia",
    "parallel_import_brand",
    "reexport_chain",
    "no_russia_clause_missing",
)

#: line of business -> (controlled HS-6 codes, uncontrolled HS-6 codes)
LINES: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = {
    "electronics": (
        (
            "854231",
            "854232",
            "854239",
            "853224",
            "854121",
            "853400",
            "851762",
            "850440",
            "852691",
            "853669",
        ),
        ("851713", "852872", "851830", "854442", "850760", "940542"),
    ),
    "machinery": (
        ("845811", "845961", "846693", "848210", "848220", "845710"),
        ("841510", "841821", "845011", "842952", "848180", "841370", "850131"),
    ),
    "instruments": (
        ("903020", "903032", "901380", "902750", "901420"),
        ("901890", "900311", "902519"),
    ),
    "food": ((), ("100199", "020130", "040690", "090121", "170199", "220421", "080810")),
    "textiles": ((), ("610910", "620342", "520100", "640399")),
    "vehicles": ((), ("870323", "870421", "870830", "871200")),
    "chemicals": ((), ("300490", "330499", "340111", "390120")),
    "metals": ((), ("720838", "731815", "760110", "730890")),
}
LINE_WEIGHTS = {
    "electronics": 0.2,
    "machinery": 0.15,
    "instruments": 0.07,
    "food": 0.2,
    "textiles": 0.12,
    "vehicles": 0.1,
    "chemicals": 0.08,
    "metals": 0.08,
}
UNITS = {
    "electronics": "pcs",
    "machinery": "pcs",
    "instruments": "pcs",
    "food": "kg",
    "textiles": "pcs",
    "vehicles": "pcs",
    "chemicals": "kg",
    "metals": "kg",
}
SUPPLIER_COUNTRIES = ("DE", "CN", "IT", "KR", "JP", "TR", "PL", "FR", "US", "CZ", "NL", "IN")
CURRENCY = {
    "DE": "EUR",
    "IT": "EUR",
    "PL": "EUR",
    "FR": "EUR",
    "NL": "EUR",
    "CZ": "EUR",
    "CN": "CNY",
    "KR": "USD",
    "JP": "USD",
    "TR": "USD",
    "US": "USD",
    "IN": "USD",
}
BANKS = {
    "KZ": ("HSBKKZKX", "KCJBKZKX", "CASPKZKA", "ATYNKZKA"),
    "DE": ("DEUTDEFF", "COBADEFF"),
    "IT": ("UNCRITMM",),
    "PL": ("PKOPPLPW",),
    "FR": ("BNPAFRPP",),
    "NL": ("INGBNL2A",),
    "CZ": ("KOMBCZPP",),
    "CN": ("ICBKCNBJ", "BKCHCNBJ"),
    "KR": ("KOEXKRSE",),
    "JP": ("BOTKJPJT",),
    "TR": ("TCZBTR2A",),
    "US": ("CHASUS33",),
    "IN": ("SBININBB",),
    "AE": ("EBILAEAD",),
    "HK": ("HSBCHKHH",),
    "AM": ("ARMJAM22",),
    "RU": ("TICSRUMM", "RZBMRUMM"),
}
EU_COUNTRIES = frozenset({"DE", "IT", "PL", "FR", "NL", "CZ"})
#: clean descriptions: brands that must not raise anything without a Russian link
BRANDED: dict[str, tuple[str, ...]] = {
    "870323": (
        "BMW X5 xDrive40i passenger car, new",
        "Toyota Camry 2.5 sedan",
        "Hyundai Tucson 2.0 passenger car",
        "Легковой автомобиль Мерседес GLE",
    ),
    "851713": (
        "Apple iPhone 15 smartphones",
        "Samsung Galaxy A54 smartphones",
        "Xiaomi Redmi Note 13 smartphones",
        "Смартфоны Самсунг Galaxy",
    ),
    "841821": ("Bosch KGN39 refrigerators", "Haier refrigerators", "Тоңазытқыш Бош"),
    "845011": ("Bosch Serie 6 washing machines", "LG washing machines"),
    "640399": ("Nike Air Max sneakers", "Adidas Samba shoes", "leather shoes"),
}

_KZ_A = (
    "Alatau",
    "Astana",
    "Caspian",
    "Altyn",
    "Nur",
    "Zhetisu",
    "Baiterek",
    "Saryarka",
    "Ertis",
    "Tengri",
    "Kazyna",
    "Aksu",
    "Shymkent",
    "Oral",
    "Turan",
    "Kokshe",
    "Barys",
    "Samruk",
    "Ulytau",
    "Tulpar",
    "Aral",
    "Ile",
    "Kaspi",
    "Esil",
    "Zhaiyk",
    "Kyran",
    "Aidyn",
    "Bereke",
    "Dala",
    "Keruen",
    "Sunkar",
    "Tabys",
    "Orda",
    "Arman",
    "Atameken",
    "Bayan",
    "Qazaq",
    "Sary",
    "Zhuldyz",
    "Asyl",
)
_KZ_B = (
    "Trade",
    "Import",
    "Group",
    "Holding",
    "Service",
    "Invest",
    "Partners",
    "Market",
    "Supply",
    "Systems",
    "Solutions",
    "Industries",
    "Resource",
    "Company",
    "Commerce",
    "Distribution",
    "Stroy",
    "Snab",
    "Techno",
    "Prom",
)
_SECTOR = {
    "electronics": "Electronics",
    "machinery": "Machinery",
    "instruments": "Instruments",
    "food": "Foods",
    "textiles": "Textile",
    "vehicles": "Auto",
    "chemicals": "Chem",
    "metals": "Metal",
}
_FORMS = ("LLP", "ТОО", "JSC", "Ltd")
_FOREIGN_A = (
    "Müller",
    "Schmidt",
    "Rossi",
    "Huaxin",
    "Dongfang",
    "Anadolu",
    "Hanil",
    "Yamato",
    "Novak",
    "Dubois",
    "Vanguard",
    "Bharat",
    "Kowalski",
    "Bianchi",
    "Weber",
    "Zhongke",
    "Sakura",
    "Hwaseong",
    "Ege",
    "Van Dijk",
    "Lefevre",
    "Horak",
    "Keller",
    "Fischer",
    "Ricci",
    "Jinlong",
    "Hoshino",
    "Daewon",
    "Marmara",
    "Summit",
)
_FOREIGN_B = (
    "Elektronik",
    "Maschinenbau",
    "Components",
    "Industrial",
    "Technologies",
    "Export",
    "Precision",
    "Trading",
    "Manufacturing",
    "Devices",
    "Werkzeug",
    "Supply",
)
_FOREIGN_FORMS = {
    "DE": "GmbH",
    "IT": "S.p.A.",
    "PL": "Sp. z o.o.",
    "FR": "SAS",
    "NL": "B.V.",
    "CZ": "s.r.o.",
    "CN": "Co., Ltd.",
    "KR": "Co., Ltd.",
    "JP": "K.K.",
    "TR": "A.Ş.",
    "US": "Inc.",
    "IN": "Pvt Ltd",
}


def _kz_check(d: Sequence[int]) -> int | None:
    s = sum(x * w for x, w in zip(d, range(1, 12), strict=True)) % 11
    if s == 10:
        s = sum(x * w for x, w in zip(d, (3, 4, 5, 6, 7, 8, 9, 10, 11, 1, 2), strict=True)) % 11
        if s == 10:
            return None
    return s


def make_bin(year: int, month: int, serial: int) -> str:
    """A checksum-valid Kazakh BIN registered in ``year``-``month``."""
    while True:
        body = f"{year % 100:02d}{month:02d}40{serial % 100000:05d}"
        check = _kz_check([int(c) for c in body])
        if check is not None:
            return body + str(check)
        serial += 1


def make_iin(birth: dt.date, serial: int) -> str:
    """A checksum-valid Kazakh IIN of a person born on ``birth``."""
    century = "3" if birth.year < 2000 else "5"
    while True:
        body = f"{birth:%y%m%d}{century}{serial % 10000:04d}"
        check = _kz_check([int(c) for c in body])
        if check is not None:
            return body + str(check)
        serial += 1


@dataclass(slots=True)
class _Party:
    name: str
    country: str
    ident: str = ""
    line: str = ""
    size: float = 0.0
    suppliers: tuple[int, ...] = ()


def generate(
    n: int,
    parties: int = 2000,
    planted_share: float = 0.05,
    seed: int = 7,
    listed_names: Sequence[str] = (),
    listed_bics: Sequence[str] = (),
    bad_rows: int = 0,
    start: dt.date = dt.date(2023, 1, 1),
    days: int = 730,
) -> pd.DataFrame:
    """``n`` declarations (plus ``bad_rows`` invalid ones) over about ``parties`` parties."""
    import numpy as np
    import pandas as pd

    rng = np.random.default_rng(seed)
    n_cons = max(10, int(parties * 0.62))
    n_exp = max(10, int(parties * 0.36))

    lines = list(LINE_WEIGHTS)
    lw = np.array([LINE_WEIGHTS[x] for x in lines])
    lw = lw / lw.sum()

    exporters: list[_Party] = []
    seen: set[str] = set()
    for i in range(n_exp):
        country = SUPPLIER_COUNTRIES[int(rng.integers(len(SUPPLIER_COUNTRIES)))]
        base = (
            f"{_FOREIGN_A[i % len(_FOREIGN_A)]} "
            f"{_FOREIGN_B[(i // len(_FOREIGN_A)) % len(_FOREIGN_B)]}"
        )
        k = i // (len(_FOREIGN_A) * len(_FOREIGN_B))
        name = f"{base}{' ' + str(k + 1) if k else ''} {_FOREIGN_FORMS[country]}"
        seen.add(name)
        exporters.append(_Party(name, country))

    consignees: list[_Party] = []
    for i in range(n_cons):
        line = lines[int(rng.choice(len(lines), p=lw))]
        a = _KZ_A[i % len(_KZ_A)]
        b = _KZ_B[(i // len(_KZ_A)) % len(_KZ_B)]
        k = i // (len(_KZ_A) * len(_KZ_B))
        name = f"{a} {_SECTOR[line]} {b}{' ' + str(k + 1) if k else ''} {_FORMS[i % 4]}"
        young = not LINES[line][0] and rng.random() < 0.25
        year = int(rng.integers(2022, 2025)) if young else int(rng.integers(1998, 2022))
        ident = make_bin(year, int(rng.integers(1, 13)), int(rng.integers(100000)))
        size = float(np.exp(rng.normal(np.log(40000), 1.0)))
        sup = tuple(int(x) for x in rng.choice(n_exp, size=int(rng.integers(1, 5)), replace=False))
        consignees.append(_Party(name, "KZ", ident, line, size, sup))

    # price per kg and unit weight for every HS-6 used
    all_codes = sorted({c for ctrl, other in LINES.values() for c in (*ctrl, *other)})
    price = {c: float(np.exp(rng.normal(np.log(60), 1.2))) for c in all_codes}
    unit_kg = {c: float(np.exp(rng.normal(np.log(2), 1.5))) for c in all_codes}

    n_planted = round(n * planted_share)
    n_clean = n - n_planted
    rows: list[dict[str, Any]] = []
    day0 = start.toordinal()

    def clean_row(
        ci: int, code: str | None = None, day: int | None = None, exporter: int | None = None
    ) -> dict[str, Any]:
        c = consignees[ci]
        ctrl, other = LINES[c.line]
        if code is None:
            pool = (*ctrl, *other) if ctrl else other
            code = pool[int(rng.integers(len(pool)))]
        e = exporters[
            exporter if exporter is not None else c.suppliers[int(rng.integers(len(c.suppliers)))]
        ]
        usd = c.size * float(np.exp(rng.normal(0, 0.6)))
        unit_price = price[code] * float(np.exp(rng.normal(0, 0.35)))
        kg = usd / unit_price
        qty = max(1.0, round(kg / unit_kg[code]))
        currency = CURRENCY[e.country]
        rate = {"EUR": 1.08, "CNY": 0.141, "USD": 1.0}[currency]
        payer = e.country if rng.random() < 0.3 else "KZ"
        transit = "" if e.country in ("CN",) else ("GE;AZ" if rng.random() < 0.5 else "")
        controlled = code in ctrl
        d = day if day is not None else int(rng.integers(days))
        return {
            "declaration_id": "",
            "date": dt.date.fromordinal(day0 + d).isoformat(),
            "declarant_name": "Customs Broker Kedendik Service LLP",
            "exporter_name": e.name,
            "exporter_country": e.country,
            "consignee_name": c.name,
            "consignee_country": "KZ",
            "consignee_id": c.ident,
            "end_user_name": c.name if controlled or rng.random() < 0.5 else "",
            "end_user_country": "KZ",
            "origin_country": e.country,
            "dispatch_country": e.country,
            "destination_country": "KZ",
            "transit_countries": transit,
            "hs_code": _national(code, rng),
            "goods_description": (
                BRANDED[code][int(rng.integers(len(BRANDED[code])))]
                if code in BRANDED
                else f"goods of HS {code}"
            ),
            "quantity": f"{qty:.0f}",
            "unit": UNITS[c.line],
            "net_weight_kg": f"{kg:.1f}",
            "value": f"{usd / rate:.2f}",
            "currency": currency,
            "payment_bank_bic": BANKS[payer][int(rng.integers(len(BANKS[payer])))],
            "payment_country": payer,
            CLAUSE_COLUMN: "",
            "planted": "clean",
        }

    ctrl_cons = [i for i, c in enumerate(consignees) if LINES[c.line][0] and c.size > 0]
    food_cons = [i for i, c in enumerate(consignees) if c.line == "food"]
    used_food: set[int] = set()

    for _ in range(n_clean):
        rows.append(clean_row(int(rng.integers(n_cons))))

    patterns = [p for p in PATTERNS if p != "party_listed" or listed_names or listed_bics]
    for k in range(n_planted):
        pattern = patterns[k % len(patterns)]
        m = k // len(patterns)  # the how-many-th plant of this pattern
        ci = ctrl_cons[int(rng.integers(len(ctrl_cons)))]
        ctrl = LINES[consignees[ci].line][0]
        code = ctrl[int(rng.integers(len(ctrl)))]
        row = clean_row(ci, code)
        if pattern == "party_listed":
            if listed_names and (not listed_bics or rng.random() < 0.75):
                name = listed_names[int(rng.integers(len(listed_names)))]
                role = ("consignee_name", "exporter_name", "end_user_name")[k % 3]
                row[role] = name
                if role == "consignee_name":
                    row["consignee_id"] = ""
            else:
                row["payment_bank_bic"] = listed_bics[int(rng.integers(len(listed_bics)))]
                row["payment_country"] = row["payment_bank_bic"][4:6]
                if row["payment_country"] not in (row["exporter_country"], "KZ"):
                    row["payment_country"] = ""
        elif pattern == "ru_by_controlled":
            choice = k % 3
            if choice == 0:
                row.update(
                    destination_country="RU",
                    consignee_country="RU",
                    consignee_name=f"OOO {_KZ_A[k % len(_KZ_A)]}-Komplekt",
                    consignee_id="",
                    end_user_name="AO Radiozavod",
                    end_user_country="RU",
                )
            elif choice == 1:
                row.update(end_user_name="OAO Minsk Instrument Plant", end_user_country="BY")
            else:
                row.update(transit_countries="PL;BY;RU")
        elif pattern == "transshipment_new_consignee":
            year = int(rng.integers(2022, 2025))
            month = int(rng.integers(3 if year == 2022 else 1, 13))
            row["consignee_id"] = make_bin(year, month, int(rng.integers(100000)))
            row["consignee_name"] = f"{_KZ_A[k % len(_KZ_A)]} New Trade {k} LLP"
            row["end_user_name"] = row["consignee_name"]
        elif pattern == "transshipment_outside_business":
            fresh = [i for i in food_cons if i not in used_food] or food_cons
            fi = fresh[int(rng.integers(len(fresh)))]
            used_food.add(fi)
            f = consignees[fi]
            hist_days = sorted(int(x) for x in rng.integers(0, days - 30, size=4))
            for d in hist_days:
                h = clean_row(fi, day=d)
                h["planted"] = "clean"
                rows.append(h)
            row = clean_row(ci, code, day=hist_days[-1] + 10)
            row.update(consignee_name=f.name, consignee_id=f.ident, end_user_name=f.name)
        elif pattern in ("unit_value_high", "unit_value_low"):
            # unit value set relative to the HS-6 base price, clear of the +-35% noise
            factor = float(rng.uniform(20, 50))
            if pattern == "unit_value_low":
                factor = 1.0 / factor
            target = float(row["net_weight_kg"]) * price[code] * factor
            row["value"] = f"{float(row['value']) * target / _usd(row):.2f}"
        elif pattern == "quantity_implausible":
            if k % 2:
                birth = dt.date(
                    int(rng.integers(1960, 2000)),
                    int(rng.integers(1, 13)),
                    int(rng.integers(1, 28)),
                )
                row.update(
                    consignee_name=f"Individual entrepreneur {_KZ_A[k % 40]}ov A.",
                    consignee_id=make_iin(birth, int(rng.integers(10000))),
                )
                row["end_user_name"] = row["consignee_name"]
                target = max(_usd(row), 15000.0 * float(rng.uniform(1, 5)))
                _scale(row, target / _usd(row))
            else:
                target = consignees[ci].size * float(rng.uniform(60, 150))
                _scale(row, target / _usd(row))
        elif pattern == "third_country_payment":
            payer = ("AE", "HK", "AM")[k % 3]
            row.update(payment_country=payer, payment_bank_bic=BANKS[payer][0])
        elif pattern == "forwarder_as_end_user":
            row["end_user_name"] = (
                f"{_KZ_A[k % len(_KZ_A)]} Logistics LLP",
                f"ТОО {_KZ_A[k % len(_KZ_A)]} Экспедиторская Компания",
                "Silk Way Cargo Express",
            )[k % 3]
        elif pattern == "end_user_missing":
            row["end_user_name"] = ""
        elif pattern == "indirect_route":
            row.update(
                origin_country=("DE", "US", "JP")[k % 3],
                exporter_country="DE",
                dispatch_country=("AE", "TR", "HK", "AM")[k % 4],
                currency="EUR",
                payment_country="KZ",
                payment_bank_bic=BANKS["KZ"][0],
            )
        elif pattern == "many_suppliers":
            name = f"{_KZ_A[k % len(_KZ_A)]} Component Hub {k} LLP"
            ident = make_bin(int(rng.integers(2005, 2020)), 5, int(rng.integers(100000)))
            chosen = rng.choice(n_exp, size=6, replace=False)
            for e in chosen:
                r = clean_row(ci, code, exporter=int(e))
                r.update(consignee_name=name, consignee_id=ident, end_user_name=name)
                r["planted"] = pattern
                rows.append(r)
            continue
        elif pattern == "coalition_origin_to_russia":
            country = ("DE", "IT", "US", "JP", "FR")[m % 5]
            eur = float(rng.uniform(65000, 150000))
            row.update(
                hs_code=_national(("870323", "870380", "870324")[m % 3], rng),
                goods_description=("Passenger car, new, 2998 cm3", "Electric passenger car, new")[
                    m % 2
                ],
                exporter_country=country,
                origin_country=country,
                dispatch_country=country,
                quantity="1",
                unit="pcs",
                net_weight_kg="2100.0",
                value=f"{eur:.2f}",
                currency="EUR",
                payment_country="KZ",
                payment_bank_bic=BANKS["KZ"][0],
            )
            link = m % 3
            if link == 0:
                row.update(end_user_name="OOO Avtodom Premium", end_user_country="RU")
            elif link == 1:
                row.update(destination_country="RU")
            else:
                row.update(transit_countries="PL;BY")
        elif pattern == "parallel_import_brand":
            code = ("851713", "847130")[m % 2]
            brand = (
                ("Apple iPhone 15 Pro smartphones", "Смартфоны Самсунг Galaxy S24")[m // 2 % 2]
                if code == "851713"
                else ("HP EliteBook 840 laptops", "Ноутбуки Dell Latitude 5440")[m % 4 // 2]
            )
            row.update(
                hs_code=_national(code, rng),
                goods_description=brand,
                exporter_name=f"Shenzhen Bright Star Trading {m} Co., Ltd",
                exporter_country="CN",
                origin_country="CN",
                dispatch_country="CN",
                currency="CNY",
                transit_countries="",
            )
            link = (m // 2) % 3
            if link == 0:
                row.update(end_user_name="OOO Mobilnye Resheniya", end_user_country="RU")
            elif link == 1:
                row.update(payment_country="RU", payment_bank_bic=BANKS["RU"][m % 2])
            else:
                row.update(destination_country="RU")
        elif pattern == "reexport_chain":
            name = f"{_KZ_A[m % len(_KZ_A)]} Re-Trade {k} LLP"
            ident = make_bin(int(rng.integers(2008, 2020)), 4, int(rng.integers(100000)))
            row.update(consignee_name=name, consignee_id=ident, end_user_name=name)
        elif pattern == "no_russia_clause_missing":
            country = ("DE", "IT", "FR", "PL")[m % 4]
            row.update(
                exporter_country=country,
                origin_country=country,
                dispatch_country=country,
                currency="EUR",
                payment_country="KZ",
                payment_bank_bic=BANKS["KZ"][0],
                transit_countries="",
            )
            row[CLAUSE_COLUMN] = ("no", "")[m % 2]
        row["planted"] = pattern
        rows.append(row)

    for row in rows:
        if row["planted"] != "no_russia_clause_missing":
            eu = row["exporter_country"] in EU_COUNTRIES or row["origin_country"] in EU_COUNTRIES
            row[CLAUSE_COLUMN] = "yes" if eu else ("", "no")[int(rng.integers(2))]

    for bad_i in range(bad_rows):
        row = clean_row(int(rng.integers(n_cons)))
        kind = bad_i % 5
        if kind == 0:
            row["hs_code"] = "12345"
        elif kind == 1:
            row["destination_country"] = "XX"
        elif kind == 2:
            row["date"] = "31/02/2024"
        elif kind == 3:
            row["value"] = "12,34,5x"
        else:
            row["hs_code"] = "9999.99"
        row["planted"] = "invalid"
        rows.append(row)

    order = rng.permutation(len(rows))
    frame = pd.DataFrame(
        [rows[i] for i in order], columns=[*INPUT_COLUMNS, CLAUSE_COLUMN, "planted"]
    )
    frame["declaration_id"] = [f"KZ-D{i + 1:07d}" for i in range(len(frame))]
    return frame


#: HS-6 codes on no ban, controlled or parallel-import list: clean transfers to RU/BY use them
UNLISTED_FOR_RU: tuple[str, ...] = ("100199", "020130", "040690", "090121", "170199", "720838")


def generate_transfers(
    frame: pd.DataFrame,
    n: int | None = None,
    seed: int = 7,
    days: int = 60,
    bad_rows: int = 0,
) -> pd.DataFrame:
    """Outbound transfers by the importers of ``frame`` (columns ``TRANSFER_COLUMNS`` and
    ``planted``): one transfer to a Russian/Belarusian buyer 1..days-5 days after each
    ``reexport_chain`` declaration, and ``n`` clean ones (default: one per declaration):
    sales to Kazakh buyers of what the importer imported, and sales to Russian/Belarusian
    buyers of unlisted goods (food, steel). ``bad_rows`` adds an unknown BIN, an invalid
    BIN, a transfer dated before the import and an HS code that does not exist, in turn."""
    import numpy as np
    import pandas as pd

    rng = np.random.default_rng(seed)
    ok = frame[frame["planted"] != "invalid"]
    bins = ok["consignee_id"].astype(str).to_numpy()
    hs = ok["hs_code"].astype(str).to_numpy()
    dates = pd.to_datetime(ok["date"]).to_numpy()
    planted = ok["planted"].astype(str).to_numpy()
    has_bin = np.array([len(b) == 12 for b in bins])
    cols: dict[str, list[Any]] = {c: [] for c in (*TRANSFER_COLUMNS, "planted")}

    def add(b: str, d: Any, code: str, buyer: str, country: str, label: str) -> None:
        cols["bin"].append(b)
        cols["date"].append(pd.Timestamp(d).date().isoformat())
        cols["hs_code"].append(code)
        cols["buyer_name"].append(buyer)
        cols["buyer_country"].append(country)
        cols["buyer_id"].append("")
        cols["quantity"].append(str(int(rng.integers(1, 200))))
        cols["value"].append(f"{float(rng.uniform(1000, 90000)):.2f}")
        cols["document"].append(f"ESF-{len(cols['document']) + 1:08d}")
        cols["planted"].append(label)

    for i in np.flatnonzero(planted == "reexport_chain"):
        gap = int(rng.integers(1, max(2, days - 5)))
        country = ("RU", "BY")[i % 2]
        buyer = ("OOO Tekhnosnab Moskva", "OAO Minsk Komplekt")[i % 2]
        add(bins[i], dates[i] + np.timedelta64(gap, "D"), hs[i], buyer, country, "reexport_chain")
    pool = np.flatnonzero(has_bin & (planted == "clean"))
    count = len(ok) if n is None else n
    if len(pool) and count:
        pick = pool[rng.integers(len(pool), size=count)]
        gaps = rng.integers(1, 200, size=count)
        ru_share = rng.random(count) < 0.3
        for j, i in enumerate(pick):
            d = dates[i] + np.timedelta64(int(gaps[j]), "D")
            if ru_share[j] and _digits(hs[i])[:6] in UNLISTED_FOR_RU:
                add(bins[i], d, hs[i], "OOO Prodtorg Rossiya", "RU", "clean")
            else:
                add(bins[i], d, hs[i], f"TOO Almaty Buyer {j % 997} LLP", "KZ", "clean")
    for b in range(bad_rows):
        kind = b % 4
        ib = int(pool[int(rng.integers(len(pool)))]) if len(pool) else 0
        if kind == 0:
            add(make_bin(2011, 7, 99000 + b), dates[ib], hs[ib], "TOO Unknown", "KZ", "invalid")
        elif kind == 1:
            add("123456789012", dates[ib], hs[ib], "TOO Bad Bin", "KZ", "invalid")
        elif kind == 2:
            add(
                bins[ib],
                dates[ib] - np.timedelta64(3000, "D"),
                hs[ib],
                "OOO Early",
                "RU",
                "invalid",
            )
        else:
            add(bins[ib], dates[ib], "0109990000", "TOO No Such Code", "KZ", "invalid")
    out = pd.DataFrame(cols)
    return out.iloc[rng.permutation(len(out))].reset_index(drop=True)


def _digits(code: str) -> str:
    return "".join(c for c in code if c.isdigit())


def _usd(row: dict[str, Any]) -> float:
    rate = {"EUR": 1.08, "CNY": 0.141, "USD": 1.0}[row["currency"]]
    return float(row["value"]) * rate


def _scale(row: dict[str, Any], factor: float) -> None:
    row["value"] = f"{float(row['value']) * factor:.2f}"
    row["quantity"] = f"{max(1.0, float(row['quantity']) * factor):.0f}"
    row["net_weight_kg"] = f"{float(row['net_weight_kg']) * factor:.1f}"


def _national(code: str, rng: Any) -> str:
    """Write an HS-6 code as Kazakh declarations do (TN VED 10 digits), sometimes dotted."""
    style = int(rng.integers(4))
    if style == 0:
        return code + "0000"
    if style == 1:
        return f"{code[:4]} {code[4:]} 000 0"
    if style == 2:
        return f"{code[:4]}.{code[4:]}.00.00"
    return code + "0000"


@dataclass(slots=True)
class Evaluation:
    """How scored output compares with the planted labels."""

    clean: int
    clean_raised: int
    planted: int
    planted_missed: int
    per_rule: dict[str, dict[str, float]]
    missed_by_pattern: dict[str, int]

    @property
    def clean_raised_share(self) -> float:
        return self.clean_raised / self.clean if self.clean else 0.0

    def table(self) -> str:
        lines = [f"{'rule':<32} {'planted':>8} {'fired':>8} {'precision':>9} {'recall':>7}"]
        for rule, m in self.per_rule.items():
            lines.append(
                f"{rule:<32} {int(m['planted']):>8} {int(m['fired']):>8} "
                f"{m['precision']:>9.3f} {m['recall']:>7.3f}"
            )
        lines.append(f"planted declarations below review: {self.planted_missed} of {self.planted}")
        lines.append(
            f"clean declarations at review or block: {self.clean_raised} of {self.clean} "
            f"({100 * self.clean_raised_share:.2f}%)"
        )
        return "\n".join(lines)


def evaluate(scored: pd.DataFrame) -> Evaluation:
    """Per-rule precision/recall against the ``planted`` column of scored output."""
    planted = scored["planted"].astype(str)
    raised = scored["decision"].astype(str).isin(["review", "block"])
    flags = scored["flags"].astype(str).fillna("")
    is_clean = planted == "clean"
    per_rule: dict[str, dict[str, float]] = {}
    for rule in PATTERNS:
        fired = flags.str.split(";").map(lambda fs, r=rule: r in fs)
        truth = planted == rule
        tp = int((fired & truth).sum())
        n_fired = int(fired.sum())
        n_truth = int(truth.sum())
        per_rule[rule] = {
            "planted": n_truth,
            "fired": n_fired,
            "precision": tp / n_fired if n_fired else float("nan"),
            "recall": tp / n_truth if n_truth else float("nan"),
        }
    missed = ~is_clean & ~raised
    return Evaluation(
        clean=int(is_clean.sum()),
        clean_raised=int((is_clean & raised).sum()),
        planted=int((~is_clean).sum()),
        planted_missed=int(missed.sum()),
        per_rule=per_rule,
        missed_by_pattern={str(k): int(v) for k, v in planted[missed].value_counts().items()},
    )
