"""Hand-built list entities for store tests."""

from __future__ import annotations

from collections.abc import Iterator

from circumspect.model.entities import ListedEntity, make_entity_id, new_proxy
from circumspect.sources.base import make_sanction


def person(
    source: str,
    source_id: str,
    name: str,
    *,
    aliases: tuple[str, ...] = (),
    birth_date: str | None = None,
    nationality: str | None = None,
    program: str = "RUSSIA-EO14024",
) -> ListedEntity:
    entity_id = make_entity_id(source, source_id)
    props = [("name", name)] + [("alias", a) for a in aliases]
    if birth_date:
        props.append(("birthDate", birth_date))
    if nationality:
        props.append(("nationality", nationality))
    proxy = new_proxy("Person", entity_id, props)
    sanction = make_sanction(source, source_id, entity_id, authority="OFAC", programs=[program])
    return ListedEntity(proxy=proxy, source=source, source_id=source_id, sanctions=[sanction])


def company(source: str, source_id: str, name: str, *, inn: str | None = None) -> ListedEntity:
    entity_id = make_entity_id(source, source_id)
    props = [("name", name), ("country", "ru")]
    if inn:
        props.append(("innCode", inn))
    proxy = new_proxy("Company", entity_id, props)
    return ListedEntity(proxy=proxy, source=source, source_id=source_id)


def generated(source: str, count: int, *, start: int = 0) -> Iterator[ListedEntity]:
    """``count`` synthetic entities with ids ``start..start+count-1``."""
    for number in range(start, start + count):
        if number % 3 == 0:
            yield company(source, str(number), f"TRADING HOUSE {number} LLC", inn=f"77{number:08d}")
        else:
            yield person(
                source,
                str(number),
                f"IVANOV Ivan {number}",
                aliases=(f"Иванов Иван {number}",),
                birth_date="1970-01-01",
            )
