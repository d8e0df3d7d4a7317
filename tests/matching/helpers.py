"""Small listed entities shared by the matching tests."""

from __future__ import annotations

from circumspect.model.entities import ListedEntity, make_entity_id, new_proxy


def entity(
    schema: str, source_id: str, props: list[tuple[str, str]], source: str = "un_sc"
) -> ListedEntity:
    return ListedEntity(
        new_proxy(schema, make_entity_id(source, source_id), props), source, source_id
    )


def sample_entities() -> list[ListedEntity]:
    return [
        entity(
            "Person",
            "1",
            [
                ("name", "Қасым-Жомарт Кемелұлы Тоқаев"),
                ("birthDate", "1953-05-17"),
                ("nationality", "kz"),
            ],
        ),
        entity(
            "Person",
            "2",
            [
                ("name", "Путин Владимир Владимирович"),
                ("alias", "Vladimir Putin"),
                ("birthDate", "1952-10-07"),
            ],
        ),
        entity(
            "Company",
            "3",
            [("name", "ТОО «Береке Логистик»"), ("taxNumber", "940140000385"), ("country", "kz")],
        ),
        entity("Company", "4", [("name", "Bank Melli Iran"), ("swiftBic", "MELIIRTHXXX")]),
        entity("Vessel", "5", [("name", "OCEAN STAR"), ("imoNumber", "IMO 9176187")]),
        entity("Company", "6", [("name", "ООО «Ромашка»"), ("innCode", "1234567894")]),
        entity("Person", "7", [("name", "Геннадий Николаевич Тимченко")]),
        entity(
            "Company",
            "8",
            [("name", "Kazakh Trading House JSC"), ("leiCode", "5493001KJTIIGC8Y1R12")],
        ),
    ]
