from __future__ import annotations

import csv

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from circumspect.names import SCHEMES, latin_variants, skeleton, to_cyrillic, transliterate
from tests.support import shared_path

TOKAYEV = "Қасым-Жомарт Тоқаев"


@pytest.mark.parametrize(
    ("scheme", "expected"),
    [
        ("bgn", "Qasym-Zhomart Toqayev"),
        ("icao", "Kasym-Zhomart Tokaev"),
        ("kz2021", "Qasym-Jomart Toqaev"),
        ("french", "Kassym-Jomart Tokaev"),
        ("german", "Kassym-Schomart Tokaew"),
    ],
)
def test_tokayev_under_each_scheme(scheme: str, expected: str) -> None:
    assert transliterate(TOKAYEV, scheme) == expected


def test_russian_schemes() -> None:
    assert transliterate("Щербаков Елена", "bgn") == "Shcherbakov Yelena"
    assert transliterate("Щербаков", "gost") == "Shherbakov"
    assert transliterate("Цирк Цой", "gost") == "Cirk Czoj"
    assert transliterate("Тимченко Ковальчук", "french") == "Timtchenko Kovaltchouk"
    assert transliterate("ЩЕРБАКОВ", "bgn") == "SHCHERBAKOV"
    assert transliterate("Юлия Яковлева", "icao") == "Iuliia Iakovleva"


def test_every_kazakh_letter_under_every_scheme() -> None:
    path = shared_path("reference", "kazakh_letters.csv")
    with path.open(encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))
    assert len(rows) == 9
    for row in rows:
        lower, upper = row["cyr_lower"], row["cyr_upper"]
        for scheme in SCHEMES:
            out = transliterate(lower, scheme)
            assert (out and out.isascii()) or scheme in ("bgn", "kz2021"), (scheme, lower, out)
            assert not any("\u0400" <= ch <= "\u04ff" for ch in out), (scheme, lower, out)
            assert transliterate(upper, scheme)[:1].isupper() or not transliterate(upper, scheme)
        # Kazakh Latin 2021 is the letter in the reference table (і -> ı, һ -> h)
        assert transliterate(lower, "kz2021") == row["latin2021_lower"]


def test_unknown_scheme_is_an_error() -> None:
    with pytest.raises(ValueError, match="unknown transliteration scheme"):
        transliterate("Путин", "klingon")


def test_other_scripts_go_through_icu() -> None:
    assert transliterate("Νικόλαος").lower().startswith("nik")
    assert latin_variants("김정은") == ("kim jong un",)


def test_latin_variants_cover_the_schemes() -> None:
    variants = latin_variants(TOKAYEV)
    assert "qasym-zhomart toqayev" in variants
    assert "kassym-jomart tokaev" in variants
    assert latin_variants("Tokayev") == ("tokayev",)


def test_reverse_transliteration() -> None:
    assert to_cyrillic("Tokayev") == "токаев"
    assert to_cyrillic("Shcherbakov") == "щербаков"
    assert to_cyrillic("Dmitriy") == "дмитрий"
    assert to_cyrillic("Zhomart") == "жомарт"


def test_skeleton_collapses_scheme_differences() -> None:
    groups = [
        ("Tokayev", "Tokaev", "Toqaev"),
        ("Kassym", "Kasym", "Qasym"),
        ("Zhomart", "Jomart"),
        ("Timtchenko", "Timchenko", "Timtschenko"),
        ("Dmitriy", "Dmitry", "Dmitrii"),
        ("Shcherbakov", "Chtcherbakov", "Schtscherbakow"),
    ]
    for group in groups:
        keys = {skeleton(w.lower()) for w in group}
        assert len(keys) == 1, (group, keys)


@settings(max_examples=200, deadline=None)
@given(st.text(alphabet="абвгдеёжзийклмнопрстуфхцчшщъыьэюяәғқңөұүһі ", max_size=40))
def test_cyrillic_text_becomes_cyrillic_free(text: str) -> None:
    for scheme in SCHEMES:
        out = transliterate(text, scheme)
        assert not any("\u0400" <= ch <= "\u04ff" for ch in out)
    for variant in latin_variants(text):
        assert variant == variant.lower()


def _alerts(left: str, right: str) -> bool:
    from circumspect import settings
    from circumspect.matching.screener import compare_names

    return compare_names(left, right, "Person").score >= settings.alert_threshold()


def test_han_hangul_table_has_source_and_version() -> None:
    import csv
    from pathlib import Path

    import circumspect.names.translit as translit

    path = Path(translit.__file__).parent / "data" / "han_hangul.csv"
    with path.open(encoding="utf-8", newline="") as fh:
        rows = list(csv.DictReader(fh))
    assert len(rows) > 8000
    assert {r["source"] for r in rows} == {"Unihan_Readings.txt kHangul"}
    assert all(r["version"] and r["version"] != "unknown" for r in rows)
    assert translit.han_hangul()["金"] == ("금", "김")


def test_hanja_names_read_as_korean_with_every_surname_reading() -> None:
    from circumspect.names.translit import korean_readings

    assert "kim jong il" in korean_readings("金正日")
    assert korean_readings("李雪主")[:2] == ["ri sol ju", "lee sol ju"]
    assert korean_readings("Putin") == []
    assert korean_readings("习近平") == []  # a simplified character without a Korean reading


def test_kanji_names_read_as_japanese_with_passport_vowels() -> None:
    from circumspect.names.translit import japanese_latin

    assert japanese_latin("山田太郎") == "yamada taro"
    assert japanese_latin("鈴木一郎") == "suzuki ichiro"
    assert japanese_latin("王伟") == ""  # not every character read: no half reading


@pytest.mark.parametrize(
    ("written", "latin"),
    [
        ("金正日", "Kim Jong Il"),
        ("李雪主", "Ri Sol Ju"),
        ("崔龍海", "Choe Ryong Hae"),
        ("安倍晋三", "Abe Shinzo"),
        ("鈴木一郎", "Suzuki Ichiro"),
        ("习近平", "Xi Jinping"),
    ],
)
def test_han_names_match_their_latin_spelling(written: str, latin: str) -> None:
    assert _alerts(written, latin)


@pytest.mark.parametrize(
    ("written", "latin"),
    [("金正恩", "Kim Jong Il"), ("金正恩", "Kim Yo Jong"), ("山田太郎", "Tanaka Taro")],
)
def test_han_readings_do_not_merge_other_people(written: str, latin: str) -> None:
    assert not _alerts(written, latin)


def test_only_names_written_the_korean_or_japanese_way_get_those_readings() -> None:
    from circumspect.names.translit import han_readings

    assert "kim jong un" in han_readings("金正恩")
    assert han_readings("山田 太郎") == ["yamada taro"]
    # given names first, spaced, as Chinese names are in Western records: no extra reading
    assert han_readings("秀英 雅慧 李") == []
    assert han_readings("志豪 永昌 陳") == []
    assert han_readings("Kim Jong Un") == []


def test_warm_up_loads_the_japanese_reader_only_when_needed() -> None:
    """Forked workers share the reader the parent loaded (issue 18): warm_up loads it only
    for texts with Han or kana letters."""
    from circumspect.names import translit

    translit._kakasi.cache_clear()
    translit.warm_up(["Ivan Petrov", "Иван Петров", "محمد"])
    assert translit._kakasi.cache_info().currsize == 0
    translit.warm_up(["Ivan Petrov", "山田 太郎"])
    assert translit._kakasi.cache_info().currsize == 1
