"""Our figures beside the published ones (``data/diversion_reference_numbers.csv``).

Each check computes, from the loaded data, the closest figure to a published one and states
how the definitions differ. Checks that the data cannot support say why (``ours`` empty).
"""

from __future__ import annotations

import csv
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from circumspect.flows import queries as q

DATA = Path(__file__).resolve().parent / "data"


@dataclass(frozen=True)
class Check:
    study: str
    metric: str
    published: str
    ours: str
    status: str  # "matches", "close", "differs", "not computable"
    differences: str


def _pct(new: float, old: float) -> float:
    return (new / old - 1.0) * 100.0


def _window(
    engine: q.SqlSource,
    partners: tuple[str, ...],
    start: tuple[int, int],
    end: tuple[int, int],
    reporter: str | None = None,
) -> dict[str, tuple[float, int]]:
    sel = q.Selection(
        partners, reporter_group=None if reporter else "EU27", reporter=reporter, source="eurostat"
    )
    return q.window_total(engine, sel, q.month_range(start, end))


def _complete(w: dict[str, tuple[float, int]], partner: str, months: int) -> float | None:
    value, n = w.get(partner, (0.0, 0))
    return value if n == months else None


def _status(ours: float, published: float, close: float = 0.05) -> str:
    if published == 0:
        return "differs"
    rel = abs(ours - published) / abs(published)
    if rel < 0.005:
        return "matches"
    return "close" if rel <= close else "differs"


def run_checks(engine: q.SqlSource) -> list[Check]:
    """All checks; each guarded so that missing data gives 'not computable'."""
    out: list[Check] = []
    for fn in CHECKS:
        try:
            out.extend(fn(engine))
        except Exception as exc:
            out.append(Check(fn.__name__, "", "", "", "not computable", f"error: {exc}"))
    return out + _not_computable(out)


def _mary_lev(engine: q.SqlSource) -> list[Check]:
    published = {"KG": 344.8, "AM": 148.9, "KZ": 88.6, "UZ": 63.8}
    rows = q.totals(
        engine, q.Selection(tuple(published), reporter_group="EU27", source="eurostat"), "year"
    )
    val = {(t.partner, t.period): t.value for t in rows}
    out = []
    for p, pub in published.items():
        if (p, "2022") in val and (p, "2021") in val:
            ours = _pct(val[(p, "2022")], val[(p, "2021")])
            out.append(
                Check(
                    _study("github mary-lev"),
                    f"EU export growth to {p}",
                    f"+{pub}%",
                    f"{ours:+.1f}%",
                    _status(ours, pub, 0.02),
                    "Same Eurostat data; the README's base period is not stated: 2022 vs 2021 "
                    "(EU27 aggregate, total goods) reproduces it.",
                )
            )
    return out


def _usd_rates() -> dict[str, float]:
    with (DATA / "eur_usd_monthly.csv").open(encoding="utf-8") as fh:
        return {row["period"]: float(row["usd_per_eur"]) for row in csv.DictReader(fh)}


def _berne_h2(engine: q.SqlSource) -> list[Check]:
    published = {"AM": 178.0, "GE": 41.0, "KZ": 116.0, "KG": 537.0}
    rates = _usd_rates()
    sel = q.Selection(tuple(published), reporter_group="EU27", source="eurostat")
    monthly = q.totals(engine, sel, "month")
    h1 = [f"2021-{m:02d}" for m in range(7, 13)]
    h2 = [f"2022-{m:02d}" for m in range(7, 13)]
    out = []
    for p, pub in published.items():
        cells = {t.period: t.value for t in monthly if t.partner == p}
        if not all(m in cells for m in h1 + h2):
            continue
        ours = _pct(sum(cells[m] for m in h2), sum(cells[m] for m in h1))
        usd = _pct(sum(cells[m] * rates[m] for m in h2), sum(cells[m] * rates[m] for m in h1))
        out.append(
            Check(
                _study("Berne Union article citing"),
                f"EU exports growth H2-2021 -> H2-2022, {p}",
                f"+{pub:.0f}%",
                f"{ours:+.1f}% in EUR; {usd:+.1f}% in USD",
                _status(usd, pub, 0.05),
                "IMF DOTS is in USD; ours is Eurostat EU27 in EUR. The euro fell ~13% against the "
                "dollar between the two halves; converted month by month at ECB average rates "
                "(data/eur_usd_monthly.csv) our growth equals the published one (status refers "
                "to the USD figure), so the whole difference is the currency.",
            )
        )
    out.append(
        Check(
            _study("Berne Union article citing"),
            "EU exports growth H2, Azerbaijan",
            "+45%",
            "",
            "not computable",
            "the fixture has no monthly EU exports to Azerbaijan",
        )
    )
    return out


def _russia_windows(engine: q.SqlSource) -> list[Check]:
    out = []
    a = _window(engine, ("RU",), (2021, 3), (2022, 2))
    b = _window(engine, ("RU",), (2022, 3), (2023, 2))
    before, after = _complete(a, "RU", 12), _complete(b, "RU", 12)
    if before is not None and after is not None:
        out.append(
            Check(
                _study("Berne Union article", exact=True),
                "EU exports to Russia, 12 months after vs before the invasion",
                "52.6 vs 106.8 EUR bn",
                f"{after / 1e9:.1f} vs {before / 1e9:.1f} EUR bn",
                _status(after / 1e9, 52.6, 0.10),
                "Ours: EU27 (Eurostat), Mar 2022-Feb 2023 vs Mar 2021-Feb 2022. The article's "
                "106.8 bn 'before' is far above EU27 data (~90 bn): it likely counts EU28/EU "
                "incl. the UK or another window.",
            )
        )
    a = _window(engine, ("RU",), (2021, 3), (2021, 11))
    b = _window(engine, ("RU",), (2022, 3), (2022, 11))
    before, after = _complete(a, "RU", 9), _complete(b, "RU", 9)
    if before is not None and after is not None:
        out.append(
            Check(
                _study("Euromonitor/RBC on Eurostat (via"),
                "EU exports to Russia Mar-Nov 2022 vs 2021",
                "36.3 vs 69.2 EUR bn (-47%)",
                f"{after / 1e9:.1f} vs {before / 1e9:.1f} EUR bn ({_pct(after, before):+.0f}%)",
                _status(after / 1e9, 36.3, 0.05),
                "Same source (Eurostat); differences come from data revisions since early 2023 "
                "and the exact month window.",
            )
        )
    cis = ("AM", "GE", "KZ", "KG", "UZ")
    a = _window(engine, cis, (2021, 3), (2021, 11))
    b = _window(engine, cis, (2022, 3), (2022, 11))
    if all(_complete(a, p, 9) is not None and _complete(b, p, 9) is not None for p in cis):
        before = sum(a[p][0] for p in cis)
        after = sum(b[p][0] for p in cis)
        out.append(
            Check(
                _study("Euromonitor/RBC on Eurostat", exact=True),
                "EU exports to AM+BY+GE+KZ+KG+UZ Mar-Nov 2022 vs 2021",
                "20.3 vs 13.7 EUR bn (+48%)",
                f"{after / 1e9:.1f} vs {before / 1e9:.1f} EUR bn ({_pct(after, before):+.0f}%) "
                "without Belarus",
                "differs",
                "Belarus is not in the fixture's monthly data (EU exports to Belarus ~EUR 5-6 bn "
                "in Mar-Nov 2021, themselves sanctioned in 2022), so ours covers 5 of 6 "
                "countries; the growth of the five is far higher than the six together.",
            )
        )
    return out


def _ifo(engine: q.SqlSource) -> list[Check]:
    rows = q.totals(engine, q.Selection(("RU",), reporter_group="EU27", source="eurostat"), "year")
    val = {t.period: t.value for t in rows}
    if not all(y in val for y in ("2019", "2020", "2021", "2023")):
        return []
    base = (val["2019"] + val["2020"] + val["2021"]) / 3
    return [
        Check(
            _study("ifo Institute"),
            "EU exports to Russia 2023 vs pre-war",
            "37% of pre-war",
            f"{val['2023'] / val['2021'] * 100:.0f}% of 2021; "
            f"{val['2023'] / base * 100:.0f}% of the 2019-2021 mean",
            _status(val["2023"] / base * 100, 37, 0.10),
            "ifo's pre-war level is not stated exactly (monthly data to late 2023); ours are "
            "full-year EU27 totals.",
        )
    ]


def _germany(engine: q.SqlSource) -> list[Check]:
    out = []
    pub = {"KG": 180.1, "KZ": 32.0, "AM": 19.3, "RU": -39.1}
    a = _window(engine, tuple(pub), (2022, 1), (2022, 10), reporter="DE")
    b = _window(engine, tuple(pub), (2023, 1), (2023, 10), reporter="DE")
    for p, v in pub.items():
        old, new = _complete(a, p, 10), _complete(b, p, 10)
        if old is None or new is None:
            continue
        ours = _pct(new, old)
        out.append(
            Check(
                _study("Destatis"),
                f"German exports Jan-Oct 2023 YoY, {p}",
                f"{v:+.1f}%",
                f"{ours:+.1f}% (EUR {new / 1e6:,.0f}m)",
                _status(ours, v, 0.10),
                "Destatis national concept (special trade, revised later) vs Eurostat's "
                "Community concept for reporter Germany; first releases vs revised data.",
            )
        )
    pub_q = {"KG": 949.0, "GE": 92.0, "KZ": 136.0, "AM": 172.0}
    a = _window(engine, tuple(pub_q), (2022, 1), (2022, 3), reporter="DE")
    b = _window(engine, tuple(pub_q), (2023, 1), (2023, 3), reporter="DE")
    for p, v in pub_q.items():
        old, new = _complete(a, p, 3), _complete(b, p, 3)
        if old is None or new is None:
            continue
        ours = _pct(new, old)
        out.append(
            Check(
                _study("Reuters"),
                f"German exports Q1 2023 YoY, {p}",
                f"+{v:.0f}%",
                f"{ours:+.1f}%",
                _status(ours, v, 0.10),
                "Destatis national concept vs Eurostat Community concept for reporter DE.",
            )
        )
    return out


def _brookings(engine: q.SqlSource) -> list[Check]:
    pub = {"EE": 10000.0, "FI": 3100.0, "PL": 2200.0, "GR": 2100.0}
    out = []
    for r, v in pub.items():
        base = _window(engine, ("KG",), (2021, 1), (2021, 12), reporter=r)
        last = _window(engine, ("KG",), (2023, 9), (2024, 8), reporter=r)
        old, new = _complete(base, "KG", 12), _complete(last, "KG", 12)
        if old is None or new is None or old == 0:
            out.append(
                Check(
                    _study("Brookings"),
                    f"growth of {r} exports to Kyrgyzstan",
                    f"+{v:.0f}%",
                    "",
                    "not computable",
                    f"the fixture lacks some months of {r} exports to Kyrgyzstan in 2021 or "
                    "Sep 2023-Aug 2024 (cells absent from the download)",
                )
            )
            continue
        ours = _pct(new, old)
        out.append(
            Check(
                _study("Brookings"),
                f"growth of {r} exports to Kyrgyzstan",
                f"+{v:.0f}%",
                f"{ours:+.0f}% (Sep 2023-Aug 2024 vs 2021)",
                _status(ours, v, 0.25),
                "Brookings compares a 2025 level (probably 12-month rolling or monthly) to "
                "pre-war; the fixture ends Aug 2024.",
            )
        )
    return out


def _mirror(engine: q.SqlSource) -> list[Check]:
    from circumspect.flows.indicators import CCA3, mirror

    rows = [r for r in mirror(engine, CCA3) if r.year in ("2022", "2023")]
    extra_e = sum(r.extra_exports or 0.0 for r in rows)
    extra_i = sum(r.extra_imports or 0.0 for r in rows)
    if not rows or extra_e <= 0:
        return [
            Check(
                _study("CEPR DP20097 ("),
                "unrecorded share of additional exports to CCA3",
                "~50%",
                "",
                "not computable",
                "no importer-reported data loaded",
            )
        ]
    share = (extra_e - extra_i) / extra_e * 100
    without_am = [r for r in rows if r.partner != "AM"]
    e2 = sum(r.extra_exports or 0.0 for r in without_am)
    i2 = sum(r.extra_imports or 0.0 for r in without_am)
    return [
        Check(
            _study("CEPR DP20097 ("),
            "EU exports to CCA3 not recorded as imports by CCA3 (share of the additional exports)",
            "~50% (EU+UK, 2022-2023)",
            f"{share:.0f}% (AM+KZ+KG); {(e2 - i2) / e2 * 100:.0f}% without Armenia",
            _status(share, 50, 0.15),
            "Ours: EU27 only (no UK), total goods, 2022+2023 vs 2021, importer data from the "
            "fixture's national statistics converted to EUR (conversion rates not documented; "
            "CIF imports vs FOB exports). Armenia's 2023 national figure (EUR 0.15 bn from the "
            "EU27 vs 1.68 bn in 2022) looks truncated in the source file, which inflates the "
            "AM+KZ+KG share.",
        )
    ]


def _ebrd(engine: q.SqlSource) -> list[Check]:
    a = _window(engine, ("RU", "AM", "KZ", "KG"), (2021, 3), (2021, 8))
    b = _window(engine, ("RU", "AM", "KZ", "KG"), (2022, 3), (2022, 8))
    if any(_complete(x, p, 6) is None for x in (a, b) for p in ("RU", "AM", "KZ", "KG")):
        return []
    drop = a["RU"][0] - b["RU"][0]
    gain = sum(b[p][0] - a[p][0] for p in ("AM", "KZ", "KG"))
    javorcik_nb = ("AM", "GE", "KZ", "KG", "UZ")
    ya = q.totals(
        engine, q.Selection(("RU", *javorcik_nb), reporter_group="EU27", source="eurostat"), "year"
    )
    v = {(t.partner, t.period): t.value for t in ya}
    out = [
        Check(
            _study("EBRD WP"),
            "increase in exports to CCA3 as share of the drop in direct exports to Russia",
            "~5% (sanctioned goods, EU+UK)",
            f"{gain / drop * 100:.0f}% (all goods, EU27)",
            "differs",
            "EBRD: sanctioned goods only, EU+UK, HS-6 Comtrade data to Aug 2022. Ours: all goods "
            "(the fixture has totals only), EU27, Mar-Aug 2022 vs Mar-Aug 2021. Total-goods "
            "diversion ratios are not comparable with sanctioned-goods ones.",
        )
    ]
    if all((p, y) in v for p in ("RU", *javorcik_nb) for y in ("2021", "2022")):
        drop_y = v[("RU", "2021")] - v[("RU", "2022")]
        gain_y = sum(v[(p, "2022")] - v[(p, "2021")] for p in javorcik_nb)
        out.append(
            Check(
                _study("Javorcik, Project Syndicate 'The"),
                "new Eurasian flows as share of the drop in direct exports to Russia",
                "5-10% (EU+UK)",
                f"{gain_y / drop_y * 100:.0f}% (EU27, all goods, 2022 vs 2021, AM GE KZ KG UZ)",
                "differs",
                "Javorcik: EU+UK, likely sanctioned/high-priority goods and a different set of "
                "countries. Ours: all goods, whose growth includes ordinary demand growth "
                "(energy-price effects, relocation of firms from Russia).",
            )
        )
    return out


def _reference_rows() -> list[dict[str, str]]:
    with (DATA / "diversion_reference_numbers.csv").open(encoding="utf-8") as fh:
        return list(csv.DictReader(fh))


def _study(prefix: str, *, exact: bool = False) -> str:
    """The study name of the reference file equal to (``exact``) or starting with ``prefix``."""
    for row in _reference_rows():
        if row["study"] == prefix or (not exact and row["study"].startswith(prefix)):
            return row["study"]
    raise KeyError(f"no study {prefix!r} in diversion_reference_numbers.csv")


def _not_computable(done: list[Check]) -> list[Check]:
    studies = {c.study for c in done if c.status != "not computable" or c.ours}
    out = []
    for row in _reference_rows():
        if row["study"] in studies:
            continue
        out.append(
            Check(
                row["study"],
                row["metric"],
                f"{row['value']} {row['unit']}",
                "",
                "not computable",
                "needs data the loaded files do not have (Russian or Chinese imports, "
                "product-level or Comtrade data, UK exports, a non-EU reporter, or later months)",
            )
        )
    return out


CHECKS: tuple[Callable[[q.SqlSource], list[Check]], ...] = (
    _mary_lev,
    _berne_h2,
    _russia_windows,
    _ifo,
    _germany,
    _brookings,
    _mirror,
    _ebrd,
)
