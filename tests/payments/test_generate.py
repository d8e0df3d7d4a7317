"""The generator: labels, formats, Cyrillic, IBANs, reproducibility, manifest."""

from __future__ import annotations

import csv
import random
from collections import Counter
from pathlib import Path

from circumspect.model.entities import ListedEntity, new_proxy
from circumspect.payments.checks import iban_valid
from circumspect.payments.parse import parse_message
from circumspect.payments.render import FORMATS, render
from circumspect.synth.payments import (
    MALFORMATIONS,
    clean_spec,
    generate,
    to_cyrillic,
    write_set,
)


def entities() -> list[ListedEntity]:
    return [
        ListedEntity(
            new_proxy(
                "Company", "b1", [("name", "EXAMPLE BANK OF RUSSIA"), ("swiftBic", "EXBKRUMM")]
            ),
            "t",
            "b1",
        ),
        ListedEntity(new_proxy("Person", "p1", [("name", "IVANOV, Sergei")]), "t", "p1"),
        ListedEntity(
            new_proxy("Vessel", "v1", [("name", "NORTHERN STAR"), ("imoNumber", "IMO9412347")]),
            "t",
            "v1",
        ),
    ]


def test_clean_specs_render_and_parse_in_every_format() -> None:
    rng = random.Random(1)
    for i in range(40):
        spec = clean_spec(rng, f"T{i}", cyrillic=i % 3 == 0)
        assert spec.debtor.account and iban_valid(spec.debtor.account)
        assert spec.creditor.account and iban_valid(spec.creditor.account)
        assert {spec.debtor.country, spec.creditor.country} & {"KZ"}
        for fmt in FORMATS:
            msg = parse_message(render(spec, fmt, structured=i % 2 == 0))
            assert msg.amount == spec.amount and msg.currency == spec.currency


def test_generate_labels_and_reproducibility(tmp_path: Path) -> None:
    messages = generate(entities(), clean=20, exposed=20, malformed=20, seed=4)
    again = generate(entities(), clean=20, exposed=20, malformed=20, seed=4)
    assert [m.raw for m in messages] == [m.raw for m in again]
    counts = Counter(m.expected for m in messages)
    assert counts == {"pass": 20, "exposed": 20, "error": 20}
    kinds = Counter(m.category for m in messages if m.expected == "exposed")
    assert set(kinds) == {"listed_bic", "listed_bank_name", "listed_party", "territory", "vessel"}
    assert {m.category for m in messages if m.expected == "error"} == {
        f"malformed_{h}" for h in MALFORMATIONS
    }
    assert any(not m.raw.isascii() for m in messages if m.expected == "exposed")
    manifest = write_set(messages, tmp_path / "set")
    rows = list(csv.DictReader(manifest.open(encoding="utf-8")))
    assert len(rows) == 60 and all(
        (tmp_path / "set" / "messages" / r["file"]).exists() for r in rows
    )


def test_to_cyrillic() -> None:
    assert to_cyrillic("Sergei Ivanov") == "Сергеи Иванов"
    assert to_cyrillic("KHIMPROM PUBLIC JOINT STOCK COMPANY") == "ПАО ХИМПРОМ"
    assert to_cyrillic("Timchenko") == "Тимченко"
