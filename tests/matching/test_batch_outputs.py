"""`screen-file` and `compare` outputs go through the one writer (issue 13)."""

from __future__ import annotations

import csv
from pathlib import Path

from circumspect.matching import Screener
from circumspect.matching.batch import compare_file, screen_file
from circumspect.tabular import read_xlsx_rows, restore
from tests.matching.helpers import sample_entities


def _write(path: Path, rows: list[list[str]]) -> Path:
    with path.open("w", encoding="utf-8", newline="") as fh:
        csv.writer(fh).writerows(rows)
    return path


def test_screen_file_neutralises_formulas_in_csv_and_xlsx(tmp_path: Path) -> None:
    inp = _write(
        tmp_path / "in.csv",
        [["query_id", "name", "schema"], ["=cmd|'/C calc'!A0", "Nobody\rKnown", "Person"]],
    )
    screener = Screener(sample_entities())
    for name in ("out.csv", "out.xlsx"):
        out = tmp_path / name
        stats = screen_file(screener, inp, out, limit=3)
        assert stats.read == 1
        rows = (
            list(read_xlsx_rows(out))
            if name.endswith(".xlsx")
            else list(csv.reader(out.open(newline="", encoding="utf-8")))
        )
        assert len(rows) == 2
        assert rows[1][0] == "'=cmd|'/C calc'!A0"
        assert restore(str(rows[1][0])) == "=cmd|'/C calc'!A0"


def test_compare_passes_columns_through_safely(tmp_path: Path) -> None:
    inp = _write(
        tmp_path / "pairs.csv",
        [["note", "name1", "name2"], ["@SUM(A1)", "Ivan Petrov", "Petrov Ivan"]],
    )
    out = tmp_path / "out.csv"
    compare_file(inp, out, threshold=0.7)
    rows = list(csv.reader(out.open(newline="", encoding="utf-8")))
    assert rows[1][0] == "'@SUM(A1)"
