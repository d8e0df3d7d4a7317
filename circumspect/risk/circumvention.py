"""Parallel imports and re-export to Russia: goods bans, brands, the import-then-transfer chain.

Four rules (``rules.yaml``): ``coalition_origin_to_russia``, ``parallel_import_brand``,
``reexport_chain`` and ``no_russia_clause_missing``. Their inputs:

* the ban lists (:mod:`circumspect.goods.bans`) and brands (:mod:`circumspect.goods.brands`);
* the optional declaration column ``no_russia_clause`` (the contract's EU Art. 12g clause:
  yes/no, true/false, 1/0, да/нет, иә/жоқ; empty = no clause);
* a second input, *transfers* (``--transfers FILE``): outbound sales/shipments by Kazakh
  importers, columns :data:`TRANSFER_COLUMNS`, read from CSV, Parquet or XLSX.

Transfers are validated row by row (:func:`validate_transfers`): an invalid or unknown BIN, an
unparseable date, a date before the importer's first import of that HS-6, an HS code that
does not exist, an unknown buyer country, a bad number: each is an error record with the
reason; every other transfer is used. Only transfers to buyers in Russia/Belarus take part in
the join, so what a distributed engine broadcasts is small.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from circumspect.errors import InputError
from circumspect.goods.bans import BanIndex
from circumspect.goods.brands import BrandExtractor
from circumspect.risk.columns import STR, parse_dates, parse_numbers

if TYPE_CHECKING:
    import numpy as np
    import pandas as pd

    from circumspect.risk.pipeline import ScoringContext

TRANSFER_COLUMNS: tuple[str, ...] = (
    "bin",
    "date",
    "hs_code",
    "buyer_name",
    "buyer_country",
    "buyer_id",
    "quantity",
    "value",
    "document",
)
TRANSFER_ERROR_COLUMNS: tuple[str, ...] = ("row", "document", "column", "value", "reason")
CLAUSE_COLUMN = "no_russia_clause"
_CLAUSE_VALUES = {
    "yes": True,
    "y": True,
    "true": True,
    "1": True,
    "да": True,
    "иә": True,
    "no": False,
    "n": False,
    "false": False,
    "0": False,
    "нет": False,
    "жоқ": False,
    "": False,
}


# ---------------------------------------------------------------------------------------
# transfers


def read_transfers(path: Path | str) -> pd.DataFrame:
    """All columns as strings plus ``_row`` (1 = first data row); header checked."""
    from circumspect.risk.score import read_declarations

    return read_declarations(Path(path), columns=TRANSFER_COLUMNS)


@dataclass(slots=True)
class Transfers:
    """Validated transfers to RU/BY buyers (sorted for the join) and the error records."""

    chain: pd.DataFrame  # columns bin, hs6, date (datetime64), buyer_name, buyer_country,
    #                      document, row
    errors: pd.DataFrame
    read: int = 0
    used: int = 0

    @property
    def rejected(self) -> int:
        return int(self.errors["row"].nunique()) if len(self.errors) else 0


def validate_transfers(
    raw: pd.DataFrame,
    imports: pd.DataFrame,
    ctx: ScoringContext,
) -> Transfers:
    """Check each transfer; ``imports`` has columns ``bin, hs6, date`` of the valid
    declarations (consignee_id, HS-6, date) so unknown BINs and pre-import dates are found."""
    import numpy as np
    import pandas as pd

    from circumspect.names.identifiers import validate as id_valid

    n = len(raw)
    df = raw.astype({c: STR for c in TRANSFER_COLUMNS})
    bad = np.zeros(n, dtype=bool)
    errs: list[pd.DataFrame] = []
    docs = df["document"].fillna("").str.strip()

    def record(mask: np.ndarray[Any, Any], column: str, reasons: pd.Series | str) -> None:
        nonlocal bad
        mask = mask & ~bad  # one reason per row is enough; the first problem is reported
        if not mask.any():
            return
        bad |= mask
        reason = reasons[mask] if isinstance(reasons, pd.Series) else reasons
        errs.append(
            pd.DataFrame(
                {
                    "row": df["_row"].to_numpy()[mask],
                    "document": docs.to_numpy()[mask],
                    "column": column,
                    "value": df[column].fillna("").to_numpy()[mask],
                    "reason": reason if isinstance(reason, str) else reason.to_numpy(),
                }
            )
        )

    bins = df["bin"].fillna("").str.replace(r"\s", "", regex=True)
    distinct = pd.unique(bins)
    valid_bin = {b: bool(b) and id_valid("kz_bin", str(b)) for b in distinct}
    record(
        ~bins.map(valid_bin).to_numpy(dtype=bool),
        "bin",
        "not a valid Kazakh BIN (12 digits, checksum)",
    )
    known = set(imports["bin"].unique())
    record(
        ~bins.isin(list(known)).to_numpy(dtype=bool),
        "bin",
        "unknown BIN: no declaration in the input has this consignee_id",
    )
    dates = parse_dates(df["date"])
    record(dates.isna().to_numpy(), "date", "unparseable date (expected YYYY-MM-DD or DD.MM.YYYY)")
    hs_raw = df["hs_code"].fillna("").str.strip()
    hs_map: dict[str, tuple[str, str]] = {}
    for value in pd.unique(hs_raw):
        try:
            hs_map[str(value)] = (ctx.nomenclature.validate(value).digits[:6], "")
        except InputError as exc:
            hs_map[str(value)] = ("", exc.message)
    hs6 = hs_raw.map({k: v[0] for k, v in hs_map.items()}).astype(STR)
    hs_reason = hs_raw.map({k: v[1] for k, v in hs_map.items()}).astype(STR)
    record((hs_reason != "").to_numpy(dtype=bool), "hs_code", hs_reason)
    hs_short = (hs6.str.len() < 6).fillna(True).to_numpy(dtype=bool)
    record(hs_short, "hs_code", "HS code shorter than 6 digits: the HS-6 cannot be matched")
    country = df["buyer_country"].fillna("").str.strip().str.upper()
    record(
        ~country.isin(list(ctx.countries)).to_numpy(dtype=bool),
        "buyer_country",
        "unknown or empty country code (ISO 3166 alpha-2)",
    )
    for col in ("quantity", "value"):
        num = parse_numbers(df[col]).to_numpy()
        blank = df[col].fillna("").str.strip().eq("").to_numpy(dtype=bool)
        record(np.isnan(num) & ~blank, col, f"{col} is not a number")
        record(~np.isnan(num) & ~(num > 0), col, f"{col} must be greater than 0")
    # dated before the importer's first import of the same HS-6
    first = imports.groupby(["bin", "hs6"], sort=False)["date"].min()
    key = pd.MultiIndex.from_arrays([bins.astype(object), hs6.astype(object)])
    first_date = pd.Series(first.reindex(key).to_numpy(), index=df.index)
    before = (first_date.notna() & dates.notna() & (dates < first_date)).to_numpy(dtype=bool)
    record(
        before,
        "date",
        "dated before the importer's first import of HS-6 "
        + hs6.fillna("")
        + " ("
        + first_date.dt.strftime("%Y-%m-%d").fillna("")
        + ")",
    )
    errors = (
        pd.concat(errs, ignore_index=True)
        if errs
        else pd.DataFrame({c: pd.Series(dtype="object") for c in TRANSFER_ERROR_COLUMNS})
    )
    ok = ~bad
    rb = ctx.rules.russia_belarus
    to_rb = ok & country.isin(list(rb)).to_numpy(dtype=bool)
    chain = pd.DataFrame(
        {
            "bin": bins[to_rb].astype(object).to_numpy(),
            "hs6": hs6[to_rb].astype(object).to_numpy(),
            "date": dates[to_rb].to_numpy(),
            "buyer_name": df["buyer_name"].fillna("")[to_rb].astype(object).to_numpy(),
            "buyer_country": country[to_rb].astype(object).to_numpy(),
            "document": docs[to_rb].astype(object).to_numpy(),
            "row": df["_row"][to_rb].to_numpy(),
        }
    ).sort_values("date", kind="stable")
    return Transfers(chain.reset_index(drop=True), errors, read=n, used=int(ok.sum()))


def imports_of(valid: pd.DataFrame) -> pd.DataFrame:
    """``bin, hs6, date`` of validated declarations (the transfers' reference)."""
    import pandas as pd

    return pd.DataFrame(
        {
            "bin": valid["consignee_id"].astype(STR).fillna("").str.replace(r"\s", "", regex=True),
            "hs6": valid["_hs6"].astype(STR),
            "date": valid["_date"],
        }
    )


# ---------------------------------------------------------------------------------------
# validation of the optional clause column


def clause_errors(df: pd.DataFrame) -> tuple[np.ndarray[Any, Any], pd.Series] | None:
    """Rows whose ``no_russia_clause`` value is neither yes nor no (None without column)."""
    if CLAUSE_COLUMN not in df.columns:
        return None
    values = df[CLAUSE_COLUMN].astype(STR).fillna("").str.strip().str.casefold()
    bad = ~values.isin(list(_CLAUSE_VALUES)).to_numpy(dtype=bool)
    return bad, df[CLAUSE_COLUMN]


# ---------------------------------------------------------------------------------------
# features


def circumvention_features(frame: pd.DataFrame, ctx: ScoringContext) -> pd.DataFrame:
    """Add ban, brand, clause and re-export chain columns (per row; a batch function)."""
    import numpy as np
    import pandas as pd

    out = frame
    bans: BanIndex = ctx.bans
    codes = out["_hs"].unique()
    covering = {c: bans.covering(c) for c in codes}
    banned = {c: any(b.kind == "export_ban" for b, _ in covering[c]) for c in codes}
    pi_group = {c: any(b.kind == "parallel_import" for b, _ in covering[c]) for c in codes}
    out["_banned_any"] = out["_hs"].map(banned).astype(bool)
    out["_pi_group"] = out["_hs"].map(pi_group).astype(bool)
    art12g = set(bans.art12g_codes())
    for clist in ctx.controls.lists:
        if clist.id == "eu_art12g":
            art12g.update(e.code for e in clist.entries)
    in_12g = {c: any(c[:k] in art12g for k in (2, 4, 6, 8, 10) if k <= len(c)) for c in codes}
    out["_art12g"] = out["_hs"].map(in_12g).astype(bool)
    desc = out["goods_description"].astype(STR).fillna("")
    extractor: BrandExtractor = ctx.brands
    brand_map = {d: ";".join(h.brand for h in extractor.extract(str(d))) for d in pd.unique(desc)}
    out["_brands"] = desc.map(brand_map).astype(STR)
    if CLAUSE_COLUMN in out.columns:
        vals = out[CLAUSE_COLUMN].astype(STR).fillna("").str.strip().str.casefold()
        yes_no = {v: "yes" if _CLAUSE_VALUES.get(str(v)) else "no" for v in pd.unique(vals)}
        out["_clause"] = vals.map(yes_no).astype(STR)
    else:
        out["_clause"] = pd.Series("", index=out.index, dtype=STR)
    # per-item value in EUR for the value thresholds of luxury lines
    eur = ctx.fx.get("EUR", 1.08)
    qty = out["_qty"].to_numpy(dtype="float64")
    out["_item_eur"] = np.where(qty > 0, out["_usd"].to_numpy(dtype="float64") / eur / qty, np.nan)
    _chain_features(out, ctx)
    return out


def _chain_features(out: pd.DataFrame, ctx: ScoringContext) -> None:
    import numpy as np
    import pandas as pd

    for col in ("_rx_doc", "_rx_buyer", "_rx_country", "_rx_date"):
        out[col] = pd.Series("", index=out.index, dtype=STR)
    out["_rx_days"] = np.full(len(out), -1, dtype="int64")
    transfers: Transfers | None = ctx.transfers
    rule = ctx.rules.get("reexport_chain")
    if transfers is None or rule is None or transfers.chain.empty or out.empty:
        return
    days = int(rule.param("days", 60))
    cand = out["_banned_any"].to_numpy(dtype=bool) | out["_controlled"].to_numpy(dtype=bool)
    cand |= out["_pi_group"].to_numpy(dtype=bool)
    left = pd.DataFrame(
        {
            "bin": out["consignee_id"].astype(STR).fillna("").str.replace(r"\s", "", regex=True),
            "hs6": out["_hs6"].astype(STR),
            "date": out["_date"],
            "_pos": np.arange(len(out)),
        }
    )[cand & out["_date"].notna().to_numpy(dtype=bool)]
    if left.empty:
        return
    left = left.astype({"bin": object, "hs6": object}).sort_values("date", kind="stable")
    right = transfers.chain.rename(columns={"date": "tdate"})
    right["date"] = right["tdate"]
    matched = pd.merge_asof(
        left,
        right,
        on="date",
        by=["bin", "hs6"],
        direction="forward",
        tolerance=pd.Timedelta(days=days),
    )
    matched = matched[matched["document"].notna()]
    if matched.empty:
        return
    pos = matched["_pos"].to_numpy()
    gap = (matched["tdate"] - matched["date"]).dt.days.to_numpy()
    for col, src in (
        ("_rx_doc", "document"),
        ("_rx_buyer", "buyer_name"),
        ("_rx_country", "buyer_country"),
    ):
        values = out[col].to_numpy(dtype=object)
        values[pos] = matched[src].astype(str).to_numpy()
        out[col] = pd.array(values, dtype=STR)
    dates = out["_rx_date"].to_numpy(dtype=object)
    dates[pos] = matched["tdate"].dt.strftime("%Y-%m-%d").to_numpy()
    out["_rx_date"] = pd.array(dates, dtype=STR)
    d = out["_rx_days"].to_numpy().copy()
    d[pos] = gap
    out["_rx_days"] = d
