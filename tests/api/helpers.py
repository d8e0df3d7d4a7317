"""The API under test: an app over an in-memory store and exact screener, with one key per role."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from fastapi import FastAPI
from fastapi.testclient import TestClient

from circumspect.server import create_app
from circumspect.services.runtime import ApiConfig
from tests.cases.helpers import ExactScreener, MemoryStore, checksum, company, person


@dataclass
class Api:
    app: FastAPI
    client: TestClient
    store: MemoryStore
    keys: dict[str, str]

    def h(self, role: str) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.keys[role]}"}


def demo_store() -> MemoryStore:
    store = MemoryStore()
    store.load(
        "ofac_sdn",
        [
            person(
                "ofac_sdn",
                "1001",
                "Ivan Petrov",
                ("alias", "Иван Петров"),
                ("birthDate", "1965-04-12"),
            ),
            company("ofac_sdn", "1002", "Arctic Shipping LLC", ("swiftBic", "ARCTRUMM")),
        ],
        checksum=checksum("v1"),
    )
    store.load("eu_fsf", [person("eu_fsf", "77", "Нұрлан Әбенов")], checksum=checksum("e1"))
    return store


def make_api(tmp_path: Path, db_url: str | None = None, **kwargs: object) -> Api:
    store = demo_store()
    snaps = {src: snap.id for src, snap in store.active_snapshots().items()}
    screener = ExactScreener(store.iter_entities(), snapshot_ids=snaps)
    url = db_url or f"sqlite:///{tmp_path / 'api.sqlite'}"
    config = ApiConfig(db_url=url, screener=screener, store=store, **kwargs)  # type: ignore[arg-type]
    app = create_app(config)
    rt = app.state.runtime
    keys = {r: rt.cases.add_user(f"user-{r}", r)[1] for r in ("viewer", "analyst", "admin")}
    client = TestClient(app, raise_server_exceptions=False)
    return Api(app, client, store, keys)
