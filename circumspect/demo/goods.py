"""Demo step ``goods``: HS code checks and description suggestions, offline."""

from __future__ import annotations

import json
from typing import Any

from circumspect.demo.context import DemoContext

CODES = ("8542.31.000.0", "8482 10 100 0", "84581100", "0901210000", "8542", "12345")
TEXTS = (
    "STM32 microcontroller",
    "подшипник шариковый",
    "ball bearings",
    "Токарный станок с ЧПУ",
    "кофе жареный в зернах",
    "GNSS receiver module for drones",
)


def run(ctx: DemoContext) -> str:
    from circumspect.errors import InputError
    from circumspect.goods.lists import default_index
    from circumspect.goods.nomenclature import default_nomenclature
    from circumspect.goods.suggest import suggest

    nom = default_nomenclature()
    index = default_index()
    out = ctx.out / "goods"
    out.mkdir(parents=True, exist_ok=True)
    checks: list[dict[str, Any]] = []
    lines: list[str] = []
    for code in CODES:
        try:
            hs = nom.validate(code)
        except InputError as exc:
            checks.append({"input": code, "error": exc.message})
            lines.append(f"{code}: rejected ({exc.message[:60]}...)")
            continue
        status = index.status(hs)
        checks.append({"input": code, "description": nom.describe(hs), **status.to_dict()})
        tier = f" CHPL tier {status.chpl_tier}" if status.chpl_tier else ""
        verdict = "CONTROLLED" + tier if status.controlled else "not controlled"
        if status.partial:
            under = ", ".join(sorted({h.listed_code for h in status.partial})[:4])
            verdict += f" as declared (listed codes under it: {under})"
        lines.append(f"{code} -> {hs.dotted()} {verdict}")
    suggestions = {}
    for text in TEXTS:
        top = suggest(text, 3)
        suggestions[text] = [s.to_dict() for s in top]
        best = top[0] if top else None
        if best is not None:
            ctrl = f" (CHPL tier {best.status.chpl_tier})" if best.status.chpl_tier else ""
            lines.append(f"'{text}' -> {best.code}{ctrl}")
    path = out / "goods.json"
    path.write_text(
        json.dumps({"checks": checks, "suggestions": suggestions}, ensure_ascii=False, indent=2),
        encoding="utf-8",
    )
    lists = ", ".join(f"{c.id} ({len(c)})" for c in index.lists)
    return (
        f"HS 2022: {len(nom)} codes; controlled lists: {lists}\n   "
        + "\n   ".join(lines)
        + f"\n   wrote {path}"
    )
