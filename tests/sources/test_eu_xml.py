"""EU Financial Sanctions Files XML (xmlFullSanctionsList_1_1).

No real EU file is in ../shared: the demo file ``circumspect/data/demo/lists/eu_fsf/
xmlFullSanctionsList_1_1.xml`` was written by hand from the published format (namespace
``http://eu.europa.ec/fpi/fsd/export``, attribute-borne ``nameAlias``, ``birthdate``,
``citizenship``, ``address``, ``identification``, ``regulation``) and is the fixture here,
with small inline documents for the edge cases.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from circumspect.errors import ParseError
from circumspect.sources import parse_source
from tests.sources.helpers import demo_files


def test_demo_eu_file() -> None:
    parsed = parse_source("eu_fsf", demo_files("eu_fsf"))
    assert parsed.format == "eu_xml"
    entities = {e.source_id: e for e in parsed.entities()}
    assert len(entities) == 7
    sber = entities["139567"]
    assert sber.id == "eu-fsf-139567"
    assert sber.caption == "Public Joint Stock Company Sberbank of Russia"
    assert "ПАО Сбербанк" in sber.get("alias")
    assert sber.get("weakAlias") == ["Sber"]  # strong="false"
    assert sber.get("swiftBic") == ["SABRRUMM"]
    assert sber.get("innCode") == ["7707083893"]
    assert sber.get("ogrnCode") == ["1027700132195"]
    assert sber.sanctions[0].get("listingDate") == ["2022-06-03"]
    assert sber.sanctions[0].get("authorityId") == ["EU.7218.58"]
    timchenko = entities["13305"]
    assert timchenko.schema == "Person"
    assert timchenko.get("birthDate") == ["1952-11-09"]
    assert sorted(timchenko.get("nationality")) == ["am", "fi", "ru"]
    assert "Геннадий Николаевич Тимченко" in timchenko.get("alias")
    assert timchenko.get("lastName") == ["Timchenko"]
    arlan = entities["990001"]
    assert arlan.get("registrationNumber") == ["220640001232"]
    assert arlan.get("taxNumber") == ["220640001232"]
    ospanov = entities["990002"]
    assert ospanov.get("idNumber") == ["850314301234"]
    assert ospanov.get("passportNumber") == ["N12345678"]


def _write(tmp_path: Path, body: str) -> Path:
    path = tmp_path / "eu.xml"
    path.write_text(
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        f'<export xmlns="http://eu.europa.ec/fpi/fsd/export">{body}</export>',
        encoding="utf-8",
    )
    return path


def test_names_from_parts_and_weak_primary(tmp_path: Path) -> None:
    path = _write(
        tmp_path,
        """
      <sanctionEntity logicalId="5">
        <subjectType code="person" classificationCode="P"/>
        <nameAlias firstName="Ivan" lastName="Petrov" strong="true"/>
        <nameAlias wholeName="Vanya" strong="false"/>
        <birthdate year="1970" circa="true"/>
      </sanctionEntity>""",
    )
    (entity,) = parse_source("eu_fsf", [path]).entities()
    assert entity.caption == "Ivan Petrov"
    assert entity.get("weakAlias") == ["Vanya"]
    assert entity.get("birthDate") == ["1970"]


def test_entity_without_logical_id_is_a_parse_error(tmp_path: Path) -> None:
    path = _write(tmp_path, '\n<sanctionEntity><nameAlias wholeName="X"/></sanctionEntity>')
    with pytest.raises(ParseError) as info:
        list(parse_source("eu_fsf", [path]).entities())
    assert info.value.line == 3 and "logicalId" in info.value.message


def test_entity_without_name_names_the_record(tmp_path: Path) -> None:
    path = _write(
        tmp_path, '<sanctionEntity logicalId="77"><nameAlias wholeName=""/></sanctionEntity>'
    )
    with pytest.raises(ParseError) as info:
        list(parse_source("eu_fsf", [path]).entities())
    assert info.value.record == "77"


def test_invalid_encoding_is_a_parse_error(tmp_path: Path) -> None:
    path = tmp_path / "eu.xml"
    path.write_bytes(
        b'<?xml version="1.0" encoding="UTF-8"?>\n<export>'
        b'<sanctionEntity logicalId="1"><nameAlias wholeName="\xff\xfe"/>'
        b"</sanctionEntity></export>"
    )
    with pytest.raises(ParseError) as info:
        list(parse_source("eu_fsf", [path]).entities())
    assert info.value.file == str(path) and info.value.line == 2
