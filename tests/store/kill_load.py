"""Subprocess body for the kill -9 test: load a large generated list, reporting progress.

Usage: python -m tests.store.kill_load URL COUNT. Prints ``written N`` every 2,000 entities
(flushed) so the test can kill the process once rows are being written.
"""

from __future__ import annotations

import sys
from collections.abc import Iterator

from circumspect.model.entities import ListedEntity
from circumspect.store import open_store
from tests.store.helpers import generated


def _reporting(count: int) -> Iterator[ListedEntity]:
    for number, entity in enumerate(generated("ofac_sdn", count, start=1_000_000)):
        if number and number % 2000 == 0:
            print(f"written {number}", flush=True)
        yield entity


def main() -> None:
    url, count = sys.argv[1], int(sys.argv[2])
    store = open_store(url)
    snap = store.load("ofac_sdn", _reporting(count), checksum="never-finished")
    print(f"finished {snap.id}", flush=True)


if __name__ == "__main__":
    main()
