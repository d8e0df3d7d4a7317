"""Use case: score customs declarations (JSON rows or an uploaded file), audit the scoring
and open a declaration case for each risky row (``block``/``review``).

Called by ``POST /v1/declarations/score`` and the web declarations page.
"""

from __future__ import annotations

import csv
import hashlib
import io
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

from circumspect.cases.service import CaseOutcomeStatus, CaseSpec
from circumspect.cases.types import CaseKind, JsonObject
from circumspect.errors import CircumspectError
from circumspect.risk.score import ScoreReport, score_declarations
from circumspect.services.records import rule_matches, with_records
from circumspect.services.runtime import Runtime
from circumspect.tabular import restore
from circumspect.uploads import check_rows, check_upload

#: Cell values a JSON row may hold.
Cell = str | int | float | None


@dataclass(frozen=True, slots=True)
class DeclarationCase:
    declaration_id: str | None
    status: CaseOutcomeStatus
    case_id: int | None


@dataclass(frozen=True, slots=True)
class DeclarationScoring:
    """The scored rows and error rows (as written to the CSV outputs), the counts, and the
    cases opened."""

    report: ScoreReport
    rows: list[dict[str, str]]
    errors: list[dict[str, str]]
    snapshots: dict[str, str]
    cases: list[DeclarationCase] = field(default_factory=list)

    @property
    def read(self) -> int:
        return self.report.read

    @property
    def scored(self) -> int:
        return self.report.scored

    @property
    def rejected(self) -> int:
        return self.report.rejected

    @property
    def decisions(self) -> dict[str, int]:
        return self.report.decisions

    @property
    def flags(self) -> dict[str, int]:
        return self.report.flags


def score_rows(
    rt: Runtime, actor: str, rows: list[dict[str, Cell]], open_cases: bool
) -> DeclarationScoring:
    """Score rows given as JSON objects (column -> value), through the file path."""
    check_rows("rows", len(rows))
    columns: list[str] = []
    for row in rows:
        for key in row:
            if key not in columns:
                columns.append(str(key))
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=columns)
    writer.writeheader()
    for row in rows:
        writer.writerow({k: "" if v is None else v for k, v in row.items()})
    return score_upload(rt, actor, "rows.csv", buffer.getvalue().encode("utf-8"), open_cases)


def _read_back(path: Path) -> list[dict[str, str]]:
    """Rows of a CSV the output writer wrote, with the original text (quotes taken off)."""
    with path.open(encoding="utf-8", newline="") as fh:
        return [{k: restore(v) for k, v in row.items()} for row in csv.DictReader(fh)]


def score_upload(
    rt: Runtime, actor: str, name: str, data: bytes, open_cases: bool
) -> DeclarationScoring:
    """Score an uploaded declarations file (.csv, .xlsx, .parquet by its name's suffix)."""
    suffix = Path(name).suffix.lower() or ".csv"
    check_upload(name, data)  # 413 over the row or decompressed-size limit, nothing parsed
    screener, snaps = rt.screener()
    with tempfile.TemporaryDirectory(prefix="cs-decl-") as tmp:
        src = Path(tmp) / f"input{suffix}"
        src.write_bytes(data)
        out, errs = Path(tmp) / "scored.csv", Path(tmp) / "errors.csv"
        try:
            report = score_declarations(src, out, errs, screener=screener)
        except CircumspectError as exc:
            if exc.file is not None:
                exc.file = name  # the upload's name, never the server's temporary path
            raise
        scored = _read_back(out)
        errors = _read_back(errs)
    digest = hashlib.sha256(data).hexdigest()
    rt.cases.audit(
        actor,
        "declarations.score",
        f"file:{name}",
        {
            "sha256": digest,
            "read": report.read,
            "scored": report.scored,
            "rejected": report.rejected,
            "decisions": report.decisions,
            "snapshots": snaps,
        },
    )
    cases: list[DeclarationCase] = []
    if open_cases:
        risky = [row for row in scored if row.get("decision") in ("block", "review")]
        specs: list[CaseSpec] = []
        for row in risky:
            flags = [f for f in (row.get("flags") or "").split(";") if f]
            query: JsonObject = {
                "declaration_id": row.get("declaration_id"),
                "file": name,
                "sha256": digest,
            }
            matches = rule_matches(row.get("flag_details") or "")
            cands: list[JsonObject] = []
            for f in flags:
                cand: JsonObject = {
                    "rule": f,
                    "score": float(row.get("risk_score") or 0),
                    "caption": f"{row.get('declaration_id')}: {f}",
                    "explanation": row.get("explanation") or "",
                    "alert": True,
                }
                if f in matches:
                    cand["matches"] = matches[f]
                cands.append(cand)
            cands = cands or [
                {
                    "rule": row.get("decision"),
                    "score": 1.0,
                    "explanation": row.get("explanation") or "",
                }
            ]
            specs.append(
                CaseSpec(
                    CaseKind.DECLARATION,
                    query,
                    with_records(rt.store(), cands),
                    summary=f"{row.get('decision')}: {row.get('explanation') or ''}"[:2000],
                    idem_key=f"decl:{digest}:{row.get('declaration_id')}",
                )
            )
        # every case of the upload in one transaction, at most CIRCUMSPECT_BATCH_MAX_CASES
        outcomes = rt.cases.open_cases(specs, snapshot_ids=snaps, actor=actor)
        cases = [
            DeclarationCase(row.get("declaration_id"), outcome.status, outcome.case_id)
            for row, outcome in zip(risky, outcomes, strict=True)
        ]
    return DeclarationScoring(report, scored, errors, snaps, cases)
