"""`circumspect payments screen` and `generate`: one row per file, atomic CSV, errors."""

from __future__ import annotations

import csv
import os
import shutil
from pathlib import Path

import pytest
from typer.testing import CliRunner

from circumspect.cli.main import app
from tests.payments.helpers import DEMO, DEMO_LISTS, MESSAGES


def _load(url: str) -> str:
    from circumspect.store import open_store
    from circumspect.store.loading import load_paths

    store = open_store(url)
    try:
        for source in ("ofac_sdn", "eu_fsf"):
            files = sorted(p for p in (DEMO_LISTS / source).iterdir() if p.is_file())
            load_paths(store, source, files)
    finally:
        store.close()
    return url


@pytest.fixture
def loaded_db(tmp_path: Path) -> str:
    return _load(f"sqlite:///{tmp_path / 'lists.db'}")


def test_screen_directory_and_files(tmp_path: Path, loaded_db: str) -> None:
    extra = tmp_path / "in"
    extra.mkdir()
    (extra / "binary.bin").write_bytes(b"\x00\x01\x02")
    (extra / ".hidden").write_text("ignored")
    out = tmp_path / "out" / "result.csv"
    result = CliRunner().invoke(
        app, ["payments", "screen", str(MESSAGES), str(extra), "-o", str(out), "--db", loaded_db]
    )
    assert result.exit_code == 0, result.output
    rows = list(csv.DictReader(out.open(encoding="utf-8")))
    assert list(rows[0]) == ["file", "message_id", "format", "decision", "flags", "explanation"]
    assert len(rows) == len(list(MESSAGES.iterdir())) + 1
    by_name = {Path(r["file"]).name: r for r in rows}
    expected = {
        r["file"]: r["decision"]
        for r in csv.DictReader((DEMO / "expected.csv").open(encoding="utf-8"))
    }
    assert {k: by_name[k]["decision"] for k in expected} == expected
    assert by_name["binary.bin"]["decision"] == "error"
    assert by_name["04_reject_mt103_sberbank_bic.fin"]["flags"] == "bic:creditor_agent"
    assert "16 files screened" in result.output
    assert not [p for p in out.parent.iterdir() if p.name != "result.csv"]


def test_screen_refuses_empty_store_and_missing_path(tmp_path: Path) -> None:
    out = tmp_path / "r.csv"
    url = f"sqlite:///{tmp_path / 'empty.db'}"
    runner = CliRunner()
    result = runner.invoke(app, ["payments", "screen", str(MESSAGES), "-o", str(out), "--db", url])
    assert result.exit_code != 0 and "no sanctions lists" in str(result.exception)
    result = runner.invoke(
        app, ["payments", "screen", str(tmp_path / "nope"), "-o", str(out), "--db", url]
    )
    assert result.exit_code != 0 and not out.exists()


def test_generate_command(tmp_path: Path, loaded_db: str) -> None:
    out = tmp_path / "gen"
    result = CliRunner().invoke(
        app,
        [
            "payments",
            "generate",
            str(out),
            "--db",
            loaded_db,
            "--clean",
            "10",
            "--exposed",
            "10",
            "--malformed",
            "10",
        ],
    )
    assert result.exit_code == 0, result.output
    assert len(list((out / "messages").iterdir())) == 30
    shutil.rmtree(out)


def test_screen_opens_cases_once(tmp_path: Path, loaded_db: str) -> None:
    from circumspect.cases.service import get_service

    out = tmp_path / "r.csv"
    args = ["payments", "screen", str(MESSAGES), "-o", str(out), "--db", loaded_db, "--cases"]
    first = CliRunner().invoke(app, args)
    assert first.exit_code == 0, first.output
    assert "cases: 9 opened" in first.output
    again = CliRunner().invoke(app, args)
    assert "cases: 0 opened, 9 existing" in again.output
    service = get_service(loaded_db)
    assert sum(service.count_cases().values()) == 9


def test_screen_against_postgresql(tmp_path: Path, pg_url: str) -> None:
    url = _load(pg_url)
    out = tmp_path / "pg.csv"
    result = CliRunner().invoke(
        app, ["payments", "screen", str(MESSAGES), "-o", str(out), "--db", url]
    )
    assert result.exit_code == 0, result.output
    decisions = [r["decision"] for r in csv.DictReader(out.open(encoding="utf-8"))]
    assert decisions.count("reject") == 4 and decisions.count("error") == 3


def test_unwritable_output_fails_before_screening(tmp_path: Path, loaded_db: str) -> None:
    from circumspect.errors import InputError

    blocker = tmp_path / "a_file"
    blocker.write_text("x", encoding="utf-8")
    out = blocker / "result.csv"  # its folder is a regular file
    result = CliRunner().invoke(
        app, ["payments", "screen", str(MESSAGES), "-o", str(out), "--db", loaded_db]
    )
    assert result.exit_code != 0
    assert isinstance(result.exception, InputError), result.exception
    assert str(out) in str(result.exception)
    assert "files screened" not in result.output  # refused before any screening


def test_write_csv_os_error_is_input_error(tmp_path: Path) -> None:
    from circumspect.errors import InputError
    from circumspect.payments.batch import write_csv

    blocker = tmp_path / "a_file"
    blocker.write_text("x", encoding="utf-8")
    with pytest.raises(InputError, match="cannot write"):
        write_csv([], blocker / "sub" / "out.csv")
    assert blocker.read_text(encoding="utf-8") == "x"


def test_generate_refuses_negative_counts_and_unwritable_folder(
    tmp_path: Path, loaded_db: str
) -> None:
    from circumspect.errors import InputError

    res = CliRunner().invoke(
        app, ["payments", "generate", str(tmp_path / "g"), "--db", loaded_db, "--clean", "-5"]
    )
    assert res.exit_code == 2 and not (tmp_path / "g").exists()
    blocker = tmp_path / "a_file"
    blocker.write_text("x", encoding="utf-8")
    res = CliRunner().invoke(
        app,
        [
            "payments",
            "generate",
            str(blocker / "g"),
            "--db",
            loaded_db,
            "--clean",
            "2",
            "--exposed",
            "1",
            "--malformed",
            "1",
        ],
    )
    assert isinstance(res.exception, InputError), res.exception
    assert str(blocker / "g") in str(res.exception)


_PID_DIR: list[Path] = []


def _pid_recording_worker(path: Path):  # type: ignore[no-untyped-def]
    """The real worker, leaving a file named after the process that ran it."""
    from circumspect.payments import batch

    (_PID_DIR[0] / str(os.getpid())).touch()
    return batch.screen_file(path, batch._WORKER)  # type: ignore[arg-type]


def test_screen_same_output_with_one_and_two_workers(
    tmp_path: Path, loaded_db: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Forked workers screen the messages; the CSV is byte-identical to one process's and in
    input order (issue 18)."""
    from circumspect.payments import batch

    folder = tmp_path / "many"
    for copy in range(5):  # 5 x 16 files: above the forking threshold
        shutil.copytree(MESSAGES, folder / str(copy))
    files = batch.collect_files([folder])
    assert len(files) >= batch.PARALLEL_MIN_FILES
    pids = tmp_path / "pids"
    pids.mkdir()
    _PID_DIR[:] = [pids]
    monkeypatch.setattr(batch, "_screen_in_worker", _pid_recording_worker)
    outputs = []
    for workers in ("1", "2"):
        out = tmp_path / f"out{workers}.csv"
        args = ["payments", "screen", str(folder), "-o", str(out), "--db", loaded_db]
        result = CliRunner().invoke(app, [*args, "--workers", workers])
        assert result.exit_code == 0, result.output
        outputs.append(out.read_bytes())
        ran_in = {int(p.name) for p in pids.iterdir()}
        # one process: nothing forked; two: only forked children screened
        assert (ran_in == set()) if workers == "1" else (ran_in and os.getpid() not in ran_in)
    assert outputs[0] == outputs[1]
    rows = list(csv.DictReader((tmp_path / "out2.csv").open(encoding="utf-8")))
    assert [r["file"] for r in rows] == [str(p) for p in files]
    assert {r["decision"] for r in rows} >= {"pass", "hold"}
