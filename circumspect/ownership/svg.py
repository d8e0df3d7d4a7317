"""A server-rendered SVG of the ownership graph around a party (the web UI draws this).

Layered: owners above the party (one row per level, up to three), the party in the middle,
its holdings below (two levels). Listed parties are red, parties a rule blocks through
ownership or control are orange, the others grey; each edge is labelled with the share (and
"control"). No script, no external resources: every text is escaped.
"""

from __future__ import annotations

from collections import defaultdict
from html import escape
from typing import Any

from circumspect.ownership.graph import pct

BOX_W, BOX_H, GAP_X, GAP_Y, MARGIN = 210, 46, 30, 80, 20
#: node kind -> fill colour
FILL = {"listed": "#eb6f6f", "blocked": "#f6c177", "other": "#e4e4e4"}


def _levels(party: str, edges: list[dict[str, Any]]) -> dict[str, int]:
    level = {party: 0}
    for direction in (-1, 1):
        frontier = [party]
        depth = 0
        while frontier and depth < 4:
            depth += 1
            following: list[str] = []
            for node in frontier:
                for edge in edges:
                    nxt = edge["owner"] if direction < 0 and edge["owned"] == node else None
                    if direction > 0 and edge["owner"] == node:
                        nxt = edge["owned"]
                    if nxt is not None and nxt not in level:
                        level[nxt] = direction * depth
                        following.append(nxt)
            frontier = following
    return level


def _lines(text: str, width: int = 30) -> list[str]:
    words, lines, current = text.split(), [], ""
    for word in words:
        if current and len(current) + 1 + len(word) > width:
            lines.append(current)
            current = word
        else:
            current = f"{current} {word}".strip()
    if current:
        lines.append(current)
    if len(lines) > 2:
        lines = [lines[0], lines[1][: width - 1] + "…"]
    return lines or [""]


def render(data: dict[str, Any]) -> str:
    """SVG markup for :meth:`OwnershipView.explain_data` output."""
    party = str(data["party"])
    edges: list[dict[str, Any]] = list(data["edges"])
    labels = {n["id"]: n["label"] for n in data["nodes"]}
    level = _levels(party, edges)
    rows: dict[int, list[str]] = defaultdict(list)
    for node in sorted(level, key=lambda n: (level[n], labels.get(n, n))):
        rows[level[node]].append(node)
    top = min(rows)
    width = MARGIN * 2 + max(len(r) for r in rows.values()) * (BOX_W + GAP_X)
    height = MARGIN * 2 + (max(rows) - top + 1) * (BOX_H + GAP_Y)
    pos: dict[str, tuple[float, float]] = {}
    for lvl, nodes in rows.items():
        span = len(nodes) * (BOX_W + GAP_X) - GAP_X
        x0 = (width - span) / 2
        for i, node in enumerate(nodes):
            pos[node] = (x0 + i * (BOX_W + GAP_X), MARGIN + (lvl - top) * (BOX_H + GAP_Y))
    out = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="ownership-graph" width="{width:.0f}" '
        f'height="{height:.0f}" viewBox="0 0 {width:.0f} {height:.0f}" role="img" '
        f'aria-label="ownership graph around {escape(labels.get(party, party))}">',
        '<defs><marker id="arrow" markerWidth="8" markerHeight="8" refX="7" refY="4" '
        'orient="auto"><path d="M0,0 L8,4 L0,8 z" fill="#555"/></marker></defs>',
    ]
    for edge in edges:
        if edge["owner"] not in pos or edge["owned"] not in pos:
            continue
        (x1, y1), (x2, y2) = pos[edge["owner"]], pos[edge["owned"]]
        sx, sy = x1 + BOX_W / 2, y1 + BOX_H
        tx, ty = x2 + BOX_W / 2, y2
        if y2 <= y1:  # an edge back up (a cycle): from the side
            sx, sy, tx, ty = x1 + BOX_W, y1 + BOX_H / 2, x2 + BOX_W, y2 + BOX_H / 2
        text = pct(edge["share"]) if edge["share"] is not None else "share ?"
        if edge["control"]:
            text += ", control"
        out.append(
            f'<line x1="{sx:.0f}" y1="{sy:.0f}" x2="{tx:.0f}" y2="{ty:.0f}" stroke="#555" '
            'marker-end="url(#arrow)"/>'
            f'<text x="{(sx + tx) / 2 + 4:.0f}" y="{(sy + ty) / 2:.0f}" font-size="12" '
            f'fill="#222">{escape(text)}</text>'
        )
    kinds = {n["id"]: n.get("kind", "other") for n in data["nodes"]}
    for node, (x, y) in pos.items():
        label = labels.get(node, node)
        fill = FILL.get(kinds.get(node, "other"), FILL["other"])
        stroke = ' stroke="#000" stroke-width="2"' if node == party else ' stroke="#777"'
        out.append(
            f'<g><title>{escape(node)}</title><rect x="{x:.0f}" y="{y:.0f}" width="{BOX_W}" '
            f'height="{BOX_H}" rx="6" fill="{fill}"{stroke}/>'
        )
        for i, line in enumerate(_lines(label)):
            out.append(
                f'<text x="{x + 8:.0f}" y="{y + 18 + i * 16:.0f}" font-size="12">'
                f"{escape(line)}</text>"
            )
        out.append("</g>")
    out.append("</svg>")
    return "".join(out)
