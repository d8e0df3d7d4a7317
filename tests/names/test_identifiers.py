from __future__ import annotations

import csv
import datetime as dt

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from circumspect.names.identifiers import (
    detect,
    kz_bin_registration,
    kz_iin_birth_date,
    normalize_id,
    problem,
    validate,
)
from tests.support import shared_path


def test_all_shared_vectors() -> None:
    path = shared_path("reference", "identifier_test_vectors.csv")
    with path.open(encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))
    assert len(rows) >= 18
    for row in rows:
        valid = row["expected"] == "valid"
        assert validate(row["scheme"], row["value"]) is valid, row
        if not valid:
            assert problem(row["scheme"], row["value"]), row


def test_problem_names_the_component() -> None:
    assert "month 99" in (problem("KZ_BIN", "949940000385") or "")
    assert "check digit" in (problem("kz_iin", "901123300255") or "")


def test_bin_registration_and_iin_birth_date() -> None:
    assert kz_bin_registration("940140000385") == (1994, 1)
    assert kz_bin_registration("990940003030") == (1999, 9)
    assert kz_bin_registration("990940003031") is None
    assert kz_iin_birth_date("901123300258") == dt.date(1990, 11, 23)
    assert kz_iin_birth_date("061211600012") == dt.date(2006, 12, 11)


def test_bic_imo_lei() -> None:
    assert validate("bic", "DEUTDEFF") and validate("bic", "DEUT DE FF 500")
    assert not validate("bic", "DEUTZZFF")  # ZZ is no country
    assert normalize_id("bic", "deutdeff") == "DEUTDEFFXXX"
    assert validate("imo", "IMO 9176187") and not validate("imo", "9176188")
    assert normalize_id("imo", "IMO 9176187") == "9176187"
    assert validate("lei", "5493001KJTIIGC8Y1R12") and not validate("lei", "5493001KJTIIGC8Y1R13")


def test_detect_lists_every_valid_kind() -> None:
    kinds = {k for k, _ in detect("123456789047")}
    assert "ru_inn" in kinds
    assert ("bic", "DEUTDEFFXXX") in detect("DEUTDEFF")
    assert detect("hello") == []


def test_unknown_kind() -> None:
    with pytest.raises(ValueError, match="unknown identifier kind"):
        validate("ssn", "123")


def _kz_check(d: str) -> int | None:
    s = sum(int(c) * w for c, w in zip(d, range(1, 12), strict=True)) % 11
    if s == 10:
        s = (
            sum(int(c) * w for c, w in zip(d, [3, 4, 5, 6, 7, 8, 9, 10, 11, 1, 2], strict=True))
            % 11
        )
        if s == 10:
            return None
    return s


@settings(max_examples=300, deadline=None)
@given(st.integers(0, 99), st.integers(1, 12), st.sampled_from("456"), st.integers(0, 99999))
def test_generated_bins_validate(yy: int, mm: int, kind: str, serial: int) -> None:
    body = f"{yy:02d}{mm:02d}{kind}0{serial:05d}"
    check = _kz_check(body)
    if check is None:
        return
    value = body + str(check)
    assert validate("kz_bin", value)
    assert kz_bin_registration(value) is not None
    wrong = body + str((check + 1) % 10)
    assert not validate("kz_bin", wrong)


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=40))
def test_validation_is_total(value: str) -> None:
    for kind in ("kz_bin", "kz_iin", "ru_inn", "ru_ogrn", "bic", "imo", "lei"):
        assert isinstance(validate(kind, value), bool)
    assert isinstance(detect(value), list)
