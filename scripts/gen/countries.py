"""Regenerate ``circumspect/flows/data/countries.csv`` from ICU locale data.

Run ``.venv/bin/python scripts/gen/countries.py`` after an ICU upgrade. The table has one row
per ISO 3166-1 territory: alpha-2, alpha-3, UN M49 numeric code, the Eurostat/Comext code
(``EL``/``GR`` for Greece, ``UK``/``GB`` for the United Kingdom) and the English, French
and Russian names as ICU spells them. Names as the statistical offices spell them (Eurostat's
long labels, Kazakh and Kyrgyz statistics) are hand-kept in ``country_aliases.csv``; groups
and non-country partners are in ``aggregates.csv``.
"""

from __future__ import annotations

import csv
from pathlib import Path

DATA = Path(__file__).resolve().parents[2] / "circumspect" / "flows" / "data"

#: Eurostat's own geo codes differ from ISO 3166 for two countries.
EUROSTAT_CODES = {"GR": "EL", "GB": "UK"}


def build_rows() -> list[dict[str, str]]:
    """One row per ISO 3166-1 territory known to ICU."""
    import icu

    en, fr, ru = icu.Locale("en"), icu.Locale("fr"), icu.Locale("ru")
    rows: list[dict[str, str]] = []
    for code in sorted(icu.Locale.getISOCountries()):
        loc = icu.Locale("", code)
        try:
            numeric = icu.Region.getInstance(code).getNumericCode()
        except icu.ICUError:
            numeric = -1
        rows.append(
            {
                "iso2": code,
                "iso3": loc.getISO3Country(),
                "un_m49": f"{numeric:03d}" if numeric >= 0 else "",
                "eurostat": EUROSTAT_CODES.get(code, code),
                "name_en": loc.getDisplayCountry(en),
                "name_fr": loc.getDisplayCountry(fr),
                "name_ru": loc.getDisplayCountry(ru),
            }
        )
    # Kosovo: ICU knows XK but no ISO-3; Comtrade and Eurostat use XK / "Kosovo".
    return rows


def main() -> None:
    rows = build_rows()
    tmp = DATA / "countries.csv.tmp"
    with tmp.open("w", newline="", encoding="utf-8") as fh:
        writer = csv.DictWriter(fh, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)
    tmp.replace(DATA / "countries.csv")
    print(f"wrote {len(rows)} territories to {DATA / 'countries.csv'}")


if __name__ == "__main__":
    main()
