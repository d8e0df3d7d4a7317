"""App factory for the kill -9 test: ``uvicorn --factory tests.api.killapp:build``.

Serves a fixed list of ``KILL_ENTITIES`` people ("Listed Person N") from an in-memory store
with the exact-name test screener; the case database is ``$CIRCUMSPECT_DB``."""

from __future__ import annotations

import os

from fastapi import FastAPI

from circumspect.server import create_app
from circumspect.services.runtime import ApiConfig
from tests.cases.helpers import ExactScreener, MemoryStore, checksum, person

KILL_ENTITIES = 600


def build() -> FastAPI:
    store = MemoryStore()
    store.load(
        "ofac_sdn",
        [person("ofac_sdn", str(i), f"Listed Person {i}") for i in range(KILL_ENTITIES)],
        checksum=checksum("kill"),
    )
    snaps = {src: snap.id for src, snap in store.active_snapshots().items()}
    config = ApiConfig(
        db_url=os.environ["CIRCUMSPECT_DB"],
        store=store,
        screener=ExactScreener(store.iter_entities(), snapshot_ids=snaps),
        web=False,
        secret_key="kill-test",
    )
    return create_app(config)
