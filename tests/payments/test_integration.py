"""The real party screener (circumspect.matching) and the real list parsers."""

from __future__ import annotations

import csv
from collections import Counter
from functools import lru_cache
from pathlib import Path

import pytest

from circumspect.matching import Screener
from circumspect.model.entities import ListedEntity
from circumspect.payments.batch import collect_files
from circumspect.payments.screening import PaymentScreening
from circumspect.sources import parse_source
from circumspect.synth.payments import generate
from tests.payments.helpers import DEMO, DEMO_LISTS, MESSAGES
from tests.support import shared_path


@lru_cache(maxsize=1)
def demo_entities() -> tuple[ListedEntity, ...]:
    out: list[ListedEntity] = []
    for source in ("ofac_sdn", "un_sc", "eu_fsf", "uk_fcdo", "bis_dpl"):
        folder = DEMO_LISTS / source
        files = sorted(p for p in folder.iterdir() if p.is_file())
        if files:
            out.extend(parse_source(source, files).entities())
    return tuple(out)


def test_demo_messages_get_their_expected_decisions() -> None:
    entities = demo_entities()
    engine = PaymentScreening(Screener(entities), entities=entities)
    with (DEMO / "expected.csv").open(encoding="utf-8") as fh:
        expected = {row["file"]: row["decision"] for row in csv.DictReader(fh)}
    files = collect_files([MESSAGES])
    assert sorted(p.name for p in files) == sorted(expected)
    got = {p.name: engine.screen_raw(p.read_bytes(), p.name).decision for p in files}
    assert got == expected


def test_generated_set_against_demo_lists() -> None:
    entities = demo_entities()
    engine = PaymentScreening(Screener(entities), entities=entities)
    messages = generate(entities, clean=150, exposed=60, malformed=40, seed=3)
    outcome: Counter[tuple[str, bool]] = Counter()
    for m in messages:
        decision = engine.screen_raw(m.raw, m.name).decision
        ok = {
            "pass": decision == "pass",
            "exposed": decision in ("hold", "reject"),
            "error": decision == "error",
        }[m.expected]
        outcome[(m.expected, ok)] += 1
    assert outcome[("error", False)] == 0
    assert outcome[("exposed", False)] == 0
    assert outcome[("pass", True)] >= 0.98 * 150


@pytest.mark.slow
def test_ofac_sdn_fixture_bics_and_names() -> None:
    """Full OFAC SDN 2021 (8,976 entries): listed BICs from the remarks reject."""
    folder: Path = shared_path("fixtures", "lists", "ofac_sdn_2021")
    entities = list(parse_source("ofac_sdn", sorted(folder.glob("*.csv"))).entities())
    screener = Screener(entities)
    engine = PaymentScreening(screener, entities=[])  # BICs and parsing only: no text index
    messages = generate(entities, clean=5, exposed=25, malformed=10, seed=5)
    wrong = []
    for m in messages:
        if m.expected != "error" and m.category != "listed_bic":
            continue
        decision = engine.screen_raw(m.raw, m.name)
        if m.expected == "error" and decision.decision != "error":
            wrong.append((m.name, decision.decision))
        if m.category == "listed_bic" and decision.decision != "reject":
            wrong.append((m.name, decision.decision))
    assert wrong == []
    # A bank listed with "SWIFT/BIC" in its OFAC remarks, as an intermediary in an MT103.
    bic = next(b for e in entities for b in e.get("swiftBic") if len(b) == 8)
    raw = (
        b"{1:F01KCJBKZKXAXXX0000000000}{2:I103COBADEFFXXXXN}{4:\r\n:20:R1\r\n:23B:CRED\r\n"
        b":32A:250102USD1000,\r\n:50K:TOO ALPHA\r\nALMATY\r\n:56A:"
        + bic.encode()
        + b"XXX\r\n:59:BETA GMBH\r\nBERLIN\r\n:71A:SHA\r\n-}"
    )
    assert engine.screen_raw(raw).decision == "reject"


def test_listed_bank_under_another_legal_form_as_intermediary_without_bic_is_held() -> None:
    """An intermediary bank named (field 56D, no BIC) under another legal form than its
    listing still matches: the legal form is evidence, never a veto."""
    from tests.matching.helpers import entity

    listed = [entity("Company", "20", [("name", "BANK ROSSIYA, AO")], source="ofac_sdn")]
    engine = PaymentScreening(Screener(listed), entities=listed)
    raw = (
        b"{1:F01KCJBKZKXAXXX0000000000}{2:I103COBADEFFXXXXN}{4:\r\n:20:R1\r\n:23B:CRED\r\n"
        b":32A:250102USD1000,\r\n:50K:TOO ALPHA\r\nALMATY\r\n:56D:OOO BANK ROSSIYA\r\n"
        b"SANKT-PETERBURG\r\n:59:BETA GMBH\r\nBERLIN\r\n:71A:SHA\r\n-}"
    )
    decision = engine.screen_raw(raw)
    assert decision.decision == "hold", decision
    flag = next(f for f in decision.flags if f.check == "name")
    assert flag.role == "intermediary_agent"
    assert "legal form differs (JSC listed, LLC given)" in flag.text
    disguised = raw.replace(b"OOO BANK ROSSIYA", "ООО БАНК РОССИЯ".encode())
    assert engine.screen_raw(disguised).decision == "hold"
    other = raw.replace(b"OOO BANK ROSSIYA", b"TOO ZETA BANK")
    assert engine.screen_raw(other).decision == "pass"


def test_screen_paths_same_decisions_in_order_with_workers(tmp_path: Path) -> None:
    """Forked workers give each file the decision one process gives, in the same order."""
    from circumspect.payments import batch

    entities = demo_entities()
    engine = PaymentScreening(Screener(entities), entities=entities)
    messages = generate(list(entities), clean=60, exposed=40, malformed=10, seed=3)
    files = []
    for message in messages:
        path = tmp_path / message.name
        path.write_bytes(message.raw)
        files.append(path)
    assert len(files) >= batch.PARALLEL_MIN_FILES  # the forked path runs
    one = batch.screen_paths(files, engine, workers=1)
    two = batch.screen_paths(files, engine, workers=2)
    assert [p for p, _ in two] == files
    assert [(d.decision, d.explanation) for _, d in one] == [
        (d.decision, d.explanation) for _, d in two
    ]
    assert {d.decision for _, d in one} >= {"pass", "hold"}
