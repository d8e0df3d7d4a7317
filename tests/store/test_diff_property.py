"""Property test: a diff is exactly the set arithmetic of the two loads (SQLite)."""

from __future__ import annotations

import uuid
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from circumspect.model.entities import ListedEntity
from circumspect.store import open_store
from tests.store.helpers import person

# id -> name variant (0..2); a changed variant is a changed entity
versions = st.dictionaries(st.integers(0, 30), st.integers(0, 2), max_size=25)


@settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(old=versions, new=versions)
def test_diff_matches_set_arithmetic(
    tmp_path: Path, old: dict[int, int], new: dict[int, int]
) -> None:
    store = open_store(f"sqlite:///{tmp_path / uuid.uuid4().hex}.sqlite")
    try:

        def entities(spec: dict[int, int]) -> list[ListedEntity]:
            return [person("un_sc", str(k), f"NAME {k} v{v}") for k, v in sorted(spec.items())]

        store.load("un_sc", entities(old), checksum="old")
        store.load("un_sc", entities(new), checksum="new")
        diff = store.diff("un_sc")
        got = {(c.kind, c.entity_id) for c in diff.changes}
        expected = (
            {("added", f"un-sc-{k}") for k in set(new) - set(old)}
            | {("removed", f"un-sc-{k}") for k in set(old) - set(new)}
            | {("changed", f"un-sc-{k}") for k in set(old) & set(new) if old[k] != new[k]}
        )
        assert got == expected
        for change in diff.changes:
            if change.kind == "changed":
                key = int(change.entity_id.rsplit("-", 1)[1])
                assert change.properties == {
                    "name": {"old": [f"NAME {key} v{old[key]}"], "new": [f"NAME {key} v{new[key]}"]}
                }
    finally:
        store.close()
