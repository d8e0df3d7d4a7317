"""The one output writer (issue 13): no live formulas, one cell per field, atomic.

Property tests: any cell text round-trips through the CSV and XLSX readers as ONE cell (the
reader gives back the neutralised text, and ``restore`` the original), and no cell a
spreadsheet would evaluate begins with ``= + - @``.
"""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from circumspect.tabular import (
    FORMULA_LEAD,
    TableWriter,
    csv_text,
    neutralise,
    read_xlsx_rows,
    restore,
    write_rows,
)

#: Text as hostile as hypothesis makes it: every Unicode character but surrogates, with the
#: formula leaders, quotes, CR, LF and the XLSX escape introducer made frequent.
cells = st.lists(
    st.one_of(
        st.sampled_from(["=", "+", "-", "@", "\t", "\r", "\n", "'", '"', ",", "_x000D_", "_"]),
        st.characters(exclude_categories=("Cs",)),
    ),
    max_size=30,
).map("".join)
rows = st.lists(st.lists(cells, min_size=1, max_size=4), min_size=1, max_size=5)
SLOW = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def evaluated(value: str) -> bool:
    """Whether a spreadsheet would treat the text of a cell as a formula."""
    return value.startswith(("=", "+", "-", "@"))


@given(cells)
def test_neutralise_is_reversible_and_safe(text: str) -> None:
    safe = neutralise(text)
    assert restore(safe) == text
    assert not safe.startswith(FORMULA_LEAD)
    if not text.startswith(FORMULA_LEAD) and not text.startswith("'"):
        assert safe == text  # ordinary text is untouched


def test_owasp_examples() -> None:
    assert neutralise('=HYPERLINK("http://x","click")') == '\'=HYPERLINK("http://x","click")'
    assert neutralise("@SUM(1)") == "'@SUM(1)"
    assert neutralise("+1") == "'+1" and neutralise("-1") == "'-1"
    assert neutralise("\tcmd") == "'\tcmd" and neutralise("\rcmd") == "'\rcmd"
    assert neutralise("'=x") == "''=x" and restore("''=x") == "'=x"
    assert neutralise("O'Brien") == "O'Brien" and neutralise("'quoted") == "'quoted"


@given(rows)
def test_csv_cells_round_trip_as_one_cell(table: list[list[str]]) -> None:
    width = max(len(r) for r in table)
    padded = [r + [""] * (width - len(r)) for r in table]
    text = csv_text([f"c{i}" for i in range(width)], padded)
    read = list(csv.reader(io.StringIO(text, newline="")))
    assert len(read) == len(padded) + 1
    for got, want in zip(read[1:], padded, strict=True):
        assert len(got) == width
        assert [restore(v) for v in got] == want
        assert not any(evaluated(v) for v in got)


@SLOW
@given(rows)
def test_xlsx_cells_round_trip_as_one_cell(
    tmp_path_factory: pytest.TempPathFactory, table: list[list[str]]
) -> None:
    path = tmp_path_factory.mktemp("x") / "out.xlsx"
    width = max(len(r) for r in table)
    padded = [r + [""] * (width - len(r)) for r in table]
    write_rows(path, [f"c{i}" for i in range(width)], padded)
    read = list(read_xlsx_rows(path))
    assert len(read) == len(padded) + 1
    for got, want in zip(read[1:], padded, strict=True):
        values = ["" if v is None else v for v in got]
        values += [""] * (width - len(values))
        assert all(isinstance(v, str) for v in values)
        assert [restore(str(v)) for v in values] == want
        assert not any(evaluated(str(v)) for v in values)


def test_xlsx_cells_are_never_formulas(tmp_path: Path) -> None:
    from openpyxl import load_workbook

    path = tmp_path / "out.xlsx"
    write_rows(path, ["a", "b"], [['=HYPERLINK("http://evil","x")', "=1+1"], [1.5, -3]])
    sheet = load_workbook(path).active
    assert sheet is not None
    assert sheet["A2"].data_type == "s" and sheet["A2"].value.startswith("'=")
    assert sheet["B2"].data_type == "s"
    assert sheet["A3"].value == 1.5 and sheet["B3"].value == -3  # numbers stay numbers


def test_bare_carriage_return_is_quoted_and_stays_in_its_row(tmp_path: Path) -> None:
    path = tmp_path / "out.csv"
    write_rows(path, ["id", "name"], [["1", "ACME\rLTD"], ["2", "B\nC"], ["3", "plain"]])
    raw = path.read_bytes()
    assert b'"ACME\rLTD"' in raw and b'"B\nC"' in raw
    with path.open(newline="", encoding="utf-8") as fh:
        assert [r[0] for r in csv.reader(fh)] == ["id", "1", "2", "3"]


def test_failed_write_leaves_the_old_file(tmp_path: Path) -> None:
    path = tmp_path / "out.csv"
    path.write_text("old\n")
    with pytest.raises(RuntimeError), TableWriter(path, ["a"]) as out:
        out.write(["new"])
        raise RuntimeError("boom")
    assert path.read_text() == "old\n"
    assert [p.name for p in tmp_path.iterdir()] == ["out.csv"]
