"""Batches of disguised and bad names: a per-row error or result, and the same alerts
whatever the order of the rows."""

from __future__ import annotations

import csv
import random
from pathlib import Path

from circumspect.matching import Screener
from circumspect.matching.batch import screen_file
from tests.matching.helpers import entity, sample_entities

ROWS = [
    ["r-oplot", "ОРLОТ", "Company"],
    ["r-zwsp", "GAZPROM\u200bBANK", "Company"],
    ["r-vad", "ООО «ВАД»", "Company"],
    ["r-sechin", "Сечин И.И.", "Person"],
    ["r-sechkin", "Igor Sechkin", "Person"],
    ["r-invisible", "\u200b\u200c\u2060", "Company"],
    ["r-punct", "«» -- !!!", "Company"],
    ["r-paragraph", "ОРLОТ " + "lorem ipsum dolor sit amet " * 40, "Company"],
    ["r-tokayev", "Kassym-Jomart Tokayev", "Person"],
    ["r-clean", "Alatau Foods LLP", "Company"],
]


def _screener() -> Screener:
    extra = [
        entity("Company", "10", [("name", "OPLOT")], source="ofac_sdn"),
        entity("Company", "13", [("name", "VAD, AO")], source="ofac_sdn"),
        entity("Company", "15", [("name", "GAZPROMBANK")], source="ofac_sdn"),
        entity("Person", "16", [("name", "SECHIN, Igor Ivanovich")], source="ofac_sdn"),
    ]
    return Screener([*sample_entities(), *extra], threshold=0.7)


def _run(tmp_path: Path, rows: list[list[str]], name: str) -> dict[str, list[dict[str, str]]]:
    inp = tmp_path / f"{name}.csv"
    with inp.open("w", encoding="utf-8", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(["query_id", "name", "schema"])
        w.writerows(rows)
    out = tmp_path / f"{name}-out.csv"
    errors = tmp_path / f"{name}-errors.csv"
    stats = screen_file(_screener(), inp, out, errors_path=errors)
    assert stats.read == len(rows)
    by_id: dict[str, list[dict[str, str]]] = {}
    with out.open(encoding="utf-8", newline="") as fh:
        for row in csv.DictReader(fh):
            by_id.setdefault(row["query_id"], []).append(row)
    with errors.open(encoding="utf-8", newline="") as fh:
        for row in csv.DictReader(fh):
            by_id.setdefault(row["query_id"], []).append({"error": row.get("error", "")})
    return by_id


def _alerts(result: dict[str, list[dict[str, str]]]) -> dict[str, set[str]]:
    return {
        qid: {r.get("entity_id", "") for r in rows if r.get("alert") == "true"}
        for qid, rows in result.items()
    }


def test_bad_names_give_a_per_row_error_and_alerts_never_depend_on_row_order(
    tmp_path: Path,
) -> None:
    first = _run(tmp_path, ROWS, "a")
    assert set(first) == {r[0] for r in ROWS}  # every row accounted for
    for bad in ("r-invisible", "r-punct"):
        assert any("no letters or digits" in r.get("error", "") for r in first[bad]), first[bad]
    alerts = _alerts(first)
    assert alerts["r-oplot"] and alerts["r-zwsp"] and alerts["r-vad"] and alerts["r-sechin"]
    assert not alerts["r-sechkin"] and not alerts["r-clean"]
    for seed in range(3):
        shuffled = list(ROWS)
        random.Random(seed).shuffle(shuffled)
        again = _run(tmp_path, shuffled, f"s{seed}")
        assert _alerts(again) == alerts
