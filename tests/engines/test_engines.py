"""The same test bodies on both engines: identical rows for batch functions and SQL."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

import pandas as pd
import pytest

from circumspect.engines import Engine, get_engine
from circumspect.errors import ConfigError, InputError

pytestmark = pytest.mark.xdist_group("spark")

ROWS = [
    {"query_id": "q1", "name": "ТОО «Арлан Трейд»", "country": "kz"},
    {"query_id": "q2", "name": "Sberbank, PJSC", "country": "ru"},
    {"query_id": "q3", "name": 'He said "hi"\non two lines', "country": ""},
    {"query_id": "q4", "name": "", "country": "de"},
]


def tag(batch: pd.DataFrame, ctx: Mapping[str, Any]) -> pd.DataFrame:
    """A deterministic batch function that uses the broadcast context."""
    risky: set[str] = ctx["risky"]
    out = batch.copy()
    out["length"] = out["name"].str.len()
    out["risky"] = out["country"].isin(risky)
    out["upper"] = out["name"].str.upper()
    return out


COLUMNS = ["query_id", "name", "country", "length", "risky", "upper"]


def write_input(tmp_path: Path, fmt: str) -> Path:
    frame = pd.DataFrame(ROWS * 50)
    frame["query_id"] = [f"{r}-{i}" for i, r in enumerate(frame["query_id"])]
    path = tmp_path / f"in.{fmt}"
    if fmt == "csv":
        frame.to_csv(path, index=False)
    else:
        frame.to_parquet(path, index=False)
    return path


@pytest.mark.parametrize("fmt", ["csv", "parquet"])
def test_map_batches_same_rows_on_every_engine(engine: Engine, tmp_path: Path, fmt: str) -> None:
    src = write_input(tmp_path, fmt)
    dst = tmp_path / f"out-{engine.name}.{fmt}"
    stats = engine.map_batches(
        str(src),
        str(dst),
        tag,
        COLUMNS,
        context={"risky": {"ru", "by"}},
        sort_by=["query_id"],
        batch_rows=37,
    )
    assert stats.rows_in == stats.rows_out == 200
    local_dst = tmp_path / f"expected.{fmt}"
    get_engine("local").map_batches(
        str(src),
        str(local_dst),
        tag,
        COLUMNS,
        context={"risky": {"ru", "by"}},
        sort_by=["query_id"],
    )
    read = (
        (lambda p: pd.read_csv(p, dtype=str, keep_default_na=False))
        if fmt == "csv"
        else pd.read_parquet
    )
    got, expected = read(dst), read(local_dst)
    pd.testing.assert_frame_equal(got, expected)
    row = got[got["query_id"] == "q1-0"].iloc[0]
    assert row["name"] == "ТОО «Арлан Трейд»" and row["length"] == "17" and row["risky"] == "False"
    assert got[got["query_id"] == "q2-1"].iloc[0]["risky"] == "True"
    assert got[got["query_id"] == "q3-2"].iloc[0]["name"] == 'He said "hi"\non two lines'
    assert got[got["query_id"] == "q4-3"].iloc[0]["name"] == ""
    assert not list(tmp_path.glob(".*tmp*")), "temporary files left behind"


def test_sql_aggregation_same_on_every_engine(engine: Engine, tmp_path: Path) -> None:
    folder = tmp_path / "trade"
    for year in (2021, 2022):
        part = folder / f"year={year}"
        part.mkdir(parents=True)
        pd.DataFrame({"partner": ["KZ", "KZ", "RU"], "value": [1.5 * year, 2.0, 10.0]}).to_parquet(
            part / "data.parquet", index=False
        )
    sql = (
        "SELECT partner, CAST(year AS INT) AS year, SUM(value) AS value FROM trade "
        "GROUP BY partner, year ORDER BY partner, year"
    )
    got = engine.query(sql, {"trade": str(folder)})
    assert got.to_dict("records") == [
        {"partner": "KZ", "year": 2021, "value": 1.5 * 2021 + 2.0},
        {"partner": "KZ", "year": 2022, "value": 1.5 * 2022 + 2.0},
        {"partner": "RU", "year": 2021, "value": 10.0},
        {"partner": "RU", "year": 2022, "value": 10.0},
    ]


def test_missing_input_is_a_clear_error(engine: Engine, tmp_path: Path) -> None:
    with pytest.raises(InputError, match="input file not found"):
        engine.map_batches(str(tmp_path / "nope.csv"), str(tmp_path / "o.csv"), tag, COLUMNS)
    assert not (tmp_path / "o.csv").exists()


def test_missing_output_column_is_reported(tmp_path: Path) -> None:
    src = write_input(tmp_path, "csv")
    with pytest.raises(InputError, match="did not produce columns"):
        get_engine("local").map_batches(
            str(src),
            str(tmp_path / "o.csv"),
            lambda b, c: b,
            [*COLUMNS, "extra"],
            context={"risky": set()},
        )
    assert not (tmp_path / "o.csv").exists()


def test_unknown_engine() -> None:
    with pytest.raises(ConfigError, match="unknown engine 'flink'"):
        get_engine("flink")
