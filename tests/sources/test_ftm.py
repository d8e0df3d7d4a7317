"""FollowTheMoney JSON lines: write, read back, OpenSanctions-style input, errors."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest

from circumspect.errors import FormatMismatchError, ParseError
from circumspect.sources import parse_source
from circumspect.sources.ftm import read_entities, write_entities
from tests.sources.helpers import demo_files


@pytest.mark.parametrize("source", ["ofac_sdn", "un_sc", "eu_fsf", "uk_fcdo", "bis_dpl"])
def test_round_trip_of_every_demo_list(source: str, tmp_path: Path) -> None:
    original = list(parse_source(source, demo_files(source)).entities())
    buffer = io.StringIO()
    assert write_entities(original, buffer) == len(original)
    lines = [json.loads(line) for line in buffer.getvalue().splitlines()]
    assert all(line["datasets"] == [source] for line in lines)
    assert sum(1 for line in lines if line["schema"] == "Sanction") == len(original)

    back = list(read_entities(io.StringIO(buffer.getvalue())))
    assert [e.to_dict() for e in back] == [e.to_dict() for e in original]

    # the same through a file and parse_source (format detected, source checked)
    path = tmp_path / "export.ftm.json"
    path.write_text(buffer.getvalue(), encoding="utf-8")
    parsed = parse_source(source, [path])
    assert parsed.format == "ftm"
    assert [e.to_dict() for e in parsed.entities()] == [e.to_dict() for e in original]


def test_export_of_one_source_is_not_another_source(tmp_path: Path) -> None:
    path = tmp_path / "export.ftm.json"
    with path.open("w", encoding="utf-8") as fh:
        write_entities(parse_source("un_sc", demo_files("un_sc")).entities(), fh)
    with pytest.raises(FormatMismatchError, match="without any entity of source ofac_sdn"):
        parse_source("ofac_sdn", [path])


def test_opensanctions_file_is_not_a_list_source(tmp_path: Path) -> None:
    with pytest.raises(FormatMismatchError, match="opensanctions"):
        parse_source("ofac_sdn", [_opensanctions_file(tmp_path)])


OPENSANCTIONS = [
    {
        "id": "NK-sanc1",
        "schema": "Sanction",
        "properties": {
            "entity": ["NK-abc"],
            "authority": ["Office of Foreign Assets Control"],
            "program": ["RUSSIA-EO14024"],
            "listingDate": ["2022-04-06"],
        },
        "datasets": ["us_ofac_sdn"],
    },
    {
        "id": "NK-abc",
        "schema": "Company",
        "properties": {
            "name": ["Sberbank"],
            "alias": ["ПАО Сбербанк"],
            "swiftBic": ["SABRRUMM"],
            "innCode": ["7707083893"],
            "country": ["ru"],
        },
        "datasets": ["us_ofac_sdn", "eu_fsf"],
        "referents": ["ofac-17018"],
        "first_seen": "2022-04-06T00:00:00",
    },
    {"id": "addr-1", "schema": "Address", "properties": {"full": ["19 Vavilova St, Moscow"]}},
    {"id": "NK-pub", "schema": "PublicBody", "properties": {"name": ["Ministry of Defence"]}},
    {
        "id": "NK-sanc2",
        "schema": "Sanction",
        "properties": {"entity": ["NK-pub"], "authority": ["EU"], "program": ["UKR"]},
    },
    {"id": "Q1", "schema": "Person", "properties": {"name": ["Gennady Timchenko"]}},
]


def _opensanctions_file(tmp_path: Path) -> Path:
    path = tmp_path / "entities.ftm.json"
    path.write_text(
        "".join(json.dumps(d, ensure_ascii=False) + "\n" for d in OPENSANCTIONS), encoding="utf-8"
    )
    return path


def test_opensanctions_entities_with_sanctions_grouped(tmp_path: Path) -> None:
    parsed = parse_source("opensanctions", [_opensanctions_file(tmp_path)])
    entities = {e.source_id: e for e in parsed.entities()}
    assert sorted(entities) == ["NK-abc", "NK-pub", "Q1"]  # Address and Sanctions not entities
    sber = entities["NK-abc"]
    assert sber.id == "opensanctions-NK-abc"
    assert sber.source == "opensanctions"
    assert sber.get("swiftBic") == ["SABRRUMM"]
    assert [s.get("entity") for s in sber.sanctions] == [["opensanctions-NK-abc"]]
    assert sber.sanctions[0].get("listingDate") == ["2022-04-06"]
    assert entities["NK-pub"].schema == "Organization"  # PublicBody -> nearest kept schema
    assert entities["Q1"].sanctions == []


def test_unseekable_stream_is_buffered() -> None:
    class Stream(io.StringIO):
        def seekable(self) -> bool:
            return False

    text = "".join(json.dumps(d, ensure_ascii=False) + "\n" for d in OPENSANCTIONS)
    entities = list(read_entities(Stream(text), "opensanctions"))
    assert len(entities) == 3
    assert next(e for e in entities if e.source_id == "NK-abc").sanctions


@pytest.mark.parametrize(
    ("line", "problem"),
    [
        ("{not json", "invalid JSON"),
        ("[1, 2]", "JSON object"),
        ('{"id": "x", "schema": "Unicorn", "properties": {}}', "unknown FtM schema"),
        ('{"id": "x", "schema": "Person", "properties": {"name": "A"}}', "lists of strings"),
        ('{"schema": "Person", "properties": {}}', "without a string id"),
    ],
)
def test_bad_lines_name_the_line(tmp_path: Path, line: str, problem: str) -> None:
    path = tmp_path / "bad.ftm.json"
    good = json.dumps(OPENSANCTIONS[1], ensure_ascii=False)
    path.write_text(f"{good}\n{good}\n{line}\n", encoding="utf-8")
    with pytest.raises(ParseError) as info:
        list(parse_source("opensanctions", [path]).entities())
    assert info.value.line == 3 and problem in info.value.message


def test_mixed_export_loads_only_the_lines_of_the_source(tmp_path: Path) -> None:
    path = tmp_path / "all.ftm.json"
    with path.open("w", encoding="utf-8") as fh:
        write_entities(parse_source("un_sc", demo_files("un_sc")).entities(), fh)
        write_entities(parse_source("eu_fsf", demo_files("eu_fsf")).entities(), fh)
    eu = list(parse_source("eu_fsf", [path]).entities())
    assert eu and all(e.source == "eu_fsf" and e.id.startswith("eu-fsf-") for e in eu)
    assert len(eu) == len(list(parse_source("eu_fsf", demo_files("eu_fsf")).entities()))
    with pytest.raises(FormatMismatchError, match="without any entity"):
        parse_source("uk_fcdo", [path])


def test_multi_source_export_loads_as_opensanctions(tmp_path: Path) -> None:
    """OFAC SDN and consolidated lists share ent_nums: as one opensanctions snapshot the
    entities keep distinct ids (their FtM ids), not the lists' own ids."""
    path = tmp_path / "all.ftm.json"
    lines = [
        {
            "id": "ofac-sdn-18299",
            "schema": "Company",
            "datasets": ["ofac_sdn"],
            "source_id": "18299",
            "properties": {"name": ["ROSNEFT TRADING S.A."]},
        },
        {
            "id": "ofac-cons-18299",
            "schema": "Company",
            "datasets": ["ofac_cons"],
            "source_id": "18299",
            "properties": {"name": ["ROSNEFT TRADING S.A."]},
        },
    ]
    path.write_text("".join(json.dumps(x) + "\n" for x in lines), encoding="utf-8")
    entities = list(parse_source("opensanctions", [path]).entities())
    assert sorted(e.source_id for e in entities) == ["ofac-cons-18299", "ofac-sdn-18299"]
    assert len({e.id for e in entities}) == 2
    sdn = list(parse_source("ofac_sdn", [path]).entities())  # own export: the list's id
    assert [e.source_id for e in sdn] == ["18299"] and sdn[0].id == "ofac-sdn-18299"
