from __future__ import annotations

import pytest

from circumspect.names import drop_patronymic, is_patronymic, strip_legal_form
from circumspect.names.legal_forms import compatible


@pytest.mark.parametrize(
    ("name", "core", "forms"),
    [
        ("ТОО «Береке»", "береке", ("llp",)),
        ("TOO Bereke", "bereke", ("llp",)),
        ("Bereke LLP", "bereke", ("llp",)),
        ('ЖШС "Береке"', "береке", ("llp",)),
        ("Жауапкершілігі шектеулі серіктестік «Береке»", "береке", ("llp",)),
        ("Товарищество с ограниченной ответственностью „Береке“", "береке", ("llp",)),
        ("Общество с ограниченной ответственностью «Ромашка»", "ромашка", ("llc",)),
        ("OOO Romashka", "romashka", ("llc",)),
        ("Romashka Limited Liability Company", "romashka", ("llc",)),
        ("L.L.C. Alpha", "alpha", ("llc",)),
        ("АҚ «ҚазМұнайГаз»", "қазмұнайгаз", ("jsc",)),
        ("AO Kazmunaygaz", "kazmunaygaz", ("jsc",)),
        ("ПАО Сбербанк", "сбербанк", ("pjsc",)),
        ("ЗАО Альфа", "альфа", ("cjsc",)),
        ("ИП Иванов", "иванов", ("ie",)),
        ("ҰК ҚазМұнайГаз АҚ", "қазмұнайгаз", ("nc", "jsc")),
        ("Gulf Star FZE", "gulf star", ("fze",)),
        ("Gulf Star FZCO", "gulf star", ("fzco",)),
        ("Bereke Trading Co., Ltd.", "bereke trading", ("ltd",)),
        ("Volkswagen Gesellschaft mit beschränkter Haftung", "volkswagen", ("gmbh",)),
    ],
)
def test_strip_legal_form(name: str, core: str, forms: tuple[str, ...]) -> None:
    assert strip_legal_form(name) == (core, forms)


def test_a_bare_form_is_kept_as_the_name() -> None:
    assert strip_legal_form("LLC") == ("llc", ())


def test_compatibility_of_forms() -> None:
    assert compatible("llp", "llc")
    assert compatible("jsc", "pjsc")
    assert not compatible("llp", "jsc")
    assert compatible("co", "jsc")


@pytest.mark.parametrize(
    "token",
    [
        "Владимирович",
        "Сергеевна",
        "Абишұлы",
        "Кемелұлы",
        "Нұрланқызы",
        "Kemelevich",
        "Abishuly",
        "kyzy",
        "ұлы",
    ],
)
def test_patronymics(token: str) -> None:
    assert is_patronymic(token.casefold())


def test_not_patronymics() -> None:
    for token in ("vladimir", "путин", "tokayev", "ivanovna-street"):
        assert not is_patronymic(token)


def test_drop_patronymic() -> None:
    assert drop_patronymic("Путин Владимир Владимирович") == "путин владимир"
    assert drop_patronymic("Владимирович") == "владимирович"
