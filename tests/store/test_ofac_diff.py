"""Diffs on the real OFAC SDN 2021 extract (../shared): a reload changes nothing, a modified
copy shows exactly the modification."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from circumspect.sources import parse_source
from circumspect.store import open_store
from circumspect.store.loading import load_paths
from tests.support import shared_path

NEW_ROW = (
    b'99999,"ARLAN TEST TRADING LLP",-0- ,"RUSSIA-EO14024",-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,-0- '
)


@pytest.mark.shared
@pytest.mark.slow
def test_ofac_sdn_reload_and_modified_copy(tmp_path: Path) -> None:
    folder = shared_path("fixtures", "lists", "ofac_sdn_2021")
    files = sorted(folder.iterdir())
    store = open_store(f"sqlite:///{tmp_path / 'store.sqlite'}")
    try:
        first = load_paths(store, "ofac_sdn", files)
        assert first.snapshot.entity_count == 8976
        assert store.count_entities(first.snapshot.id) == 8976

        again = load_paths(store, "ofac_sdn", files)
        assert again.snapshot.checksum == first.snapshot.checksum
        assert store.diff("ofac_sdn").changes == []

        copy = tmp_path / "modified"
        shutil.copytree(folder, copy)
        for path in copy.iterdir():
            path.chmod(0o644)
        sdn = copy / "sdn.csv"
        data = sdn.read_bytes()
        lines = data.split(b"\r\n")
        assert lines[0].startswith(b"36,") and lines[2].startswith(b"306,")
        lines[2] = lines[2].replace(b'"BANCO NACIONAL DE CUBA"', b'"BANCO NACIONAL DE CUBA HAVANA"')
        del lines[1]  # 173 ANGLO-CARIBBEAN CO., LTD. (no alt/add rows)
        lines.insert(3, NEW_ROW)
        sdn.write_bytes(b"\r\n".join(lines))
        parsed = parse_source("ofac_sdn", sorted(copy.iterdir()))
        assert parsed.checksum != first.snapshot.checksum

        modified = load_paths(store, "ofac_sdn", sorted(copy.iterdir()))
        assert modified.snapshot.entity_count == 8976
        assert modified.changes == {"added": 1, "removed": 1, "changed": 1}
        diff = store.diff("ofac_sdn")
        by_kind = {c.kind: c for c in diff.changes}
        assert by_kind["added"].entity_id == "ofac-sdn-99999"
        assert by_kind["removed"].entity_id == "ofac-sdn-173"
        assert by_kind["changed"].entity_id == "ofac-sdn-306"
        assert by_kind["changed"].properties == {
            "name": {"old": ["BANCO NACIONAL DE CUBA"], "new": ["BANCO NACIONAL DE CUBA HAVANA"]}
        }
        # and back: the original snapshot compared with the modified one, explicitly
        back = store.diff("ofac_sdn", from_id=modified.snapshot.id, to_id=first.snapshot.id)
        assert back.counts() == {"added": 1, "removed": 1, "changed": 1}
    finally:
        store.close()
