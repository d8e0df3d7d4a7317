"""Helpers shared by the list parsers: values, dates, countries, sanctions, errors.

Parsers build FollowTheMoney proxies through :func:`put` (which ignores properties the
schema does not have and empty values) and attach one ``Sanction`` per list entry made by
:func:`make_sanction`. Every problem with the input becomes a :class:`ParseError` that names
the file and the line or record.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from datetime import date
from functools import lru_cache

from followthemoney.proxy import EntityProxy

from circumspect.errors import ParseError
from circumspect.model.entities import make_entity_id, new_proxy

#: Words in an entity name that show it is a commercial company.
_COMPANY_WORDS = re.compile(
    r"(?:^|[\s,.(\"'«])(?:LLC|L\.L\.C|LTD|LIMITED|INC|INCORPORATED|CORP|CORPORATION|COMPANY|"
    r"CO|GMBH|AG|SA|S\.A|S\.A\.S|SAS|SRL|S\.R\.L|SPA|S\.P\.A|BV|B\.V|NV|PLC|LLP|JSC|PJSC|OJSC|"
    r"CJSC|OAO|ZAO|PAO|OOO|AO|TOO|ТОО|ООО|ОАО|ЗАО|ПАО|АО|ЖШС|BANK|BANCO|BANQUE|TRADING|"
    r"HOLDING|HOLDINGS|ENTERPRISE|ENTERPRISES|INDUSTRIES|GROUP|FZE|FZCO|FZ-LLC|DMCC|PTE|PVT|"
    r"SDN|BHD|KG|KFT|SP\.Z\.O\.O|EOOD|OU|AS|AB|OY|LTDA|CIA|C\.A|SE|SHIPPING|EXPORT|IMPORT|"
    r"AIRLINES|AIRLINE|AIRWAYS|AIR)"
    r"(?=$|[\s,.)\"'»])",
    re.IGNORECASE,
)

_MONTHS = {
    m: i + 1
    for i, m in enumerate(
        ["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"]
    )
}
_DATE_DMY_TEXT = re.compile(r"^(\d{1,2})[ -]([A-Za-z]{3})[A-Za-z]*\.?[ -](\d{4})$")
_DATE_MY_TEXT = re.compile(r"^([A-Za-z]{3})[A-Za-z]*\.?[ -](\d{4})$")
_DATE_ISO = re.compile(r"^(\d{4})-(\d{2})(?:-(\d{2}))?(?:T.*)?$")
_DATE_SLASH_DMY = re.compile(r"^(\d{1,2})[/.](\d{1,2})[/.](\d{4})$")
_YEAR = re.compile(r"^(\d{4})$")
_YEARS_RANGE = re.compile(r"^(\d{4})\s*(?:to|-|–)\s*(\d{4})$")


def put(proxy: EntityProxy, prop: str, value: object) -> None:
    """Add ``value`` to ``prop`` when the schema has the property and the value is not empty.

    FtM cleans the value by its type (dates, countries, ...); a value that does not clean is
    dropped by FtM, so parsers pass already-normalised dates and countries.
    """
    if value is None:
        return
    text = str(value).strip()
    if not text or text == "-0-":
        return
    if prop not in proxy.schema.properties:
        return
    proxy.add(prop, text, quiet=True)


def put_all(proxy: EntityProxy, prop: str, values: Iterable[object]) -> None:
    for value in values:
        put(proxy, prop, value)


def parse_dates(text: str, *, us_order: bool = False) -> list[str]:
    """ISO dates (``YYYY``, ``YYYY-MM`` or ``YYYY-MM-DD``) from a list's date text.

    Understands ``01 Jan 1962``, ``Jan 1962``, ``1962``, ``circa 1962``, ``1962 to 1964``
    (each year), ``1962-01-31``, ``31/01/1962`` (``01/31/1962`` when ``us_order``) and
    ``31.01.1962``. Unknown text gives ``[]``.
    """
    value = text.strip().rstrip(".").strip()
    value = re.sub(r"^(?:circa|approximately|approx\.?|ca\.?|c\.)\s*", "", value, flags=re.I)
    if not value:
        return []
    match = _YEARS_RANGE.match(value)
    if match:
        start, end = int(match.group(1)), int(match.group(2))
        if start <= end and end - start <= 30:
            return [str(y) for y in range(start, end + 1)]
        return [match.group(1), match.group(2)]
    match = _YEAR.match(value)
    if match:
        return [match.group(1)]
    match = _DATE_ISO.match(value)
    if match:
        year, month, day = match.group(1), match.group(2), match.group(3)
        return _valid(int(year), int(month), int(day) if day else None)
    match = _DATE_DMY_TEXT.match(value)
    if match:
        month_no = _MONTHS.get(match.group(2).lower())
        if month_no:
            return _valid(int(match.group(3)), month_no, int(match.group(1)))
        return []
    match = _DATE_MY_TEXT.match(value)
    if match:
        month_no = _MONTHS.get(match.group(1).lower())
        if month_no:
            return _valid(int(match.group(2)), month_no, None)
        return []
    match = _DATE_SLASH_DMY.match(value)
    if match:
        first, second, year_no = int(match.group(1)), int(match.group(2)), int(match.group(3))
        if us_order:
            first, second = second, first
        return _valid(year_no, second, first)
    return []


def _valid(year: int, month: int, day: int | None) -> list[str]:
    try:
        if day is None:
            date(year, month, 1)
            return [f"{year:04d}-{month:02d}"]
        return [date(year, month, day).isoformat()]
    except ValueError:
        return []


#: Country spellings of the lists that rigour's territory names do not carry.
_COUNTRY_ALIASES: dict[str, str] = {
    "korea north": "kp",
    "north korea": "kp",
    "korea south": "kr",
    "south korea": "kr",
    "burma": "mm",
    "turkey": "tr",
    "viet nam": "vn",
    "macau": "mo",
    "hong kong": "hk",
    "china hong kong special administrative region": "hk",
    "congo democratic republic of the": "cd",
    "congo republic of the": "cg",
    "congo": "cg",
    "cote d ivoire": "ci",
    "the gambia": "gm",
    "gambia the": "gm",
    "bahamas the": "bs",
    "virgin islands british": "vg",
    "cabo verde": "cv",
    "iran islamic republic of": "ir",
    "macedonia the former yugoslav republic of": "mk",
    "west bank": "ps",
    "gaza": "ps",
    "palestinian": "ps",
    "palestinian authority": "ps",
    "u k": "gb",
    "uk": "gb",
    "u s": "us",
    "usa": "us",
    "former soviet union": "suhh",
    "ussr": "suhh",
    "prc": "cn",
    "st vincent and the grenadines": "vc",
    "st kitts nevis": "kn",
    "st kitts and nevis": "kn",
    "st lucia": "lc",
    "man isle of": "im",
    "northern mali": "ml",
    "crimea": "ua-cri",
    "kafia kingi": "sd",
    "cabo verde previously cape verde": "cv",
    "macedonia": "mk",
    "swaziland": "sz",
    "ivory coast": "ci",
    "east timor": "tl",
    "laos": "la",
    "moldova republic of": "md",
    "tanzania united republic of": "tz",
}
_COUNTRY_PREFIX = re.compile(r"^(?:region|of registration|possibly)\s*:?\s*", re.IGNORECASE)


def _country_key(text: str) -> str:
    return re.sub(r"[^\w]+", " ", text.casefold()).strip()


@lru_cache(maxsize=1)
def _country_table() -> dict[str, str]:
    """Normalised territory names/codes -> FtM country code (rigour's table, ~1 s once)."""
    from rigour.territories import get_territories

    table: dict[str, str] = {}
    for territory in get_territories():
        code = territory.ftm_country
        if not code:
            continue
        for name in (territory.name, territory.full_name, territory.code, territory.alpha3):
            if name:
                table.setdefault(_country_key(str(name)), str(code))
    table.update(_COUNTRY_ALIASES)
    return table


@lru_cache(maxsize=8192)
def country_code(text: str | None) -> str | None:
    """FtM country code (ISO-3166 alpha-2 in lower case, or FtM's own codes such as
    ``suhh``) for a country name or code as the lists write it, or None.

    Exact lookup of territory names, full names, ISO alpha-2/alpha-3 codes and the lists'
    usual spellings (``Korea, North``, ``Iran (Islamic Republic of)``, ``Region: Gaza``).
    Deliberately no fuzzy matching: FtM's fuzzy cleaner costs seconds to initialise and turns
    city names ("Bogota") into countries; text that is not a country stays only in the raw
    fields (address, notes).
    """
    if not text:
        return None
    value = _COUNTRY_PREFIX.sub("", text.strip().strip(".").strip())
    key = _country_key(value)
    if not key or key.isdigit():
        return None
    return _country_table().get(key)


def guess_org_schema(name: str, default: str = "Organization") -> str:
    """``Company`` when the name carries a legal form or commercial word, else ``default``."""
    return "Company" if _COMPANY_WORDS.search(name) else default


def make_sanction(
    source: str,
    source_id: str,
    entity_id: str,
    *,
    authority: str,
    programs: Iterable[str] = (),
    listing_date: str | None = None,
    reason: str | None = None,
    extra: Iterable[tuple[str, str]] = (),
) -> EntityProxy:
    """The FtM ``Sanction`` of one list entry (id derived from source and source id)."""
    sanction = new_proxy(
        "Sanction",
        make_entity_id(source, source_id, "sanction"),
        [("entity", entity_id), ("authority", authority)],
    )
    put_all(sanction, "program", programs)
    if listing_date:
        put_all(sanction, "listingDate", parse_dates(listing_date) or [listing_date])
    put(sanction, "reason", reason)
    put(sanction, "recordId", source_id)
    for prop, value in extra:
        put(sanction, prop, value)
    return sanction


def decode_text(data: bytes, file: str, encodings: tuple[str, ...] = ("utf-8",)) -> str:
    """Decode ``data`` with the first encoding that fits; ParseError naming the line if none.

    A UTF-8 byte-order mark is removed. With ``latin-1`` among the encodings every byte
    sequence decodes, so the caller decides how strict a format is.
    """
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    first_error: UnicodeDecodeError | None = None
    for encoding in encodings:
        try:
            return data.decode(encoding)
        except UnicodeDecodeError as exc:
            first_error = first_error or exc
    assert first_error is not None
    line = data.count(b"\n", 0, first_error.start) + 1
    raise ParseError(
        f"invalid {encodings[0]} text (byte 0x{data[first_error.start]:02x} at offset "
        f"{first_error.start})",
        file=file,
        line=line,
    )


def reject_binary(text: str, file: str) -> None:
    """ParseError when decoded text holds NUL or other control bytes no list uses."""
    match = re.search(r"[\x00-\x08\x0b\x0e-\x19\x1b-\x1f]", text)
    if match:
        line = text.count("\n", 0, match.start()) + 1
        raise ParseError(
            f"binary content (control character 0x{ord(match.group()):02x}), not a text list file",
            file=file,
            line=line,
        )


def put_kz_number(proxy: EntityProxy, value: str) -> bool:
    """Kazakh 12-digit BIN (organisations) / IIN (persons): add it under every property the
    model uses for it (BIN: registrationNumber + taxNumber; IIN: idNumber + taxNumber).

    Returns False (adding nothing) when ``value`` is not 12 digits.
    """
    digits = value.strip()
    if not re.fullmatch(r"\d{12}", digits):
        return False
    if proxy.schema.is_a("Person"):
        put(proxy, "idNumber", digits)
    else:
        put(proxy, "registrationNumber", digits)
    put(proxy, "taxNumber", digits)
    return True
