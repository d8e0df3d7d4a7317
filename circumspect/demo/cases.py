"""Demo step: the analyst workflow on the demo lists.

Creates an analyst, screens the demo parties in ``data/demo/cases/parties.csv`` through the
service runtime (real store and matcher), which opens cases for alerts; records one decision
(a false positive, so the pair is suppressed), screens the same party again to show the
suppression, and verifies the audit chain. Writes ``cases.json`` and ``audit.jsonl``.
"""

from __future__ import annotations

import csv
import dataclasses
import json
from pathlib import Path

from circumspect import settings
from circumspect.cases.types import CaseStatus
from circumspect.demo.context import DemoContext
from circumspect.errors import InputError
from circumspect.fsutil import atomic_path

FIELDS = ("name", "schema", "country", "birth_date", "identifier")


def read_parties(path: Path) -> list[dict[str, str]]:
    parties = []
    with path.open(encoding="utf-8", newline="") as fh:
        for line, row in enumerate(csv.DictReader(fh), start=2):
            if not (row.get("name") or "").strip():
                raise InputError("empty name", file=str(path), line=line, field="name")
            party = {k: row[k].strip() for k in FIELDS if (row.get(k) or "").strip()}
            party["id"] = row["id"]
            parties.append(party)
    return parties


def _write_atomic(path: Path, text: str) -> None:
    with atomic_path(path) as tmp:
        tmp.write_text(text, encoding="utf-8")


def run(ctx: DemoContext) -> str:
    from circumspect.cases.service import CaseStateError
    from circumspect.services.runtime import ApiConfig, Runtime
    from circumspect.services.screening import PartyQuery, screen_parties

    out: Path = ctx.out / "cases"
    out.mkdir(parents=True, exist_ok=True)
    url = settings.db_url(ctx.shared.get("db_url"))
    runtime = Runtime(ApiConfig(db_url=url, web=False))
    cases = runtime.cases
    try:
        try:
            analyst, _key = cases.add_user("demo-analyst", "analyst", actor="demo")
        except CaseStateError:
            analyst = cases.authenticate(cases.rotate_key("demo-analyst", actor="demo"))
        parties = read_parties(ctx.data / "cases" / "parties.csv")
        result = screen_parties(runtime, analyst.name, [PartyQuery(**p) for p in parties])
        rows = result.results
        alerts = [r for r in rows if r.alert]
        opened = [r.case.case_id for r in alerts if r.case and r.case.case_id]
        decided = ""
        suppressed_after = ""
        with_case = [r for r in alerts if r.case and r.case.case_id]
        if with_case:
            target = next((r for r in with_case if r.query.get("schema") == "Person"), with_case[0])
            assert target.case is not None and target.case.case_id is not None
            case_id = target.case.case_id
            current = cases.get_case(case_id)
            if current.status != CaseStatus.CLOSED:
                cases.decide(
                    case_id,
                    "false_positive",
                    "demo: birth date on the onboarding form differs from the listing",
                    analyst.name,
                )
            again = screen_parties(
                runtime,
                analyst.name,
                [PartyQuery(**{k: v for k, v in target.query.items() if k != "id"})],
            ).results[0]
            decided = f"case #{case_id} ({target.query['name']}) decided false positive"
            status = again.case.status if again.case else "no alert"
            suppressed_after = f"; screening it again: {status}"
        verify = cases.verify_audit()
        listing, total = cases.list_cases(limit=500)
        _write_atomic(
            out / "cases.json",
            json.dumps(
                [item.to_dict() for item in listing], ensure_ascii=False, indent=2, default=str
            ),
        )
        _write_atomic(
            out / "audit.jsonl",
            "\n".join(
                json.dumps(r.to_dict(), ensure_ascii=False)
                for r in cases.audit_records(limit=10000)
            )
            + "\n",
        )
        _write_atomic(
            out / "screening.json",
            json.dumps(dataclasses.asdict(result), ensure_ascii=False, indent=2, default=str),
        )
    finally:
        runtime.close()
    lines = [
        f"screened {len(parties)} demo parties against {', '.join(result.snapshots) or 'no'} "
        f"lists: {len(alerts)} alerts, {len(set(opened))} cases ({total} in the queue)",
        (decided + suppressed_after) if decided else "no open case to decide",
        f"audit chain {'verified' if verify.ok else 'BROKEN at ' + str(verify.first_bad)}: "
        f"{verify.records} records; outputs in {out}",
    ]
    return "\n   ".join(lines)
