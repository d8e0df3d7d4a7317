"""Ownership datasets: versioned, diffed, transactional (SQLite and PostgreSQL)."""

from __future__ import annotations

from pathlib import Path

import pytest

from circumspect.errors import InputError, StoreError
from circumspect.ownership import store as ownership_store
from circumspect.ownership.loader import read_file
from circumspect.ownership.store import OwnershipStore
from circumspect.store.sql import SqlStore

HEADER = "owner_name,owner_id,owned_name,owned_id,share,source,date"
INN_A, INN_B, OGRN = "7707083893", "7736050003", "1027700132195"


def _data(tmp_path: Path, rows: list[str], name: str = "own.csv"):  # type: ignore[no-untyped-def]
    path = tmp_path / name
    path.write_text(HEADER + "\n" + "\n".join(rows) + "\n", encoding="utf-8")
    return read_file(path, lambda _: False)


@pytest.fixture(params=["sqlite", "postgresql"])
def store(request: pytest.FixtureRequest, tmp_path: Path) -> SqlStore:
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path / 'db.sqlite'}"
    else:
        url = request.getfixturevalue("pg_url")
    opened = SqlStore(url)
    request.addfinalizer(opened.close)
    return opened


def test_versions_and_diff(store: SqlStore, tmp_path: Path) -> None:
    owners = OwnershipStore(store)
    first = owners.load(
        "registry",
        _data(tmp_path, [f"A,{INN_A},B,{INN_B},30,x,", f"A,{INN_A},C,{OGRN},10,x,", "bad,row"]),
    )
    assert (first.edge_count, first.row_count, first.rejected_count) == (2, 3, 1)
    assert owners.rejects(first.id)[0][0] == 4
    second = owners.load(
        "registry",
        _data(tmp_path, [f"A,{INN_A},B,{INN_B},60,x,", f"C,{OGRN},B,{INN_B},10,x,"], "b.csv"),
    )
    assert [s.id for s in owners.snapshots("registry")] == [second.id, first.id]
    assert owners.active()["registry"].id == second.id
    diff = owners.diff("registry")
    assert diff.counts() == {"added": 1, "removed": 1, "changed": 1}
    changed = next(c for c in diff.changes if c.kind == "changed")
    assert changed.old is not None and changed.new is not None
    assert (changed.old.share, changed.new.share) == (pytest.approx(0.3), pytest.approx(0.6))
    assert diff.touched() == {INN_B, OGRN}
    assert {(e.edge.owner, e.edge.owned) for e in owners.edges()} == {
        (INN_A, INN_B),
        (OGRN, INN_B),
    }
    # an older snapshot stays readable
    assert len(owners.edges([first.id])) == 2


def test_an_interrupted_load_keeps_the_previous_snapshot(
    store: SqlStore, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    owners = OwnershipStore(store)
    good = owners.load("registry", _data(tmp_path, [f"A,{INN_A},B,{INN_B},30,x,"]))
    monkeypatch.setattr(ownership_store, "BATCH_SIZE", 1)
    big = _data(tmp_path, [f"A,{INN_A},B,{INN_B},40,x,", f"A,{INN_A},C,{OGRN},5,x,"], "c.csv")
    original = ownership_store.rejects_table.insert

    def broken() -> object:
        raise StoreError("disk full (simulated)")

    monkeypatch.setattr(ownership_store.rejects_table, "insert", broken)
    big.outcomes[0].status = "rejected"  # forces the rejects insert, which fails
    with pytest.raises(StoreError, match="simulated"):
        owners.load("registry", big)
    monkeypatch.setattr(ownership_store.rejects_table, "insert", original)
    assert [s.id for s in OwnershipStore(store).snapshots("registry")] == [good.id]
    assert [e.edge.share for e in owners.edges()] == [pytest.approx(0.3)]


def test_dataset_names_are_checked(store: SqlStore, tmp_path: Path) -> None:
    with pytest.raises(InputError, match="dataset name"):
        OwnershipStore(store).load("../x", _data(tmp_path, []))
