"""Format detection and the source/format checks of parse_source."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from circumspect.errors import FormatMismatchError, InputError, ParseError
from circumspect.sources import ACCEPTS, detect, parse_source
from tests.sources.helpers import FIXTURES, demo_files

EXPECTED = {
    "ofac_sdn": "ofac_csv",
    "un_sc": "un_xml",
    "eu_fsf": "eu_xml",
    "uk_fcdo": "uk_csv",
    "bis_dpl": "bis_dpl",
}


@pytest.mark.parametrize(("source", "fmt"), sorted(EXPECTED.items()))
def test_demo_files_are_detected(source: str, fmt: str) -> None:
    for path in demo_files(source):
        assert detect(path).format == fmt
    parsed = parse_source(source, demo_files(source))
    assert parsed.format == fmt and parsed.source == source
    assert len(parsed.checksum) == 64
    assert parsed.files == tuple(str(p) for p in demo_files(source))


def test_detection_uses_content_not_the_name(tmp_path: Path) -> None:
    disguised = tmp_path / "sdn.csv"
    shutil.copy(demo_files("un_sc")[0], disguised)
    assert detect(disguised).format == "un_xml"
    with pytest.raises(FormatMismatchError) as info:
        parse_source("ofac_sdn", [disguised])
    assert info.value.file == str(disguised)
    assert "UN Security Council" in info.value.message and "ofac_sdn" in info.value.message


@pytest.mark.parametrize("source", sorted(EXPECTED))
def test_every_other_demo_format_is_a_mismatch(source: str) -> None:
    for other, fmt in EXPECTED.items():
        if fmt in ACCEPTS[source]:
            continue
        with pytest.raises(FormatMismatchError):
            parse_source(source, demo_files(other))


def test_checksum_is_over_bytes_in_name_order(tmp_path: Path) -> None:
    files = demo_files("ofac_sdn")
    forward = parse_source("ofac_sdn", files).checksum
    backward = parse_source("ofac_sdn", list(reversed(files))).checksum
    assert forward == backward
    copy = tmp_path / "sdn"
    shutil.copytree(files[0].parent, copy)
    (copy / "add.csv").write_bytes((copy / "add.csv").read_bytes().replace(b"Havana", b"Havanna"))
    assert parse_source("ofac_sdn", sorted(copy.iterdir())).checksum != forward


def test_empty_file(tmp_path: Path) -> None:
    path = tmp_path / "sdn.csv"
    path.write_bytes(b"\r\n\x1a")
    with pytest.raises(ParseError, match="empty file") as info:
        parse_source("ofac_sdn", [path])
    assert info.value.file == str(path)


def test_binary_garbage_is_no_known_format(tmp_path: Path) -> None:
    path = tmp_path / "list.bin"
    path.write_bytes(bytes(range(256)) * 4)
    with pytest.raises(FormatMismatchError, match="not a supported list format"):
        parse_source("un_sc", [path])


def test_mixed_formats_are_refused(tmp_path: Path) -> None:
    export = tmp_path / "x.ftm.json"
    export.write_text(
        '{"id": "a", "schema": "Person", "properties": {}, "datasets": ["ofac_sdn"]}\n',
        encoding="utf-8",
    )
    with pytest.raises(FormatMismatchError, match="different formats"):
        parse_source("ofac_sdn", [*demo_files("ofac_sdn"), export])


def test_unknown_source_missing_file_and_no_files(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="unknown source"):
        parse_source("interpol", demo_files("un_sc"))
    with pytest.raises(ParseError, match="file not found"):
        parse_source("un_sc", [tmp_path / "missing.xml"])
    with pytest.raises(InputError, match="no files"):
        parse_source("un_sc", [])


def test_advanced_xml_is_detected() -> None:
    found = detect(FIXTURES / "ofac_advanced" / "sdn_advanced.xml")
    assert found.format == "ofac_xml" and found.variant == "sdn"


def test_consolidated_csv_as_sdn_is_a_mismatch(tmp_path: Path) -> None:
    for path in demo_files("ofac_sdn"):
        name = {
            "sdn.csv": "cons_prim.csv",
            "alt.csv": "cons_alt.csv",
            "add.csv": "cons_add.csv",
            "sdn_comments.csv": "cons_comments.csv",
        }[path.name]
        shutil.copy(path, tmp_path / name)
    with pytest.raises(FormatMismatchError, match="ofac_cons"):
        parse_source("ofac_sdn", sorted(tmp_path.iterdir()))
    entities = list(parse_source("ofac_cons", sorted(tmp_path.iterdir())).entities())
    assert entities and all(e.id.startswith("ofac-cons-") for e in entities)


def test_duplicate_record_ids_are_refused(tmp_path: Path) -> None:
    first = tmp_path / "a.xml"
    second = tmp_path / "b.xml"
    shutil.copy(demo_files("un_sc")[0], first)
    shutil.copy(demo_files("un_sc")[0], second)
    with pytest.raises(ParseError, match="occurs twice") as info:
        list(parse_source("un_sc", [first, second]).entities())
    assert info.value.record == "6907995"


def test_utf16_file_is_refused_with_the_reason(tmp_path: Path) -> None:
    from circumspect.errors import CircumspectError

    path = tmp_path / "UK_Sanctions_List.csv"
    path.write_bytes("Report Date: 01-Jan-2026\nName 6,Name 1,Unique ID\n".encode("utf-16"))
    with pytest.raises(CircumspectError, match="UTF-16"):
        detect(path)
