"""Odd inputs to `flows load`: Windows-1251 labels, a line too long for DuckDB."""

from __future__ import annotations

from pathlib import Path

import pytest

from circumspect.errors import ParseError
from circumspect.flows import plans as store_mod
from circumspect.flows.store import FlowStore

HEADER = "REPORTER,PARTNER,PRODUCT,FLOW,STAT_PROCEDURE,PERIOD,VALUE_IN_EUR\n"


def test_windows_1251_labels_are_read_as_cyrillic(tmp_path: Path) -> None:
    path = tmp_path / "ru.csv"
    path.write_bytes(
        (
            HEADER + "Германия,Казахстан,TOTAL-Total,2-EXPORT,T-Total,Aug. 2024,10\n"
            "Польша,Кыргызстан,TOTAL-Total,2-EXPORT,T-Total,Aug. 2024,7\n"
        ).encode("cp1251")
    )
    with FlowStore(tmp_path / "flows.duckdb") as fs:
        report = fs.load([path], "relational")
        (fr,) = report.files
        assert fr.rows_loaded == 2, fs.query("SELECT * FROM issues")
        rows = {(r["reporter"], r["partner"]) for r in fs.query("SELECT * FROM flows")}
    assert rows == {("DE", "KZ"), ("PL", "KG")}
    assert any("Windows-1251" in n for n in fr.notes)


def test_windows_1252_french_labels_stay_1252(tmp_path: Path) -> None:
    path = tmp_path / "fr.csv"
    path.write_bytes(
        (
            HEADER + "Allemagne,Guinée,TOTAL-Total,2-EXPORT,T-Total,Aug. 2024,10\n"
            "Pologne,Côte d'Ivoire,TOTAL-Total,2-EXPORT,T-Total,Aug. 2024,7\n"
        ).encode("cp1252")
    )
    with FlowStore(tmp_path / "flows.duckdb") as fs:
        (fr,) = fs.load([path], "relational").files
        rows = {(r["reporter"], r["partner"]) for r in fs.query("SELECT * FROM flows")}
    assert rows == {("DE", "GN"), ("PL", "CI")}
    assert any("Windows-1252" in n for n in fr.notes)


def test_overlong_line_in_large_file_is_one_short_error(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(store_mod, "LARGE_FILE_BYTES", 1024)  # take the DuckDB path
    path = tmp_path / "big.csv"
    path.write_text(
        HEADER
        + "Malta,Kazakhstan,TOTAL-Total,2-EXPORT,T-Total,Aug. 2024,5\n"
        + "A" * 2_100_000
        + "\n",
        encoding="utf-8",
    )
    with FlowStore(tmp_path / "flows.duckdb") as fs, pytest.raises(ParseError) as info:
        fs.load([path], "relational")
    message = str(info.value)
    assert "\n" not in message and len(message) < 400
    assert "big.csv" in message and "line" in message.lower()


def test_utf16_file_is_refused_with_the_reason(tmp_path: Path) -> None:
    from circumspect.errors import InputError

    path = tmp_path / "u16.csv"
    path.write_bytes(
        (HEADER + "Malta,Kazakhstan,TOTAL-Total,2-EXPORT,T-Total,Aug. 2024,5\n").encode("utf-16")
    )
    with FlowStore(tmp_path / "flows.duckdb") as fs, pytest.raises(InputError, match="UTF-16"):
        fs.load([path], "relational")


def test_folder_without_readable_files_is_named(tmp_path: Path) -> None:
    from circumspect.errors import InputError

    good = tmp_path / "good"
    good.mkdir()
    (good / "a.csv").write_text(
        HEADER + "Malta,Kazakhstan,TOTAL-Total,2-EXPORT,T-Total,Aug. 2024,5\n", encoding="utf-8"
    )
    xls_only = tmp_path / "kazakhstan_data"
    xls_only.mkdir()
    (xls_only / "stats_2019.xls").write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 64)
    with FlowStore(tmp_path / "flows.duckdb") as fs:
        with pytest.raises(InputError) as info:
            fs.load([good, xls_only], "relational")
        assert "kazakhstan_data" in str(info.value) and ".xls" in str(info.value)
        assert fs.query("SELECT count(*) AS n FROM flows")[0]["n"] == 0  # nothing loaded


def test_excel_workbook_is_refused_with_the_reason(tmp_path: Path) -> None:
    from circumspect.errors import InputError

    path = tmp_path / "stats.xlsx"
    path.write_bytes(b"PK\x03\x04" + b"\0" * 64)
    with FlowStore(tmp_path / "flows.duckdb") as fs, pytest.raises(InputError, match="Excel"):
        fs.load([path], "relational")


def test_oversized_field_in_small_file_is_one_error_with_line(tmp_path: Path) -> None:
    path = tmp_path / "bigfield.csv"
    path.write_text(
        HEADER
        + "Malta,Kazakhstan,TOTAL-Total,2-EXPORT,T-Total,Aug. 2024,5\n"
        + '"'
        + "x" * 200_000
        + '",Kazakhstan,TOTAL-Total,2-EXPORT,T-Total,'
        "Aug. 2024,5\n",
        encoding="utf-8",
    )
    import csv

    old_limit = csv.field_size_limit(131072)  # process-global; other libraries raise it
    try:
        with FlowStore(tmp_path / "flows.duckdb") as fs:
            with pytest.raises(ParseError) as info:
                fs.load([path], "relational")
            assert info.value.line == 3 and "bigfield.csv" in str(info.value)
            assert fs.query("SELECT count(*) AS n FROM flows")[0]["n"] == 0
    finally:
        csv.field_size_limit(old_limit)
