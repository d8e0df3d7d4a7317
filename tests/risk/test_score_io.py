"""Files in, files out: formats, bad rows, accounting, atomic output."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from circumspect.errors import InputError, ParseError
from circumspect.risk.columns import INPUT_COLUMNS
from circumspect.risk.score import read_declarations, score_declarations
from tests.risk.helpers import frame, row


def _rows() -> list[dict[str, str]]:
    return [
        row(extra_note="keep me"),
        row(hs_code="12345"),
        row(destination_country="XX"),
        row(date="31/02/2024"),
        row(value="12,34,5x"),
        row(quantity="-3"),
        row(currency="ZZZ"),
        row(payment_bank_bic="NOTABIC"),
        row(transit_countries="GE;QQ"),
        row(declaration_id="D1"),  # duplicate of the first row's id
        row(date="05.03.2024", value="1 234,50", hs_code="0901.21.000.0"),
        row(hs_code="", value=""),
    ]


def _write_csv(tmp_path: Path, rows: list[dict[str, str]]) -> Path:
    df = frame(rows)
    if len(df) > 9:
        df.loc[9, "declaration_id"] = "D1"
    path = tmp_path / "in.csv"
    df.to_csv(path, index=False)
    return path


def test_bad_rows_go_to_errors_and_accounting_holds(tmp_path: Path) -> None:
    src = _write_csv(tmp_path, _rows())
    out, err = tmp_path / "out.csv", tmp_path / "err.csv"
    report = score_declarations(src, out, err)
    assert report.read == 12
    assert report.read == report.scored + report.rejected
    assert (report.scored, report.rejected) == (2, 10)
    errors = pd.read_csv(err, dtype=str, keep_default_na=False)
    assert list(errors.columns) == ["row", "declaration_id", "column", "value", "reason"]
    by_row = {int(r): g for r, g in errors.groupby(errors["row"].astype(int))}
    assert set(by_row) == {2, 3, 4, 5, 6, 7, 8, 9, 10, 12}
    assert by_row[2]["column"].tolist() == ["hs_code"]
    assert "5 digits" in by_row[2]["reason"].iloc[0]
    assert by_row[3]["column"].tolist() == ["destination_country"]
    assert by_row[4]["reason"].iloc[0].startswith("unparseable date")
    assert by_row[5]["column"].tolist() == ["value"]
    assert "greater than 0" in by_row[6]["reason"].iloc[0]
    assert by_row[7]["column"].tolist() == ["currency"]
    assert by_row[8]["column"].tolist() == ["payment_bank_bic"]
    assert "QQ" in by_row[9]["reason"].iloc[0]
    assert "first at row 1" in by_row[10]["reason"].iloc[0]
    assert sorted(by_row[12]["column"]) == ["hs_code", "value"]
    assert by_row[2]["declaration_id"].iloc[0] == "D2"
    scored = pd.read_csv(out, dtype=str, keep_default_na=False)
    assert list(scored.columns[:6]) == [
        "declaration_id",
        "risk_score",
        "decision",
        "flags",
        "explanation",
        "flag_details",
    ]
    assert set(INPUT_COLUMNS) <= set(scored.columns)
    assert scored.loc[0, "extra_note"] == "keep me"
    assert scored["row"].tolist() == ["1", "11"]


@pytest.mark.parametrize("suffix", [".parquet", ".xlsx"])
def test_parquet_and_excel(tmp_path: Path, suffix: str) -> None:
    df = frame([row(), row(hs_code="8542310000", transit_countries="RU"), row(hs_code="9999")])
    src = tmp_path / f"in{suffix}"
    if suffix == ".parquet":
        df.to_parquet(src, index=False)
    else:
        df.to_excel(src, index=False)
    out = tmp_path / f"out{suffix}"
    report = score_declarations(src, out, tmp_path / "err.csv")
    assert (report.read, report.scored, report.rejected) == (3, 2, 1)
    back = pd.read_parquet(out) if suffix == ".parquet" else pd.read_excel(out)
    assert back["decision"].tolist() == ["clear", "block"]


def test_excel_dates_and_numbers(tmp_path: Path) -> None:
    df = frame([row()])
    df["date"] = pd.to_datetime(df["date"])
    df["value"] = 1000.5
    src = tmp_path / "typed.xlsx"
    df.to_excel(src, index=False)
    report = score_declarations(src, tmp_path / "o.csv")
    assert report.scored == 1


def test_missing_columns_and_bad_files(tmp_path: Path) -> None:
    src = tmp_path / "short.csv"
    src.write_text("declaration_id,date\nD1,2024-01-01\n", encoding="utf-8")
    with pytest.raises(InputError, match="missing columns: declarant_name"):
        read_declarations(src)
    with pytest.raises(InputError, match="unsupported file type"):
        score_declarations(src, tmp_path / "out.json")
    with pytest.raises(InputError, match="not found"):
        read_declarations(tmp_path / "nope.csv")
    ragged = tmp_path / "ragged.csv"
    header = ",".join(INPUT_COLUMNS)
    ragged.write_text(header + "\nD1,2024-01-01\n", encoding="utf-8")
    with pytest.raises(ParseError, match="cannot read csv"):
        read_declarations(ragged)
    broken = tmp_path / "broken.parquet"
    broken.write_bytes(b"PAR1 not really")
    with pytest.raises(ParseError):
        read_declarations(broken)


def test_output_is_atomic(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    src = _write_csv(tmp_path, [row()])
    out = tmp_path / "out.csv"
    out.write_text("previous result\n", encoding="utf-8")

    from circumspect import tabular

    written: list[object] = []

    def explode(self: object, values: object) -> None:
        written.append(values)
        if len(written) > 1:  # the header went to the temporary file, then the disk is full
            raise OSError("disk full")

    monkeypatch.setattr(tabular._CsvSink, "write", explode)
    with pytest.raises(OSError, match="disk full"):
        score_declarations(src, out)
    assert out.read_text(encoding="utf-8") == "previous result\n"
    assert [p.name for p in tmp_path.iterdir() if p.name.endswith(".tmp")] == []


def test_empty_input(tmp_path: Path) -> None:
    src = tmp_path / "empty.csv"
    src.write_text(",".join(INPUT_COLUMNS) + "\n", encoding="utf-8")
    report = score_declarations(src, tmp_path / "out.csv", tmp_path / "err.csv")
    assert (report.read, report.scored, report.rejected) == (0, 0, 0)
    assert pd.read_csv(tmp_path / "out.csv").empty
