"""HTML report of a scored declarations file (used by the demo and ``--html``)."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from circumspect.fsutil import atomic_path
from circumspect.risk.rules import RuleSet

if TYPE_CHECKING:
    import pandas as pd

_TEMPLATE = """<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Declaration risk report</title>
<style>
body{font-family:system-ui,sans-serif;margin:2em;color:#222}
table{border-collapse:collapse;width:100%;margin:1em 0}
td,th{border:1px solid #ccc;padding:4px 6px;vertical-align:top;font-size:13px}
th{background:#f2f2f2;text-align:left}
.block{background:#fbe3e3}.review{background:#fff5d6}.clear{background:#eef8ee}
.n{text-align:right}
</style></head><body>
<h1>Customs declaration risk report</h1>
<p>{{ source }} &middot; rules {{ rules.version }} (review &ge; {{ rules.review }},
block &ge; {{ rules.block }})</p>
<p><b>read {{ read }}</b> = scored {{ scored }} + rejected {{ rejected }};
block {{ decisions.get('block', 0) }}, review {{ decisions.get('review', 0) }},
clear {{ decisions.get('clear', 0) }}</p>
<h2>Declarations needing attention</h2>
<table><tr><th>declaration</th><th>decision</th><th class="n">score</th><th>HS code</th>
<th>consignee</th><th>flags</th><th>why</th></tr>
{% for r in flagged %}<tr class="{{ r.decision }}"><td>{{ r.declaration_id }}</td>
<td>{{ r.decision }}</td><td class="n">{{ r.risk_score }}</td><td>{{ r.hs_code }}</td>
<td>{{ r.consignee_name }}</td><td>{{ r.flags | replace(';', ', ') }}</td>
<td>{{ r.explanation }}</td></tr>
{% endfor %}</table>
{% if malformed %}<h2>Rows the report could not read</h2>
<p>These rows of the scored file are malformed (a field split across lines, a missing or
unreadable score or decision); they are listed here, not shown above.</p>
<table><tr><th>row</th><th>problem</th></tr>
{% for m in malformed %}<tr><td>{{ m.row }}</td><td>{{ m.problem }}</td></tr>
{% endfor %}</table>{% endif %}
<h2>Rejected rows</h2>
<table><tr><th>row</th><th>declaration</th><th>column</th><th>value</th><th>reason</th></tr>
{% for e in errors %}<tr><td>{{ e.row }}</td><td>{{ e.declaration_id }}</td>
<td>{{ e.column }}</td><td>{{ e.value }}</td><td>{{ e.reason }}</td></tr>
{% endfor %}</table>
<h2>Rules</h2>
<table><tr><th>id</th><th class="n">weight</th><th>description</th><th>source</th>
<th class="n">hits</th></tr>
{% for rule in rules.rules %}<tr><td>{{ rule.id }}</td><td class="n">{{ rule.weight }}</td>
<td>{{ rule.description }}</td><td>{{ rule.source }}</td>
<td class="n">{{ hits.get(rule.id, 0) }}</td></tr>
{% endfor %}</table>
</body></html>
"""


#: Columns the report shows; a scored file without one is reported, not a crash.
SHOWN = (
    "declaration_id",
    "decision",
    "risk_score",
    "hs_code",
    "consignee_name",
    "flags",
    "explanation",
)
DECISIONS = ("block", "review", "clear")


def _checked(scored: pd.DataFrame, malformed: list[dict[str, object]]) -> pd.DataFrame:
    """The rows that can be shown (known decision, numeric score); the others are added to
    ``malformed`` with their row number and what is wrong."""
    import pandas as pd

    scored = scored.copy()
    for column in SHOWN:
        if column not in scored.columns:
            malformed.append({"row": "header", "problem": f"column {column!r} is missing"})
            scored[column] = ""
    if "_line" not in scored.columns:
        scored["_line"] = range(2, len(scored) + 2)
    score = pd.to_numeric(scored["risk_score"], errors="coerce")
    decision = scored["decision"].astype(str)
    bad = score.isna() | ~decision.isin(DECISIONS)
    for line, value, dec in zip(
        scored.loc[bad, "_line"], scored.loc[bad, "risk_score"], decision[bad], strict=True
    ):
        problem = (
            f"decision {dec!r} is not one of {', '.join(DECISIONS)}"
            if dec not in DECISIONS
            else f"risk_score {value!r} is not a number"
        )
        malformed.append({"row": line, "problem": problem})
    good = scored.loc[~bad].copy()
    good["risk_score"] = score[~bad].astype(float)
    good["flags"] = good["flags"].fillna("").astype(str)
    return good


def write_html(
    scored: pd.DataFrame,
    errors: pd.DataFrame,
    rules: RuleSet,
    path: Path,
    source: str = "",
    malformed: list[dict[str, object]] | None = None,
) -> Path:
    """Write a self-contained HTML report (atomically) and return its path.

    Rows that cannot be shown (no numeric score, unknown decision, wrong number of fields in
    the file) are listed in their own section; they never stop the report.
    """

    from jinja2 import Environment

    malformed = list(malformed or [])
    scored = _checked(scored, malformed)
    flagged = scored[scored["decision"] != "clear"].sort_values("risk_score", ascending=False)
    hits: dict[str, int] = {}
    for value in scored["flags"]:
        for rid in str(value).split(";"):
            if rid:
                hits[rid] = hits.get(rid, 0) + 1
    rejected = errors["row"].nunique() if len(errors) and "row" in errors.columns else 0
    env = Environment(autoescape=True)
    html = env.from_string(_TEMPLATE).render(
        source=source,
        rules=rules,
        read=len(scored) + rejected + len(malformed),
        scored=len(scored),
        rejected=rejected,
        decisions=scored["decision"].value_counts().to_dict(),
        flagged=flagged.to_dict("records"),
        errors=errors.to_dict("records"),
        malformed=malformed,
        hits=hits,
    )
    with atomic_path(path) as tmp:
        tmp.write_text(html, encoding="utf-8")
    return path


def _read_csv_rows(path: Path, malformed: list[dict[str, object]]) -> pd.DataFrame:
    """A CSV read record by record: a record with the wrong number of fields is reported."""
    import csv

    import pandas as pd

    records: list[list[str]] = []
    lines: list[int] = []
    with open(path, encoding="utf-8-sig", errors="replace", newline="") as fh:
        reader = csv.reader(fh)
        header = next(reader, [])
        start = reader.line_num + 1
        for values in reader:
            if len(values) != len(header):
                malformed.append(
                    {
                        "row": start,
                        "problem": f"{len(values)} fields where the header has {len(header)}",
                    }
                )
            else:
                records.append(values)
                lines.append(start)
            start = reader.line_num + 1
    frame = pd.DataFrame(records, columns=header)
    frame["_line"] = lines
    return frame


def write_report(scored_path: Path, errors_path: Path | None, rules: RuleSet, html: Path) -> Path:
    """HTML report from the files ``score_declarations`` wrote (malformed rows reported)."""
    import pandas as pd

    from circumspect.risk.pipeline import ERROR_COLUMNS
    from circumspect.risk.score import read_table

    malformed: list[dict[str, object]] = []
    if Path(scored_path).suffix.lower() == ".csv":
        scored = _read_csv_rows(scored_path, malformed)
    else:
        scored = read_table(scored_path)
    errors = pd.DataFrame({c: [] for c in ERROR_COLUMNS})
    if errors_path is not None and Path(errors_path).exists():
        if Path(errors_path).suffix.lower() == ".csv":
            bad: list[dict[str, object]] = []
            errors = _read_csv_rows(Path(errors_path), bad)
            malformed += [m | {"problem": f"errors file: {m['problem']}"} for m in bad]
        else:
            errors = read_table(Path(errors_path))
    return write_html(scored, errors, rules, html, source=scored_path.name, malformed=malformed)
