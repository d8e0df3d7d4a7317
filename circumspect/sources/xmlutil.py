"""Streaming XML for the list parsers (lxml ``iterparse``), with safe parser settings.

Entities and DTDs are never resolved and nothing is fetched from the network. Syntax
errors (a truncated file, bad encoding, garbage) become one :class:`ParseError` naming the
file and line.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from functools import lru_cache
from pathlib import Path
from typing import Any

from lxml import etree

from circumspect.errors import ParseError


@lru_cache(maxsize=4096)
def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1] if "}" in tag else tag


def local(tag: object) -> str:
    """Tag name without namespace (``{ns}name`` -> ``name``)."""
    return _local(tag) if isinstance(tag, str) else str(tag)


def iter_elements(path: Path, tags: set[str]) -> Iterator[Any]:
    """Yield each completed element whose local name is in ``tags``, then free it."""
    label = str(path)
    try:
        context = etree.iterparse(
            str(path),
            events=("end",),
            resolve_entities=False,
            no_network=True,
            load_dtd=False,
            huge_tree=True,
            remove_comments=True,
            remove_pis=True,
            tag=[f"{{*}}{name}" for name in sorted(tags)],
        )
        for _, element in context:
            if local(element.tag) in tags:
                yield element
                element.clear(keep_tail=False)
                parent = element.getparent()
                if parent is not None:
                    while element.getprevious() is not None:
                        del parent[0]
    except etree.XMLSyntaxError as exc:
        line = exc.lineno if isinstance(exc.lineno, int) and exc.lineno > 0 else None
        message = str(exc.msg) if getattr(exc, "msg", None) else str(exc)
        message = re.sub(r",? line \d+, column \d+$", "", message).strip()
        raise ParseError(f"malformed XML: {message}", file=label, line=line) from exc
    except OSError as exc:
        raise ParseError(f"cannot read XML: {exc}", file=label) from exc


def text(element: Any, *path: str) -> str:
    """Stripped text of the first descendant along ``path`` (local names), or ''."""
    node = element
    for name in path:
        node = child(node, name)
        if node is None:
            return ""
    value = node.text if node is not None else None
    return value.strip() if isinstance(value, str) else ""


def child(element: Any, name: str) -> Any:
    for sub in element:
        if isinstance(sub.tag, str) and local(sub.tag) == name:
            return sub
    return None


def children(element: Any, name: str) -> list[Any]:
    return [sub for sub in element if isinstance(sub.tag, str) and local(sub.tag) == name]


def attr(element: Any, name: str) -> str:
    value = element.get(name)
    return value.strip() if isinstance(value, str) else ""
