from __future__ import annotations

import csv
import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from circumspect.cli.main import app
from circumspect.errors import InputError
from circumspect.matching import Screener
from circumspect.matching.batch import SCREEN_COLUMNS, compare_file, screen_file
from tests.matching.helpers import sample_entities

BAD_ROWS = [
    ["q-empty", "", "Person"],
    ["q-space", "   ", "Person"],
    ["q-huge", "x" * 10_000, "Company"],
    ["q-ctrl", "Bank\x07Melli", "Company"],
    ["q-schema", "Bank Melli", "Spaceship"],
]


def _write(path: Path, header: list[str], rows: list[list[str]]) -> Path:
    with path.open("w", encoding="utf-8", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(header)
        w.writerows(rows)
    return path


def _read(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh))


def test_screen_file_accounts_for_every_row(tmp_path: Path) -> None:
    inp = _write(
        tmp_path / "in.csv",
        ["query_id", "name", "schema", "country", "birth_date", "identifier"],
        [
            ["q1", "Kassym-Jomart Tokayev", "Person", "KZ", "1953", ""],
            ["q2", "Bereke Logistic TOO", "Company", "", "", ""],
            ["q3", "Nobody Known Here", "Person", "", "", ""],
            ["q4", "Some Name", "Company", "", "", "940140000385"],
            ["q5", "Тоkаев Касым-Жомарт", "Person", "", "", ""],  # mixed scripts
            *[[*r, "", "", ""] for r in BAD_ROWS],
        ],
    )
    with inp.open("a", encoding="utf-8") as fh:
        fh.write("q-short,only two\n")
    out = tmp_path / "out.csv"
    errors = tmp_path / "errors.csv"
    stats = screen_file(Screener(sample_entities()), inp, out, limit=3, errors_path=errors)
    assert stats.read == 11
    assert stats.screened == 5
    assert stats.rejected == 6
    assert stats.read == stats.screened + stats.rejected
    rows = _read(out)
    assert tuple(rows[0]) == SCREEN_COLUMNS
    by_q: dict[str, list[dict[str, str]]] = {}
    for r in rows:
        by_q.setdefault(r["query_id"], []).append(r)
    assert by_q["q1"][0]["source_id"] == "1" and by_q["q1"][0]["alert"] == "true"
    assert by_q["q2"][0]["source_id"] == "3" and by_q["q2"][0]["alert"] == "true"
    assert by_q["q3"] == [dict.fromkeys(SCREEN_COLUMNS, "") | {"query_id": "q3", "alert": "false"}]
    assert by_q["q4"][0]["score"] == "1.0000"
    assert by_q["q5"][0]["source_id"] == "1"
    errs = _read(errors)
    assert {e["query_id"] for e in errs} >= {r[0] for r in BAD_ROWS}
    fields = {e["query_id"]: e["field"] for e in errs}
    assert fields["q-schema"] == "schema" and fields["q-huge"] == "name"
    short = [e for e in errs if "fields" in e["error"]]
    assert short and short[0]["line"] == "12"


def test_screen_file_header_problems(tmp_path: Path) -> None:
    s = Screener(sample_entities())
    with pytest.raises(InputError, match="missing column"):
        screen_file(s, _write(tmp_path / "a.csv", ["id", "nom"], [["1", "x"]]), tmp_path / "o.csv")
    (tmp_path / "empty.csv").write_text("")
    with pytest.raises(InputError, match="empty"):
        screen_file(s, tmp_path / "empty.csv", tmp_path / "o.csv")
    assert not (tmp_path / "o.csv").exists()


def test_screen_file_reads_cp1251(tmp_path: Path) -> None:
    inp = tmp_path / "cp.csv"
    inp.write_bytes("query_id,name,schema\nq1,ТОО Береке Логистик,Company\n".encode("cp1251"))
    stats = screen_file(Screener(sample_entities()), inp, tmp_path / "o.csv")
    assert stats.screened == 1
    assert _read(tmp_path / "o.csv")[0]["source_id"] == "3"


def test_compare_file(tmp_path: Path) -> None:
    inp = _write(
        tmp_path / "pairs.csv",
        ["id", "schema", "name1", "name2"],
        [
            ["1", "Person", "Kassym-Jomart Tokayev", "Қасым-Жомарт Тоқаев"],
            ["2", "Company", "TOO Bereke", "АО Береке"],
            ["3", "Person", "", "x"],
        ],
    )
    out = tmp_path / "scored.csv"
    stats = compare_file(inp, out, threshold=0.7)
    assert (stats.read, stats.screened, stats.rejected) == (3, 2, 1)
    rows = _read(out)
    assert [r["id"] for r in rows] == ["1", "2", "3"]
    # A legal form is evidence, never a veto: the same distinctive name under another form
    # still matches, and the explanation says the forms differ.
    assert rows[0]["match"] == "true" and rows[1]["match"] == "true"
    assert "legal form differs (JSC listed, LLP given)" in rows[1]["explanation"]
    assert rows[2]["score"] == "" and rows[2]["explanation"].startswith("error:")


@pytest.fixture
def loaded_store() -> None:
    from circumspect.store import open_store

    store = open_store()
    try:
        store.load("un_sc", sample_entities(), checksum="x")
    finally:
        store.close()


def test_cli_screen_json(loaded_store: None) -> None:
    res = CliRunner().invoke(app, ["screen", "Qasym-Jomart Toqaev", "--schema", "Person", "--json"])
    assert res.exit_code == 0, res.output
    data = json.loads(res.output)
    assert data["candidates"][0]["source_id"] == "1"
    assert data["candidates"][0]["alert"] is True
    record = data["candidates"][0]["record"]
    assert record["list"] and record["authority"] and isinstance(record["programs"], list)


def test_cli_screen_file_and_compare(loaded_store: None, tmp_path: Path) -> None:
    inp = _write(
        tmp_path / "in.csv",
        ["query_id", "name", "schema"],
        [["a", "Bank Melli", "Company"], ["b", "", "Person"]],
    )
    out = tmp_path / "out.csv"
    res = CliRunner().invoke(app, ["screen-file", str(inp), "-o", str(out), "--limit", "2"])
    assert res.exit_code == 0, res.output
    assert "read 2 rows: 1 screened, 1 rejected" in res.output
    assert (tmp_path / "out.errors.csv").exists()
    pairs = _write(
        tmp_path / "p.csv", ["schema", "name1", "name2"], [["Company", "TOO A", "A LLP"]]
    )
    res = CliRunner().invoke(app, ["compare", "--pairs", str(pairs), "-o", str(tmp_path / "c.csv")])
    assert res.exit_code == 0, res.output
    assert _read(tmp_path / "c.csv")[0]["match"] == "true"


def test_cli_screen_without_lists() -> None:
    from circumspect.cli.main import main

    with pytest.raises(SystemExit) as info:
        import sys

        sys.argv = ["circumspect", "screen", "Putin"]
        main()
    assert info.value.code == 2


def test_unterminated_quote_is_reported(tmp_path: Path) -> None:
    inp = tmp_path / "bad.csv"
    inp.write_text(
        'query_id,name,schema\n1,"unterminated\n2,Bank Melli,Company\n', encoding="utf-8"
    )
    stats = screen_file(Screener(sample_entities()), inp, tmp_path / "o.csv")
    assert stats.read == stats.rejected == 1
    assert "spans lines 2-3" in stats.errors[0][3]


def test_screen_file_same_output_with_any_number_of_workers(tmp_path: Path) -> None:
    """Distinct queries are screened once, by forked workers when asked; the output is in
    input order and byte-identical to the single-process run."""

    from circumspect.matching import batch

    names = [e.caption for e in sample_entities()] + ["Nobody Known Here", "", "Bank\x07"]
    rows = [
        [
            f"q{i}",
            names[i % len(names)] + (f" {i % 300}" if i % 2 and names[i % len(names)] else ""),
            "Company" if i % 3 else "Person",
        ]
        for i in range(600)
    ]
    assert len({(r[1], r[2]) for r in rows}) >= batch.PARALLEL_MIN_QUERIES  # forked path
    inp = _write(tmp_path / "in.csv", ["query_id", "name", "schema"], rows)
    screener = Screener(sample_entities())
    outputs = []
    for workers in (1, 2):
        out, err = tmp_path / f"out{workers}.csv", tmp_path / f"err{workers}.csv"
        stats = screen_file(screener, inp, out, errors_path=err, workers=workers)
        assert stats.read == 600 and stats.read == stats.screened + stats.rejected
        outputs.append((out.read_bytes(), err.read_bytes()))
    assert outputs[0] == outputs[1]
    ids = list(dict.fromkeys(r["query_id"] for r in _read(tmp_path / "out2.csv")))
    rejected = {line for line, *_ in stats.errors}
    assert stats.rejected > 0 and len(ids) == stats.screened
    assert ids == [r[0] for n, r in enumerate(rows, start=2) if n not in rejected]
    with pytest.raises(InputError):
        screen_file(screener, inp, tmp_path / "x.csv", workers=0)
