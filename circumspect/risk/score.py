"""Score a declarations file: ``score_declarations(IN, OUT, ...)`` (CLI: ``circumspect
declarations score``).

Reads CSV, Parquet or Excel (``.xlsx``), validates every row, scores the valid ones and
writes the output (same format as the ``OUT`` suffix) and the errors file atomically
(temporary file in the same folder, then rename). ``read == scored + rejected`` always holds
and is checked before anything is written.
"""

from __future__ import annotations

import csv
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from circumspect.errors import CircumspectError, InputError, ParseError
from circumspect.fsutil import atomic_path
from circumspect.goods.brands import BrandExtractor
from circumspect.goods.lists import ControlIndex
from circumspect.model.screening import PartyScreener
from circumspect.risk.columns import ROW, check_header
from circumspect.risk.pipeline import (
    ERROR_COLUMNS,
    PartyCache,
    ScoringContext,
    history_features,
    score_batch,
    screen_frame,
    validate_frame,
)
from circumspect.risk.rules import RuleSet
from circumspect.tabular import write_frame

if TYPE_CHECKING:
    import pandas as pd

FORMATS = (".csv", ".parquet", ".xlsx")
CHUNK = 100_000


@dataclass(slots=True)
class ScoreReport:
    read: int = 0
    scored: int = 0
    rejected: int = 0
    decisions: dict[str, int] = field(default_factory=dict)
    flags: dict[str, int] = field(default_factory=dict)
    parties_screened: int = 0
    party_lookups: int = 0
    seconds: float = 0.0
    output: str = ""
    errors: str = ""
    transfers_read: int = 0
    transfers_used: int = 0
    transfers_rejected: int = 0
    transfer_errors: str = ""

    def summary(self) -> str:
        d = self.decisions
        return (
            f"read {self.read} = scored {self.scored} + rejected {self.rejected}; "
            f"block {d.get('block', 0)}, review {d.get('review', 0)}, clear {d.get('clear', 0)}; "
            f"{self.parties_screened} distinct party queries for {self.party_lookups} lookups; "
            f"{self.seconds:.1f} s"
            + (
                f"; transfers read {self.transfers_read} = used {self.transfers_used} + "
                f"rejected {self.transfers_rejected}"
                if self.transfers_read
                else ""
            )
        )


def _fmt(path: Path) -> str:
    suffix = path.suffix.lower()
    if suffix not in FORMATS:
        raise InputError(
            f"unsupported file type {suffix or '(none)'}: use .csv, .parquet or .xlsx",
            file=str(path),
        )
    return suffix


def read_declarations(path: Path, columns: tuple[str, ...] | None = None) -> pd.DataFrame:
    """All columns as strings (empty string for missing) plus ``_row`` (1 = first data row).

    ``columns``: the header must have these (default: the declaration input columns)."""
    import pandas as pd

    path = Path(path)
    fmt = _fmt(path)
    if not path.exists():
        raise InputError("file not found", file=str(path))
    try:
        if fmt == ".csv":
            df = _read_csv(path)
        elif fmt == ".parquet":
            import pyarrow as pa
            import pyarrow.compute as pc
            import pyarrow.parquet as pq

            table = pq.read_table(path)
            cols = {name: pc.cast(table.column(name), pa.string()) for name in table.column_names}
            df = _arrow_to_pandas(pa.table(cols)).fillna("")
        else:
            df = pd.read_excel(path, dtype=str, engine="openpyxl").fillna("")
    except CircumspectError:
        raise
    except Exception as exc:  # parser libraries raise many types
        raise ParseError(f"cannot read {fmt[1:]} file: {exc}", file=str(path)) from exc
    df.columns = [str(c).strip() for c in df.columns]
    if columns is None:
        check_header(list(df.columns), str(path))
    else:
        check_header(list(df.columns), str(path), columns)
    df[ROW] = range(1, len(df) + 1)
    return df


def _read_csv(path: Path) -> pd.DataFrame:
    import pyarrow as pa
    import pyarrow.csv as pacsv

    with open(path, encoding="utf-8-sig", newline="") as fh:
        try:
            header = next(csv.reader(fh))
        except StopIteration as exc:
            raise ParseError("empty file (no header)", file=str(path)) from exc
        except UnicodeDecodeError as exc:
            raise ParseError("not UTF-8 text", file=str(path)) from exc
    names = [h.strip() for h in header]
    if len(set(names)) != len(names):
        raise ParseError("duplicate column names in header", file=str(path), line=1)
    table = pacsv.read_csv(
        path,
        read_options=pacsv.ReadOptions(column_names=names, skip_rows=1, use_threads=True),
        parse_options=pacsv.ParseOptions(newlines_in_values=True),
        convert_options=pacsv.ConvertOptions(
            column_types={n: pa.string() for n in names},
            strings_can_be_null=False,
            quoted_strings_can_be_null=False,
        ),
    )
    return _arrow_to_pandas(table)


def _arrow_to_pandas(table: Any) -> pd.DataFrame:
    """Strings stay Arrow-backed (no Python string objects: less memory, faster)."""
    import pandas as pd
    import pyarrow as pa

    arrow_str = pd.StringDtype("pyarrow")
    return table.to_pandas(
        types_mapper=lambda t: arrow_str if t in (pa.string(), pa.large_string()) else None
    )


def read_table(path: Path) -> pd.DataFrame:
    """Read back an output or errors file (any supported format) as strings."""
    import pandas as pd

    fmt = _fmt(path)
    if fmt == ".csv":
        return pd.read_csv(path, dtype=str, keep_default_na=False)
    if fmt == ".parquet":
        return pd.read_parquet(path)
    return pd.read_excel(path, dtype=str).fillna("")


def _atomic_write(df: pd.DataFrame, path: Path) -> None:
    """Parquet as typed columns; CSV and XLSX through the one output writer (no live
    formulas, one cell per field, atomic)."""
    fmt = _fmt(path)
    if fmt == ".parquet":
        with atomic_path(path) as tmp:
            df.to_parquet(tmp, index=False)
    else:
        write_frame(df, path, fmt=fmt)


Progress = Callable[[str, int, int | None], None]


def score_frame(
    raw: pd.DataFrame,
    screener: PartyScreener | None = None,
    rules: RuleSet | None = None,
    ctx: ScoringContext | None = None,
    cache: PartyCache | None = None,
    progress: Progress | None = None,
    transfers: pd.DataFrame | None = None,
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Score an in-memory frame of raw rows (strings; ``_row`` added when missing).

    ``transfers``: raw transfer rows (strings, :data:`~circumspect.risk.circumvention.
    TRANSFER_COLUMNS`, ``_row``) for rule reexport_chain; they are validated against the
    valid declarations and ``ctx.transfers`` is set (its ``errors`` hold the rejected ones).
    Returns ``(scored, errors)``. ``len(scored) + rejected rows == len(raw)``.
    """
    import pandas as pd

    ctx = ctx or ScoringContext.default(rules)
    if ROW not in raw.columns:
        raw = raw.copy()
        raw[ROW] = range(1, len(raw) + 1)
    check_header(list(raw.columns), "<frame>")
    raw = raw.reset_index(drop=True)
    valid, errors = validate_frame(raw, ctx)
    if transfers is not None:
        from circumspect.risk.circumvention import imports_of, validate_transfers

        if ROW not in transfers.columns:
            transfers = transfers.copy()
            transfers[ROW] = range(1, len(transfers) + 1)
        ctx.transfers = validate_transfers(transfers, imports_of(valid), ctx)
    if progress:
        progress("validated", len(raw), len(raw))
    valid = history_features(valid, ctx)
    cache = cache or PartyCache(screener)

    def tick(k: int) -> None:
        if progress:
            progress("parties", k, None)

    hits = screen_frame(valid, cache, tick)
    parts = []
    for start in range(0, len(valid), CHUNK):
        chunk = valid.iloc[start : start + CHUNK]
        chunk_hits = {k: v for k, v in hits.items() if k in chunk.index} if hits else {}
        parts.append(score_batch(chunk, ctx, chunk_hits))
        if progress:
            progress("scored", len(chunk), len(valid))
    scored = pd.concat(parts) if parts else score_batch(valid, ctx, {})
    return scored, errors


def score_declarations(
    input_path: Path | str,
    output_path: Path | str,
    errors_path: Path | str | None = None,
    screener: PartyScreener | None = None,
    rules: RuleSet | None = None,
    cache: PartyCache | None = None,
    progress: Progress | None = None,
    controls: ControlIndex | None = None,
    transfers_path: Path | str | None = None,
    transfer_errors_path: Path | str | None = None,
    brands: BrandExtractor | None = None,
) -> ScoreReport:
    """Score a declarations file and write the output (and errors) atomically.

    ``transfers_path``: the importers' outbound transfers (rule reexport_chain); rejected
    transfers go to ``transfer_errors_path`` (default: beside the output,
    ``<output stem>.transfer_errors.csv``)."""
    started = time.perf_counter()
    input_path, output_path = Path(input_path), Path(output_path)
    _fmt(output_path)
    err_path = Path(errors_path) if errors_path is not None else None
    if err_path is not None:
        _fmt(err_path)
    raw = read_declarations(input_path)
    traw = None
    terr_path: Path | None = None
    if transfers_path is not None:
        from circumspect.risk.circumvention import read_transfers

        traw = read_transfers(transfers_path)
        terr_path = (
            Path(transfer_errors_path)
            if transfer_errors_path is not None
            else output_path.with_name(output_path.stem + ".transfer_errors.csv")
        )
        _fmt(terr_path)
    if progress:
        progress("read", len(raw), len(raw))
    cache = cache or PartyCache(screener)
    ctx = ScoringContext.default(rules, controls, brands=brands)
    scored, errors = score_frame(
        raw, screener, rules, ctx=ctx, cache=cache, progress=progress, transfers=traw
    )
    rejected = int(errors["row"].nunique()) if len(errors) else 0
    report = ScoreReport(read=len(raw), scored=len(scored), rejected=rejected)
    if report.read != report.scored + report.rejected:
        raise CircumspectError(
            f"row accounting failed: read {report.read} != scored {report.scored} + "
            f"rejected {report.rejected}"
        )
    scored = scored.sort_values("row", kind="stable")
    _atomic_write(scored, output_path)
    if err_path is not None:
        errors = errors.sort_values(["row", "column"], kind="stable")
        _atomic_write(errors[list(ERROR_COLUMNS)], err_path)
    report.decisions = {k: int(v) for k, v in scored["decision"].value_counts().items()}
    counts: dict[str, int] = {}
    for value in scored["flags"]:
        if value:
            for rid in str(value).split(";"):
                counts[rid] = counts.get(rid, 0) + 1
    report.flags = dict(sorted(counts.items(), key=lambda kv: -kv[1]))
    report.parties_screened = cache.queries
    report.party_lookups = cache.lookups
    report.seconds = time.perf_counter() - started
    report.output = str(output_path)
    report.errors = str(err_path) if err_path else ""
    if ctx.transfers is not None and terr_path is not None:
        write_transfer_errors(ctx.transfers, terr_path, report)
    return report


def write_transfer_errors(transfers: Any, path: Path, report: ScoreReport) -> None:
    """Account for every transfer row and write the rejected ones (atomically)."""
    from circumspect.risk.circumvention import TRANSFER_ERROR_COLUMNS

    report.transfers_read = transfers.read
    report.transfers_used = transfers.used
    report.transfers_rejected = transfers.rejected
    if transfers.read != transfers.used + transfers.rejected:
        raise CircumspectError(
            f"transfer accounting failed: read {transfers.read} != used {transfers.used} + "
            f"rejected {transfers.rejected}"
        )
    errors = transfers.errors.sort_values(["row", "column"], kind="stable")
    _atomic_write(errors[list(TRANSFER_ERROR_COLUMNS)], path)
    report.transfer_errors = str(path)


def screener_from_db(url: str | None) -> Any:
    """A ``circumspect.matching.Screener`` over the lists in the store at ``url``."""
    from circumspect.errors import DependencyError

    try:
        from circumspect.matching import Screener
        from circumspect.store import open_store
    except ImportError as exc:
        raise DependencyError(
            f"party screening is not available in this build ({exc}); "
            "use --no-screening to score without it"
        ) from exc
    screener = Screener.from_store(open_store(url))
    if len(screener) == 0:
        raise InputError(
            f"no sanctions lists are loaded in the store {url or '(default)'}: load lists "
            "first, or use --no-screening to score without party screening"
        )
    return screener
