"""The array index (issue 18): the same screening results as the in-memory index on the
real SDN list, memory-mapped from a folder, refused when stale or inconsistent."""

from __future__ import annotations

import json
import random
from functools import lru_cache
from pathlib import Path

import pytest

from circumspect.errors import StoreError
from circumspect.matching import Screener
from circumspect.matching.arrayindex import ArrayIndex, build_array_index, key_hash
from circumspect.model.entities import ListedEntity
from circumspect.model.screening import Query
from circumspect.sources import parse_source
from tests.support import shared_path


@lru_cache(maxsize=1)
def _sdn() -> tuple[ListedEntity, ...]:
    folder = shared_path("fixtures", "lists", "ofac_sdn_2021")
    return tuple(parse_source("ofac_sdn", sorted(folder.glob("*.csv"))).entities())


def _queries(entities: tuple[ListedEntity, ...]) -> list[Query]:
    rng = random.Random(7)
    picked = rng.sample(list(entities), 150)
    out: list[Query] = []
    for e in picked:
        name = e.caption
        out.append(
            Query(name, schema=e.schema if e.schema in ("Person", "Company") else "LegalEntity")
        )
        if len(name) > 6:  # one letter dropped: a typo
            i = rng.randrange(1, len(name) - 1)
            out.append(Query(name[:i] + name[i + 1 :]))
    out += [Query(n) for n in ("Nobody Known Here", "Alatau Foods LLP", "Иван Петров", "Bank")]
    return out


def test_array_index_screens_like_the_memory_index(tmp_path: Path) -> None:
    entities = _sdn()
    folder = build_array_index(entities, tmp_path / "idx", workers=2)
    array = Screener(index=ArrayIndex(folder))
    memory = Screener(entities)
    assert len(array) == len(memory) == len(entities)
    differ = []
    for query in _queries(entities):
        a = array.screen(query, limit=3)
        m = memory.screen(query, limit=3)
        top_a = (a[0].score, a[0].alert) if a else None
        top_m = (m[0].score, m[0].alert) if m else None
        if top_a != top_m:
            differ.append((query.name, top_a, top_m))
    assert differ == []


def test_identifiers_and_persistence(tmp_path: Path) -> None:
    entities = _sdn()
    with_inn = next(e for e in entities if e.get("innCode"))
    folder = build_array_index((*entities[:2000], with_inn), tmp_path / "idx")
    index = ArrayIndex(folder)
    found = Screener(index=index).by_identifier(with_inn.get("innCode")[0])
    assert [c.entity_id for c in found] == [with_inn.id]
    assert index.entities[len(index) - 1].id == with_inn.id
    # rebuilt in place: the old folder is replaced whole
    build_array_index(entities[:10], folder)
    assert len(ArrayIndex(folder)) == 10
    assert key_hash("t:sechin") == key_hash("t:sechin") != key_hash("t:sechim")


def test_stale_or_broken_index_is_refused(tmp_path: Path) -> None:
    folder = build_array_index(_sdn()[:5], tmp_path / "idx")
    meta = json.loads((folder / "meta.json").read_text())
    (folder / "meta.json").write_text(json.dumps(meta | {"version": 0}))
    with pytest.raises(StoreError, match="build it again"):
        ArrayIndex(folder)
    with pytest.raises(StoreError, match="no array index"):
        ArrayIndex(tmp_path / "missing")


def test_store_screener_switches_to_the_array_index(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """From ``CIRCUMSPECT_ARRAY_INDEX_MIN`` active entities on, ``Screener.from_store`` builds
    the array index once under ``$CIRCUMSPECT_HOME/index/`` and every later process maps it."""
    from circumspect.store import open_store

    monkeypatch.setenv("CIRCUMSPECT_HOME", str(tmp_path / "home"))
    store = open_store(f"sqlite:///{tmp_path / 'lists.sqlite'}")
    store.load("ofac_sdn", list(_sdn()[:3000]), checksum="sdn-3000")
    normal = Screener.from_store(store)
    monkeypatch.setenv("CIRCUMSPECT_ARRAY_INDEX_MIN", "1000")
    mapped = Screener.from_store(store)
    assert isinstance(mapped.index, ArrayIndex) and not isinstance(normal.index, ArrayIndex)
    folders = [p for p in (tmp_path / "home" / "index").iterdir() if p.name.startswith("array")]
    assert len(folders) == 1
    again = Screener.from_store(store)  # a second process: maps the same folder
    assert isinstance(again.index, ArrayIndex) and again.index.folder == folders[0]
    for entity in _sdn()[:3000:150]:
        query = Query(entity.caption)
        a, m = mapped.screen(query, limit=1), normal.screen(query, limit=1)
        assert (a[0].entity_id, a[0].score) == (m[0].entity_id, m[0].score)
    store.close()
