"""`payments screen -o` writes through the one output writer: no live formulas (issue 13)."""

from __future__ import annotations

import csv
from pathlib import Path

from circumspect.payments.batch import write_csv
from circumspect.payments.model import PaymentDecision
from circumspect.tabular import restore


def test_payment_rows_never_start_a_formula(tmp_path: Path) -> None:
    decision = PaymentDecision(
        decision="hold",
        message_id='=HYPERLINK("http://evil","x")',
        format="mt103",
        explanation="+cmd|' /C calc'!A0\rsecond line",
    )
    out = tmp_path / "out.csv"
    write_csv([(Path("msg.txt"), decision)], out)
    with out.open(newline="", encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))
    assert len(rows) == 1
    assert rows[0]["message_id"].startswith("'=")
    assert rows[0]["explanation"].startswith("'+")
    assert restore(rows[0]["explanation"]) == decision.explanation
