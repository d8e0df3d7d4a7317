"""Generator of labelled payment messages for tests and benchmarks.

``generate(entities, clean=..., exposed=..., malformed=..., seed=...)`` returns
:class:`GeneratedMessage` items in all five formats (pacs.008, pacs.009, pain.001, MT103,
MT202), each labelled with what screening must decide:

* ``clean`` (expected ``pass``): trade payments between Kazakh companies at Kazakh banks
  (Halyk, Kaspi, ForteBank, Bank CenterCredit, Jusan, Eurasian, Altyn) and European
  companies at EU banks, in EUR/USD/KZT, with Latin or Cyrillic Kazakh company names,
  Kazakh and EU towns, valid IBANs, ordinary remittance text (English or Russian); USD
  payments route through a US correspondent.
* ``exposed`` (expected ``hold`` or ``reject``), one kind per message, drawn from the
  ``entities`` given (a real list, e.g. the OFAC SDN fixture, or the demo lists):
  ``listed_bic`` (a listed bank's BIC as creditor agent, intermediary or correspondent, as
  BIC8, BIC8+XXX or a branch), ``listed_bank_name`` (a listed bank named without BIC, in
  Latin or, for ISO 20022, in Cyrillic), ``listed_party`` (a listed person or company as
  creditor, debtor or ultimate creditor, Latin or Cyrillic), ``territory`` (a creditor
  address in Crimea, Sevastopol, the so-called DNR/LNR, occupied Zaporizhzhia/Kherson towns,
  Iran, North Korea, Syria or Cuba, Latin or Cyrillic), ``vessel`` (a listed vessel named, or
  its IMO number given, in the remittance text).
* ``malformed`` (expected ``error``): a clean message broken in one way: truncated, a
  mandatory element or field removed, an invalid BIC, a bad IBAN check digit, a bad amount,
  an unknown currency, an impossible date, an unsupported message type, binary noise.

Cyrillic renderings of Latin listed names use a simple reverse Russian transliteration
(``kh`` → ``х``, ``ch`` → ``ч``, ...), as a clerk typing a name in Cyrillic would.
SWIFT MT allows no Cyrillic, so Cyrillic cases are rendered as ISO 20022.
"""

from __future__ import annotations

import random
import re
from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path

from rigour.ids import BIC, IBAN, IMO

from circumspect.model.entities import ListedEntity
from circumspect.payments.render import (
    FORMATS,
    ISO_FORMATS,
    BankSpec,
    PartySpec,
    PaymentSpec,
    file_suffix,
    iban,
    render,
)


@dataclass(frozen=True, slots=True)
class GeneratedMessage:
    name: str
    raw: bytes
    expected: str  # pass | exposed | error
    category: str
    format: str
    note: str


#: Kazakh banks: BIC, name, town, 3-digit IBAN bank code.
KZ_BANKS = [
    ("HSBKKZKX", "Halyk Bank of Kazakhstan", "Almaty", "601"),
    ("CASPKZKA", "Kaspi Bank", "Almaty", "722"),
    ("IRTYKZKA", "ForteBank", "Astana", "965"),
    ("KCJBKZKX", "Bank CenterCredit", "Almaty", "856"),
    ("TSESKZKA", "First Heartland Jusan Bank", "Astana", "998"),
    ("EURIKZKA", "Eurasian Bank", "Almaty", "948"),
    ("ATYNKZKA", "Altyn Bank", "Almaty", "549"),
]
#: EU banks: BIC, name, town, country.
EU_BANKS = [
    ("DEUTDEFF", "Deutsche Bank", "Frankfurt am Main", "DE"),
    ("COBADEFF", "Commerzbank", "Frankfurt am Main", "DE"),
    ("BNPAFRPP", "BNP Paribas", "Paris", "FR"),
    ("SOGEFRPP", "Societe Generale", "Paris", "FR"),
    ("UNCRITMM", "UniCredit", "Milan", "IT"),
    ("BCITITMM", "Intesa Sanpaolo", "Milan", "IT"),
    ("INGBNL2A", "ING Bank", "Amsterdam", "NL"),
    ("ABNANL2A", "ABN AMRO Bank", "Amsterdam", "NL"),
    ("RZBAATWW", "Raiffeisen Bank International", "Vienna", "AT"),
    ("BPKOPLPW", "PKO Bank Polski", "Warsaw", "PL"),
    ("KOMBCZPP", "Komercni banka", "Prague", "CZ"),
    ("HABALV22", "Swedbank", "Riga", "LV"),
    ("NDEAFIHH", "Nordea Bank", "Helsinki", "FI"),
    ("ESSESESS", "Skandinaviska Enskilda Banken", "Stockholm", "SE"),
    ("BSCHESMM", "Banco Santander", "Madrid", "ES"),
    ("KREDBEBB", "KBC Bank", "Brussels", "BE"),
]
US_CORRESPONDENTS = [
    ("CITIUS33", "Citibank"),
    ("CHASUS33", "JPMorgan Chase Bank"),
    ("IRVTUS3N", "The Bank of New York Mellon"),
]

_KZ_TOWNS = [
    ("Almaty", "Алматы", "050000"),
    ("Astana", "Астана", "010000"),
    ("Shymkent", "Шымкент", "160000"),
    ("Karaganda", "Караганда", "100000"),
    ("Aktobe", "Актобе", "030000"),
    ("Atyrau", "Атырау", "060000"),
    ("Pavlodar", "Павлодар", "140000"),
    ("Kostanay", "Костанай", "110000"),
    ("Oskemen", "Усть-Каменогорск", "070000"),
    ("Aktau", "Актау", "130000"),
    ("Taraz", "Тараз", "080000"),
    ("Petropavl", "Петропавловск", "150000"),
]
_KZ_STREETS = [
    ("Abay Avenue", "проспект Абая"),
    ("Dostyk Avenue", "проспект Достык"),
    ("Tole Bi Street", "улица Толе би"),
    ("Kabanbay Batyr Avenue", "проспект Кабанбай батыра"),
    ("Satpayev Street", "улица Сатпаева"),
    ("Zheltoksan Street", "улица Желтоксан"),
]
_KZ_WORDS = [
    ("Altyn", "Алтын"),
    ("Kokshe", "Кокше"),
    ("Zhetysu", "Жетысу"),
    ("Saryarka", "Сарыарка"),
    ("Nurly", "Нурлы"),
    ("Tulpar", "Тулпар"),
    ("Ak Zhol", "Ак Жол"),
    ("Sunkar", "Сункар"),
    ("Ertis", "Ертис"),
    ("Kazyna", "Казына"),
    ("Dala", "Дала"),
    ("Shugyla", "Шугыла"),
    ("Samal", "Самал"),
    ("Kyran", "Кыран"),
    ("Orda", "Орда"),
    ("Aru", "Ару"),
    ("Zhuldyz", "Жулдыз"),
    ("Baikonyr", "Байконыр"),
    ("Tengri", "Тенгри"),
]
_KZ_TRADES = [
    ("Agro", "Агро"),
    ("Logistics", "Логистикс"),
    ("Stroy", "Строй"),
    ("Engineering", "Инжиниринг"),
    ("Pharm", "Фарм"),
    ("Tech", "Тех"),
    ("Mining Service", "Майнинг Сервис"),
    ("Energy", "Энерджи"),
    ("Food", "Фуд"),
    ("Textile", "Текстиль"),
    ("Med", "Мед"),
]
_EU_PEOPLE = {
    "DE": (
        ["Weber", "Fischer", "Becker", "Hoffmann", "Schulz"],
        ["Maschinenbau", "Anlagentechnik", "Landtechnik", "Elektronik"],
        ["GmbH", "AG"],
        ["Stuttgart", "Hamburg", "Munich", "Dortmund", "Leipzig"],
        ["Industriestrasse", "Hafenweg"],
    ),
    "FR": (
        ["Dupont", "Lefebvre", "Moreau", "Laurent"],
        ["Equipements", "Agro Industrie", "Composants"],
        ["SAS", "SA"],
        ["Lyon", "Toulouse", "Lille", "Nantes"],
        ["Rue de l'Industrie", "Avenue Foch"],
    ),
    "IT": (
        ["Rossi", "Bianchi", "Romano", "Colombo"],
        ["Componenti", "Macchine Agricole", "Impianti"],
        ["S.r.l.", "S.p.A."],
        ["Turin", "Bologna", "Brescia", "Verona"],
        ["Via Roma", "Via Garibaldi"],
    ),
    "NL": (
        ["Jansen", "de Vries", "Bakker", "Visser"],
        ["Techniek", "Handelsonderneming", "Agri Systems"],
        ["B.V."],
        ["Rotterdam", "Eindhoven", "Utrecht"],
        ["Havenstraat", "Stationsweg"],
    ),
    "PL": (
        ["Kowalski", "Nowak", "Wisniewski", "Wojcik"],
        ["Logistyka", "Maszyny", "Elektronika"],
        ["Sp. z o.o."],
        ["Gdansk", "Poznan", "Wroclaw", "Lodz"],
        ["ul. Przemyslowa", "ul. Dluga"],
    ),
    "AT": (
        ["Gruber", "Huber", "Bauer", "Wagner"],
        ["Anlagenbau", "Industrietechnik"],
        ["GmbH"],
        ["Linz", "Graz", "Salzburg"],
        ["Industriezeile", "Hauptplatz"],
    ),
    "CZ": (
        ["Novak", "Svoboda", "Dvorak"],
        ["Strojirny", "Technika"],
        ["s.r.o.", "a.s."],
        ["Brno", "Ostrava", "Plzen"],
        ["Prumyslova", "Namesti Miru"],
    ),
    "LV": (
        ["Berzins", "Kalnins", "Ozols"],
        ["Logistics", "Trade Services"],
        ["SIA"],
        ["Riga", "Ventspils"],
        ["Brivibas iela", "Krasta iela"],
    ),
    "FI": (
        ["Virtanen", "Korhonen", "Nieminen"],
        ["Konepaja", "Tekniikka"],
        ["Oy"],
        ["Tampere", "Turku", "Oulu"],
        ["Teollisuuskatu", "Satamatie"],
    ),
    "SE": (
        ["Lindqvist", "Johansson", "Eriksson"],
        ["Industri", "Maskin"],
        ["AB"],
        ["Gothenburg", "Malmo", "Vasteras"],
        ["Industrigatan", "Hamngatan"],
    ),
    "ES": (
        ["Garcia", "Fernandez", "Lopez"],
        ["Maquinaria", "Componentes"],
        ["S.L.", "S.A."],
        ["Valencia", "Bilbao", "Zaragoza"],
        ["Calle Mayor", "Avenida del Puerto"],
    ),
    "BE": (
        ["Peeters", "Janssens", "Maes"],
        ["Engineering", "Agro Tech"],
        ["NV", "BV"],
        ["Antwerp", "Ghent", "Liege"],
        ["Havenlaan", "Industrieweg"],
    ),
}
_GOODS = [
    "spare parts for agricultural machinery",
    "laboratory equipment",
    "industrial pumps and valves",
    "pharmaceutical products",
    "office furniture",
    "wheat flour",
    "freight Almaty - Duisburg by rail",
    "software licences",
    "engineering services phase 2",
    "packaging materials",
    "medical consumables",
    "textile machinery",
    "ceramic tiles",
    "dried fruit and nuts",
    "steel pipes",
]
_GOODS_RU = [
    "запасные части к сельхозтехнике",
    "лабораторное оборудование",
    "фармацевтическая продукция",
    "мебель офисная",
    "мука пшеничная",
    "упаковочные материалы",
    "медицинские расходные материалы",
]
_KZ_PERSONS = [
    ("Aigerim Sadykova", "Айгерим Садыкова"),
    ("Nurlan Abenov", "Нурлан Абенов"),
    ("Dana Zhaksylykova", "Дана Жаксылыкова"),
    ("Yerlan Tokayev", "Ерлан Токаев"),
    ("Madina Omarova", "Мадина Омарова"),
    ("Askar Bekov", "Аскар Беков"),
]
_EU_PERSONS = [
    "Maria Schmidt",
    "Jan de Boer",
    "Lucia Bianchi",
    "Piotr Zielinski",
    "Claire Martin",
    "Erik Nilsson",
    "Anna Novakova",
    "Marta Garcia",
]

#: Occupied-territory and comprehensively sanctioned addresses (town, Cyrillic, country).
TERRITORY_TOWNS = [
    ("Simferopol", "Симферополь", "UA"),
    ("Sevastopol", "Севастополь", "UA"),
    ("Kerch", "Керчь", "UA"),
    ("Yalta", "Ялта", "UA"),
    ("Donetsk", "Донецк", "UA"),
    ("Luhansk", "Луганск", "UA"),
    ("Makiivka", "Макеевка", "UA"),
    ("Mariupol", "Мариуполь", "UA"),
    ("Melitopol", "Мелитополь", "UA"),
    ("Berdyansk", "Бердянск", "UA"),
    ("Enerhodar", "Энергодар", "UA"),
    ("Nova Kakhovka", "Новая Каховка", "UA"),
    ("Henichesk", "Геническ", "UA"),
    ("Skadovsk", "Скадовск", "UA"),
    ("Alchevsk", "Алчевск", "UA"),
    ("Horlivka", "Горловка", "UA"),
    ("Tehran", "Тегеран", "IR"),
    ("Pyongyang", "Пхеньян", "KP"),
    ("Damascus", "Дамаск", "SY"),
    ("Havana", "Гавана", "CU"),
]

_RU_MAP = [
    ("shch", "щ"),
    ("sch", "щ"),
    ("kh", "х"),
    ("zh", "ж"),
    ("ch", "ч"),
    ("sh", "ш"),
    ("ts", "ц"),
    ("ce", "це"),
    ("ci", "ци"),
    ("cy", "цы"),
    ("yu", "ю"),
    ("ya", "я"),
    ("yo", "ё"),
    ("ye", "е"),
    ("iy", "ий"),
    ("y", "ы"),
    ("a", "а"),
    ("b", "б"),
    ("v", "в"),
    ("g", "г"),
    ("d", "д"),
    ("e", "е"),
    ("z", "з"),
    ("i", "и"),
    ("j", "й"),
    ("k", "к"),
    ("l", "л"),
    ("m", "м"),
    ("n", "н"),
    ("o", "о"),
    ("p", "п"),
    ("r", "р"),
    ("s", "с"),
    ("t", "т"),
    ("u", "у"),
    ("f", "ф"),
    ("h", "х"),
    ("c", "к"),
    ("w", "в"),
    ("x", "кс"),
    ("q", "к"),
]


_LEGAL_EN = re.compile(
    r"\b(?:PUBLIC JOINT[- ]STOCK COMPANY|OPEN JOINT[- ]STOCK COMPANY|JOINT[- ]STOCK COMPANY|"
    r"CLOSED JOINT[- ]STOCK COMPANY|LIMITED LIABILITY COMPANY|PJSC|OJSC|CJSC|JSC|LLC|OAO|"
    r"ZAO|PAO|OOO|AO|LTD|LIMITED|INC|CO)\b\.?",
    re.I,
)


def to_cyrillic(text: str) -> str:
    """A rough Russian-style Cyrillic spelling of a Latin name (for test data only).

    An English legal form is replaced by the Russian abbreviation a Russian writer would
    use (``PUBLIC JOINT STOCK COMPANY`` -> ``ПАО``, ``LLC`` -> ``ООО``, ``JSC`` -> ``АО``)."""
    forms = [m.group(0).upper() for m in _LEGAL_EN.finditer(text)]
    core = " ".join(_LEGAL_EN.sub(" ", text).replace(",", " ").split())
    prefix = ""
    if forms:
        first = forms[0]
        prefix = (
            "ПАО "
            if "PUBLIC" in first or first in ("PJSC", "PAO")
            else "ООО "
            if "LIABILITY" in first or first in ("LLC", "OOO", "LTD", "LIMITED")
            else "АО "
            if "JOINT" in first or first in ("JSC", "OJSC", "CJSC", "OAO", "ZAO", "AO")
            else ""
        )
    return prefix + _translit_ru(core or text)


def _translit_ru(text: str) -> str:
    out: list[str] = []
    for word in re.split(r"(\W+)", text):
        if not word or not word[0].isalpha() or not word.isascii():
            out.append(word)
            continue
        low = word.lower()
        res, i = "", 0
        while i < len(low):
            for lat, cyr in _RU_MAP:
                if low.startswith(lat, i):
                    if lat == "y" and i == len(low) - 1 and i > 0 and low[i - 1] in "aeiou":
                        cyr = "й"
                    res += cyr
                    i += len(lat)
                    break
            else:
                res += low[i]
                i += 1
        out.append(res.upper() if word.isupper() else res.capitalize())
    return "".join(out)


def _digits(rng: random.Random, n: int) -> str:
    return "".join(rng.choice("0123456789") for _ in range(n))


def _eu_iban(rng: random.Random, country: str) -> str:
    """A valid IBAN (national check digits, where a country has them, found by retrying)."""
    for _ in range(5000):
        value = iban(country, _eu_bban(rng, country))
        if IBAN.is_valid(value):
            return value
    raise RuntimeError(f"no valid {country} IBAN generated")  # pragma: no cover


def _eu_bban(rng: random.Random, country: str) -> str:
    bban: str = {
        "DE": lambda: _digits(rng, 18),
        "FR": lambda: _digits(rng, 10) + _digits(rng, 11) + _digits(rng, 2),
        "IT": lambda: (
            rng.choice("ABCDEFGHIJKLMNOPQRSTUVWXYZ") + _digits(rng, 10) + _digits(rng, 12)
        ),
        "NL": lambda: rng.choice(["INGB", "ABNA", "RABO"]) + _digits(rng, 10),
        "AT": lambda: _digits(rng, 16),
        "PL": lambda: _digits(rng, 24),
        "CZ": lambda: _digits(rng, 20),
        "LV": lambda: "HABA" + _digits(rng, 13),
        "FI": lambda: _digits(rng, 14),
        "SE": lambda: _digits(rng, 20),
        "ES": lambda: _digits(rng, 20),
        "BE": lambda: _digits(rng, 12),
    }[country]()
    return bban


def _kz_iban(rng: random.Random, bank_code: str) -> str:
    value = iban("KZ", bank_code + rng.choice(["KZT", "USD", "EUR"]) + _digits(rng, 10))
    assert IBAN.is_valid(value), value
    return value


def _kz_party(rng: random.Random, cyrillic: bool, bank_code: str) -> PartySpec:
    town, town_cy, postcode = rng.choice(_KZ_TOWNS)
    street, street_cy = rng.choice(_KZ_STREETS)
    number = rng.randint(1, 240)
    if rng.random() < 0.12:
        person, person_cy = rng.choice(_KZ_PERSONS)
        name = person_cy if cyrillic else person
    else:
        word, word_cy = rng.choice(_KZ_WORDS)
        trade, trade_cy = rng.choice(_KZ_TRADES)
        name = (
            f"ТОО «{word_cy} {trade_cy}»"
            if cyrillic
            else rng.choice([f"{word} {trade} LLP", f"TOO {word} {trade}"])
        )
    return PartySpec(
        name=name,
        street=f"{street_cy if cyrillic else street} {number}",
        town=town_cy if cyrillic else town,
        postcode=postcode,
        country="KZ",
        account=_kz_iban(rng, bank_code),
    )


def _eu_party(rng: random.Random, country: str) -> PartySpec:
    surnames, trades, forms, towns, streets = _EU_PEOPLE[country]
    if rng.random() < 0.1:
        name = rng.choice(_EU_PERSONS)
    else:
        name = f"{rng.choice(surnames)} {rng.choice(trades)} {rng.choice(forms)}"
    return PartySpec(
        name=name,
        street=f"{rng.choice(streets)} {rng.randint(1, 120)}",
        town=rng.choice(towns),
        postcode=_digits(rng, 5),
        country=country,
        account=_eu_iban(rng, country),
    )


def _remittance(rng: random.Random, cyrillic: bool) -> str:
    if cyrillic and rng.random() < 0.5:
        return (
            f"Оплата по договору № {rng.randint(1, 99)}/{rng.randint(2023, 2025)} "
            f"за {rng.choice(_GOODS_RU)}, счет {rng.randint(100, 9999)}"
        )
    return rng.choice(
        [
            f"Invoice {rng.randint(2023, 2025)}/{rng.randint(1, 999):03d} {rng.choice(_GOODS)}",
            f"Payment for {rng.choice(_GOODS)} under contract No {rng.randint(1, 99)}-"
            f"{rng.randint(2023, 2025)}",
            f"Contract {rng.randint(10, 99)}/{rng.randint(1, 12)} advance payment 30 pct",
        ]
    )


def clean_spec(rng: random.Random, msg_id: str, *, cyrillic: bool = False) -> PaymentSpec:
    """A clean Kazakhstan <-> EU trade payment."""
    kz_bic, kz_bank, kz_town, kz_code = rng.choice(KZ_BANKS)
    eu_bic, eu_bank, eu_town, eu_country = rng.choice(EU_BANKS)
    kz_party = _kz_party(rng, cyrillic, kz_code)
    eu_party = _eu_party(rng, eu_country)
    kz_agent = BankSpec(kz_bic + rng.choice(["", "XXX"]), kz_bank, kz_town, "KZ")
    eu_agent = BankSpec(eu_bic + rng.choice(["", "XXX"]), eu_bank, eu_town, eu_country)
    currency = rng.choice(["EUR", "EUR", "EUR", "USD", "KZT"])
    amount = Decimal(rng.randint(500_00, 2_500_000_00)) / 100
    intermediaries: list[BankSpec] = []
    if currency == "USD":
        bic, name = rng.choice(US_CORRESPONDENTS)
        intermediaries.append(BankSpec(bic, name, "New York", "US"))
    outgoing = rng.random() < 0.6
    debtor, creditor = (kz_party, eu_party) if outgoing else (eu_party, kz_party)
    d_agent, c_agent = (kz_agent, eu_agent) if outgoing else (eu_agent, kz_agent)
    day = date(2025, 1, 2) + timedelta(days=rng.randint(0, 300))
    return PaymentSpec(
        msg_id=msg_id,
        amount=amount,
        currency=currency,
        value_date=day,
        debtor=debtor,
        creditor=creditor,
        debtor_agent=d_agent,
        creditor_agent=c_agent,
        intermediaries=intermediaries,
        remittance=_remittance(rng, cyrillic),
        uetr=_uuid(rng),
    )


def _uuid(rng: random.Random) -> str:
    h = "".join(rng.choice("0123456789abcdef") for _ in range(32))
    return f"{h[:8]}-{h[8:12]}-4{h[13:16]}-a{h[17:20]}-{h[20:32]}"


# -- exposures ----------------------------------------------------------------------------


@dataclass
class _Pools:
    banks: list[tuple[ListedEntity, str]]
    bank_names: list[tuple[ListedEntity, str]]
    parties: list[tuple[ListedEntity, str]]
    vessels: list[tuple[ListedEntity, str, str | None]]


def _pools(entities: Sequence[ListedEntity]) -> _Pools:
    banks: list[tuple[ListedEntity, str]] = []
    bank_names: list[tuple[ListedEntity, str]] = []
    parties: list[tuple[ListedEntity, str]] = []
    vessels: list[tuple[ListedEntity, str, str | None]] = []
    for entity in entities:
        names = [
            n
            for n in entity.names(weak=False)
            if (len(n.split()) >= 2 and len(n) >= 10 and n.isascii()) or not n.isascii()
        ]
        latin = [n for n in entity.names(weak=False) if n.isascii()]
        for bic in entity.get("swiftBic"):
            code = bic.strip().upper()
            if BIC.is_valid(code):
                banks.append((entity, code))
                if latin:
                    bank_names.append((entity, latin[0]))
        if entity.schema == "Vessel":
            imo = next((i for i in entity.get("imoNumber") if IMO.is_valid(i)), None)
            name = latin[0] if latin else None
            if name and len(name.split()) >= 2 and len(name) >= 10:
                vessels.append((entity, name, imo))
            elif imo:
                vessels.append((entity, "", imo))
        elif entity.schema in ("Person", "Company", "Organization", "LegalEntity"):
            parties.extend((entity, n) for n in names if len(n) >= 6)
    return _Pools(banks, bank_names, parties, vessels)


def _person_order(name: str) -> str:
    """``TIMCHENKO, Gennady`` -> ``Gennady Timchenko`` (how payments write names)."""
    if "," in name:
        last, _, first = name.partition(",")
        return f"{first.strip()} {last.strip().title()}".strip()
    return name


def exposed_spec(
    rng: random.Random, msg_id: str, kind: str, pools: _Pools
) -> tuple[PaymentSpec, str, bool]:
    """A payment exposed to a listed bank/party/vessel or a territory.

    Returns the spec, a note and whether the exposure is in Cyrillic (ISO 20022 only)."""
    spec = clean_spec(rng, msg_id)
    cyrillic = False
    if kind == "listed_bic":
        entity, bic = rng.choice(pools.banks)
        variant = rng.choice(["", "XXX", "MOW"]) if len(bic) == 8 else ""
        bank = BankSpec(bic + variant)
        where = rng.choice(["creditor_agent", "intermediary", "correspondent"])
        if where == "creditor_agent":
            spec = replace(spec, creditor_agent=bank)
        elif where == "intermediary":
            spec = replace(spec, intermediaries=[bank])
        else:
            spec = replace(spec, senders_correspondent=bank, intermediaries=[bank])
        return spec, f"{where} BIC {bank.bic} of {entity.caption} ({entity.id})", False
    if kind == "listed_bank_name":
        entity, name = rng.choice(pools.bank_names)
        cyrillic = not name.isascii() or rng.random() < 0.5
        shown = name if not name.isascii() else to_cyrillic(name) if cyrillic else name
        bank = BankSpec(None, shown, "Moscow" if not cyrillic else "Москва", "RU")
        spec = replace(spec, creditor_agent=bank, intermediaries=[])
        return spec, f"creditor agent named {shown!r} ({entity.id})", cyrillic
    if kind == "listed_party":
        entity, name = rng.choice(pools.parties)
        name = _person_order(name) if entity.schema == "Person" else name
        cyrillic = not name.isascii() or rng.random() < 0.4
        shown = name if not name.isascii() else to_cyrillic(name) if cyrillic else name
        role = rng.choice(["creditor", "debtor", "ultimate_creditor"])
        if role == "creditor":
            spec = replace(spec, creditor=replace(spec.creditor, name=shown))
        elif role == "debtor":
            spec = replace(spec, debtor=replace(spec.debtor, name=shown))
        else:
            spec = replace(spec, ultimate_creditor=PartySpec(name=shown))
        return spec, f"{role} {shown!r} ({entity.id})", cyrillic
    if kind == "territory":
        town, town_cy, country = rng.choice(TERRITORY_TOWNS)
        cyrillic = rng.random() < 0.4
        creditor = replace(
            spec.creditor,
            town=town_cy if cyrillic else town,
            country=rng.choice([country, None]) if country == "UA" else country,
            account=None if country != "UA" else spec.creditor.account,
        )
        if country == "UA" and creditor.account and creditor.account.startswith("KZ"):
            creditor = replace(creditor, account=iban("UA", "322001" + "0" * 19))
        spec = replace(spec, creditor=creditor)
        return spec, f"creditor town {creditor.town} ({country})", cyrillic
    if kind == "vessel":
        entity, name, imo = rng.choice(pools.vessels)
        parts = []
        if name and (not imo or rng.random() < 0.5):
            parts.append(f"charter hire MV {name}")
        if imo and (not parts or rng.random() < 0.7):
            parts.append(f"IMO {imo.replace('IMO', '')}")
        text = f"Freight payment {' '.join(parts)} voyage {rng.randint(1, 40)}/2025"
        return replace(spec, remittance=text), f"remittance {text!r} ({entity.id})", False
    raise ValueError(f"unknown exposure kind {kind!r}")


EXPOSURES = ("listed_bic", "listed_bank_name", "listed_party", "territory", "vessel")


# -- malformed ----------------------------------------------------------------------------

MALFORMATIONS = (
    "truncated",
    "missing_mandatory",
    "invalid_bic",
    "bad_iban",
    "bad_amount",
    "bad_currency",
    "bad_date",
    "unsupported_type",
    "noise",
    "empty",
)


def malform(rng: random.Random, raw: bytes, fmt: str, how: str) -> bytes:
    """``raw`` (a valid message in ``fmt``) broken in way ``how``."""
    text = raw.decode("utf-8")
    iso = fmt in ISO_FORMATS
    if how == "truncated":
        return raw[: int(len(raw) * rng.uniform(0.2, 0.85))]
    if how == "empty":
        return rng.choice([b"", b"   \n", b"\xef\xbb\xbf"])
    if how == "noise":
        return bytes(rng.randrange(256) for _ in range(rng.randint(1, 400)))
    if how == "missing_mandatory":
        if iso:
            tag = rng.choice(
                ["MsgId", "Cdtr", "Dbtr"] if fmt != "pacs.009" else ["MsgId", "IntrBkSttlmAmt"]
            )
            out = re.sub(rf"\s*<{tag}[ >].*?</{tag}>", "", text, count=1, flags=re.S)
            if tag in ("Cdtr", "Dbtr"):
                out = re.sub(rf"\s*<{tag}>.*?</{tag}>", "", text, flags=re.S)
            return out.encode()
        tag = rng.choice([":20:", ":32A:"] + ([":59", ":50"] if fmt == "MT103" else [":58"]))
        lines = text.split("\r\n")
        kept: list[str] = []
        skipping = False
        for line in lines:
            if line.startswith(tag):
                skipping = True
                continue
            if skipping and (line.startswith(":") or line.startswith("-}")):
                skipping = False
            if not skipping:
                kept.append(line)
        return "\r\n".join(kept).encode()
    if how == "invalid_bic":
        bad = rng.choice(["DEUTDEF", "COBA1EFF", "HSBKZZKX", "ABCDEFGHIJKL", "XXXXRU"])
        if iso:
            return re.sub(r"<BICFI>[^<]*</BICFI>", f"<BICFI>{bad}</BICFI>", text, count=1).encode()
        return (
            re.sub(
                r"\{2:I(\d{3})[A-Z0-9]{12}",
                lambda m: "{2:I" + m.group(1) + "DEUT12FFAXXX",
                text,
                count=1,
            ).encode()
            if rng.random() < 0.3
            else re.sub(r":57A:[^\r\n]*", f":57A:{bad}", text, count=1).encode()
            if ":57A:" in text
            else re.sub(r"(\{1:F01)[A-Z0-9]{12}", r"\g<1>1234567890AB", text, count=1).encode()
        )
    if how == "bad_iban":
        match = re.search(r"(KZ|DE|FR|IT|NL|AT|PL|CZ|LV|FI|SE|ES|BE)(\d{2})([A-Z0-9]{10,30})", text)
        if match is None:
            return malform(rng, raw, fmt, "bad_amount")
        digits = match.group(2)
        wrong = f"{(int(digits) + rng.randint(1, 50)) % 97 + 2:02d}"
        if wrong == digits:
            wrong = f"{(int(digits) + 1) % 97 + 2:02d}"
        return (text[: match.start(2)] + wrong + text[match.end(2) :]).encode()
    if how == "bad_amount":
        bad = rng.choice(["-100.00", "12.500,00", "abc", "0", "1e5", ""])
        if iso:
            return re.sub(
                r'(Amt Ccy="[A-Z]{3}">)[^<]*<', lambda m: m.group(1) + bad + "<", text, count=1
            ).encode()
        return re.sub(
            r"(:32A:\d{6}[A-Z]{3})[^\r\n]*",
            lambda m: m.group(1) + bad.replace(".", ","),
            text,
            count=1,
        ).encode()
    if how == "bad_currency":
        bad = rng.choice(["EURO", "XYZ", "E1R", "US"])
        if iso:
            return re.sub(r'Ccy="[A-Z]{3}"', f'Ccy="{bad}"', text, count=1).encode()
        return re.sub(r"(:32A:\d{6})[A-Z]{3}", lambda m: m.group(1) + bad, text, count=1).encode()
    if how == "bad_date":
        if iso:
            return re.sub(
                r"<(IntrBkSttlmDt|Dt)>[^<]*<", lambda m: f"<{m.group(1)}>2025-02-30<", text, count=1
            ).encode()
        return re.sub(r":32A:\d{6}", ":32A:250230", text, count=1).encode()
    if how == "unsupported_type":
        if iso:
            return re.sub(r"(pacs\.00[89]|pain\.001)\.001\.\d{2}", "pacs.002.001.10", text).encode()
        return re.sub(r"\{2:I\d{3}", "{2:I199", text, count=1).encode()
    raise ValueError(f"unknown malformation {how!r}")


# -- the set ------------------------------------------------------------------------------


def generate(
    entities: Sequence[ListedEntity],
    *,
    clean: int = 500,
    exposed: int = 250,
    malformed: int = 100,
    seed: int = 9,
) -> list[GeneratedMessage]:
    """A labelled set: ``clean`` clean, ``exposed`` exposed (spread over the kinds the
    entities allow) and ``malformed`` broken messages, formats in rotation."""
    rng = random.Random(seed)
    pools = _pools(entities)
    kinds = [
        k
        for k in EXPOSURES
        if (k != "listed_bic" or pools.banks)
        and (k != "listed_bank_name" or pools.bank_names)
        and (k != "listed_party" or pools.parties)
        and (k != "vessel" or pools.vessels)
    ]
    out: list[GeneratedMessage] = []
    for i in range(clean):
        fmt = FORMATS[i % len(FORMATS)]
        cyr = fmt in ISO_FORMATS and rng.random() < 0.3
        spec = clean_spec(rng, f"CLN{i:06d}", cyrillic=cyr)
        structured = fmt == "MT103" and rng.random() < 0.5
        out.append(
            GeneratedMessage(
                f"clean-{i:05d}{file_suffix(fmt)}",
                render(spec, fmt, structured),
                "pass",
                "clean",
                fmt,
                "Cyrillic KZ party" if cyr else "",
            )
        )
    for i in range(exposed):
        kind = kinds[i % len(kinds)]
        spec, note, cyr = exposed_spec(rng, f"EXP{i:06d}", kind, pools)
        # MT202 carries no customer parties: customer-level exposures use MT103 instead.
        candidates = [
            f
            for f in FORMATS
            if not (cyr and f not in ISO_FORMATS)
            and not (kind in ("listed_party", "territory") and f == "MT202")
        ]
        fmt = candidates[i % len(candidates)]
        out.append(
            GeneratedMessage(
                f"exposed-{kind}-{i:05d}{file_suffix(fmt)}",
                render(spec, fmt, rng.random() < 0.5),
                "exposed",
                kind,
                fmt,
                note,
            )
        )
    for i in range(malformed):
        how = MALFORMATIONS[i % len(MALFORMATIONS)]
        fmt = FORMATS[(i // len(MALFORMATIONS)) % len(FORMATS)]
        spec = clean_spec(rng, f"BAD{i:06d}")
        raw = malform(rng, render(spec, fmt), fmt, how)
        out.append(
            GeneratedMessage(
                f"malformed-{how}-{i:05d}{file_suffix(fmt)}",
                raw,
                "error",
                f"malformed_{how}",
                fmt,
                how,
            )
        )
    return out


def write_set(messages: Sequence[GeneratedMessage], out_dir: Path) -> Path:
    """Write the messages to ``out_dir/messages/`` and ``out_dir/manifest.csv`` (file,
    expected, category, format, note)."""
    from circumspect.errors import InputError
    from circumspect.tabular import write_rows

    folder = out_dir / "messages"
    manifest = out_dir / "manifest.csv"
    try:
        folder.mkdir(parents=True, exist_ok=True)
        for message in messages:
            (folder / message.name).write_bytes(message.raw)
        # the manifest appears (atomically) only when every message is written
        write_rows(
            manifest,
            ["file", "expected", "category", "format", "note"],
            ([m.name, m.expected, m.category, m.format, m.note] for m in messages),
            fmt=".csv",
        )
    except OSError as exc:
        where = f": {exc.filename}" if exc.filename else ""
        raise InputError(
            f"cannot write the generated set ({exc.strerror or exc}{where})", file=str(out_dir)
        ) from exc
    return manifest
