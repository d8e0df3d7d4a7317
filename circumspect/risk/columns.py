"""Input columns of a customs declaration file and their validation.

Every column named in :data:`INPUT_COLUMNS` must be in the file's header (extra columns are
passed through). Per row, a value that cannot be used (invalid HS code, unknown country,
unparseable date or number, unknown currency, malformed BIC, empty required value,
duplicate declaration_id) becomes one error record ``row, declaration_id, column, value,
reason``; the row is rejected and every other row is scored.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

import yaml

from circumspect.errors import InputError

if TYPE_CHECKING:
    import pandas as pd

INPUT_COLUMNS: tuple[str, ...] = (
    "declaration_id",
    "date",
    "declarant_name",
    "exporter_name",
    "exporter_country",
    "consignee_name",
    "consignee_country",
    "consignee_id",
    "end_user_name",
    "end_user_country",
    "origin_country",
    "dispatch_country",
    "destination_country",
    "transit_countries",
    "hs_code",
    "goods_description",
    "quantity",
    "unit",
    "net_weight_kg",
    "value",
    "currency",
    "payment_bank_bic",
    "payment_country",
)

#: Optional columns the engine uses when present.
OPTIONAL_COLUMNS: tuple[str, ...] = ("payment_bank_name", "no_russia_clause")

REQUIRED_VALUES: tuple[str, ...] = (
    "declaration_id",
    "date",
    "hs_code",
    "quantity",
    "value",
    "currency",
    "destination_country",
)
COUNTRY_COLUMNS: tuple[str, ...] = (
    "exporter_country",
    "consignee_country",
    "end_user_country",
    "origin_country",
    "dispatch_country",
    "destination_country",
    "payment_country",
)

#: Arrow-backed strings: vectorised string operations without Python objects.
STR = "string[pyarrow]"

FX_FILE = Path(__file__).resolve().parent / "data" / "fx.yaml"
ROW = "_row"


@dataclass(frozen=True, slots=True)
class RowError:
    row: int
    declaration_id: str
    column: str
    value: str
    reason: str


@lru_cache(maxsize=1)
def fx_rates() -> dict[str, float]:
    data = yaml.safe_load(FX_FILE.read_text(encoding="utf-8"))
    return {str(k).upper(): float(v) for k, v in data["usd_per_unit"].items()}


@lru_cache(maxsize=1)
def country_codes() -> frozenset[str]:
    """ISO 3166-1 alpha-2 codes (from FollowTheMoney's country registry) plus XK."""
    from followthemoney.types import registry

    codes = {c.upper() for c in registry.country.names if len(c) == 2}
    codes.discard("ZZ")
    codes.discard("EU")
    return frozenset(codes)


def check_header(columns: list[str], file: str, required: tuple[str, ...] = INPUT_COLUMNS) -> None:
    missing = [c for c in required if c not in columns]
    if missing:
        raise InputError(
            f"missing columns: {', '.join(missing)} (see docs/declarations.md)",
            file=file,
            line=1,
        )


_ISO_DATE = r"^\d{4}-\d{2}-\d{2}(?:[ T]00:00:00(?:\.0+)?)?$"
_DMY_DATE = r"^\d{2}\.\d{2}\.\d{4}$"


def blank(series: pd.Series) -> pd.Series:
    """True where a value is empty, whitespace or a spelled-out null (``nan``, ``None``)."""
    s = series.astype(STR).str.strip()
    return (s.isna() | (s == "") | s.str.lower().isin(["nan", "none", "null"])).astype(bool)


def parse_dates(values: pd.Series) -> pd.Series:
    """ISO ``YYYY-MM-DD`` (a midnight time allowed) or ``DD.MM.YYYY``; NaT when neither."""
    import pandas as pd

    s = values.astype(STR).str.strip()
    iso = pd.to_datetime(
        s.str.slice(0, 10).where(s.str.match(_ISO_DATE).fillna(False).astype(bool)),
        format="%Y-%m-%d",
        errors="coerce",
    )
    dmy = pd.to_datetime(
        s.where(s.str.match(_DMY_DATE).fillna(False).astype(bool)),
        format="%d.%m.%Y",
        errors="coerce",
    )
    return iso.fillna(dmy)


def parse_numbers(values: pd.Series) -> pd.Series:
    """Numbers written with ``.`` or ``,`` decimals and space/``'`` thousands; NaN if not."""
    import pandas as pd

    s = values.astype(STR).str.replace("[\\s\u00a0'_]", "", regex=True)
    both = s.str.contains(".", regex=False) & s.str.contains(",", regex=False)
    s = s.where(~both.fillna(False).astype(bool), s.str.replace(",", "", regex=False))
    s = s.str.replace(",", ".", regex=False)
    out = pd.to_numeric(s, errors="coerce")
    return out.astype("float64")


_SPLIT = re.compile(r"[;,|\s]+")


def split_countries(value: Any) -> list[str]:
    if value is None:
        return []
    text = str(value).strip()
    if not text or text.lower() in ("nan", "none"):
        return []
    return [p.upper() for p in _SPLIT.split(text) if p]
