"""FollowTheMoney JSON lines: OpenSanctions ``entities.ftm.json`` and our own exports.

Reading: every line is one FtM entity (``id``, ``schema``, ``properties``, optionally
``datasets``). Persons, organisations, companies, legal entities (and their FtM
sub-schemata, mapped to the nearest of those), vessels and airplanes become
:class:`ListedEntity`; ``Sanction`` entities are attached to the entity they name in
``entity``; other schemata (Address, Ownership, Identification, ...) are skipped.
``source_id`` is the line's ``source_id`` key when present (our exports), else its ``id``.

When the stream is seekable (a file), sanctions are collected in a first pass and entities
streamed in a second, so memory holds only the sanctions; otherwise the lines are buffered.

Writing: each entity, then its sanctions, as FtM lines with ``datasets: [source]`` and a
``source_id`` key (extra keys are allowed by FtM readers).
"""

from __future__ import annotations

import io
from collections import defaultdict
from collections.abc import Iterable, Iterator, Sequence
from pathlib import Path
from typing import IO, Any

import orjson
from followthemoney import model
from followthemoney.proxy import EntityProxy

from circumspect.errors import FormatMismatchError, ParseError
from circumspect.model.entities import (
    CUSTOM_PREFIX,
    SOURCES,
    ListedEntity,
    make_entity_id,
    new_proxy,
)
from circumspect.sources.base import put

FORMAT = "ftm"

#: Kept schemata, most specific first: an FtM schema becomes the first one it is a kind of.
_KEEP: tuple[str, ...] = ("Person", "Company", "Organization", "Vessel", "Airplane", "LegalEntity")


def write_entities(entities: Iterable[ListedEntity], fh: IO[str]) -> int:
    """Write entities and their sanctions as FtM JSON lines; returns the entity count."""
    count = 0
    for entity in entities:
        body: dict[str, Any] = dict(entity.proxy.to_dict())
        body["datasets"] = [entity.source]
        body["source_id"] = entity.source_id
        if entity.sublist is not None:
            body["list"] = entity.sublist
        fh.write(orjson.dumps(body, option=orjson.OPT_SORT_KEYS).decode("utf-8") + "\n")
        for sanction in entity.sanctions:
            data: dict[str, Any] = dict(sanction.to_dict())
            data["datasets"] = [entity.source]
            fh.write(orjson.dumps(data, option=orjson.OPT_SORT_KEYS).decode("utf-8") + "\n")
        count += 1
    return count


def _kept_schema(name: str) -> str | None:
    schema = model.get(name)
    if schema is None:
        return None
    for keep in _KEEP:
        if schema.is_a(keep):
            return keep
    return None


def _lines(fh: IO[str], file: str) -> Iterator[tuple[int, str]]:
    line_no = 0
    iterator = iter(fh)
    while True:
        try:
            line = next(iterator)
        except StopIteration:
            return
        except UnicodeDecodeError as exc:
            raise ParseError(
                f"invalid UTF-8 text ({exc.reason})", file=file, line=line_no + 1
            ) from exc
        line_no += 1
        yield line_no, line


def _records(fh: IO[str], file: str) -> Iterator[tuple[int, dict[str, Any]]]:
    for line_no, line in _lines(fh, file):
        if not line.strip():
            continue
        try:
            data = orjson.loads(line)
        except orjson.JSONDecodeError as exc:
            raise ParseError(f"invalid JSON: {exc}", file=file, line=line_no) from exc
        if not isinstance(data, dict):
            raise ParseError("a line must be a JSON object", file=file, line=line_no)
        entity_id, schema = data.get("id"), data.get("schema")
        if not isinstance(entity_id, str) or not entity_id.strip():
            raise ParseError("entity without a string id", file=file, line=line_no)
        if not isinstance(schema, str) or model.get(schema) is None:
            raise ParseError(
                f"unknown FtM schema {schema!r}", file=file, line=line_no, record=entity_id
            )
        props = data.get("properties", {})
        if not isinstance(props, dict) or not all(
            isinstance(v, list) and all(isinstance(x, str) for x in v) for v in props.values()
        ):
            raise ParseError(
                "properties must map names to lists of strings",
                file=file,
                line=line_no,
                record=entity_id,
            )
        yield line_no, data


def _source_of(data: dict[str, Any], source: str | None) -> str:
    if source is not None:
        return source
    datasets = data.get("datasets")
    if isinstance(datasets, list):
        for name in datasets:
            if name in SOURCES:
                return str(name)
    return "opensanctions"


def _sanction(data: dict[str, Any]) -> EntityProxy:
    proxy = new_proxy("Sanction", str(data["id"]))
    for prop, values in data.get("properties", {}).items():
        for value in values:
            put(proxy, prop, value)
    return proxy


def _entity(data: dict[str, Any], source: str, sanctions: list[EntityProxy]) -> ListedEntity:
    schema = _kept_schema(str(data["schema"]))
    assert schema is not None
    raw_source_id = data.get("source_id")
    # A list's own id is unique only within that list (OFAC SDN and consolidated share
    # ent_nums): keep it only when the line belongs to the source being loaded.
    own = isinstance(raw_source_id, str | int) and _source_of(data, None) == source
    source_id = str(raw_source_id) if own else str(data["id"])
    entity_id = make_entity_id(source, source_id)
    proxy = new_proxy(schema, entity_id)
    for prop, values in data.get("properties", {}).items():
        for value in values:
            put(proxy, prop, value)
    for sanction in sanctions:
        sanction.set("entity", entity_id)
    sublist = data.get("list") if own else None
    return ListedEntity(
        proxy=proxy,
        source=source,
        source_id=source_id,
        sanctions=sanctions,
        sublist=str(sublist) if isinstance(sublist, str) and sublist else None,
    )


def read_entities(
    fh: IO[str], source: str | None = None, *, file: str = "<stream>"
) -> Iterator[ListedEntity]:
    """Entities (with their sanctions) from FtM JSON lines.

    ``source`` names the list the entities belong to; when None it is taken from each
    line's ``datasets`` (our exports) or is ``opensanctions``.
    """
    seekable = False
    try:
        seekable = fh.seekable()
        start = fh.tell() if seekable else 0
    except (OSError, io.UnsupportedOperation):
        seekable = False
    sanctions: dict[str, list[EntityProxy]] = defaultdict(list)
    buffered: list[dict[str, Any]] = []
    for _, data in _records(fh, file):
        if not _belongs(data, source):
            continue
        if data["schema"] == "Sanction":
            for target in data.get("properties", {}).get("entity", []):
                sanctions[target].append(_sanction(data))
        elif _kept_schema(data["schema"]) is not None and not seekable:
            buffered.append(data)
    if seekable:
        fh.seek(start)
        records: Iterable[dict[str, Any]] = (
            d
            for _, d in _records(fh, file)
            if d["schema"] != "Sanction"
            and _kept_schema(d["schema"]) is not None
            and _belongs(d, source)
        )
    else:
        records = buffered
    for data in records:
        yield _entity(data, _source_of(data, source), sanctions.pop(data["id"], []))


def check_source(source: str, path: Path) -> None:
    """FormatMismatchError when an FtM file holds no entity of ``source``.

    OpenSanctions files (``source == "opensanctions"``) accept any FtM data; for the other
    sources the file must be one of our exports (``datasets`` names our sources) with at
    least one line of that source. A mixed export (``lists export`` of several sources) is
    fine: only the lines of ``source`` are read.
    """
    if _any_data(source):
        return
    with path.open("r", encoding="utf-8", newline="") as fh:
        for line_no, line in _lines(fh, str(path)):
            if not line.strip():
                continue
            try:
                data = orjson.loads(line)
            except orjson.JSONDecodeError as exc:
                raise ParseError(f"invalid JSON: {exc}", file=str(path), line=line_no) from exc
            datasets = data.get("datasets") if isinstance(data, dict) else None
            if isinstance(datasets, list) and source in datasets:
                return
            if not isinstance(datasets, list) or not any(d in SOURCES for d in datasets):
                raise FormatMismatchError(
                    f"FtM data of datasets {datasets!r}, not an export of source {source} "
                    "(load OpenSanctions data with --source opensanctions)",
                    file=str(path),
                    line=line_no,
                )
    raise FormatMismatchError(
        f"FtM export without any entity of source {source}", file=str(path), line=1
    )


def _belongs(data: dict[str, Any], source: str | None) -> bool:
    if source is None or _any_data(source):
        return True
    datasets = data.get("datasets")
    return isinstance(datasets, list) and source in datasets


def _any_data(source: str) -> bool:
    """OpenSanctions and custom lists take every entity of an FtM file."""
    return source == "opensanctions" or source.startswith(CUSTOM_PREFIX)


def parse(source: str, paths: Sequence[Path]) -> Iterator[ListedEntity]:
    for path in paths:
        with path.open("r", encoding="utf-8", newline="") as fh:
            yield from read_entities(fh, source, file=str(path))
