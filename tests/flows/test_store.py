from __future__ import annotations

from pathlib import Path

import pytest

from circumspect.errors import FormatMismatchError, InputError
from circumspect.flows import plans as store_mod
from circumspect.flows.store import FlowStore
from tests.flows.helpers import EU27, rel, write_relational


@pytest.fixture
def fs(tmp_path: Path) -> FlowStore:
    s = FlowStore(tmp_path / "db" / "flows.duckdb")
    yield s  # type: ignore[misc]
    s.close()


def _values(fs: FlowStore) -> dict[tuple[str, str, str], float]:
    return {
        (str(r["reporter"]), str(r["partner"]), str(r["period"])): float(r["value"])
        for r in fs.query("SELECT reporter, partner, period, value FROM flows")
    }


def test_load_maps_labels_and_accounts_for_every_row(fs: FlowStore, tmp_path: Path) -> None:
    f = write_relational(
        tmp_path / "a.csv",
        [
            rel(
                "Germany (incl. German Democratic Republic 'DD' from 1991)",
                "Kazakhstan",
                "Aug. 2024",
                "239098206",
            ),
            rel(EU27, "Kazakhstan", "201952-Jan.-Dec. 2019", "921956331"),
            rel("Malta", "Kyrgyzstan", "Mar. 2023", ":"),  # confidential
            rel("Malta", "Kyrgyzstan", "Apr. 2023", "12a"),  # non-numeric
            rel("Atlantis", "Kazakhstan", "Mar. 2023", "5"),  # unknown reporter
            rel("Malta", "Narnia", "Mar. 2023", "5"),  # unknown partner
            rel("Malta", "Kazakhstan", "Q1 2023", "5"),  # unreadable period
            rel("Malta", "Kazakhstan", "Mar. 2023", ""),  # empty value
        ],
    )
    report = fs.load([f], "relational")
    (fr,) = report.files
    assert fr.rows_read == 8 and fr.rows_loaded == 2 and fr.rows_rejected == 6
    assert fr.accounted()
    assert _values(fs) == {
        ("DE", "KZ", "2024-08"): 239098206.0,
        ("EU27_2020", "KZ", "2019"): 921956331.0,
    }
    problems = {
        str(r["problem"]): int(r["n"])
        for r in fs.query("SELECT problem, count(*) AS n FROM issues GROUP BY problem")
    }
    assert problems == {
        "confidential value": 1,
        "non-numeric value": 1,
        "unknown reporter": 1,
        "unknown partner": 1,
        "unreadable period": 1,
        "empty value": 1,
    }
    lines = {
        str(r["value"]): int(r["line"])
        for r in fs.query("SELECT value, line FROM issues WHERE problem = 'unknown reporter'")
    }
    assert lines == {"Atlantis": 6}
    kinds = {r["reporter"]: r["reporter_kind"] for r in fs.query("SELECT * FROM flows")}
    assert kinds == {"DE": "country", "EU27_2020": "aggregate"}


def test_reload_is_idempotent(fs: FlowStore, tmp_path: Path) -> None:
    f = write_relational(tmp_path / "a.csv", [rel("Poland", "Kazakhstan", "Aug. 2024", "10")])
    fs.load([f], "relational")
    copy = tmp_path / "copy.csv"
    copy.write_bytes(f.read_bytes())
    again = fs.load([f, copy], "relational")
    assert [x.status for x in again.files] == ["already-loaded", "already-loaded"]
    assert fs.counts()["flows"] == 1 and fs.counts()["files"] == 1


def test_duplicates_identical_dropped_conflicts_reported(fs: FlowStore, tmp_path: Path) -> None:
    a = write_relational(
        tmp_path / "a.csv",
        [
            rel("Poland", "Kazakhstan", "Aug. 2024", "10"),
            rel("Poland", "Kyrgyzstan", "Aug. 2024", "7"),
        ],
    )
    b = write_relational(
        tmp_path / "b.csv",
        [
            rel("Poland", "Kazakhstan", "Aug. 2024", "10"),
            rel("Poland", "Kyrgyzstan", "Aug. 2024", "8"),
        ],
    )
    report = fs.load([a, b], "relational")
    assert report.total("rows_duplicate") == 1 and report.total("rows_conflict") == 1
    assert _values(fs) == {("PL", "KZ", "2024-08"): 10.0, ("PL", "KG", "2024-08"): 7.0}
    (c,) = fs.query("SELECT * FROM conflicts")
    assert (c["kept_value"], c["other_value"], c["partner"]) == (7.0, 8.0, "KG")
    # against the store: a later file with a different value is reported, not loaded
    d = write_relational(
        tmp_path / "d.csv",
        [rel("Poland", "Kyrgyzstan", "Aug. 2024", "9"), rel("Poland", "Armenia", "Aug. 2024", "1")],
    )
    later = fs.load([d], "relational")
    assert later.files[0].rows_conflict == 1 and later.files[0].rows_loaded == 1
    assert fs.counts()["conflicts"] == 2
    assert _values(fs)[("PL", "KG", "2024-08")] == 7.0


def test_wrong_layout_and_unknown_columns(fs: FlowStore, tmp_path: Path) -> None:
    f = write_relational(tmp_path / "a.csv", [rel("Poland", "Kazakhstan", "Aug. 2024", "10")])
    with pytest.raises(FormatMismatchError) as err:
        fs.load([f], "comtrade")
    assert "looks like --format relational" in str(err.value) and "a.csv" in str(err.value)
    g = write_relational(
        tmp_path / "g.csv",
        [["Poland", "Kazakhstan", "TOTAL", "EXPORT", "T", "Aug. 2024", "10", "x"]],
        header=[
            "REPORTER",
            "PARTNER",
            "PRODUCT",
            "FLOW",
            "STAT_PROCEDURE",
            "PERIOD",
            "VALUE_IN_EUR",
            "OBS_FLAG",
        ],
    )
    report = fs.load([g], "auto")
    assert report.files[0].format == "relational"
    assert any("OBS_FLAG" in n for n in report.files[0].notes)
    assert fs.query("SELECT count(*) AS n FROM issues WHERE category = 'note'")[0]["n"] == 1
    with pytest.raises(InputError):
        fs.load([tmp_path / "missing.csv"], "relational")
    (tmp_path / "empty.csv").write_text("")
    with pytest.raises(InputError, match="empty"):
        fs.load([tmp_path / "empty.csv"], "relational")


def test_malformed_rows_are_counted_with_line(fs: FlowStore, tmp_path: Path) -> None:
    f = tmp_path / "bad.csv"
    f.write_text(
        "REPORTER,PARTNER,PRODUCT,FLOW,STAT_PROCEDURE,PERIOD,VALUE_IN_EUR\n"
        "Poland,Kazakhstan,TOTAL,EXPORT,T,Aug. 2024,10\n"
        "Poland,Kazakhstan,TOTAL,EXPORT\n"
        "Poland,Armenia,TOTAL,EXPORT,T,Aug. 2024,11\n",
        encoding="utf-8",
    )
    report = fs.load([f], "relational")
    assert report.files[0].rows_read == 3 and report.files[0].rows_rejected == 1
    (issue,) = fs.query("SELECT line, problem FROM issues")
    assert issue["line"] == 3 and "expected 7 fields" in str(issue["problem"])


def test_large_file_path_uses_duckdb_reader_with_true_lines(
    fs: FlowStore, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(store_mod, "LARGE_FILE_BYTES", 10)
    f = tmp_path / "big.csv"
    f.write_text(
        "REPORTER,PARTNER,PRODUCT,FLOW,STAT_PROCEDURE,PERIOD,VALUE_IN_EUR\n"
        "Poland,Kazakhstan,TOTAL,EXPORT,T,Aug. 2024,10\n"
        "Poland,Kazakhstan,TOTAL,EXPORT,T,Aug. 2024,10,extra\n"
        "Poland,Armenia,TOTAL,EXPORT,T,Aug. 2024,11\n"
        "Atlantis,Armenia,TOTAL,EXPORT,T,Aug. 2024,11\n",
        encoding="utf-8",
    )
    report = fs.load([f], "relational")
    r = report.files[0]
    assert (r.rows_read, r.rows_loaded, r.rows_rejected) == (4, 2, 2) and r.accounted()
    lines = {str(x["problem"])[:16]: int(x["line"]) for x in fs.query("SELECT * FROM issues")}
    assert lines["unknown reporter"] == 5
    assert lines["TOO MANY COLUMNS"] == 3
    assert {int(x["line"]) for x in fs.query("SELECT line FROM flows")} == {2, 4}


def test_large_clean_file_then_conflict_gets_lines(
    fs: FlowStore, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(store_mod, "LARGE_FILE_BYTES", 10)
    head = "REPORTER,PARTNER,PRODUCT,FLOW,STAT_PROCEDURE,PERIOD,VALUE_IN_EUR\n"
    a = tmp_path / "a.csv"
    a.write_text(
        head + "Poland,Kazakhstan,TOTAL,EXPORT,T,Aug. 2024,10\n"
        "Poland,Armenia,TOTAL,EXPORT,T,Aug. 2024,11\n",
        encoding="utf-8",
    )
    fs.load([a], "relational")
    assert {x["line"] for x in fs.query("SELECT line FROM flows")} == {None}  # clean: unnumbered
    b = tmp_path / "b.csv"
    b.write_text(
        head + "Poland,Georgia,TOTAL,EXPORT,T,Aug. 2024,1\n"
        "Poland,Armenia,TOTAL,EXPORT,T,Aug. 2024,12\n"
        "Poland,Georgia,TOTAL,EXPORT,T,Aug. 2024,1\n",
        encoding="utf-8",
    )
    r = fs.load([b], "relational").files[0]
    assert (r.rows_loaded, r.rows_duplicate, r.rows_conflict) == (1, 1, 1)
    (c,) = fs.query("SELECT * FROM conflicts")
    assert (c["kept_value"], c["other_value"], c["other_line"]) == (11.0, 12.0, 3)
    dup = fs.query("SELECT line FROM issues WHERE category = 'duplicate'")
    assert dup == [{"line": 4}]


def test_parquet_storage_for_large_batches(fs: FlowStore, tmp_path: Path) -> None:
    rows = [
        rel("Poland", "Kazakhstan", f"{m}. {y}", str(y * 100 + i))
        for y in (2021, 2022)
        for i, m in enumerate(["Jan", "Feb", "Mar"])
    ]
    f = write_relational(tmp_path / "a.csv", rows)
    report = fs.load([f], "relational", parquet_rows=3)
    assert report.storage == "parquet"
    assert fs.query("SELECT count(*) AS n FROM flows_table")[0]["n"] == 0
    assert fs.counts()["flows"] == 6
    assert list((fs.parquet_dir).glob("batch=*/part_year=2022/*.parquet"))
    g = write_relational(tmp_path / "b.csv", [rel("Poland", "Kazakhstan", "Jan. 2021", "1")])
    later = fs.load([g], "relational")
    assert later.files[0].rows_conflict == 1  # checked against the Parquet rows too


def test_failed_load_rolls_back(
    fs: FlowStore, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    f = write_relational(tmp_path / "a.csv", [rel("Poland", "Kazakhstan", "Aug. 2024", "10")])

    def boom(*args: object, **kwargs: object) -> None:
        raise RuntimeError("disk full")

    monkeypatch.setattr(FlowStore, "_record", boom)
    with pytest.raises(RuntimeError):
        fs.load([f], "relational")
    assert fs.counts() == {"flows": 0, "files": 0, "issues": 0, "conflicts": 0}
    monkeypatch.undo()
    assert fs.load([f], "relational").total("rows_loaded") == 1


def test_read_only_store_needs_a_database(tmp_path: Path) -> None:
    from circumspect.errors import StoreError

    with pytest.raises(StoreError, match="flows load"):
        FlowStore(tmp_path / "none" / "flows.duckdb", read_only=True)


def test_unrecognised_layout_and_legacy_encoding(fs: FlowStore, tmp_path: Path) -> None:
    odd = tmp_path / "odd.csv"
    odd.write_text("country;year;amount\nKZ;2022;5\n", encoding="utf-8")
    with pytest.raises(FormatMismatchError, match="unrecognised layout"):
        fs.load([odd], "auto")
    latin = tmp_path / "latin.csv"
    latin.write_bytes(
        (
            "REPORTER,PARTNER,PRODUCT,FLOW,STAT_PROCEDURE,PERIOD,VALUE_IN_EUR\n"
            "France,Côte d'Ivoire,TOTAL,EXPORT,T,Aug. 2024,10\n"
        ).encode("cp1252")
    )
    report = fs.load([latin], "relational")
    assert report.files[0].rows_loaded == 1
    assert any("Windows-1252" in n for n in report.files[0].notes)
    assert fs.query("SELECT partner FROM flows") == [{"partner": "CI"}]
