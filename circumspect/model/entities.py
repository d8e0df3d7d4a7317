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
    "us_csl",
    "kz_afm",
    "opensanctions",
)

#: Prefix of user-defined list sources (``custom:NAME``), see :func:`is_source`.
CUSTOM_PREFIX = "custom:"
_CUSTOM_NAME = re.compile(r"^[a-z0-9][a-z0-9_-]{0,47}$")


def custom_name_problem(source: str) -> str | None:
    """Why ``source`` is not a valid ``custom:NAME`` source, or None when it is."""
    if not source.startswith(CUSTOM_PREFIX):
        return f"{source!r} does not start with {CUSTOM_PREFIX!r}"
    name = source[len(CUSTOM_PREFIX) :]
    if not _CUSTOM_NAME.match(name):
        return (
            f"custom list name {name!r} must be 1-48 characters of a-z, 0-9, '_' and '-', "
            "starting with a letter or digit"
        )
    return None


def is_source(source: str) -> bool:
    """A built-in source name or a well-formed ``custom:NAME``."""
    return source in SOURCES or (
        source.startswith(CUSTOM_PREFIX) and custom_name_problem(source) is None
    )


def unknown_source_message(source: str) -> str:
    if source.startswith(CUSTOM_PREFIX):
        return str(custom_name_problem(source))
    return f"unknown source {source!r}; expected one of {', '.join(SOURCES)} or custom:NAME"


_ID_UNSAFE = re.compile(r"[^A-Za-z0-9._-]+")


def make_entity_id(source: str, source_id: str, suffix: str | None = None) -> str:
    """A stable entity id from the source name and the list's own record id."""
    prefix = source.replace("_", "-").replace(":", "-")
    base = f"{prefix}-{_ID_UNSAFE.sub('-', source_id.strip()).strip('-')}"
    return base if suffix is None else f"{base}-{suffix}"


@dataclass(slots=True)
class ListedEntity:
    """One entry of a sanctions list."""

    proxy: EntityProxy
    source: str
    source_id: str
    sanctions: list[EntityProxy] = field(default_factory=list)
    #: The sub-list of the source the entry is on (US CSL: ``EL``, ``MEU``, ``SDN``...),
    #: stored as ``list`` in the JSON; None for single-list sources.
    sublist: str | None = None

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
        if self.sublist is not None:
            data["list"] = self.sublist
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
            sublist=str(data["list"]) if data.get("list") else None,
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
        if self.sublist is not None:
            props["list"] = [self.sublist]
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
