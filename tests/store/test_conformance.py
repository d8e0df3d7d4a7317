"""One conformance suite for the ``Store`` interface, run on SQLite and on PostgreSQL."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
import sqlalchemy as sa

from circumspect.errors import ConfigError, InputError, NotFoundError, StoreError
from circumspect.model.entities import ListedEntity
from circumspect.store import open_store
from circumspect.store.base import Store
from circumspect.store.sql import BATCH_SIZE, SqlStore, normalize_url, version_table
from tests.store.helpers import company, generated, person


@pytest.fixture(params=["sqlite", "postgresql"])
def store_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'store.sqlite'}"
    return str(request.getfixturevalue("pg_url"))


@pytest.fixture
def store(store_url: str) -> Iterator[SqlStore]:
    opened = open_store(store_url)
    try:
        yield opened
    finally:
        opened.close()


def _ids(entities: Iterator[ListedEntity]) -> list[str]:
    return [e.id for e in entities]


def test_is_a_store(store: SqlStore) -> None:
    assert isinstance(store, Store)
    assert store.schema_version() >= 1


def test_empty_store(store: SqlStore) -> None:
    assert store.snapshots() == []
    assert store.active_snapshots() == {}
    assert list(store.iter_entities()) == []
    assert store.get_entity("ofac-sdn-1") is None
    with pytest.raises(NotFoundError):
        store.diff("ofac_sdn")


def test_load_creates_active_snapshot(store: SqlStore) -> None:
    entities = [person("ofac_sdn", "1", "IVANOV Ivan"), company("ofac_sdn", "2", "ROGA LLC")]
    snap = store.load("ofac_sdn", entities, checksum="abc", files=["sdn.csv", "alt.csv"])
    assert snap.source == "ofac_sdn"
    assert snap.entity_count == 2
    assert snap.active
    assert snap.checksum == "abc"
    assert snap.files == ("sdn.csv", "alt.csv")
    assert snap.loaded_at.tzinfo is not None
    assert store.snapshots() == [snap]
    assert store.active_snapshots() == {"ofac_sdn": snap}
    assert store.snapshot(snap.id) == snap


def test_entities_round_trip(store: SqlStore) -> None:
    original = person(
        "un_sc",
        "QDi.001",
        "AL-QAIDA Person",
        aliases=("Ал-Каида",),
        birth_date="1961-07-30",
        nationality="sa",
    )
    store.load("un_sc", [original], checksum="x")
    back = store.get_entity(original.id)
    assert back is not None
    assert back.to_dict() == original.to_dict()
    assert back.source == "un_sc" and back.source_id == "QDi.001"
    assert [s.get("program") for s in back.sanctions] == [["RUSSIA-EO14024"]]
    assert [e.to_dict() for e in store.iter_entities()] == [original.to_dict()]


def test_new_load_replaces_active_and_keeps_history(store: SqlStore) -> None:
    first = store.load("ofac_sdn", generated("ofac_sdn", 5), checksum="one")
    second = store.load("ofac_sdn", generated("ofac_sdn", 3, start=10), checksum="two")
    assert [s.id for s in store.snapshots()] == [second.id, first.id]
    assert store.active_snapshots()["ofac_sdn"].id == second.id
    old = store.snapshot(first.id)
    assert not old.active and old.entity_count == 5
    assert _ids(store.iter_entities()) == [f"ofac-sdn-{n}" for n in (10, 11, 12)]
    assert _ids(store.iter_entities(snapshot_id=first.id)) == [f"ofac-sdn-{n}" for n in range(5)]
    assert store.get_entity("ofac-sdn-0") is None  # only in the inactive snapshot
    assert store.get_entity("ofac-sdn-10") is not None


def test_sources_are_independent(store: SqlStore) -> None:
    store.load("ofac_sdn", generated("ofac_sdn", 4), checksum="a")
    store.load("un_sc", generated("un_sc", 2), checksum="b")
    store.load("ofac_sdn", generated("ofac_sdn", 6), checksum="c")
    active = store.active_snapshots()
    assert sorted(active) == ["ofac_sdn", "un_sc"]
    assert active["ofac_sdn"].entity_count == 6
    assert active["un_sc"].entity_count == 2
    assert len(store.snapshots("ofac_sdn")) == 2
    assert len(store.snapshots("un_sc")) == 1
    assert len(list(store.iter_entities())) == 8
    assert len(list(store.iter_entities(sources=["un_sc"]))) == 2
    assert list(store.iter_entities(sources=[])) == []


def test_batches_beyond_one(store: SqlStore) -> None:
    count = BATCH_SIZE * 2 + 17
    snap = store.load("opensanctions", generated("opensanctions", count), checksum="big")
    assert snap.entity_count == count
    assert store.count_entities(snap.id) == count
    assert sum(1 for _ in store.iter_entities(sources=["opensanctions"])) == count


def test_diff_added_removed_changed(store: SqlStore) -> None:
    before = [
        person("ofac_sdn", "1", "IVANOV Ivan", birth_date="1970-01-01"),
        person("ofac_sdn", "2", "PETROV Petr"),
        company("ofac_sdn", "3", "ROGA I KOPYTA LLC", inn="7701234567"),
    ]
    after = [
        person("ofac_sdn", "1", "IVANOV Ivan", birth_date="1971-02-03"),
        person("ofac_sdn", "2", "PETROV Petr", program="UKRAINE-EO13662"),
        person("ofac_sdn", "4", "SIDOROV Sidor"),
    ]
    first = store.load("ofac_sdn", before, checksum="1")
    second = store.load("ofac_sdn", after, checksum="2")
    diff = store.diff("ofac_sdn")
    assert (diff.from_snapshot, diff.to_snapshot) == (first.id, second.id)
    assert diff.counts() == {"added": 1, "removed": 1, "changed": 2}
    by_id = {c.entity_id: c for c in diff.changes}
    assert by_id["ofac-sdn-4"].kind == "added"
    assert by_id["ofac-sdn-4"].caption == "SIDOROV Sidor"
    assert by_id["ofac-sdn-3"].kind == "removed"
    assert by_id["ofac-sdn-3"].caption == "ROGA I KOPYTA LLC"
    assert by_id["ofac-sdn-1"].properties == {
        "birthDate": {"old": ["1970-01-01"], "new": ["1971-02-03"]}
    }
    assert by_id["ofac-sdn-2"].properties == {
        "sanction.program": {"old": ["RUSSIA-EO14024"], "new": ["UKRAINE-EO13662"]}
    }
    # explicit ids, in the other direction
    back = store.diff("ofac_sdn", from_id=second.id, to_id=first.id)
    assert back.counts() == {"added": 1, "removed": 1, "changed": 2}
    assert {c.entity_id for c in back.changes if c.kind == "added"} == {"ofac-sdn-3"}


def test_reloading_the_same_entities_gives_no_changes(store: SqlStore) -> None:
    store.load("ofac_sdn", generated("ofac_sdn", 50), checksum="same")
    store.load("ofac_sdn", generated("ofac_sdn", 50), checksum="same")
    diff = store.diff("ofac_sdn")
    assert diff.changes == []
    assert diff.from_snapshot is not None


def test_first_snapshot_diff_is_all_added(store: SqlStore) -> None:
    store.load("bis_dpl", generated("bis_dpl", 3), checksum="x")
    diff = store.diff("bis_dpl")
    assert diff.from_snapshot is None
    assert diff.counts() == {"added": 3, "removed": 0, "changed": 0}


def test_diff_rejects_unknown_or_foreign_snapshots(store: SqlStore) -> None:
    sdn = store.load("ofac_sdn", generated("ofac_sdn", 2), checksum="x")
    un = store.load("un_sc", generated("un_sc", 2), checksum="y")
    with pytest.raises(NotFoundError):
        store.diff("ofac_sdn", to_id="999")
    with pytest.raises(NotFoundError):
        store.diff("ofac_sdn", from_id="not-a-number")
    with pytest.raises(InputError):
        store.diff("ofac_sdn", from_id=un.id, to_id=sdn.id)
    with pytest.raises(NotFoundError):
        store.snapshot("12345")
    with pytest.raises(NotFoundError):
        list(store.iter_entities(snapshot_id="12345"))


def test_failed_load_leaves_previous_snapshot_and_nothing_partial(store: SqlStore) -> None:
    first = store.load("ofac_sdn", generated("ofac_sdn", 10), checksum="good")

    def broken() -> Iterator[ListedEntity]:
        yield from generated("ofac_sdn", BATCH_SIZE + 5)
        raise InputError("truncated file", file="sdn.csv", line=1234)

    with pytest.raises(InputError, match="truncated file"):
        store.load("ofac_sdn", broken(), checksum="bad")
    assert store.snapshots() == [first]
    assert store.active_snapshots()["ofac_sdn"] == first
    assert len(list(store.iter_entities())) == 10
    assert _raw_counts(store) == (1, 10)


def test_invalid_entities_are_rejected_atomically(store: SqlStore) -> None:
    first = store.load("ofac_sdn", generated("ofac_sdn", 3), checksum="good")
    with pytest.raises(InputError, match="belongs to source"):
        store.load("ofac_sdn", [person("un_sc", "1", "X")], checksum="bad")
    with pytest.raises(InputError, match="duplicate entity id"):
        store.load(
            "ofac_sdn", [person("ofac_sdn", "1", "X"), person("ofac_sdn", "1", "Y")], checksum="bad"
        )
    with pytest.raises(InputError, match="unknown source"):
        store.load("nowhere", [], checksum="bad")
    assert store.snapshots() == [first]
    assert _raw_counts(store) == (1, 3)


def test_readers_never_see_a_load_in_progress(store: SqlStore, store_url: str) -> None:
    first = store.load("ofac_sdn", generated("ofac_sdn", 4), checksum="old")
    seen: list[tuple[list[str], int]] = []
    other = open_store(store_url)
    try:

        def observed() -> Iterator[ListedEntity]:
            for number, entity in enumerate(generated("ofac_sdn", BATCH_SIZE * 2)):
                if number == BATCH_SIZE + 10:  # one batch already written
                    seen.append(
                        ([s.id for s in other.snapshots()], sum(1 for _ in other.iter_entities()))
                    )
                yield entity

        second = store.load("ofac_sdn", observed(), checksum="new")
        assert seen == [([first.id], 4)]
        assert other.active_snapshots()["ofac_sdn"].id == second.id
    finally:
        other.close()


def test_empty_load_is_a_valid_snapshot(store: SqlStore) -> None:
    store.load("eu_fsf", generated("eu_fsf", 2), checksum="a")
    snap = store.load("eu_fsf", [], checksum="empty")
    assert snap.entity_count == 0
    assert list(store.iter_entities(sources=["eu_fsf"])) == []
    assert store.diff("eu_fsf").counts() == {"added": 0, "removed": 2, "changed": 0}


def test_prune_keeps_newest_and_active(store: SqlStore) -> None:
    ids = [store.load("uk_fcdo", generated("uk_fcdo", 2), checksum=str(n)).id for n in range(4)]
    assert store.prune("uk_fcdo", keep=2) == 2
    assert [s.id for s in store.snapshots("uk_fcdo")] == [ids[3], ids[2]]
    assert store.count_entities(ids[0]) == 0
    with pytest.raises(InputError):
        store.prune("uk_fcdo", keep=0)


def test_reopen_is_idempotent_and_persistent(store: SqlStore, store_url: str) -> None:
    snap = store.load("ofac_cons", generated("ofac_cons", 3), checksum="p")
    for _ in range(2):
        again = open_store(store_url)
        try:
            assert again.active_snapshots() == {"ofac_cons": snap}
            assert again.schema_version() == store.schema_version()
        finally:
            again.close()


def test_newer_schema_version_is_refused(store: SqlStore, store_url: str) -> None:
    with store._engine.begin() as conn:
        conn.execute(version_table.update().values(version=99))
    with pytest.raises(StoreError, match="schema version 99"):
        open_store(store_url)


def _raw_counts(store: SqlStore) -> tuple[int, int]:
    """Rows in the snapshot and entity tables, whatever their status."""
    with store._engine.connect() as conn:
        snaps = conn.execute(sa.text("SELECT count(*) FROM list_snapshots")).scalar_one()
        ents = conn.execute(sa.text("SELECT count(*) FROM list_entities")).scalar_one()
    return int(snaps), int(ents)


# -- URLs (backend-independent) ---------------------------------------------------------------


def test_url_normalisation() -> None:
    assert normalize_url("postgresql://u:p@h/db") == "postgresql+psycopg://u:p@h/db"
    assert normalize_url("postgres://u@h/db") == "postgresql+psycopg://u@h/db"
    assert normalize_url("sqlite:////tmp/x.sqlite") == "sqlite:////tmp/x.sqlite"
    with pytest.raises(ConfigError, match="unsupported database URL"):
        normalize_url("mysql://u:secret@h/db")


def test_default_store_is_sqlite_under_home(_isolated_home: Path) -> None:
    store = open_store()
    try:
        assert store.dialect == "sqlite"
        store.load("bis_dpl", generated("bis_dpl", 1), checksum="x")
    finally:
        store.close()
    assert (_isolated_home / "circumspect.sqlite").exists()


def test_env_selects_database(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    target = tmp_path / "elsewhere" / "db.sqlite"
    monkeypatch.setenv("CIRCUMSPECT_DB", f"sqlite:///{target}")
    open_store().close()
    assert target.exists()


def test_unreachable_server_is_a_clear_store_error() -> None:
    with pytest.raises(StoreError, match=r"cannot open store postgresql://u:\*\*\*@.*refused"):
        open_store("postgresql://u:secret@127.0.0.1:1/nothing")


def test_concurrent_loads_leave_exactly_one_active(store_url: str) -> None:
    import threading

    errors: list[BaseException] = []

    def worker(start: int) -> None:
        own = open_store(store_url)
        try:
            own.load("ofac_sdn", generated("ofac_sdn", 1500, start=start), checksum=str(start))
        except BaseException as exc:  # collected and asserted below
            errors.append(exc)
        finally:
            own.close()

    threads = [threading.Thread(target=worker, args=(n * 10_000,)) for n in range(3)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert errors == []
    store = open_store(store_url)
    try:
        snaps = store.snapshots("ofac_sdn")
        assert len(snaps) == 3
        assert [s.active for s in snaps] == [True, False, False]  # the last to commit wins
        assert sum(1 for _ in store.iter_entities()) == 1500
    finally:
        store.close()


def test_stale_loading_rows_are_removed_on_open(store: SqlStore, store_url: str) -> None:
    from datetime import UTC, datetime

    from circumspect.store.sql import entities_table, snapshots_table

    good = store.load("ofac_sdn", generated("ofac_sdn", 2), checksum="ok")
    with store._engine.begin() as conn:
        stale = conn.execute(
            snapshots_table.insert()
            .values(
                source="ofac_sdn",
                loaded_at=datetime.now(UTC),
                checksum="x",
                entity_count=0,
                files="[]",
                status="loading",
                active=False,
            )
            .returning(snapshots_table.c.id)
        ).scalar_one()
        conn.execute(
            entities_table.insert(),
            [
                {
                    "snapshot_id": stale,
                    "entity_id": "e1",
                    "source_id": "1",
                    "schema": "Person",
                    "caption": "x",
                    "fingerprint": "0",
                    "data": "{}",
                }
            ],
        )
    assert store.snapshots() == [good]  # readers never see it
    open_store(store_url).close()
    assert _raw_counts(store) == (1, 2)
