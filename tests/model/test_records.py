"""The listed record carried by every hit (issue 12): list, programmes, authority, listing
date, identifiers, addresses, remarks, "Linked To" names and source URL, on the real lists."""

from __future__ import annotations

import csv
import json
from functools import cache
from pathlib import Path

from fastapi.encoders import jsonable_encoder

from circumspect.api.schemas import CandidateOut
from circumspect.cases.service import candidate_dict
from circumspect.matching import Screener
from circumspect.matching.batch import SCREEN_COLUMNS, screen_file
from circumspect.model.entities import ListedEntity, make_entity_id, new_proxy
from circumspect.model.records import candidate_json, listed_record, record_layout
from circumspect.model.screening import Query, SourceRef
from circumspect.sources import parse_source
from circumspect.store import open_store
from circumspect.tabular import read_xlsx_rows
from tests.support import shared_path


@cache
def _parsed(source: str, folder: str, pattern: str) -> tuple[ListedEntity, ...]:
    path = shared_path("fixtures", "lists", folder)
    return tuple(parse_source(source, sorted(path.glob(pattern))).entities())


def _find(entities: tuple[ListedEntity, ...], caption: str) -> ListedEntity:
    return next(e for e in entities if e.caption.upper() == caption.upper())


def test_sdn_record_has_program_address_link_and_url() -> None:
    entity = _find(_parsed("ofac_sdn", "ofac_sdn_2021", "*.csv"), "TRANSSERVICE LLC")
    record = listed_record(entity)
    assert record.list == "SDN"
    assert record.programs == ("UKRAINE-EO13661",)
    assert "OFAC" in record.authority
    assert record.linked == ("TRANSOIL",)
    assert any("Omsk" in a for a in record.addresses)
    assert record.countries == ("ru",)
    assert record.source_url is not None and record.source_url.endswith("id=19028")


def test_sdn_records_carry_identifiers_of_the_list() -> None:
    entities = _parsed("ofac_sdn", "ofac_sdn_2021", "*.csv")
    with_inn = [e for e in entities if e.get("innCode")]
    assert with_inn
    for entity in with_inn:
        kinds = {i.kind: i.value for i in listed_record(entity).identifiers}
        assert kinds["innCode"] == entity.get("innCode")[0]
    vessels = [e for e in entities if e.get("imoNumber")]
    assert all(any(i.kind == "imoNumber" for i in listed_record(v).identifiers) for v in vessels)


def test_un_record_names_the_committee_list_and_listing_date() -> None:
    entities = _parsed("un_sc", "un", "*.xml")
    lists = {listed_record(e).list for e in entities}
    assert {"UN 1267", "UN 1988", "UN 1718"} <= lists
    assert "UN" not in lists  # every UN entry resolved to its regime
    for entity in entities[:200]:
        record = listed_record(entity)
        refs = [str(v) for s in entity.sanctions for v in s.get("programId")]
        assert record.source_url and record.source_url.startswith("https://main.un.org/")
        dates = [str(v) for s in entity.sanctions for v in s.get("listingDate")]
        assert record.listing_date == (min(dates) if dates else None), refs


def test_dpl_and_csl_records() -> None:
    dpl = _parsed("bis_dpl", "bis_dpl", "*")
    record = listed_record(dpl[0])
    assert record.list == "DPL" and "BIS" in record.authority and record.listing_date
    csl = _parsed("us_csl", "us_csl", "*")
    sublists = {listed_record(e).list for e in csl}
    assert {e.sublist for e in csl if e.sublist} == sublists - {"us_csl"}


def _entity(source_id: str, name: str, notes: str = "") -> ListedEntity:
    entity_id = make_entity_id("ofac_sdn", source_id)
    sanction = new_proxy(
        "Sanction",
        f"{entity_id}-s",
        [("entity", entity_id), ("program", "RUSSIA-EO14024"), ("listingDate", "2022-02-24")],
    )
    proxy = new_proxy(
        "Company",
        entity_id,
        [("name", name), ("notes", notes), ("innCode", "7707083893"), ("address", "Moscow")],
    )
    return ListedEntity(proxy=proxy, source="ofac_sdn", source_id=source_id, sanctions=[sanction])


def _screener() -> Screener:
    return Screener([_entity("501", "Volga Tractor Plant JSC", "Linked To: VOLGA HOLDING.")])


def test_every_hit_carries_the_record_in_the_one_json_form() -> None:
    found = _screener().screen(Query("Volga Tractor Plant", schema="Company"))
    data = json.loads(json.dumps(candidate_json(found[0])))
    record = data["record"]
    assert record["list"] == "SDN" and record["programs"] == ["RUSSIA-EO14024"]
    assert record["listing_date"] == "2022-02-24"
    assert record["identifiers"] == [{"kind": "innCode", "value": "7707083893"}]
    assert record["linked"] == ["VOLGA HOLDING"]
    assert record["addresses"] == ["Moscow"]


def test_screen_file_writes_the_record_columns(tmp_path: Path) -> None:
    inp = tmp_path / "in.csv"
    inp.write_text("query_id,name,schema\nq1,Volga Tractor Plant,Company\n", encoding="utf-8")
    out = tmp_path / "out.csv"
    screen_file(_screener(), inp, out, limit=2)
    with out.open(encoding="utf-8", newline="") as fh:
        rows = list(csv.DictReader(fh))
    assert tuple(rows[0]) == SCREEN_COLUMNS
    row = rows[0]
    assert row["list"] == "SDN" and row["programs"] == "RUSSIA-EO14024"
    assert row["listing_date"] == "2022-02-24"
    assert row["identifiers"] == "innCode: 7707083893"
    assert row["linked"] == "VOLGA HOLDING"
    assert row["source_url"].endswith("id=501")


def test_screen_file_xlsx_has_the_record_columns(tmp_path: Path) -> None:
    inp = tmp_path / "in.csv"
    inp.write_text("query_id,name,schema\nq1,Volga Tractor Plant,Company\n", encoding="utf-8")
    out = tmp_path / "out.xlsx"
    screen_file(_screener(), inp, out, limit=2)
    header, first = list(read_xlsx_rows(out))[:2]
    row = dict(zip(header, first, strict=True))
    assert tuple(header) == SCREEN_COLUMNS
    assert row["list"] == "SDN" and row["authority"].startswith("US Office of Foreign Assets")
    assert row["identifiers"] == "innCode: 7707083893" and row["addresses"] == "Moscow"


def test_api_and_case_json_of_a_candidate_is_the_serialisers() -> None:
    """``/v1/screen`` (``CandidateOut`` from the dataclass) and the case store
    (``candidate_dict``) give the same JSON as :func:`candidate_json`, field for field."""
    found = _screener().screen(Query("Volga Tractor Plant", schema="Company"))
    found[0].sources = [SourceRef("ofac-sdn-501", "ofac_sdn", "501", "SDN", 1.0)]
    expected = json.loads(json.dumps(candidate_json(found[0])))
    assert expected["record"]["linked"] == ["VOLGA HOLDING"] and expected["sources"]
    api = CandidateOut.model_validate(jsonable_encoder(found[0]))
    assert api.model_dump(mode="json", by_alias=True) == expected
    assert json.loads(json.dumps(candidate_dict(found[0]))) == expected


def test_cached_records_are_keyed_by_their_layout(tmp_path: Path) -> None:
    """The records cached beside the index are read back, and a file written under another
    record layout is never read into this one."""
    store = open_store(f"sqlite:///{tmp_path / 'lists.sqlite'}")
    store.load("ofac_sdn", [_entity("501", "Volga Tractor Plant JSC")], checksum="a" * 64)
    first = Screener.from_store(store)
    index = first.index_path(first.snapshot_ids)
    cached = sorted(p.name for p in index.parent.glob("records-*"))
    from circumspect.resolve.rules import KEYS_VERSION

    layout = f"records-{record_layout()}-k{KEYS_VERSION}-"
    assert cached == [index.name.replace("matching-", layout)]
    again = Screener.from_store(store)
    assert again.records == first.records and again.records["ofac-sdn-501"].list == "SDN"
    store.close()


def test_only_web_addresses_become_the_source_url() -> None:
    """A stored record is read back uncleaned: a ``javascript:`` URL must not become the
    link on the pages; the publisher's page is given instead."""
    entity = ListedEntity.from_dict(
        {
            "id": "ofac-sdn-7",
            "schema": "Company",
            "properties": {"name": ["X LLC"]},
            "source": "ofac_sdn",
            "source_id": "7",
            "sanctions": [
                {
                    "id": "s7",
                    "schema": "Sanction",
                    "properties": {"entity": ["ofac-sdn-7"], "sourceUrl": ["javascript:alert(1)"]},
                }
            ],
        }
    )
    assert entity.sanctions[0].get("sourceUrl") == ["javascript:alert(1)"]
    url = listed_record(entity).source_url
    assert url is not None and url.startswith("https://sanctionssearch.ofac.treas.gov/")
