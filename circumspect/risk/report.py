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


def write_html(
    scored: pd.DataFrame, errors: pd.DataFrame, rules: RuleSet, path: Path, source: str = ""
) -> Path:
    """Write a self-contained HTML report (atomically) and return its path."""

    from jinja2 import Environment

    flagged = scored[scored["decision"] != "clear"].sort_values("risk_score", ascending=False)
    hits: dict[str, int] = {}
    for value in scored["flags"].fillna(""):
        for rid in str(value).split(";"):
            if rid:
                hits[rid] = hits.get(rid, 0) + 1
    env = Environment(autoescape=True)
    html = env.from_string(_TEMPLATE).render(
        source=source,
        rules=rules,
        read=len(scored) + (errors["row"].nunique() if len(errors) else 0),
        scored=len(scored),
        rejected=errors["row"].nunique() if len(errors) else 0,
        decisions=scored["decision"].value_counts().to_dict(),
        flagged=flagged.to_dict("records"),
        errors=errors.to_dict("records"),
        hits=hits,
    )
    with atomic_path(path) as tmp:
        tmp.write_text(html, encoding="utf-8")
    return path


def write_report(scored_path: Path, errors_path: Path | None, rules: RuleSet, html: Path) -> Path:
    """HTML report from the files ``score_declarations`` wrote."""
    import pandas as pd

    from circumspect.risk.pipeline import ERROR_COLUMNS
    from circumspect.risk.score import read_table

    scored = read_table(scored_path)
    scored["risk_score"] = scored["risk_score"].astype(float)
    if errors_path is not None and Path(errors_path).exists():
        errors = read_table(Path(errors_path))
    else:
        errors = pd.DataFrame({c: [] for c in ERROR_COLUMNS})
    return write_html(scored, errors, rules, html, source=scored_path.name)
