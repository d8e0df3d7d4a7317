"""Declaration risk scoring.

The work is split so that a distributed engine (``circumspect.engines``, Spark) can run it
partition by partition:

1. :func:`validate_frame` - pure function of a batch: row errors + typed feature columns.
2. :func:`history_features` - aggregates that need the whole input (or a history): the HS-6
   median unit values, each consignee's earlier declarations, distinct suppliers. In Spark
   these are ``groupBy`` / window aggregations joined back; here they are pandas groupbys.
3. :func:`screen_frame` - party screening of the batch's *distinct* parties through a
   :class:`PartyCache` (each party is screened once per run; in Spark, screen the distinct
   parties once and broadcast the resulting map).
4. :func:`score_batch` - pure function of a batch with its history columns, the party hits
   and a :class:`ScoringContext` (rules, controlled-goods index, FX rates - all small and
   broadcastable). Each rule is a function registered in :mod:`circumspect.risk.rules`.
   Returns the output frame.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from circumspect.errors import InputError
from circumspect.goods.bans import BanIndex, default_bans
from circumspect.goods.brands import BrandExtractor, default_extractor
from circumspect.goods.lists import ControlIndex, default_index
from circumspect.goods.nomenclature import Nomenclature, default_nomenclature
from circumspect.model.screening import Candidate, PartyScreener, Query
from circumspect.names.translit import warm_up
from circumspect.risk.columns import (
    COUNTRY_COLUMNS,
    INPUT_COLUMNS,
    REQUIRED_VALUES,
    ROW,
    STR,
    blank,
    country_codes,
    fx_rates,
    parse_dates,
    parse_numbers,
    split_countries,
)
from circumspect.risk.rules import RULES, RuleInput, RuleResult, RuleSet, load_rules

if TYPE_CHECKING:
    import numpy as np
    import pandas as pd

    from circumspect.risk.circumvention import Transfers

OUTPUT_FIRST: tuple[str, ...] = (
    "declaration_id",
    "risk_score",
    "decision",
    "flags",
    "explanation",
)
ERROR_COLUMNS: tuple[str, ...] = ("row", "declaration_id", "column", "value", "reason")

#: (role, name column, country column, identifier column)
PARTY_ROLES: tuple[tuple[str, str, str | None, str | None], ...] = (
    ("exporter", "exporter_name", "exporter_country", None),
    ("consignee", "consignee_name", "consignee_country", "consignee_id"),
    ("end user", "end_user_name", "end_user_country", None),
    ("declarant", "declarant_name", None, None),
    ("payment bank", "payment_bank_name", "payment_country", None),
)


@dataclass(slots=True)
class ScoringContext:
    """Everything :func:`score_batch` needs besides the batch (small, broadcastable)."""

    rules: RuleSet
    controls: ControlIndex
    nomenclature: Nomenclature
    fx: dict[str, float]
    countries: frozenset[str]
    bans: BanIndex = field(default_factory=default_bans)
    brands: BrandExtractor = field(default_factory=default_extractor)
    #: validated transfers to RU/BY buyers (rule reexport_chain); None = no transfers input
    transfers: Transfers | None = None

    @classmethod
    def default(
        cls,
        rules: RuleSet | None = None,
        controls: ControlIndex | None = None,
        bans: BanIndex | None = None,
        brands: BrandExtractor | None = None,
    ) -> ScoringContext:
        return cls(
            rules=rules or load_rules(),
            controls=controls or default_index(),
            nomenclature=default_nomenclature(),
            fx=fx_rates(),
            countries=country_codes(),
            bans=bans or default_bans(),
            brands=brands or default_extractor(),
        )


# ---------------------------------------------------------------------------------------
# 1. validation


def validate_frame(df: pd.DataFrame, ctx: ScoringContext) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Split a batch of raw rows (strings) into typed valid rows and error records.

    ``df`` must carry the row number in column ``_row``. The valid frame keeps every input
    column and adds typed columns prefixed ``_``.
    """
    import numpy as np
    import pandas as pd

    n = len(df)
    df = df.astype({c: STR for c in INPUT_COLUMNS if df[c].dtype != STR})
    bad = np.zeros(n, dtype=bool)
    errs: list[pd.DataFrame] = []
    ids = df["declaration_id"].astype(STR).fillna("").str.strip()

    def record(
        mask: np.ndarray[Any, Any], column: str, values: pd.Series, reasons: pd.Series | str
    ) -> None:
        if not mask.any():
            return
        nonlocal bad
        bad |= mask
        reason = reasons[mask] if isinstance(reasons, pd.Series) else reasons
        errs.append(
            pd.DataFrame(
                {
                    "row": df[ROW].to_numpy()[mask],
                    "declaration_id": ids.to_numpy()[mask],
                    "column": column,
                    "value": values.astype(STR).fillna("").to_numpy()[mask],
                    "reason": reason if isinstance(reason, str) else reason.to_numpy(),
                }
            )
        )

    blanks = {c: blank(df[c]).to_numpy() for c in INPUT_COLUMNS}
    for col in REQUIRED_VALUES:
        record(blanks[col], col, df[col], f"{col} is empty")

    dup = ids.duplicated(keep="first").to_numpy() & ~blanks["declaration_id"]
    if dup.any():
        first = df[ROW].groupby(ids).transform("first")
        record(
            dup,
            "declaration_id",
            df["declaration_id"],
            "duplicate declaration_id, first at row " + first.astype(STR),
        )

    dates = parse_dates(df["date"])
    record(
        dates.isna().to_numpy() & ~blanks["date"],
        "date",
        df["date"],
        "unparseable date (expected YYYY-MM-DD or DD.MM.YYYY)",
    )

    numbers: dict[str, pd.Series] = {}
    for col, required in (("quantity", True), ("value", True), ("net_weight_kg", False)):
        num = parse_numbers(df[col])
        numbers[col] = num
        vals = num.to_numpy()
        unparsable = np.isnan(vals) & ~blanks[col]
        record(unparsable, col, df[col], f"{col} is not a number")
        finite = ~np.isnan(vals)
        if required:
            record(finite & ~(vals > 0), col, df[col], f"{col} must be greater than 0")
        else:
            record(finite & (vals < 0), col, df[col], f"{col} must not be negative")
        record(np.isinf(vals), col, df[col], f"{col} is not finite")

    # HS codes: validate each distinct value once
    hs_raw = df["hs_code"].astype(STR).fillna("").str.strip()
    hs_map: dict[str, tuple[str, str]] = {}
    for value in pd.unique(hs_raw):
        if not value:
            continue
        try:
            hs_map[value] = (ctx.nomenclature.validate(value).digits, "")
        except InputError as exc:
            hs_map[value] = ("", exc.message)
    hs_digits = hs_raw.map({k: v[0] for k, v in hs_map.items()}).fillna("").astype(STR)
    hs_reason = hs_raw.map({k: v[1] for k, v in hs_map.items()}).fillna("").astype(STR)
    record((hs_reason != "").to_numpy(), "hs_code", df["hs_code"], hs_reason)

    countries = ctx.countries
    for col in COUNTRY_COLUMNS:
        s = df[col].astype(STR).fillna("").str.strip().str.upper()
        unknown = (~s.isin(countries)).to_numpy() & ~blanks[col]
        record(unknown, col, df[col], f"unknown country code in {col} (ISO 3166 alpha-2)")
    transit = df["transit_countries"].astype(STR).fillna("")
    transit_values = pd.unique(transit)
    transit_bad = transit.map(
        {v: ",".join(c for c in split_countries(v) if c not in countries) for v in transit_values}
    ).astype(STR)
    transit_norm = transit.map({v: ";".join(split_countries(v)) for v in transit_values})
    record(
        (transit_bad != "").to_numpy(),
        "transit_countries",
        df["transit_countries"],
        "unknown country code(s) " + transit_bad.astype(STR),
    )

    cur = df["currency"].astype(STR).fillna("").str.strip().str.upper()
    record(
        (~cur.isin(list(ctx.fx))).to_numpy() & ~blanks["currency"],
        "currency",
        df["currency"],
        "unknown currency (see circumspect/risk/data/fx.yaml)",
    )

    bic = df["payment_bank_bic"].astype(STR).fillna("").str.strip().str.upper()
    bic_ok = bic.str.fullmatch(r"[A-Z]{4}[A-Z]{2}[A-Z0-9]{2}(?:[A-Z0-9]{3})?").fillna(False)
    bic_country_ok = bic.str.slice(4, 6).isin(countries)
    record(
        ~(bic_ok & bic_country_ok).to_numpy().astype(bool) & ~blanks["payment_bank_bic"],
        "payment_bank_bic",
        df["payment_bank_bic"],
        "malformed BIC (8 or 11 characters: bank, ISO country, location, branch)",
    )

    from circumspect.risk.circumvention import CLAUSE_COLUMN, clause_errors

    clause = clause_errors(df)
    if clause is not None:
        record(clause[0], CLAUSE_COLUMN, clause[1], f"{CLAUSE_COLUMN} must be yes or no (or empty)")

    errors = (
        pd.concat(errs, ignore_index=True)
        if errs
        else pd.DataFrame({c: pd.Series(dtype="object") for c in ERROR_COLUMNS})
    )
    ok = ~bad
    valid = df.loc[ok].copy()
    valid["_date"] = dates[ok]
    valid["_qty"] = numbers["quantity"][ok]
    valid["_kg"] = numbers["net_weight_kg"][ok]
    valid["_value"] = numbers["value"][ok]
    valid["_currency"] = cur[ok]
    valid["_usd"] = valid["_value"] * valid["_currency"].map(ctx.fx).astype("float64")
    valid["_hs"] = hs_digits[ok]
    valid["_hs6"] = valid["_hs"].str.slice(0, 6)
    valid["_chapter"] = valid["_hs"].str.slice(0, 2)
    sections: dict[str, str] = {}
    for ch in valid["_chapter"].unique():
        entry = ctx.nomenclature.get(str(ch))
        sections[str(ch)] = entry.section if entry is not None else ""
    valid["_section"] = valid["_chapter"].map(sections).astype(STR)
    for col in COUNTRY_COLUMNS:
        valid["_" + col] = df.loc[ok, col].astype(STR).fillna("").str.strip().str.upper()
    valid["_transit"] = transit_norm[ok].astype(STR)
    valid["_bic"] = bic[ok]
    cid = valid["consignee_id"].astype(STR).fillna("").str.strip()
    cname = valid["consignee_name"].astype(STR).fillna("").str.strip().str.casefold()
    valid["_ckey"] = cid.where(cid != "", "name:" + cname)
    return valid, errors


# ---------------------------------------------------------------------------------------
# 2. history features


def history_features(frame: pd.DataFrame, ctx: ScoringContext) -> pd.DataFrame:
    """Add columns that need the whole input: medians, consignee history, suppliers."""
    import numpy as np

    out = frame
    # control status of each distinct code
    status = {code: ctx.controls.status(code) for code in out["_hs"].unique()}
    out["_controlled"] = out["_hs"].map(lambda c: status[c].controlled).astype(bool)
    out["_tier"] = out["_hs"].map(lambda c: status[c].chpl_tier or "").astype(STR)
    out["_tierw"] = out["_hs"].map(lambda c: status[c].tier_weight).astype("float64")
    out["_lists"] = out["_hs"].map(lambda c: ",".join(status[c].list_ids)).astype(STR)

    # unit value: USD per kg when a weight is declared, else per unit of quantity
    kg = out["_kg"].to_numpy(dtype="float64")
    per_kg = ~np.isnan(kg) & (kg > 0)
    denom = np.where(per_kg, kg, out["_qty"].to_numpy(dtype="float64"))
    out["_uv"] = out["_usd"].to_numpy(dtype="float64") / denom
    out["_uvkey"] = out["_hs6"] + np.where(per_kg, "/kg", "/unit")
    grouped = out.groupby("_uvkey", sort=False)["_uv"]
    out["_uv_median"] = grouped.transform("median")
    out["_uv_n"] = grouped.transform("count")

    # consignee history: earlier declarations and those in the same HS chapter
    keys = out[["_ckey", "_section", "_date", ROW]]
    ordered = keys.sort_values(["_ckey", "_date", ROW], kind="stable")
    prev = ordered.groupby("_ckey", sort=False).cumcount()
    prev_same = ordered.groupby(["_ckey", "_section"], sort=False).cumcount()
    out["_prev_n"] = prev.reindex(out.index)
    out["_prev_same_section"] = prev_same.reindex(out.index)
    cgroup = out.groupby("_ckey", sort=False)["_usd"]
    out["_c_n"] = cgroup.transform("count")
    out["_c_usd_median"] = cgroup.transform("median")

    # distinct exporters per consignee and controlled HS-6
    exporter = out["exporter_name"].astype(STR).fillna("").str.strip().str.casefold()
    out["_exp_key"] = exporter
    out["_suppliers"] = out.groupby(["_ckey", "_hs6"], sort=False)["_exp_key"].transform("nunique")
    from circumspect.risk.circumvention import circumvention_features

    return circumvention_features(out, ctx)


# ---------------------------------------------------------------------------------------
# 3. party screening


def party_key(name: str, country: str | None) -> tuple[str, str]:
    """The one key under which a party is screened once per run: whitespace-collapsed,
    casefolded name and country code. The local pipeline (:class:`PartyCache`) and the Spark
    job (``circumspect.engines.jobs``) both use it, so the two engines screen the same
    distinct parties and find the same hits."""
    return " ".join(name.split()).casefold(), country or ""


@dataclass(frozen=True, slots=True)
class PartyHit:
    role: str
    name: str
    entity_id: str
    caption: str
    source: str
    score: float
    via: str
    #: The Russian party behind the hit (the listed entry itself, an owner or a stated
    #: link: ``russian_party`` features), "" when none.
    russian: str = ""

    def text(self) -> str:
        how = "identifier" if self.via != "name" else "name"
        return (
            f"{self.role} '{self.name}' matches {self.caption} ({self.source}, "
            f"{self.entity_id}) by {how}{'' if how == 'name' else ' ' + self.via}, "
            f"score {self.score:.2f}"
        )

    def to_dict(self) -> dict[str, Any]:
        return {
            "role": self.role,
            "name": self.name,
            "entity_id": self.entity_id,
            "caption": self.caption,
            "source": self.source,
            "score": round(self.score, 4),
            "via": self.via,
        } | ({"russian": self.russian} if self.russian else {})


_WORKER_SCREENER: PartyScreener | None = None


def _screen_in_worker(item: tuple[str, str, int]) -> tuple[str, str, list[Candidate]]:
    name, country, limit = item
    assert _WORKER_SCREENER is not None
    query = Query(name=name, schema="LegalEntity", country=country or None)
    return name, country, [c for c in _WORKER_SCREENER.screen(query, limit) if c.alert]


class PartyCache:
    """Screens each distinct party (name + country, or identifier) once.

    ``workers > 1`` screens a batch's distinct names in forked worker processes (Linux),
    each with a copy-on-write view of the screener's index.
    """

    def __init__(self, screener: PartyScreener | None, limit: int = 3, workers: int = 1) -> None:
        self.screener = screener
        self.limit = limit
        self.workers = max(1, workers)
        self._names: dict[tuple[str, str], list[Candidate]] = {}
        self._ids: dict[str, list[Candidate]] = {}
        self.queries = 0
        self.lookups = 0

    def by_name(self, name: str, country: str) -> list[Candidate]:
        self.lookups += 1
        key = self._key(name, country)
        found = self._names.get(key)
        if found is None:
            found = []
            if self.screener is not None and key[0]:
                self.queries += 1
                query = Query(name=name, schema="LegalEntity", country=country or None)
                found = [c for c in self.screener.screen(query, self.limit) if c.alert]
            self._names[key] = found
        return found

    @staticmethod
    def _key(name: str, country: str) -> tuple[str, str]:
        return party_key(name, country)

    def prefetch(
        self, parties: Iterable[tuple[str, str]], progress: Callable[[int], None] | None = None
    ) -> None:
        """Screen the not yet cached (name, country) pairs, in parallel when configured."""
        if self.screener is None:
            return
        todo: dict[tuple[str, str], tuple[str, str]] = {}
        for name, country in parties:
            key = self._key(name, country)
            if key[0] and key not in self._names and key not in todo:
                todo[key] = (name, country)
        if not todo:
            return
        import multiprocessing as mp
        import sys

        if self.workers <= 1 or len(todo) < 500 or not sys.platform.startswith("linux"):
            for name, country in todo.values():
                self.by_name(name, country)
                self.lookups -= 1
                if progress is not None:
                    progress(1)
            return
        global _WORKER_SCREENER
        _WORKER_SCREENER = self.screener
        try:
            items = [(n, c, self.limit) for n, c in todo.values()]
            warm_up(n for n, _ in todo.values())
            with mp.get_context("fork").Pool(self.workers) as pool:
                for name, country, found in pool.imap_unordered(
                    _screen_in_worker, items, chunksize=32
                ):
                    self._names[self._key(name, country)] = found
                    self.queries += 1
                    if progress is not None:
                        progress(1)
        finally:
            _WORKER_SCREENER = None

    def by_identifier(self, value: str) -> list[Candidate]:
        self.lookups += 1
        key = "".join(value.split()).upper()
        found = self._ids.get(key)
        if found is None:
            found = []
            if self.screener is not None and key:
                self.queries += 1
                found = list(self.screener.by_identifier(key))
            self._ids[key] = found
        return found


def _hits(role: str, name: str, via: str, candidates: Iterable[Candidate]) -> list[PartyHit]:
    return [
        PartyHit(
            role,
            name,
            c.entity_id,
            _hit_caption(c),
            c.source,
            float(c.score),
            via,
            "; ".join(f.text for f in c.features if f.feature == "russian_party"),
        )
        for c in candidates
    ]


def _hit_caption(c: Candidate) -> str:
    """The caption a reviewer reads: an ownership finding carries its proof, a listed
    entry the relationships its list states (docs/ownership.md)."""
    if c.source == "ownership":
        return f"{c.caption} [{c.explanation}]"
    links = c.links()
    return f"{c.caption} [linked to: {'; '.join(links)}]" if links else c.caption


def screen_frame(
    frame: pd.DataFrame, cache: PartyCache, progress: Callable[[int], None] | None = None
) -> dict[Any, list[PartyHit]]:
    """Party hits per row index (rows without hits are absent)."""
    import pandas as pd

    out: dict[Any, list[PartyHit]] = {}
    if cache.screener is None or frame.empty:
        return out
    pairs: list[tuple[str, str]] = []
    for _, name_col, country_col, _ in PARTY_ROLES:
        if name_col not in frame.columns:
            continue
        cc = "_" + country_col if country_col else ""
        sub = pd.DataFrame(
            {
                "n": frame[name_col].astype(STR).fillna("").str.strip(),
                "c": frame[cc].fillna("") if cc in frame.columns else "",
            }
        ).drop_duplicates()
        pairs.extend(zip(sub["n"].tolist(), sub["c"].tolist(), strict=True))
    cache.prefetch(pairs, progress)
    for role, name_col, country_col, id_col in PARTY_ROLES:
        if name_col not in frame.columns:
            continue
        names = frame[name_col].astype(STR).fillna("").str.strip()
        countries = (
            frame["_" + country_col]
            if country_col and "_" + country_col in frame.columns
            else pd.Series("", index=frame.index, dtype=STR)
        )
        keys = names + "\x1f" + countries.fillna("")
        found: dict[str, list[PartyHit]] = {}
        for key in pd.unique(keys):
            name, _, country = str(key).partition("\x1f")
            if not name:
                continue
            hits = _hits(role, name, "name", cache.by_name(name, country))
            if hits:
                found[str(key)] = hits
        if found:
            for idx, hits in keys[keys.isin(list(found))].map(found).items():
                out.setdefault(idx, []).extend(hits)
        if id_col is not None:
            ids = frame[id_col].astype(STR).fillna("").str.strip()
            found_ids: dict[str, list[PartyHit]] = {}
            for value in pd.unique(ids):
                if not value:
                    continue
                hits = _hits(role, str(value), f"{id_col} {value}", cache.by_identifier(str(value)))
                if hits:
                    found_ids[str(value)] = hits
            if found_ids:
                for idx, hits in ids[ids.isin(list(found_ids))].map(found_ids).items():
                    out.setdefault(idx, []).extend(hits)
    bics = frame["_bic"] if "_bic" in frame.columns else None
    if bics is not None:
        found_bic: dict[str, list[PartyHit]] = {}
        for value in pd.unique(bics):
            if not value:
                continue
            hits = _hits(
                "payment bank", str(value), f"BIC {value}", cache.by_identifier(str(value))
            )
            if hits:
                found_bic[str(value)] = hits
        if found_bic:
            for idx, hits in bics[bics.isin(list(found_bic))].map(found_bic).items():
                out.setdefault(idx, []).extend(hits)
    return out


# ---------------------------------------------------------------------------------------
# 4. scoring


def score_batch(
    frame: pd.DataFrame, ctx: ScoringContext, party_hits: Mapping[Any, list[PartyHit]] | None = None
) -> pd.DataFrame:
    """Score validated rows (with history columns); returns the output frame.

    Each enabled rule of ``ctx.rules`` runs its registered function
    (:data:`circumspect.risk.rules.RULES`); a hit earns ``weight x strength`` points and
    the points combine as ``100 x (1 - prod(1 - points/100))``.
    """
    import numpy as np
    import pandas as pd

    n = len(frame)
    inp = RuleInput(frame, ctx, party_hits)
    results: dict[str, RuleResult] = {}
    keep = np.ones(n)
    points: dict[str, np.ndarray[Any, Any]] = {}
    for rule in ctx.rules.rules:
        res = results[rule.id] = RULES[rule.id](inp, rule)
        p = np.where(res.mask, rule.weight * np.clip(res.strength, 0.0, 1.0), 0.0)
        points[rule.id] = p
        keep *= 1.0 - p / 100.0
    score = np.round(100.0 * (1.0 - keep), 1)
    decisions = np.where(
        score >= ctx.rules.block, "block", np.where(score >= ctx.rules.review, "review", "clear")
    )
    flags = [""] * n
    explanations = [""] * n
    details = [""] * n
    any_hit = np.zeros(n, dtype=bool)
    for p in points.values():
        any_hit |= p > 0
    for i in np.flatnonzero(any_hit):
        hits = sorted(
            ((rid, float(p[i])) for rid, p in points.items() if p[i] > 0),
            key=lambda kv: -kv[1],
        )
        flags[i] = ";".join(rid for rid, _ in hits)
        explanations[i] = " ".join(results[rid].message(int(i)) for rid, _ in hits)
        details[i] = json.dumps(
            [
                {"rule": rid, "points": round(pts, 1), **results[rid].evidence(int(i))}
                for rid, pts in hits
            ],
            ensure_ascii=False,
        )
    passthrough = [c for c in frame.columns if not c.startswith("_")]
    out = pd.DataFrame(
        {
            "declaration_id": frame["declaration_id"],
            "risk_score": score,
            "decision": decisions,
            "flags": flags,
            "explanation": explanations,
            "flag_details": details,
        },
        index=frame.index,
    )
    for c in passthrough:
        if c != "declaration_id":
            out[c] = frame[c]  # same index; keeps Arrow-backed strings
    out.insert(len(OUTPUT_FIRST) + 1, "row", frame[ROW].to_numpy())
    return out
