"""``POST /v1/declarations/score``: score declarations (JSON rows or an uploaded file);
risky rows open declaration cases."""

from __future__ import annotations

import dataclasses
from pathlib import Path
from typing import Any

import anyio
from fastapi import Request
from pydantic import BaseModel, Field, ValidationError

from circumspect.api.deps import RuntimeDep, UserDep, role, v1_router
from circumspect.errors import InputError
from circumspect.services.declarations import DeclarationScoring, score_rows, score_upload

router = v1_router(tags=["declarations"])

MAX_ROWS = 10_000


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


@router.post("/declarations/score", openapi_extra=role("viewer") | DECL_BODY)
async def declarations_score(request: Request, rt: RuntimeDep, user: UserDep) -> dict[str, Any]:
    """Score customs declarations given as JSON rows or an uploaded file (.csv, .xlsx,
    .parquet); risky rows (``block``/``review``) open declaration cases."""
    ctype = request.headers.get("content-type", "")
    if ctype.startswith("multipart/form-data"):
        form = await request.form()
        upload = form.get("file")
        if upload is None or isinstance(upload, str):
            raise InputError("upload the declarations as form field `file`", field="file")
        name = Path(upload.filename or "upload.csv").name
        data = await upload.read()
        result = await anyio.to_thread.run_sync(score_upload, rt, user.name, name, data, True)
        return scoring_out(result)
    try:
        body = DeclarationRows.model_validate_json(await request.body())
    except ValidationError as exc:
        err = exc.errors()[0]
        field = ".".join(str(p) for p in err.get("loc", ())) or "body"
        raise InputError(str(err.get("msg", "invalid")), field=field) from exc
    result = await anyio.to_thread.run_sync(score_rows, rt, user.name, body.rows, body.open_cases)
    return scoring_out(result)


def scoring_out(result: DeclarationScoring) -> dict[str, Any]:
    """The JSON body of a scoring: counts, scored and error rows, cases, list versions."""
    report = result.report
    return {
        "read": report.read,
        "scored": report.scored,
        "rejected": report.rejected,
        "decisions": report.decisions,
        "flags": report.flags,
        "rows": result.rows,
        "errors": result.errors,
        "cases": [dataclasses.asdict(c) for c in result.cases],
        "snapshots": result.snapshots,
    }
