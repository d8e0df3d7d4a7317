"""Brand extraction: precision and recall on a labelled set, hard negatives, bad brand files."""

from __future__ import annotations

import csv
from pathlib import Path

from circumspect.goods.brands import BrandExtractor, default_extractor, load_brands

LABELLED = Path(__file__).parent / "data" / "brand_descriptions.csv"


def _score(rows: list[dict[str, str]]) -> tuple[float, float]:
    x = default_extractor()
    tp = fp = fn = 0
    for r in rows:
        expected = {b for b in r["brands"].split(";") if b}
        got = {h.brand for h in x.extract(r["description"])}
        tp += len(expected & got)
        fp += len(got - expected)
        fn += len(expected - got)
    return tp / max(1, tp + fp), tp / max(1, tp + fn)


def test_precision_recall_on_labelled_set() -> None:
    rows = list(csv.DictReader(LABELLED.open(encoding="utf-8")))
    assert len(rows) >= 300
    langs = {r["lang"] for r in rows}
    assert langs == {"en", "ru", "kk"}
    assert sum(1 for r in rows if not r["brands"]) >= 100  # negatives, many of them hard
    precision, recall = _score(rows)
    assert precision >= 0.97 and recall >= 0.97, (precision, recall)
    for lang in langs:
        p, r = _score([row for row in rows if row["lang"] == lang])
        assert p >= 0.95 and r >= 0.95, (lang, p, r)


def test_latin_cyrillic_and_case_forms() -> None:
    x = default_extractor()

    def brands(text: str) -> list[str]:
        return [h.brand for h in x.extract(text)]

    assert brands("автомобиль БМВ X5") == ["BMW"]
    assert brands("телефоны Эппл iPhone") == ["Apple"]
    assert brands("перфоратор Бош") == ["Bosch"]
    assert brands("контроллеры Сименс") == ["Siemens"]
    assert brands("экскаватор Катерпиллар 320") == ["Caterpillar"]
    assert brands("запчасти для Мерседеса") == ["Mercedes-Benz"]
    assert brands("BMW-ға арналған бөлшектер") == ["BMW"]


def test_hard_negatives() -> None:
    x = default_extractor()
    for text in (
        "intelligent sensors",
        "алюминий профиль",
        "мини-трактор дизельный",
        "apple juice concentrate",
        "Fresh Apple slices, dried fruit",
        "engine 150 HP",
        "CAT6 cable",
        "Boschetti pasta machines",
        "Мини-экскаватор 1.5 т",
    ):
        assert x.extract(text) == [], text


def test_brand_file_with_duplicates_gives_row_errors(tmp_path: Path) -> None:
    path = tmp_path / "brands.csv"
    header = "brand,aliases,owner,owner_country,stopped_supplying_russia,stopped_source,source\n"
    path.write_text(
        header
        + "Bosch,Bosch;Бош,Robert Bosch GmbH,DE,yes,statement,annual report\n"
        + "BOSCH,Bosch,Robert Bosch GmbH,DE,yes,statement,annual report\n"
        + "Acme,Бош,Acme Inc,US,no,,annual report\n"
        + "Foo,Foo,Foo Ltd,XX,no,,annual report\n"
        + "Bar,Bar,Bar Ltd,GB,maybe,,annual report\n"
        + "Baz,Baz,Baz Ltd,GB,yes,,annual report\n"
        + "Sony,Sony;Сони,Sony Group,JP,yes,statement,annual report\n",
        encoding="utf-8",
    )
    brands, errors = load_brands(path)
    assert [b.brand for b in brands] == ["Bosch", "Sony"]
    by_line = {e.line: e for e in errors}
    assert set(by_line) == {3, 4, 5, 6, 7}
    assert "duplicate brand" in by_line[3].reason and "line 2" in by_line[3].reason
    assert "already belongs to 'Bosch'" in by_line[4].reason
    assert by_line[5].column == "owner_country"
    assert by_line[6].column == "stopped_supplying_russia"
    assert by_line[7].column == "stopped_source"
    assert [h.brand for h in BrandExtractor(brands).extract("Сони и Бош")] == ["Sony", "Bosch"]


def test_shipped_brands_have_owner_country_and_source() -> None:
    brands, errors = load_brands()
    assert errors == []
    assert len(brands) >= 25
    for b in brands:
        assert b.owner and b.owner_country and b.source
        if b.stopped_supplying_russia:
            assert b.stopped_source
