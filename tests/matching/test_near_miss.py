"""Clean-payment false holds: a sector word plus a barely similar distinctive word, and a
short person name against a longer listed name with a differently spelt given name.

Reported by the payments benchmark (2,000 clean generated payments against OFAC SDN +
non-SDN + UN); the pairs are checked name to name (fast)."""

from __future__ import annotations

import pytest

from circumspect.matching import compare_names

THRESHOLD = 0.70

FALSE_POSITIVES = [
    ("Company", "Kyran Pharm LLP", "EIRIN FARM"),
    ("Company", "ТОО «Кыран Фарм»", "EIRIN FARM"),
    ("Company", "TOO Kyran Agro", "KUBAN AGRO"),
    ("Company", "TOO Aru Engineering", "MAROU SANAT ENGINEERING COMPANY"),
    ("Company", "TOO Samal Engineering", "MAROU SANAT ENGINEERING COMPANY"),
    ("Company", "Sunkar Tech LLP", "SUNWAY TECH CO., LTD"),
    ("Company", "Nurly Engineering LLP", "GLOBAL INDUSTRIAL AND ENGINEERING SUPPLY LTD."),
    ("Company", "ТОО «Казына Фарм»", "AL-QASIUN FIRM"),
    ("Person", "Marta Garcia", "GARCIA RODRIGUEZ, Martha"),
    ("Person", "Marta Garcia", "MATA GARCIA, Americo Alex"),
    ("Person", "Marta Garcia", "GARCIA ALBERT, Maria Remedios"),
]

TRUE_MATCHES = [
    ("Company", "Kyran Pharm LLP", "KYRAN PHARM"),
    ("Company", "ТОО «Кыран Агро»", "KYRAN AGRO LLP"),
    ("Company", "Trafalgura Group Pte. Ltd.", "Trafigura Group Pte. Ltd."),
    ("Company", "Siemens AG", "SiemensAG"),
    ("Person", "Martha Garcia", "GARCIA RODRIGUEZ, Martha"),
    ("Person", "Marta Garcia", "GARCIA, Martha"),
]


@pytest.mark.parametrize(("schema", "query", "listed"), FALSE_POSITIVES)
def test_weak_likeness_cannot_alert(schema: str, query: str, listed: str) -> None:
    assert compare_names(query, listed, schema).score < THRESHOLD


@pytest.mark.parametrize(("schema", "query", "listed"), TRUE_MATCHES)
def test_true_matches_still_alert(schema: str, query: str, listed: str) -> None:
    assert compare_names(query, listed, schema).score >= THRESHOLD


@pytest.mark.parametrize(
    ("query", "listed"), [("Ёнгвон Чо", "CHO, Yongwon"), ("Пётр Семёнов", "Pyotr Semyonov")]
)
def test_cyrillic_yo_reads_yo(query: str, listed: str) -> None:
    # Normalising folds ё into е; the "yo" reading must stay a spelling of the name.
    assert compare_names(query, listed, "Person").score >= 0.9
