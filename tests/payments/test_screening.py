"""Decision logic with an in-test screener: BIC, names, territories, remittance, fail-closed."""

from __future__ import annotations

from pathlib import Path

import pytest

from circumspect.errors import ConfigError
from circumspect.payments.policy import Policy
from circumspect.payments.screening import PaymentScreening, screen_message
from circumspect.payments.territories import Territories
from tests.payments.helpers import FakeScreener, demo_message

MT_HEAD = "{1:F01KCJBKZKXAXXX0000000000}{2:I103COBADEFFXXXXN}{4:\r\n"


def mt103(
    creditor: str = ":59:/DE89370400440532013000\r\nBETA GMBH\r\nBERLIN",
    extra: str = "",
    remittance: str = "INVOICE 1",
) -> bytes:
    return (
        MT_HEAD + ":20:REF1\r\n:23B:CRED\r\n:32A:250102EUR1000,\r\n"
        ":50K:/KZ42601KZT0000123456\r\nTOO ALPHA\r\nALMATY\r\n"
        f"{extra}{creditor}\r\n:70:{remittance}\r\n:71A:SHA\r\n-}}"
    ).encode()


def engine(screener: FakeScreener, **policy: object) -> PaymentScreening:
    return PaymentScreening(
        screener,
        entities=[],
        policy=Policy(**policy)  # type: ignore[arg-type]
        if policy
        else None,
    )


def test_clean_message_passes_and_screens_every_party_and_agent() -> None:
    fake = FakeScreener()
    decision = engine(fake).screen_raw(mt103())
    assert decision.decision == "pass" and decision.flags == []
    assert {"TOO ALPHA", "BETA GMBH", "KCJBKZKXXXX", "COBADEFFXXX"} <= set(fake.calls)
    assert "2 parties and 2 agents" in decision.explanation


@pytest.mark.parametrize("bic", ["SABRRUMM", "SABRRUMMXXX"])
def test_listed_bic_rejects(bic: str) -> None:
    fake = FakeScreener(ids={"SABRRUMM": "sber"})
    decision = engine(fake).screen_raw(mt103(extra=f":57A:{bic}\r\n"))
    assert decision.decision == "reject"
    assert decision.flag_codes() == "bic:creditor_agent"
    assert "SBER" in decision.explanation


def test_branch_of_listed_bank_rejects() -> None:
    fake = FakeScreener(ids={"SABRRUMM": "sber"})
    decision = engine(fake).screen_raw(mt103(extra=":56A:SABRRUMMMOW\r\n"))
    assert decision.decision == "reject"
    assert "branch of listed bank SABRRUMM" in decision.explanation
    relaxed = engine(FakeScreener(ids={"SABRRUMM": "sber"}), listed_bic_branch="hold")
    assert relaxed.screen_raw(mt103(extra=":56A:SABRRUMMMOW\r\n")).decision == "hold"


def test_name_match_holds_and_agent_with_bic_only_informs() -> None:
    fake = FakeScreener(names={"BETA GMBH": ("beta", 0.9), "VTB BANK": ("vtb", 0.95)})
    assert engine(fake).screen_raw(mt103()).decision == "hold"
    fake = FakeScreener(names={"VTB BANK": ("vtb", 0.95)})
    by_name = engine(fake).screen_raw(mt103(extra=":57D:VTB BANK\r\nMOSCOW\r\n"))
    assert by_name.decision == "hold" and by_name.flag_codes() == "name:creditor_agent"
    xml = demo_message("01_clean_pacs008_kz_to_de.xml").replace(
        b"<BICFI>COBADEFFXXX</BICFI>", b"<BICFI>COBADEFFXXX</BICFI><Nm>VTB BANK</Nm>"
    )
    with_bic = engine(FakeScreener(names={"VTB BANK": ("vtb", 0.95)})).screen_raw(xml)
    assert with_bic.decision == "pass"
    assert [f.severity for f in with_bic.flags] == ["info"]


def test_below_threshold_name_does_not_hold() -> None:
    fake = FakeScreener(names={"BETA GMBH": ("beta", 0.5)})
    assert engine(fake).screen_raw(mt103()).decision == "pass"
    assert (
        engine(FakeScreener(names={"BETA GMBH": ("beta", 0.5)}), name_threshold=0.4)
        .screen_raw(mt103())
        .decision
        == "hold"
    )


@pytest.mark.parametrize(
    ("address", "decision"),
    [
        ("УЛ. КИЕВСКАЯ 12\r\nСИМФЕРОПОЛЬ", "reject"),
        ("UL. LENINA 1\r\nSEVASTOPOL", "reject"),
        ("VUL. MIRU 3\r\nМЕЛІТОПОЛЬ", "reject"),
        ("PR. ILLICHA 5\r\nDONETSK PEOPLE'S REPUBLIC", "reject"),
        ("VUL. USHAKOVA 41\r\nKHERSON", "hold"),
        ("KRAMATORSK, DONETSK OBLAST", "hold"),
        ("TEHRAN IRAN", "reject"),
        ("ALMATY KAZAKHSTAN", "pass"),
        ("TOKMOK KYRGYZSTAN", "pass"),
    ],
)
def test_territories_in_addresses(address: str, decision: str) -> None:
    creditor = f":59:/DE89370400440532013000\r\nBETA GMBH\r\n{address}"
    raw = mt103(creditor=creditor)
    assert engine(FakeScreener()).screen_raw(raw).decision == decision


def test_territory_from_country_bic_and_iban() -> None:
    xml = demo_message("01_clean_pacs008_kz_to_de.xml")
    cu = xml.replace(b"<Ctry>DE</Ctry>", b"<Ctry>CU</Ctry>")
    assert engine(FakeScreener()).screen_raw(cu).decision == "reject"
    ir_bic = mt103(extra=":57A:BMJIIRTH\r\n")
    decision = engine(FakeScreener()).screen_raw(ir_bic)
    assert decision.decision == "reject" and "Iran" in decision.explanation
    ru = engine(FakeScreener()).screen_raw(mt103(extra=":57A:SABRRUMM\r\n"))
    assert ru.decision == "pass" and any(f.check == "country" for f in ru.flags)


def test_remittance_names_imo_and_territory() -> None:
    from circumspect.model.entities import ListedEntity, new_proxy

    vessel = ListedEntity(
        new_proxy("Vessel", "v1", [("name", "ARCTIC VOSTOK"), ("imoNumber", "IMO9412347")]),
        "t",
        "v1",
    )
    short = ListedEntity(new_proxy("Company", "c1", [("name", "ALFA")]), "t", "c1")
    fake = FakeScreener(ids={"IMO9412347": "v1"})
    eng = PaymentScreening(fake, entities=[vessel, short])
    by_name = eng.screen_raw(mt103(remittance="CHARTER MV ARCTIC\r\nVOSTOK VOYAGE 7"))
    assert by_name.decision == "hold" and by_name.flag_codes() == "remittance:remittance"
    wrapped = eng.screen_raw(mt103(remittance="CHARTER HIRE AND DEMURRAGE MV ARCT\r\nIC VOSTOK"))
    assert wrapped.decision == "hold" and wrapped.flag_codes() == "remittance:remittance"
    by_imo = eng.screen_raw(mt103(remittance="FREIGHT IMO 9412347"))
    assert by_imo.decision == "hold" and "imo:remittance" in by_imo.flag_codes()
    assert eng.screen_raw(mt103(remittance="ALFA ROMEO PARTS")).decision == "pass"
    crimea = eng.screen_raw(mt103(remittance="DELIVERY TO KERCH PORT"))
    assert crimea.decision == "hold"  # capped: free text holds, never rejects


def test_fail_closed() -> None:
    eng = engine(FakeScreener(fail=True))
    decision = eng.screen_raw(mt103())
    assert decision.decision == "error" and "index unavailable" in (decision.error or "")
    bad = engine(FakeScreener()).screen_raw(b"{1:F01", "x.fin")
    assert bad.decision == "error" and bad.format == "SWIFT MT" and "x.fin" in bad.explanation
    no_bic = engine(FakeScreener()).screen_raw(mt103(extra=":57A:COBADEF\r\n"))
    assert no_bic.decision == "error" and no_bic.message_id == "REF1"
    assert "invalid BIC" in no_bic.explanation and ":57A:" in no_bic.explanation


def test_screen_message_api_caches_engine_per_screener() -> None:
    fake = FakeScreener(ids={"SABRRUMM": "sber"})
    first = screen_message(demo_message("04_reject_mt103_sberbank_bic.fin"), fake)
    assert first.decision == "reject" and first.message_id == "BCC2503210042"
    assert screen_message(demo_message("01_clean_pacs008_kz_to_de.xml"), fake).decision == "pass"
    data = first.to_dict()
    assert data["decision"] == "reject" and data["flags"][0]["check"] == "bic"  # type: ignore[index]


def test_policy_file(tmp_path: Path) -> None:
    path = tmp_path / "p.yaml"
    path.write_text("name_threshold: 0.9\nlisted_bic: hold\n", encoding="utf-8")
    policy = Policy.load(path)
    assert policy.name_threshold == 0.9 and policy.listed_bic == "hold"
    for text in ("listed_bic: maybe\n", "name_threshold: 2\n", "nonsense: 1\n", "- a\n"):
        path.write_text(text, encoding="utf-8")
        with pytest.raises(ConfigError):
            Policy.load(path)


def test_territory_data_loads_and_validates() -> None:
    t = Territories.load()
    assert t.country("IR") is not None and t.country("kz") is None
    hits = {h.territory.id for h in t.scan("Нова Каховка, Херсонська область")}
    assert "kherson_occupied" in hits and "kherson_ambiguous" in hits
    assert {h.territory.id for h in t.scan("Nova Kakhovka")} == {"kherson_occupied"}
    assert t.scan("Qırım") and t.scan("Krym") and t.scan("Крым") and t.scan("Луганськ")
    with pytest.raises(ConfigError):
        Territories(
            {"territories": [{"id": "x", "label": "x", "severity": "maybe", "names": ["x"]}]}
        )


@pytest.mark.parametrize(
    ("content", "line"),
    [(b"foo: [\n", 2), ("name_threshold: 0.8  # порог\n".encode("cp1251"), None)],
)
def test_unreadable_policy_is_one_line_config_error(
    tmp_path: Path, content: bytes, line: int | None
) -> None:
    path = tmp_path / "policy.yaml"
    path.write_bytes(content)
    with pytest.raises(ConfigError) as info:
        Policy.load(path)
    message = str(info.value)
    assert "\n" not in message and str(path) in message
    assert info.value.line == line
