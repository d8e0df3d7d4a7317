from __future__ import annotations

import os
from pathlib import Path

import pandas as pd
import pytest

from tests.risk.helpers import frame, row
from tests.support import run_cli


def _run(monkeypatch: pytest.MonkeyPatch, *args: str) -> int:
    return run_cli(monkeypatch, *args)


def test_score_cli(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    src = tmp_path / "in.csv"
    frame([row(), row(hs_code="8542.31", transit_countries="RU"), row(hs_code="1")]).to_csv(
        src, index=False
    )
    out, err = tmp_path / "scored.csv", tmp_path / "errors.csv"
    code = _run(
        monkeypatch,
        "declarations",
        "score",
        str(src),
        "-o",
        str(out),
        "--errors",
        str(err),
        "--no-screening",
        "--html",
        str(tmp_path / "r.html"),
    )
    captured = capsys.readouterr()
    assert code == 0, captured.err
    assert "read 3 = scored 2 + rejected 1" in captured.out
    scored = pd.read_csv(out, dtype=str, keep_default_na=False)
    assert scored["decision"].tolist() == ["clear", "block"]
    # DE-origin chips in transit via RU: also an export ban of a coalition country (issue 15)
    assert scored.loc[1, "flags"].split(";") == ["ru_by_controlled", "coalition_origin_to_russia"]
    assert len(pd.read_csv(err)) == 1
    report = (tmp_path / "r.html").read_text(encoding="utf-8")
    assert "ru_by_controlled" in report and "read 3" in report


def test_score_cli_user_list_and_rules(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    src = tmp_path / "in.csv"
    frame([row(transit_countries="RU")]).to_csv(src, index=False)
    mine = tmp_path / "mine.csv"
    mine.write_text("code,category\n0901,coffee watch\n", encoding="utf-8")
    out = tmp_path / "o.csv"
    assert (
        _run(
            monkeypatch,
            "declarations",
            "score",
            str(src),
            "-o",
            str(out),
            "--no-screening",
            "--list",
            str(mine),
        )
        == 0
    )
    assert pd.read_csv(out)["flags"].iloc[0] == "ru_by_controlled"
    bad_rules = tmp_path / "rules.yaml"
    bad_rules.write_text("rules: []\n", encoding="utf-8")
    assert (
        _run(
            monkeypatch,
            "declarations",
            "score",
            str(src),
            "-o",
            str(out),
            "--no-screening",
            "--rules",
            str(bad_rules),
        )
        == 2
    )
    assert "thresholds" in capsys.readouterr().err


def test_score_cli_bad_input_exit_2(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    src = tmp_path / "in.csv"
    src.write_text("a,b\n1,2\n", encoding="utf-8")
    assert (
        _run(
            monkeypatch,
            "declarations",
            "score",
            str(src),
            "-o",
            str(tmp_path / "o.csv"),
            "--no-screening",
        )
        == 2
    )
    assert "missing columns" in capsys.readouterr().err
    assert not (tmp_path / "o.csv").exists()


def test_score_cli_empty_store_is_an_error(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    src = tmp_path / "in.csv"
    frame([row()]).to_csv(src, index=False)
    url = f"sqlite:///{tmp_path / 'empty.sqlite'}"
    assert (
        _run(
            monkeypatch,
            "declarations",
            "score",
            str(src),
            "-o",
            str(tmp_path / "o.csv"),
            "--db",
            url,
        )
        == 2
    )
    assert "no sanctions lists are loaded" in capsys.readouterr().err


_PID_DIR: list[Path] = []


def _pid_recording_worker(item):  # type: ignore[no-untyped-def]
    """The real party worker, leaving a file named after the process that ran it."""
    from circumspect.risk import pipeline

    (_PID_DIR[0] / str(os.getpid())).touch()
    return pipeline._screen_in_worker_real(item)  # type: ignore[attr-defined]


def test_score_cli_same_output_with_one_and_two_workers(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """Party screening across forked workers gives the same scored file as one process
    (issue 18): distinct parties screened once, rows in input order."""
    from circumspect.sources import demo_lists
    from circumspect.store import open_store
    from circumspect.store.loading import load_paths
    from circumspect.synth.declarations import generate

    url = f"sqlite:///{tmp_path / 'lists.db'}"
    store = open_store(url)
    try:
        listed = []
        for source, files in demo_lists():
            load_paths(store, source, files)
        listed = [e.caption for e in store.iter_entities()][:40]
    finally:
        store.close()
    from circumspect.risk import pipeline

    pids = tmp_path / "pids"
    pids.mkdir()
    _PID_DIR[:] = [pids]
    real = pipeline._screen_in_worker
    monkeypatch.setattr(pipeline, "_screen_in_worker", _pid_recording_worker)
    monkeypatch.setattr(pipeline, "_screen_in_worker_real", real, raising=False)
    src = tmp_path / "in.csv"
    data = generate(1200, parties=700, listed_names=listed, seed=18)
    data.to_csv(src, index=False)
    outputs = []
    for workers in ("1", "2"):
        out = tmp_path / f"scored{workers}.csv"
        code = _run(
            monkeypatch, "declarations", "score", str(src), "-o", str(out), "--db", url,
            "--workers", workers,
        )  # fmt: skip
        assert code == 0, capsys.readouterr().err
        outputs.append(out.read_bytes())
        ran_in = {int(p.name) for p in pids.iterdir()}
        # one process: nothing forked; two: only forked children screened the parties
        assert (ran_in == set()) if workers == "1" else (ran_in and os.getpid() not in ran_in)
    assert outputs[0] == outputs[1]
    scored = pd.read_csv(tmp_path / "scored2.csv", dtype=str, keep_default_na=False)
    assert scored["declaration_id"].tolist() == data["declaration_id"].astype(str).tolist()
    assert scored["flags"].str.contains("party_listed").any()
