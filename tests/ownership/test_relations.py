"""Relationships stated by the lists -> FtM relationship entities that pass validation."""

from __future__ import annotations

import json
import subprocess
import sys
from functools import lru_cache
from pathlib import Path

from followthemoney import model

from circumspect.model.entities import ListedEntity
from circumspect.ownership.relations import ListRelation, extract, to_ftm
from circumspect.sources import parse_source
from tests.support import shared_path

FIXTURES = Path(__file__).resolve().parent.parent / "sources" / "fixtures"


@lru_cache(maxsize=1)
def _sdn() -> tuple[list[ListedEntity], list[ListRelation]]:
    folder = shared_path("fixtures", "lists", "ofac_sdn_2021")
    entities = list(parse_source("ofac_sdn", sorted(folder.glob("*.csv"))).entities())
    return entities, extract(entities)


def _valid(proxies: list[object]) -> None:
    for proxy in proxies:
        data = proxy.to_dict()  # type: ignore[attr-defined]
        schema = model.get(data["schema"])
        assert schema is not None
        schema.validate(data)  # raises InvalidData (required properties, value types)


def test_linked_to_on_the_real_sdn_fixture() -> None:
    entities, relations = _sdn()
    by_id = {e.id: e for e in entities}
    linked = [r for r in relations if r.role == "Linked To"]
    resolved = [r for r in linked if r.target]
    # 2,755 rows carry "Linked To:", some several times: 3,408 statements, 3,397 resolved
    # to exactly one entry of the list (report: docs/ownership.md)
    assert len({r.subject for r in linked}) >= 2755
    assert len(linked) == 3408
    assert len(resolved) == 3397
    transservice = next(e for e in entities if e.caption == "TRANSSERVICE LLC")
    (link,) = [r for r in relations if r.subject == transservice.id]
    assert link.target is not None and by_id[link.target].caption == "TRANSOIL"
    towards = [r for r in relations if r.target == link.target]
    assert transservice.id in {r.subject for r in towards}
    # unresolved ones say why
    assert all(r.unresolved for r in linked if not r.target)


def test_every_relation_is_valid_ftm(tmp_path: Path) -> None:
    _, relations = _sdn()
    proxies = [p for r in relations for p in to_ftm(r)]
    assert {p.schema.name for p in proxies} <= {"UnknownLink", "LegalEntity"}
    _valid(proxies)
    out = tmp_path / "rels.ftm.json"
    out.write_text("\n".join(json.dumps(p.to_dict()) for p in proxies) + "\n", encoding="utf-8")
    ftm = Path(sys.executable).with_name("ftm")
    result = subprocess.run(
        [str(ftm), "validate", "-i", str(out), "-o", str(tmp_path / "checked.json")],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert len((tmp_path / "checked.json").read_text().splitlines()) == len(proxies)


def test_uk_parent_and_subsidiaries(tmp_path: Path) -> None:
    header = (
        "Last Updated,Unique ID,OFSI Group ID,Name 6,Name 1,Name type,Regime Name,"
        "Group Type,Parent company,Subsidiaries\n"
    )
    path = tmp_path / "uk.csv"
    path.write_text(
        header
        + "01/01/2024,RUS1,1,ALPHA BANK,,Primary Name,Russia,Entity,,"
        + "(1) ALPHA LEASING (2) Unknown Co\n"
        + "01/01/2024,RUS2,2,ALPHA LEASING,,Primary Name,Russia,Entity,ALPHA BANK,\n",
        encoding="utf-8",
    )
    entities = list(parse_source("uk_fcdo", [path]).entities())
    relations = extract(entities)
    found = {(r.subject, r.role, r.target_text, r.target, r.subject_owns) for r in relations}
    bank, leasing = "uk-fcdo-RUS1", "uk-fcdo-RUS2"
    assert (bank, "Subsidiary", "ALPHA LEASING", leasing, True) in found
    assert (bank, "Subsidiary", "Unknown Co", None, True) in found
    assert (leasing, "Parent company", "ALPHA BANK", bank, False) in found
    proxies = [p for r in relations for p in to_ftm(r)]
    _valid(proxies)
    owns = [p for p in proxies if p.schema.name == "Ownership"]
    assert {(p.first("owner"), p.first("asset")) for p in owns} >= {(bank, leasing)}


def test_eu_associated_entities_remark(tmp_path: Path) -> None:
    path = tmp_path / "eu.xml"
    body = """
      <sanctionEntity logicalId="1">
        <subjectType code="enterprise" classificationCode="E"/>
        <nameAlias wholeName="Wagner Group" strong="true"/>
      </sanctionEntity>
      <sanctionEntity logicalId="2">
        <subjectType code="enterprise" classificationCode="E"/>
        <nameAlias wholeName="Concord LLC" strong="true"/>
        <remark>Associated entities: Wagner Group</remark>
      </sanctionEntity>"""
    path.write_text(
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        f'<export xmlns="http://eu.europa.ec/fpi/fsd/export">{body}</export>',
        encoding="utf-8",
    )
    entities = list(parse_source("eu_fsf", [path]).entities())
    (relation,) = extract(entities)
    assert relation.target == entities[0].id and relation.subject == entities[1].id
    _valid(to_ftm(relation))


def test_ofac_advanced_xml_relationships(tmp_path: Path) -> None:
    text = (FIXTURES / "ofac_advanced" / "sdn_advanced.xml").read_text(encoding="utf-8")
    text = text.replace(
        "</ReferenceValueSets>",
        '<RelationTypeValues><RelationType ID="1555">Owned or Controlled By</RelationType>'
        '<RelationType ID="91725">Linked To</RelationType></RelationTypeValues>'
        "</ReferenceValueSets>",
    ).replace(
        "<ProfileRelationships/>",
        "<ProfileRelationships>"
        '<ProfileRelationship ID="1" From-ProfileID="16666" To-ProfileID="306" '
        'RelationTypeID="1555" Former="false"/>'
        '<ProfileRelationship ID="2" From-ProfileID="306" To-ProfileID="99999" '
        'RelationTypeID="91725" Former="false"/>'
        "</ProfileRelationships>",
    )
    path = tmp_path / "sdn_advanced.xml"
    path.write_text(text, encoding="utf-8")
    entities = list(parse_source("ofac_sdn", [path]).entities())
    relations = {(r.subject, r.kind, r.role, r.target) for r in extract(entities)}
    schema = {e.id: e.schema for e in entities}
    kind = (
        "Ownership"
        if "Vessel" not in (schema["ofac-sdn-16666"], schema["ofac-sdn-306"])
        else "UnknownLink"
    )
    assert ("ofac-sdn-16666", kind, "Owned or Controlled By", "ofac-sdn-306") in relations
    assert ("ofac-sdn-306", "UnknownLink", "Linked To", None) in relations
    _valid([p for r in extract(entities) for p in to_ftm(r)])


def test_russian_parties_on_the_real_sdn_fixture() -> None:
    """Every entry under a Russia-aimed programme, or with a Russian country, is a Russian
    party; entries of other programmes without a Russian country are not."""
    from circumspect.ownership.service import russia_reason

    entities, _ = _sdn()
    reasons = {e.id: russia_reason(e) for e in entities}
    programs = {e.id: {str(p) for s in e.sanctions for p in s.get("program")} for e in entities}
    for entity in entities:
        progs = programs[entity.id]
        if any(p.startswith(("UKRAINE-EO1366", "CAATSA - RUSSIA")) for p in progs):
            assert reasons[entity.id], (entity.caption, progs)
        if progs and all(p in ("SDGT", "SDNTK", "IRAN", "DPRK", "CUBA") for p in progs):
            props = ("country", "nationality", "citizenship", "jurisdiction", "mainCountry")
            countries = {c for p in props for c in entity.get(p)}
            assert bool(reasons[entity.id]) == ("ru" in countries), (entity.caption, progs)
    russian = [e.caption for e in entities if reasons[e.id]]
    assert 0.04 < len(russian) / len(entities) < 0.15, len(russian)
    assert any("SECHIN" in c.upper() for c in russian)
