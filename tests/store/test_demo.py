"""The store's demo step loads the bundled demo lists and shows a diff."""

from __future__ import annotations

import json
from pathlib import Path

from circumspect.demo import DemoContext
from circumspect.demo import store as demo
from circumspect.store import open_store


def test_demo_step(tmp_path: Path) -> None:
    ctx = DemoContext(out=tmp_path / "out")
    summary = demo.run(ctx)
    assert "FAILED" not in summary
    assert "ofac_sdn snapshot 1 -> 2: 1 added, 0 removed, 1 changed" in summary
    store = open_store(ctx.shared["db_url"])
    try:
        active = store.active_snapshots()
        assert "ofac_sdn" in active and "un_sc" in active
        assert store.get_entity("ofac-sdn-90001") is not None
        assert len(store.snapshots("ofac_sdn")) == 2
    finally:
        store.close()
    diff = json.loads((ctx.out / "store" / "diff-ofac_sdn.json").read_text(encoding="utf-8"))
    kinds = {c["entity_id"]: c["kind"] for c in diff["changes"]}
    assert kinds == {"ofac-sdn-90001": "added", "ofac-sdn-16666": "changed"}
    status = json.loads((ctx.out / "store" / "status.json").read_text(encoding="utf-8"))
    assert status["ofac_sdn"]["id"] == "2"


def test_previous_publication_leaves_shipped_files_alone(tmp_path: Path) -> None:
    shipped = DemoContext(out=tmp_path).data / "lists" / "ofac_sdn"
    before = (shipped / "sdn.csv").read_bytes()
    older = demo.previous_ofac(shipped, tmp_path / "older")
    assert (shipped / "sdn.csv").read_bytes() == before
    data = (older / "sdn.csv").read_bytes()
    assert b'"90001"' not in data and b"90001," not in data
    assert data.endswith(b"\r\n\x1a") == before.endswith(b"\r\n\x1a")
