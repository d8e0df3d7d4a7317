"""Fuzz every parser with mutated demo/fixture bytes: the only error allowed out is
``ParseError`` (which includes ``FormatMismatchError``), never a crash.

Kept fast (well under 30 s): a bounded number of examples per format, small inputs.
"""

from __future__ import annotations

import tempfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from circumspect.errors import ParseError
from circumspect.sources import parse_source
from tests.sources.helpers import FIXTURES, demo_files

CASES: list[tuple[str, Path]] = [
    ("ofac_sdn", demo_files("ofac_sdn")[2]),  # sdn.csv
    ("ofac_sdn", demo_files("ofac_sdn")[1]),  # alt.csv (with sdn.csv beside it)
    ("ofac_sdn", FIXTURES / "ofac_advanced" / "sdn_advanced.xml"),
    ("un_sc", demo_files("un_sc")[0]),
    ("eu_fsf", demo_files("eu_fsf")[0]),
    ("uk_fcdo", demo_files("uk_fcdo")[0]),
    ("bis_dpl", demo_files("bis_dpl")[0]),
]


@st.composite
def mutations(draw: st.DrawFn, data: bytes) -> bytes:
    out = bytearray(data)
    for _ in range(draw(st.integers(1, 6))):
        kind = draw(st.sampled_from(["flip", "insert", "delete", "truncate", "dup"]))
        if not out:
            break
        at = draw(st.integers(0, len(out) - 1))
        if kind == "flip":
            out[at] = draw(st.integers(0, 255))
        elif kind == "insert":
            chunk = draw(
                st.sampled_from(
                    [
                        b",",
                        b"\t",
                        b'"',
                        b"<",
                        b">",
                        b"\x00",
                        b"\xff",
                        b"\r\n",
                        b"-0- ",
                        b"&amp;",
                        b"]]>",
                        b"{",
                        b"\xd0",
                    ]
                )
            )
            out[at:at] = chunk
        elif kind == "delete":
            del out[at : at + draw(st.integers(1, 64))]
        elif kind == "truncate":
            del out[at:]
        else:
            out[at:at] = out[at : at + draw(st.integers(1, 200))]
    return bytes(out)


def _run(source: str, original: Path, mutated: bytes) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        paths = []
        if original.parent.name == "ofac_sdn" and original.name != "sdn.csv":
            for sibling in demo_files("ofac_sdn"):
                if sibling.name == "sdn.csv":
                    (folder / sibling.name).write_bytes(sibling.read_bytes())
                    paths.append(folder / sibling.name)
        target = folder / original.name
        target.write_bytes(mutated)
        paths.append(target)
        try:
            parsed = parse_source(source, paths)
            for entity in parsed.entities():
                assert entity.id and entity.source == source
                entity.to_dict()
        except ParseError as exc:
            assert exc.message
            assert exc.file is not None or "different formats" in exc.message


@pytest.mark.parametrize(("source", "path"), CASES, ids=[f"{s}-{p.name}" for s, p in CASES])
def test_mutated_inputs_only_raise_parse_error(source: str, path: Path) -> None:
    data = path.read_bytes()

    @settings(
        max_examples=60,
        deadline=None,
        derandomize=True,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
    )
    @given(mutations(data))
    def check(mutated: bytes) -> None:
        _run(source, path, mutated)

    check()


@settings(max_examples=80, deadline=None, derandomize=True)
@given(
    st.binary(max_size=300),
    st.sampled_from(["ofac_sdn", "un_sc", "eu_fsf", "uk_fcdo", "bis_dpl", "opensanctions"]),
)
def test_random_bytes_only_raise_parse_error(data: bytes, source: str) -> None:
    _run(source, Path("list.dat"), data)


@settings(max_examples=60, deadline=None, derandomize=True)
@given(
    st.lists(
        st.dictionaries(
            st.sampled_from(["id", "schema", "properties", "datasets"]),
            st.one_of(
                st.text(max_size=8),
                st.integers(),
                st.lists(st.text(max_size=5), max_size=2),
                st.dictionaries(
                    st.sampled_from(["name", "entity", "birthDate"]),
                    st.lists(st.text(max_size=6), max_size=2),
                ),
            ),
            max_size=4,
        ),
        min_size=1,
        max_size=4,
    )
)
def test_random_ftm_lines_only_raise_parse_error(records: list[dict[str, object]]) -> None:
    import json

    text = "\n".join(json.dumps(r) for r in records) + "\n"
    _run("opensanctions", Path("entities.ftm.json"), text.encode("utf-8"))
