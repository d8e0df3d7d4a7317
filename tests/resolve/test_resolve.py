"""One entity across lists (issue 12): rules, judgements that reverse them, explanations,
grouped screening results, the CLI, and the real lists."""

from __future__ import annotations

import json
import random
from pathlib import Path

import pytest
from typer.testing import CliRunner

from circumspect.cli.main import app
from circumspect.matching import Screener
from circumspect.model.entities import ListedEntity, make_entity_id, new_proxy
from circumspect.model.screening import Query
from circumspect.resolve import build_resolution, entity_keys
from circumspect.resolve.resolver import JudgementRow
from circumspect.sources import parse_source
from tests.support import shared_path


def _entity(
    source: str, source_id: str, schema: str, name: str, *props: tuple[str, str]
) -> ListedEntity:
    entity_id = make_entity_id(source, source_id)
    return ListedEntity(new_proxy(schema, entity_id, [("name", name), *props]), source, source_id)


def _pool() -> list[ListedEntity]:
    return [
        _entity("ofac_sdn", "1", "Person", "SECHIN, Igor Ivanovich", ("birthDate", "1960-09-07")),
        _entity("un_sc", "9", "Person", "Игорь Иванович Сечин", ("birthDate", "1960-09-07")),
        _entity("eu_fsf", "3", "Person", "Igor SECHIN", ("birthDate", "1960")),  # year only
        _entity("ofac_sdn", "2", "Company", "ROSNEFT", ("innCode", "7706107510")),
        _entity("uk_fcdo", "5", "Company", "Rosneft Oil Company", ("innCode", "7706107510")),
        _entity("ofac_sdn", "4", "Vessel", "OCEAN STAR", ("imoNumber", "IMO 9133018")),
        _entity("un_sc", "7", "Vessel", "STAR OF THE OCEAN", ("imoNumber", "9133018")),
        _entity("eu_fsf", "8", "Company", "Other Oil", ("innCode", "7706107511")),  # bad INN
    ]


def _resolve(judgements: list[JudgementRow] | None = None) -> object:
    pool = _pool()
    return build_resolution(
        {e.id: entity_keys(e) for e in pool}, judgements or [], {e.id: e.source for e in pool}
    )


def test_rules_merge_across_lists_with_their_evidence() -> None:
    res = build_resolution({e.id: entity_keys(e) for e in _pool()})
    assert res.members_of("ofac-sdn-1") == ["ofac-sdn-1", "un-sc-9"]  # name (any script) + DOB
    assert res.members_of("eu-fsf-3") == ["eu-fsf-3"]  # a birth year is not enough
    assert res.members_of("uk-fcdo-5") == ["ofac-sdn-2", "uk-fcdo-5"]  # INN
    assert res.members_of("un-sc-7") == ["ofac-sdn-4", "un-sc-7"]  # IMO, either spelling
    assert res.members_of("eu-fsf-8") == ["eu-fsf-8"]  # an invalid INN is no evidence
    text = "\n".join(res.explain("un-sc-9"))
    assert "by name_dob (igor ivanovic secin born 1960-09-07)" in text
    assert res.counts == {"name_dob": 1, "identifier": 2}


def test_split_reverses_a_rule_and_merge_reverses_the_split() -> None:
    split = JudgementRow("ofac-sdn-2", "uk-fcdo-5", "negative", "analyst", "different firms")
    res = build_resolution({e.id: entity_keys(e) for e in _pool()}, [split])
    assert res.members_of("uk-fcdo-5") == ["uk-fcdo-5"]
    assert any("judged different by analyst" in line for line in res.explain("uk-fcdo-5"))
    again = JudgementRow("ofac-sdn-2", "uk-fcdo-5", "positive", "lead", "same firm after all")
    res = build_resolution({e.id: entity_keys(e) for e in _pool()}, [split, again])
    assert res.members_of("uk-fcdo-5") == ["ofac-sdn-2", "uk-fcdo-5"]
    merge = JudgementRow("eu-fsf-3", "ofac-sdn-1", "positive", "analyst", "same DOB year")
    res = build_resolution({e.id: entity_keys(e) for e in _pool()}, [merge])
    assert res.members_of("eu-fsf-3") == ["eu-fsf-3", "ofac-sdn-1", "un-sc-9"]
    assert "by judgement (analyst: same DOB year)" in "\n".join(res.explain("eu-fsf-3"))


def test_rules_never_join_two_entries_of_one_list() -> None:
    pool = [
        _entity("ofac_cons", "1", "Company", "VNESHECONOMBANK", ("innCode", "7750004150")),
        _entity("ofac_cons", "2", "Company", "BANK BELVEB OJSC", ("innCode", "7750004150")),
    ]
    keys = {e.id: entity_keys(e) for e in pool}
    res = build_resolution(keys, [], {e.id: e.source for e in pool})
    assert res.members == {}
    assert "ambiguous: 2 entries of ofac_cons" in "\n".join(res.explain("ofac-cons-1"))
    merge = JudgementRow("ofac-cons-1", "ofac-cons-2", "positive", "a", "one bank")
    assert build_resolution(keys, [merge], {e.id: e.source for e in pool}).members


def test_a_key_two_entries_of_one_list_hold_joins_nothing() -> None:
    """OFAC lists a bank and its subsidiary with one INN: the UK entry with that INN could be
    either, so the key is no evidence until an analyst merges."""
    pool = [
        _entity("ofac_cons", "1", "Company", "VNESHECONOMBANK", ("innCode", "7750004150")),
        _entity("ofac_cons", "2", "Company", "BANK BELVEB OJSC", ("innCode", "7750004150")),
        _entity("uk_fcdo", "3", "Company", "VEB.RF", ("innCode", "7750004150")),
    ]
    keys = {e.id: entity_keys(e) for e in pool}
    sources = {e.id: e.source for e in pool}
    res = build_resolution(keys, [], sources)
    assert res.members == {}
    text = "\n".join(res.explain("uk-fcdo-3"))
    assert "not merged: ofac-cons-1 = uk-fcdo-3 by identifier (ru_inn:7750004150)" in text
    assert "ambiguous: 2 entries of ofac_cons (ofac-cons-1, ofac-cons-2)" in text
    merge = JudgementRow("ofac-cons-1", "uk-fcdo-3", "positive", "analyst", "VEB is VEB.RF")
    res = build_resolution(keys, [merge], sources)
    assert res.members_of("uk-fcdo-3") == ["ofac-cons-1", "uk-fcdo-3"]
    # once an analyst says the two OFAC entries are one, the key is no longer ambiguous
    both = JudgementRow("ofac-cons-1", "ofac-cons-2", "positive", "analyst", "one bank")
    res = build_resolution(keys, [both], sources)
    assert res.members_of("uk-fcdo-3") == ["ofac-cons-1", "ofac-cons-2", "uk-fcdo-3"]
    assert res.counts == {"judgement": 1, "identifier": 1}


def test_passport_joins_persons_only_with_a_shared_country() -> None:
    pool = [
        _entity(
            "ofac_sdn",
            "1",
            "Person",
            "HAMDAN, Salim",
            ("passportNumber", "00385937"),
            ("country", "ye"),
        ),
        _entity(
            "un_sc",
            "2",
            "Person",
            "SALIM AHMAD SALIM HAMDAN",
            ("passportNumber", "003 859 37"),
            ("nationality", "ye"),
        ),
        _entity(
            "eu_fsf",
            "3",
            "Person",
            "Salim Hamdan",
            ("passportNumber", "00385937"),
            ("nationality", "sa"),
        ),  # same number, another country
        _entity(
            "uk_fcdo", "4", "Person", "S. HAMDAN", ("passportNumber", "A12"), ("country", "ye")
        ),  # too short to be evidence
    ]
    res = build_resolution({e.id: entity_keys(e) for e in pool}, [], {e.id: e.source for e in pool})
    assert res.members_of("un-sc-2") == ["ofac-sdn-1", "un-sc-2"]
    assert res.members_of("eu-fsf-3") == ["eu-fsf-3"]
    assert res.members_of("uk-fcdo-4") == ["uk-fcdo-4"]
    assert "ofac-sdn-1 = un-sc-2 by passport (ye:00385937)" in res.explain("un-sc-2")


def test_a_split_is_not_crossed_through_a_third_entry() -> None:
    pool = [
        *_pool()[:2],
        _entity(
            "uk_fcdo",
            "6",
            "Person",
            "SECHIN, Igor",
            ("passportNumber", "RU7304917"),
            ("country", "ru"),
        ),
        _entity(
            "un_sc",
            "10",
            "Person",
            "SECHIN, IGOR",
            ("passportNumber", "RU7304917"),
            ("nationality", "ru"),
        ),
    ]
    keys = {e.id: entity_keys(e) for e in pool}
    sources = {e.id: e.source for e in pool}
    # un-sc-9 has the OFAC entry's name and DOB; un-sc-10 the UK entry's passport
    assert build_resolution(keys, [], sources).members_of("uk-fcdo-6") == ["uk-fcdo-6", "un-sc-10"]
    bridge = JudgementRow("un-sc-10", "un-sc-9", "positive", "a", "one UN person")
    joined = build_resolution(keys, [bridge], sources)
    assert len(joined.members_of("uk-fcdo-6")) == 4
    split = JudgementRow("ofac-sdn-1", "uk-fcdo-6", "negative", "b", "another Sechin")
    res = build_resolution(keys, [bridge, split], sources)
    assert "ofac-sdn-1" not in res.members_of("uk-fcdo-6")
    assert any(
        "judged different by b (another Sechin)" in line for line in res.explain("uk-fcdo-6")
    )


def test_resolution_does_not_depend_on_row_order() -> None:
    pool = _pool()
    keys = {e.id: entity_keys(e) for e in pool}
    expected = build_resolution(keys).members
    for seed in range(5):
        items = list(keys.items())
        random.Random(seed).shuffle(items)
        assert build_resolution(dict(items)).members == expected


def test_screening_shows_one_result_with_all_sources() -> None:
    screener = Screener(_pool())
    found = screener.screen(Query("Igor Sechin", schema="Person", birth_date="1960-09-07"))
    ids = [c.entity_id for c in found]
    assert "un-sc-9" not in ids or "ofac-sdn-1" not in ids  # one result for the entity
    top = next(c for c in found if c.entity_id in ("ofac-sdn-1", "un-sc-9"))
    assert {s.entity_id for s in top.sources} == {"ofac-sdn-1", "un-sc-9"}
    assert top.sources[0].entity_id == top.entity_id
    screener.group = False
    ungrouped = [c.entity_id for c in screener.screen(Query("Igor Sechin", schema="Person"))]
    assert {"ofac-sdn-1", "un-sc-9"} <= set(ungrouped)


def test_us_csl_ofac_rows_join_their_ofac_twins_on_the_real_lists() -> None:
    lists = shared_path("fixtures", "lists")
    sdn = list(parse_source("ofac_sdn", sorted((lists / "ofac_sdn_2021").glob("*.csv"))).entities())
    cons = list(
        parse_source("ofac_cons", sorted((lists / "ofac_consolidated").glob("*"))).entities()
    )
    csl = list(parse_source("us_csl", [lists / "us_csl" / "csl.csv"]).entities())
    pool = sdn + cons + csl
    res = build_resolution({e.id: entity_keys(e) for e in pool}, [], {e.id: e.source for e in pool})
    known = {e.id for e in sdn + cons}
    ofac_rows = [
        e
        for e in csl
        if any(k.startswith("ofac_twin|") and k.split("|", 1)[1] in known for k in entity_keys(e))
    ]
    assert len(ofac_rows) >= 50
    joined = [e for e in ofac_rows if len(res.members_of(e.id)) > 1]
    assert len(joined) == len(ofac_rows)
    for entity in joined:
        twin = next(m for m in res.members_of(entity.id) if m != entity.id)
        assert twin.startswith(("ofac-sdn-", "ofac-cons-"))


@pytest.fixture
def loaded(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> str:
    from circumspect.store import open_store

    url = f"sqlite:///{tmp_path / 'lists.sqlite'}"
    monkeypatch.setenv("CIRCUMSPECT_HOME", str(tmp_path / "home"))
    store = open_store(url)
    by_source: dict[str, list[ListedEntity]] = {}
    for entity in _pool():
        by_source.setdefault(entity.source, []).append(entity)
    for source, entities in sorted(by_source.items()):
        store.load(source, entities, checksum=source)
    store.close()
    return url


def test_cli_xref_explain_split_merge(loaded: str) -> None:
    runner = CliRunner()
    res = runner.invoke(app, ["entities", "xref", "--db", loaded, "--json"])
    assert res.exit_code == 0, res.output
    summary = json.loads(res.output)
    assert summary["by_rule"] == {"identifier": 2, "name_dob": 1}
    assert summary["clusters"] == 3
    res = runner.invoke(app, ["entities", "explain", "uk-fcdo-5", "--db", loaded])
    assert "ofac-sdn-2 = uk-fcdo-5 by identifier (ru_inn:7706107510)" in res.output
    res = runner.invoke(
        app, ["entities", "split", "uk-fcdo-5", "ofac-sdn-2", "--db", loaded, "--reason", "x"]
    )
    assert res.exit_code == 0, res.output
    assert "judged different by cli (x)" in res.output
    res = runner.invoke(app, ["entities", "xref", "--db", loaded, "--json"])
    assert json.loads(res.output)["clusters"] == 2
    res = runner.invoke(
        app, ["entities", "merge", "ofac-sdn-2", "uk-fcdo-5", "--db", loaded, "--reason", "y"]
    )
    assert "by judgement (cli: y)" in res.output
    res = runner.invoke(
        app, ["entities", "merge", "ofac-sdn-2", "nope-1", "--db", loaded, "--reason", "y"]
    )
    assert res.exit_code != 0 and "no listed entity 'nope-1'" in str(res.exception)
    res = runner.invoke(app, ["screen", "Rosneft", "--db", loaded, "--json"])
    assert res.exit_code == 0, res.output
    top = json.loads(res.output)["candidates"][0]
    assert {s["entity_id"] for s in top["sources"]} == {"ofac-sdn-2", "uk-fcdo-5"}


def test_cli_screen_no_group_lists_every_entry(loaded: str) -> None:
    res = CliRunner().invoke(app, ["screen", "Rosneft", "--db", loaded, "--json", "--no-group"])
    assert res.exit_code == 0, res.output
    found = json.loads(res.output)["candidates"]
    assert {"ofac-sdn-2", "uk-fcdo-5"} <= {c["entity_id"] for c in found}
    assert all(c["sources"] == [] for c in found)


def test_sdn_2021_us_csl_and_un_resolve_into_clusters_of_distinct_lists() -> None:
    """The brief's real-data check: OFAC SDN 2021, the US CSL extract and the UN list."""
    lists = shared_path("fixtures", "lists")
    sdn = list(parse_source("ofac_sdn", sorted((lists / "ofac_sdn_2021").glob("*.csv"))).entities())
    csl = list(parse_source("us_csl", [lists / "us_csl" / "csl.csv"]).entities())
    un = list(parse_source("un_sc", [lists / "un" / "UN_consolidated.xml"]).entities())
    pool = sdn + csl + un
    keys = {e.id: entity_keys(e) for e in pool}
    sources = {e.id: e.source for e in pool}
    res = build_resolution(keys, [], sources)
    csl_sdn = [e for e in csl if e.sublist == "SDN"]
    assert len(csl_sdn) >= 10
    sdn_ids = {e.id for e in sdn}
    joined = [e for e in csl_sdn if sdn_ids & set(res.members_of(e.id))]
    assert len(joined) / len(csl_sdn) >= 0.9, [e.id for e in csl_sdn if e not in joined]
    for members in res.members.values():  # never two entries of one list without a judgement
        assert len({sources[m] for m in members}) == len(members), members
    un_with_sdn = [e for e in un if sdn_ids & set(res.members_of(e.id))]
    assert len(un_with_sdn) >= len(un) // 10  # the UN's Al-Qaida and DPRK entries are on SDN
    assert set(res.counts) <= {"ofac_twin", "identifier", "passport", "name_dob"}
    items = list(keys.items())
    random.Random(7).shuffle(items)
    assert build_resolution(dict(items), [], sources).members == res.members


def test_a_filter_applies_to_entries_before_they_are_grouped() -> None:
    """Excluding OFAC must still find the UN entry of a person OFAC lists too: the filter
    restricts the entries, then the rest is grouped (the OFAC entry stays in `sources`)."""
    screener = Screener(_pool())
    query = Query("Igor Sechin", schema="Person", birth_date="1960-09-07")
    grouped = next(c for c in screener.screen(query) if c.sources)
    assert grouped.entity_id == "ofac-sdn-1"  # the best entry of the entity (ties: by id)
    found = screener.screen(query, keep=lambda _id, source, _sid: source != "ofac_sdn")
    un = next(c for c in found if c.entity_id == "un-sc-9")
    assert [s.entity_id for s in un.sources] == ["un-sc-9", "ofac-sdn-1"]
    assert un.sources[1].score is None  # not scored: filtered out
    assert un.score == next(s.score for s in grouped.sources if s.entity_id == "un-sc-9")
    none = screener.screen(query, keep=lambda entity_id, _s, _sid: entity_id.startswith("uk"))
    assert all(c.entity_id.startswith("uk") for c in none)


def test_api_dataset_filters_keep_the_other_lists_entry(loaded: str) -> None:
    from fastapi.testclient import TestClient

    from circumspect.server import create_app
    from circumspect.services.runtime import ApiConfig

    app = create_app(ApiConfig(db_url=loaded, yente=True, web=False))
    key = app.state.runtime.cases.add_user("u", "viewer")[1]
    bearer = {"Authorization": f"Bearer {key}"}
    with TestClient(app, raise_server_exceptions=False) as client:

        def screen(**options: object) -> list[dict[str, object]]:
            body = {"name": "Rosneft", "schema": "Company", "open_cases": False} | options
            r = client.post("/v1/screen", json=body, headers=bearer)
            assert r.status_code == 200, r.text
            found: list[dict[str, object]] = r.json()["results"][0]["candidates"]
            return found

        everything = screen()
        ids = [c["entity_id"] for c in everything]
        assert ids.count("ofac-sdn-2") + ids.count("uk-fcdo-5") == 1  # one entity, one result
        for options in (
            {"exclude_dataset": ["ofac_sdn"]},
            {"include_dataset": ["uk_fcdo"]},
            {"exclude_entity_ids": ["ofac-sdn-2"]},
        ):
            top = screen(**options)[0]
            assert top["entity_id"] == "uk-fcdo-5", options
            assert {s["entity_id"] for s in top["sources"]} == {"ofac-sdn-2", "uk-fcdo-5"}
        assert all(c["source"] != "ofac_sdn" for c in screen(exclude_dataset=["ofac_sdn"]))

        example = {"schema": "Company", "properties": {"name": ["Rosneft", "Rosneft Oil Company"]}}

        def match(**params: str) -> list[str]:
            r = client.post(
                "/match/default", json={"queries": {"q": example}}, params=params, headers=bearer
            )
            assert r.status_code == 200, r.text
            return [x["id"] for x in r.json()["responses"]["q"]["results"]]

        both = match()
        assert len({"ofac-sdn-2", "uk-fcdo-5"} & set(both)) == 1  # each name found one entry
        assert "uk-fcdo-5" in match(exclude_dataset="ofac_sdn")
        r = client.post("/match/default", json={"queries": {"q": example}}, headers=bearer)
        top = r.json()["responses"]["q"]["results"][0]
        assert top["datasets"] == ["ofac_sdn", "uk_fcdo"]
        assert {top["id"], *top["referents"]} == {"ofac-sdn-2", "uk-fcdo-5"}
        r = client.get("/search/default", params={"q": "Rosneft"}, headers=bearer)
        hits = [x for x in r.json()["results"] if x["id"] in ("ofac-sdn-2", "uk-fcdo-5")]
        assert len(hits) == 1 and hits[0]["datasets"] == ["ofac_sdn", "uk_fcdo"]


def test_xref_without_a_loaded_list_is_an_error(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'empty.sqlite'}"
    res = CliRunner().invoke(app, ["entities", "xref", "--db", url])
    assert res.exit_code != 0
    assert "no list is loaded" in str(res.exception) + res.output


@pytest.mark.parametrize("workers", ["1", "2"])
def test_screen_file_writes_one_row_per_entity_with_its_sources(
    loaded: str, tmp_path: Path, workers: str
) -> None:
    import csv

    src = tmp_path / "in.csv"
    src.write_text("query_id,name,schema\nq1,Rosneft,Company\nq2,Rosneft Oil Company,Company\n")
    rows: dict[str, list[list[dict[str, str]]]] = {}
    for flag in ("--group", "--no-group"):
        out = tmp_path / f"out{flag}.csv"
        args = ["screen-file", str(src), "-o", str(out), "--db", loaded, "--workers", workers]
        res = CliRunner().invoke(app, [*args, flag])
        assert res.exit_code == 0, res.output
        with out.open(newline="") as fh:
            found = [r for r in csv.DictReader(fh) if "rosneft" in r["caption"].lower()]
        rows[flag] = [[r for r in found if r["query_id"] == q] for q in ("q1", "q2")]
    for per_query in rows["--group"]:
        assert len(per_query) == 1, per_query  # one row for the entity on two lists
        assert set(per_query[0]["sources"].split("; ")) == {
            "ofac_sdn:ofac-sdn-2",
            "uk_fcdo:uk-fcdo-5",
        }
    for per_query in rows["--no-group"]:
        assert {r["entity_id"] for r in per_query} == {"ofac-sdn-2", "uk-fcdo-5"}
        assert all(r["sources"] == "" for r in per_query)


def test_merge_and_split_are_in_the_audit_chain_when_the_database_has_one(loaded: str) -> None:
    from circumspect.cases.service import CaseService

    runner = CliRunner()
    res = runner.invoke(
        app, ["entities", "split", "uk-fcdo-5", "ofac-sdn-2", "--db", loaded, "--reason", "x"]
    )
    assert res.exit_code == 0, res.output  # a lists-only database: no audit chain made
    from sqlalchemy import create_engine, inspect

    engine = create_engine(loaded)
    assert not inspect(engine).has_table("case_audit")
    engine.dispose()
    CaseService(loaded).close()  # the case service's tables, with their audit chain
    res = runner.invoke(
        app,
        [
            "entities",
            "merge",
            "uk-fcdo-5",
            "ofac-sdn-2",
            "--db",
            loaded,
            "--reason",
            "same",
            "--actor",
            "anna",
        ],
    )
    assert res.exit_code == 0, res.output
    service = CaseService(loaded)
    try:
        records = service.audit_records(obj="ofac-sdn-2 uk-fcdo-5")
        assert [(r.actor, r.action) for r in records] == [("anna", "entities.merge")]
        assert records[0].data == {
            "judgement_id": 2,
            "left": "ofac-sdn-2",
            "right": "uk-fcdo-5",
            "judgement": "positive",
            "reason": "same",
        }
        assert service.verify_audit().ok
    finally:
        service.close()
