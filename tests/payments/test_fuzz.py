"""Fuzzing the parsers (hypothesis): bad input never crashes, and never passes unless it
still is a complete, valid message."""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from circumspect.errors import ParseError
from circumspect.payments.model import DECISIONS, PaymentMessage
from circumspect.payments.parse import parse_message
from circumspect.payments.screening import PaymentScreening
from tests.payments.helpers import FakeScreener, demo_message

SEEDS = [
    demo_message(n)
    for n in (
        "01_clean_pacs008_kz_to_de.xml",
        "02_clean_mt103_de_to_kz.fin",
        "03_clean_pain001_kz_batch.xml",
        "05_reject_pacs009_vtb_intermediary.xml",
        "09_hold_mt103_vessel_remittance.fin",
        "12_reject_mt202_sberbank_branch.fin",
    )
]
ENGINE = PaymentScreening(FakeScreener(), entities=[])
FAST = settings(
    max_examples=150,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)


def _complete(msg: PaymentMessage) -> bool:
    if not msg.message_id or not msg.transfers:
        return False
    for t in msg.transfers:
        if t.amount <= 0 or len(t.currency) != 3:
            return False
        if msg.message_type in ("pacs.009", "MT202"):
            if not t.agents:
                return False
        elif not (t.party("debtor") and t.party("creditor")):
            return False
    return True


def _check(raw: bytes) -> None:
    decision = ENGINE.screen_raw(raw, "fuzz")
    assert decision.decision in DECISIONS
    try:
        msg = parse_message(raw)
    except ParseError:
        assert decision.decision == "error"
        return
    assert decision.decision != "error" or decision.error
    if decision.decision == "pass":
        assert _complete(msg)


@FAST
@given(st.binary(max_size=600))
def test_random_bytes(raw: bytes) -> None:
    _check(raw)


@st.composite
def mutated(draw: st.DrawFn) -> bytes:
    data = bytearray(draw(st.sampled_from(SEEDS)))
    for _ in range(draw(st.integers(1, 4))):
        op = draw(st.sampled_from(["delete", "insert", "replace", "truncate", "dup"]))
        pos = draw(st.integers(0, max(len(data) - 1, 0)))
        if op == "delete":
            del data[pos : pos + draw(st.integers(1, 40))]
        elif op == "insert":
            data[pos:pos] = draw(st.binary(min_size=1, max_size=12))
        elif op == "replace" and data:
            data[pos] = draw(st.integers(0, 255))
        elif op == "truncate":
            del data[pos:]
        else:
            end = data.find(b"\n", pos)
            if end > 0:
                data[end:end] = data[pos:end]
    return bytes(data)


@FAST
@given(mutated())
def test_mutated_messages(raw: bytes) -> None:
    _check(raw)


@FAST
@given(st.sampled_from(SEEDS), st.text(max_size=40))
def test_text_injected_into_fields(seed: bytes, text: str) -> None:
    for marker in (b"<Nm>", b":59:", b"<Ustrd>", b":70:", b"<BICFI>", b":57A:"):
        if marker in seed:
            _check(seed.replace(marker, marker + text.encode("utf-8", "replace"), 1))
