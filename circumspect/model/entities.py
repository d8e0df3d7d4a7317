"""List entities: a FollowTheMoney entity plus the list it came from.

Conventions (see ``docs/model.md``):

* ``proxy`` is a FollowTheMoney ``EntityProxy`` of schema Person, Company, Organization,
  LegalEntity, Vessel or Airplane. Names go to ``name``, aliases to ``alias``, weak aliases
  (OFAC "f.k.a."/weak a.k.a., UN "low quality") to ``weakAlias``.
* Identifiers use FtM properties: ``innCode`` (Russian INN), ``ogrnCode`` (OGRN),
  ``imoNumber`` (IMO), ``swiftBic`` (BIC), ``leiCode`` (LEI), ``passportNumber``,
  ``registrationNumber`` (incl. Kazakh BIN), ``taxNumber`` (incl. Kazakh BIN/IIN),
  ``idNumber`` (national ids, incl. Kazakh IIN).
* ``sanctions`` holds FtM ``Sanction`` entities (program, authority, listingDate, reason)
  whose ``entity`` property points at ``proxy.id``.
* ``id`` is stable across reloads: derived from ``source`` and ``source_id`` only.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from followthemoney import model
from followthemoney.proxy import EntityProxy

#: Short names of the supported list sources.
SOURCES: tuple[str, ...] = (
    "ofac_sdn",
    "ofac_cons",
    "un_sc",
    "eu_fsf",
    "uk_fcdo",
    "bis_dpl",
    "opensanctions",
)

_ID_UNSAFE = re.compile(r"[^A-Za-z0-9._-]+")


def make_entity_id(source: str, source_id: str, suffix: str | None = None) -> str:
    """A stable entity id from the source name and the list's own record id."""
    base = f"{source.replace('_', '-')}-{_ID_UNSAFE.sub('-', source_id.strip()).strip('-')}"
    return base if suffix is None else f"{base}-{suffix}"


@dataclass(slots=True)
class ListedEntity:
    """One entry of a sanctions list."""

    proxy: EntityProxy
    source: str
    source_id: str
    sanctions: list[EntityProxy] = field(default_factory=list)

    @property
    def id(self) -> str:
        entity_id = self.proxy.id
        assert entity_id is not None, "listed entities always carry an id"
        return str(entity_id)

    @property
    def schema(self) -> str:
        return str(self.proxy.schema.name)

    @property
    def caption(self) -> str:
        return str(self.proxy.caption)

    def get(self, prop: str) -> list[str]:
        """Values of one FtM property ([] when the schema lacks it)."""
        if prop not in self.proxy.schema.properties:
            return []
        return [str(v) for v in self.proxy.get(prop)]

    def names(self, weak: bool = True) -> list[str]:
        """Primary names, aliases and previous names (and weak aliases when ``weak``)."""
        props = ["name", "alias", "previousName"]
        if weak:
            props.append("weakAlias")
        out: list[str] = []
        for prop in props:
            for value in self.get(prop):
                if value not in out:
                    out.append(value)
        return out

    def to_dict(self) -> dict[str, Any]:
        """FtM JSON of the entity plus ``source``, ``source_id`` and ``sanctions``."""
        data: dict[str, Any] = dict(self.proxy.to_dict())
        data["source"] = self.source
        data["source_id"] = self.source_id
        data["sanctions"] = [s.to_dict() for s in self.sanctions]
        return data

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> ListedEntity:
        body = {k: v for k, v in data.items() if k in ("id", "schema", "properties")}
        proxy = model.get_proxy(body)
        sanctions = [model.get_proxy(s) for s in data.get("sanctions", [])]
        return cls(
            proxy=proxy,
            source=str(data["source"]),
            source_id=str(data["source_id"]),
            sanctions=sanctions,
        )

    def fingerprint(self) -> dict[str, list[str]]:
        """Sorted property values of the entity and its sanctions, for diffs."""
        props: dict[str, list[str]] = {}
        for prop, values in self.proxy.properties.items():
            props[prop] = sorted(str(v) for v in values)
        for sanction in self.sanctions:
            for prop, values in sanction.properties.items():
                if prop == "entity":
                    continue
                key = f"sanction.{prop}"
                props[key] = sorted(set(props.get(key, [])) | {str(v) for v in values})
        props["schema"] = [self.schema]
        return props


def new_proxy(
    schema: str, entity_id: str, properties: Iterable[tuple[str, str]] = ()
) -> EntityProxy:
    """An FtM proxy with the given id and property values (empty values are skipped)."""
    proxy = model.make_entity(schema)
    proxy.id = entity_id
    for prop, value in properties:
        if value and value.strip():
            proxy.add(prop, value.strip())
    return proxy
