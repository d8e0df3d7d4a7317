"""reexport_chain and the other issue-15 rules: the same scored rows, errors and rejected
transfers on the local engine and on Spark local mode (a small planted set)."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from circumspect.engines import Engine
from circumspect.engines.jobs import score_declarations_job
from circumspect.risk.score import score_declarations
from circumspect.synth.declarations import generate, generate_transfers

pytestmark = pytest.mark.xdist_group("spark")


def test_reexport_chain_same_on_every_engine(engine: Engine, tmp_path: Path) -> None:
    frame = generate(900, parties=120, planted_share=0.3, seed=19, bad_rows=5)
    transfers = generate_transfers(frame, seed=19, bad_rows=8)
    src, tsrc = tmp_path / "d.csv", tmp_path / "t.csv"
    frame.astype(str).to_csv(src, index=False)
    transfers.drop(columns=["planted"]).to_csv(tsrc, index=False)

    want_out, want_err, want_terr = (tmp_path / f"want{s}.csv" for s in ("", "-e", "-t"))
    reference = score_declarations(
        src, want_out, want_err, transfers_path=tsrc, transfer_errors_path=want_terr
    )
    out, err, terr = (tmp_path / f"{engine.name}{s}.csv" for s in ("", "-e", "-t"))
    report = score_declarations_job(
        engine, src, out, err, partitions=3, transfers=tsrc, transfer_errors=terr
    )

    assert out.read_bytes() == want_out.read_bytes()
    assert err.read_bytes() == want_err.read_bytes()
    assert terr.read_bytes() == want_terr.read_bytes()
    assert report.flags == reference.flags
    for rule in ("coalition_origin_to_russia", "parallel_import_brand", "reexport_chain"):
        assert report.flags.get(rule, 0) > 0, rule
    assert (report.transfers_read, report.transfers_rejected) == (len(transfers), 8)
    scored = pd.read_csv(out, dtype=str, keep_default_na=False)
    planted = scored["planted"] == "reexport_chain"
    assert scored.loc[planted, "flags"].str.contains("reexport_chain").all()
