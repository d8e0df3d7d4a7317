"""A candidate index in array storage, for lists of a million entities.

:class:`~circumspect.matching.index.CandidateIndex` keeps every compiled entity as Python
objects (about 15 KB each with its postings): fine for the official lists (10,000 entries),
about 15 GB for a million. :class:`ArrayIndex` keeps the same blocking keys in flat arrays
written once to a folder and opened memory-mapped, so every process that opens the folder
shares one copy in the page cache:

* ``keys.npy`` (uint64, sorted): an 8-byte BLAKE2b hash of each blocking key
  (:func:`~circumspect.matching.index.name_keys`, ``i:``/``r:`` identifier keys);
* ``offsets.npy`` (int64) and ``postings.npy`` (int32): CSR postings, entity positions per key;
* ``records.bin`` and ``record_offsets.npy``: per entity, a marshalled tuple of what
  :class:`~circumspect.matching.prepare.IndexedEntity` needs before compilation (id, source,
  source id, caption, schema, names, weak flags, identifier keys, countries, birth dates).

A query ranks entities exactly as ``CandidateIndex.candidates`` does (inverse document
frequency of the shared keys, the same cut-offs); only the entities it returns are compiled,
on demand, and kept in a bounded cache. A hash collision (two keys with one 64-bit hash, about
one chance in 10^8 at 10^7 keys) can only add candidates, which the scorer then rejects.
"""

from __future__ import annotations

import hashlib
import json
import marshal
import os
from collections import OrderedDict
from collections.abc import Callable, Iterable, Iterator, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from circumspect.errors import StoreError
from circumspect.matching.compare import CompiledName, compile_name
from circumspect.matching.index import cut, entity_keys, ranked_numpy, weighted_postings
from circumspect.matching.prepare import IndexedEntity, index_entity

if TYPE_CHECKING:
    import numpy as np
    import numpy.typing as npt

    from circumspect.model.entities import ListedEntity

#: Bump when the folder layout or the record tuple changes.
ARRAY_INDEX_VERSION = 1
#: Compiled entities kept per process.
CACHE_SIZE = 50_000


def key_hash(key: str) -> int:
    """The stable 64-bit hash of a blocking key (the same in every process and run)."""
    return int.from_bytes(hashlib.blake2b(key.encode(), digest_size=8).digest(), "little")


def entity_record(entity: IndexedEntity) -> tuple[Any, ...]:
    """What is stored per entity: enough to compile it again, nothing compiled."""
    return (
        entity.id,
        entity.source,
        entity.source_id,
        entity.caption,
        entity.schema,
        tuple(n.text for n in entity.names),
        tuple(entity.weak),
        tuple(sorted(entity.ids)),
        tuple(sorted(entity.raw_ids)),
        tuple(sorted(entity.countries)),
        tuple(entity.birth_dates),
    )


def _compile_record(record: tuple[Any, ...]) -> IndexedEntity:
    eid, source, source_id, caption, schema, names, weak, ids, raw, countries, births = record
    compiled: list[CompiledName] = []
    kept_weak: list[bool] = []
    for text, is_weak in zip(names, weak, strict=True):
        name = compile_name(text, schema)
        if not name.empty:
            compiled.append(name)
            kept_weak.append(is_weak)
    return IndexedEntity(
        id=eid,
        source=source,
        source_id=source_id,
        caption=caption,
        schema=schema,
        names=tuple(compiled),
        ids=frozenset(ids),
        raw_ids=frozenset(raw),
        countries=frozenset(countries),
        birth_dates=tuple(births),
        weak=tuple(kept_weak),
    )


def _prepare_one(entity: ListedEntity) -> tuple[tuple[Any, ...], list[int]]:
    indexed = index_entity(entity)
    return entity_record(indexed), [key_hash(k) for k in entity_keys(indexed)]


def build_array_index(
    entities: Iterable[ListedEntity],
    folder: Path,
    *,
    workers: int = 1,
    progress: Callable[[int], None] | None = None,
) -> Path:
    """Compile ``entities`` and write the array index to ``folder`` (replaced atomically:
    written beside it, then renamed). ``workers`` processes compile in parallel."""
    import multiprocessing as mp
    import shutil
    import sys

    import numpy as np

    folder = Path(folder)
    tmp = folder.with_name(f".{folder.name}.tmp-{os.getpid()}")
    if tmp.exists():
        shutil.rmtree(tmp)
    tmp.mkdir(parents=True)
    hashes: list[npt.NDArray[np.uint64]] = []
    positions: list[npt.NDArray[np.int32]] = []
    offsets: list[int] = [0]
    count = 0
    with (tmp / "records.bin").open("wb") as blob:

        def take(item: tuple[tuple[Any, ...], list[int]]) -> None:
            nonlocal count
            record, keys = item
            data = marshal.dumps(record)
            blob.write(data)
            offsets.append(offsets[-1] + len(data))
            hashes.append(np.asarray(keys, dtype=np.uint64))
            positions.append(np.full(len(keys), count, dtype=np.int32))
            count += 1
            if progress is not None and count % 10_000 == 0:
                progress(count)

        if workers > 1 and sys.platform.startswith("linux"):
            with mp.get_context("fork").Pool(workers) as pool:
                for item in pool.imap(_prepare_one, entities, chunksize=256):
                    take(item)
        else:
            for entity in entities:
                take(_prepare_one(entity))
    all_hashes = np.concatenate(hashes) if hashes else np.zeros(0, dtype=np.uint64)
    all_positions = np.concatenate(positions) if positions else np.zeros(0, dtype=np.int32)
    hashes.clear()
    positions.clear()
    order = np.lexsort((all_positions, all_hashes))
    all_hashes, all_positions = all_hashes[order], all_positions[order]
    keys, starts = np.unique(all_hashes, return_index=True)
    key_offsets = np.append(starts, len(all_hashes)).astype(np.int64)
    np.save(tmp / "keys.npy", keys)
    np.save(tmp / "offsets.npy", key_offsets)
    np.save(tmp / "postings.npy", all_positions)
    np.save(tmp / "record_offsets.npy", np.asarray(offsets, dtype=np.int64))
    meta = {"version": ARRAY_INDEX_VERSION, "entities": count, "keys": len(keys)}
    (tmp / "meta.json").write_text(json.dumps(meta), encoding="utf-8")
    if folder.exists():
        old = folder.with_name(f".{folder.name}.old-{os.getpid()}")
        folder.rename(old)
        tmp.rename(folder)
        shutil.rmtree(old)
    else:
        tmp.rename(folder)
    return folder


class _LazyEntities(Sequence[IndexedEntity]):
    """Entities by position, compiled on first use and kept in a bounded cache."""

    def __init__(self, index: ArrayIndex) -> None:
        self._index = index
        self._cache: OrderedDict[int, IndexedEntity] = OrderedDict()

    def __len__(self) -> int:
        return self._index.size

    def __getitem__(self, pos: int) -> IndexedEntity:  # type: ignore[override]
        found = self._cache.get(pos)
        if found is not None:
            self._cache.move_to_end(pos)
            return found
        if not 0 <= pos < self._index.size:
            raise IndexError(pos)
        entity = _compile_record(self._index.record(pos))
        self._cache[pos] = entity
        if len(self._cache) > CACHE_SIZE:
            self._cache.popitem(last=False)
        return entity

    def __iter__(self) -> Iterator[IndexedEntity]:
        for pos in range(len(self)):
            yield self[pos]


class ArrayIndex:
    """The candidate index of a folder written by :func:`build_array_index`, memory-mapped.

    It answers what :class:`~circumspect.matching.screener.Screener` asks of an index
    (``candidates``, ``lookup_ids``, ``entities[pos]``, ``len``), so
    ``Screener(index=ArrayIndex(folder))`` screens against it unchanged."""

    def __init__(self, folder: Path) -> None:
        import numpy as np

        folder = Path(folder)
        try:
            meta = json.loads((folder / "meta.json").read_text(encoding="utf-8"))
        except (OSError, ValueError) as exc:
            raise StoreError(f"no array index in {folder}: {exc}") from exc
        if meta.get("version") != ARRAY_INDEX_VERSION:
            raise StoreError(
                f"array index in {folder} has version {meta.get('version')}, "
                f"expected {ARRAY_INDEX_VERSION}: build it again"
            )
        self.folder = folder
        self.size = int(meta["entities"])
        self.keys: npt.NDArray[np.uint64] = np.load(folder / "keys.npy", mmap_mode="r")
        self.offsets: npt.NDArray[np.int64] = np.load(folder / "offsets.npy", mmap_mode="r")
        self.postings: npt.NDArray[np.int32] = np.load(folder / "postings.npy", mmap_mode="r")
        self.record_offsets: npt.NDArray[np.int64] = np.load(
            folder / "record_offsets.npy", mmap_mode="r"
        )
        self.records = np.memmap(folder / "records.bin", dtype=np.uint8, mode="r")
        if len(self.record_offsets) != self.size + 1:
            raise StoreError(f"array index in {folder} is inconsistent: rebuild it")
        self.entities = _LazyEntities(self)

    def __len__(self) -> int:
        return self.size

    def record(self, pos: int) -> tuple[Any, ...]:
        start, end = int(self.record_offsets[pos]), int(self.record_offsets[pos + 1])
        value: tuple[Any, ...] = marshal.loads(self.records[start:end].tobytes())
        return value

    def _posting(self, key: str) -> npt.NDArray[np.int32] | None:
        import numpy as np

        h = np.uint64(key_hash(key))
        i = int(np.searchsorted(self.keys, h))
        if i >= len(self.keys) or self.keys[i] != h:
            return None
        return self.postings[int(self.offsets[i]) : int(self.offsets[i + 1])]

    def lookup_ids(self, keys: Iterable[str]) -> list[int]:
        found: set[int] = set()
        for key in keys:
            plist = self._posting(key)
            if plist is not None:
                found.update(int(p) for p in plist)
        return sorted(found)

    def candidates(self, name: CompiledName, limit: int) -> list[int]:
        """Up to ``limit`` positions, ranked as ``CandidateIndex.candidates`` ranks them."""
        if not self.size:
            return []
        chosen = weighted_postings(name, self._posting, self.size)
        return cut(ranked_numpy(chosen, limit)) if chosen else []
