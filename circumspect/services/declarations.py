"""Endpoints over capabilities built beside the service: payments, routes, declarations.

Each is mounted only when its module is present (``app._optional_routes``); alerts open
cases through ``CaseService.open_case`` (kinds ``payment`` and ``declaration``).
"""

from __future__ import annotations

import csv
import hashlib
import importlib
import io
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

import anyio
from fastapi import APIRouter, Query, Request
from pydantic import BaseModel, Field, ValidationError

from circumspect.api.runtime import Runtime
from circumspect.cases.service import UserInfo
from circumspect.errors import InputError

Role = Callable[[str], dict[str, Any]]
UserOf = Callable[[Request], UserInfo]

RAW_BODY = {
    "requestBody": {
        "required": True,
        "content": {
            "application/xml": {"schema": {"type": "string"}},
            "text/plain": {"schema": {"type": "string"}},
        },
    }
}

MAX_ROWS = 10_000


def mount_payments(router: APIRouter, rt: Runtime, role: Role, user_of: UserOf) -> None:
    @router.post("/payments/screen", openapi_extra=role("viewer") | RAW_BODY, tags=["payments"])
    async def payments_screen(request: Request) -> dict[str, Any]:
        """Screen one raw payment message (ISO 20022 pacs.008/pacs.009/pain.001 XML or SWIFT
        MT103/MT202); ``hold``/``reject`` decisions open a payment case."""
        raw = await request.body()
        if not raw.strip():
            raise InputError("the request body must hold one payment message", field="body")
        user = user_of(request)
        return await anyio.to_thread.run_sync(_screen_payment, rt, user.name, raw)


def _screen_payment(rt: Runtime, actor: str, raw: bytes) -> dict[str, Any]:
    payments = importlib.import_module("circumspect.payments")
    screener, snaps = rt.screener()
    decision = payments.screen_message(raw, screener)
    out: dict[str, Any] = dict(decision.to_dict())
    out["snapshots"] = snaps
    digest = hashlib.sha256(raw).hexdigest()
    rt.cases.audit(
        actor,
        "payment.screen",
        "payment",
        {
            "message_id": out.get("message_id"),
            "format": out.get("format"),
            "decision": out["decision"],
            "sha256": digest,
            "snapshots": snaps,
        },
    )
    out["case"] = None
    if out["decision"] in ("hold", "reject"):
        flags = [
            {
                "entity_id": f.get("entity_id")
                or f"{f['check']}:{f.get('role') or ''}:{f.get('subject') or ''}",
                "score": f.get("score") or 1.0,
                "alert": True,
                "caption": f.get("subject") or "",
                "explanation": f.get("text") or "",
                "check": f.get("check"),
                "severity": f.get("severity"),
                "role": f.get("role"),
            }
            for f in out["flags"]
        ]
        query = {"message_id": out.get("message_id"), "format": out.get("format"), "sha256": digest}
        outcome = rt.cases.open_case(
            "payment",
            query,
            flags or [{"id": "decision", "score": 1.0, "explanation": out.get("explanation", "")}],
            snapshot_ids=snaps,
            actor=actor,
            summary=str(out.get("explanation") or "")[:2000],
            idem_key=f"payment:{digest}",
        )
        out["case"] = {"status": outcome.status, "case_id": outcome.case_id}
    return out


def mount_routes(router: APIRouter, rt: Runtime, role: Role) -> None:
    @router.get("/route", openapi_extra=role("viewer"), tags=["routes"])
    def route(
        origin: str = Query(..., min_length=1, max_length=100),
        destination: str = Query(..., min_length=1, max_length=100),
        avoid: str | None = Query(
            "RU,BY", max_length=200, description="Countries to avoid (ISO codes or names)"
        ),
        avoid_modes: str | None = Query(None, max_length=100),
        optimize: str = Query("cost", pattern="^(cost|time|distance)$"),
        k: int = Query(3, ge=1, le=10),
        cargo: str = Query("feu", max_length=20),
        month: int | None = Query(None, ge=1, le=12),
    ) -> dict[str, Any]:
        """The k best freight routes, optionally avoiding countries and modes."""
        routes = importlib.import_module("circumspect.routes")
        for name, value in (("origin", origin), ("destination", destination)):
            if any(ord(ch) < 32 for ch in value):
                raise InputError("must not contain control characters", field=name)
        plan = routes.plan_routes(
            origin,
            destination,
            avoid=avoid or None,
            avoid_modes=avoid_modes or None,
            optimize=optimize,
            k=k,
            cargo=cargo,
            month=month,
        )
        result: dict[str, Any] = plan.to_dict()
        return result


class DeclarationRows(BaseModel):
    rows: list[dict[str, str | int | float | None]] = Field(min_length=1, max_length=MAX_ROWS)
    open_cases: bool = True


DECL_BODY = {
    "requestBody": {
        "required": True,
        "content": {
            "application/json": {
                "schema": {
                    "type": "object",
                    "required": ["rows"],
                    "properties": {
                        "rows": {
                            "type": "array",
                            "minItems": 1,
                            "maxItems": MAX_ROWS,
                            "items": {"type": "object"},
                        },
                        "open_cases": {"type": "boolean"},
                    },
                }
            },
            "multipart/form-data": {
                "schema": {
                    "type": "object",
                    "required": ["file"],
                    "properties": {"file": {"type": "string", "format": "binary"}},
                }
            },
        },
    }
}


def mount_declarations(router: APIRouter, rt: Runtime, role: Role, user_of: UserOf) -> None:
    @router.post(
        "/declarations/score", openapi_extra=role("viewer") | DECL_BODY, tags=["declarations"]
    )
    async def declarations_score(request: Request) -> dict[str, Any]:
        """Score customs declarations given as JSON rows or an uploaded file (.csv, .xlsx,
        .parquet); risky rows (``block``/``review``) open declaration cases."""
        user = user_of(request)
        ctype = request.headers.get("content-type", "")
        if ctype.startswith("multipart/form-data"):
            form = await request.form()
            upload = form.get("file")
            if upload is None or isinstance(upload, str):
                raise InputError("upload the declarations as form field `file`", field="file")
            name = Path(upload.filename or "upload.csv").name
            data = await upload.read()
            return await anyio.to_thread.run_sync(score_upload, rt, user.name, name, data, True)
        try:
            body = DeclarationRows.model_validate_json(await request.body())
        except ValidationError as exc:
            err = exc.errors()[0]
            field = ".".join(str(p) for p in err.get("loc", ())) or "body"
            raise InputError(str(err.get("msg", "invalid")), field=field) from exc
        return await anyio.to_thread.run_sync(score_rows, rt, user.name, body.rows, body.open_cases)


def score_rows(
    rt: Runtime, actor: str, rows: list[dict[str, Any]], open_cases: bool
) -> dict[str, Any]:
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


def score_upload(
    rt: Runtime, actor: str, name: str, data: bytes, open_cases: bool
) -> dict[str, Any]:
    score = importlib.import_module("circumspect.risk.score")
    suffix = Path(name).suffix.lower() or ".csv"
    screener, snaps = rt.screener()
    with tempfile.TemporaryDirectory(prefix="cs-decl-") as tmp:
        src = Path(tmp) / f"input{suffix}"
        src.write_bytes(data)
        out, errs = Path(tmp) / "scored.csv", Path(tmp) / "errors.csv"
        report = score.score_declarations(src, out, errs, screener=screener)
        with out.open(encoding="utf-8", newline="") as fh:
            scored = list(csv.DictReader(fh))
        with errs.open(encoding="utf-8", newline="") as fh:
            errors = list(csv.DictReader(fh))
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
    cases: list[dict[str, Any]] = []
    if open_cases:
        for row in scored:
            if row.get("decision") not in ("block", "review"):
                continue
            flags = [f for f in (row.get("flags") or "").split(";") if f]
            query = {"declaration_id": row.get("declaration_id"), "file": name, "sha256": digest}
            cands = [
                {
                    "rule": f,
                    "score": float(row.get("risk_score") or 0),
                    "caption": f"{row.get('declaration_id')}: {f}",
                    "explanation": row.get("explanation") or "",
                    "alert": True,
                }
                for f in flags
            ] or [
                {
                    "rule": row.get("decision"),
                    "score": 1.0,
                    "explanation": row.get("explanation") or "",
                }
            ]
            outcome = rt.cases.open_case(
                "declaration",
                query,
                cands,
                snapshot_ids=snaps,
                actor=actor,
                summary=f"{row.get('decision')}: {row.get('explanation') or ''}"[:2000],
                idem_key=f"decl:{digest}:{row.get('declaration_id')}",
            )
            cases.append(
                {
                    "declaration_id": row.get("declaration_id"),
                    "status": outcome.status,
                    "case_id": outcome.case_id,
                }
            )
    return {
        "read": report.read,
        "scored": report.scored,
        "rejected": report.rejected,
        "decisions": report.decisions,
        "flags": report.flags,
        "rows": scored,
        "errors": errors,
        "cases": cases,
        "snapshots": snaps,
    }
