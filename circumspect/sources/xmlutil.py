"""The one safe XML layer of the package: every XML input (sanctions lists, ISO 20022
payment messages, reference data) is parsed here, never with lxml or ``xml.*`` directly.

* One option set (:func:`safe_parser` / :data:`SAFE_OPTIONS`): entities are never resolved,
  no DTD is loaded, nothing is fetched from the network, comments and processing
  instructions are dropped.
* A document with a DOCTYPE is **refused** with a :class:`ParseError` naming the file
  (never parsed with the declaration silently ignored): a DOCTYPE is how external entities
  (XXE) and entity expansion ("billion laughs") arrive, and none of the formats read here
  uses one. :func:`parse_bytes` (whole documents) and :func:`iter_elements` (streamed
  lists) both check it before reading any element.
* Syntax errors (a truncated file, bad encoding, garbage) become one :class:`ParseError`
  naming the file and line.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from functools import lru_cache
from pathlib import Path
from typing import Any

from lxml import etree

from circumspect.errors import ParseError

#: The parser options every XML input is read with.
SAFE_OPTIONS: dict[str, bool] = {
    "resolve_entities": False,
    "no_network": True,
    "load_dtd": False,
    "dtd_validation": False,
    "remove_comments": True,
    "remove_pis": True,
}


def safe_parser(*, huge_tree: bool = False) -> etree.XMLParser:
    """An lxml parser with :data:`SAFE_OPTIONS` (``huge_tree`` only for big list files)."""
    return etree.XMLParser(huge_tree=huge_tree, **SAFE_OPTIONS)


def _doctype_error(label: str | None) -> ParseError:
    return ParseError(
        "XML with a DOCTYPE is refused (external entities and entity expansion are never "
        "allowed; the formats read here use no DTD)",
        file=label,
        field="DOCTYPE",
    )


def _syntax_error(exc: etree.XMLSyntaxError, label: str | None) -> ParseError:
    line = exc.lineno if isinstance(exc.lineno, int) and exc.lineno > 0 else None
    message = str(exc.msg) if getattr(exc, "msg", None) else str(exc)
    message = re.sub(r",? line \d+, column \d+$", "", message).strip()
    return ParseError(f"malformed XML: {message}", file=label, line=line)


def _has_doctype(root: Any) -> bool:
    docinfo = root.getroottree().docinfo
    return bool(docinfo.doctype or docinfo.internalDTD is not None or docinfo.system_url)


def parse_bytes(raw: bytes, file: str | None = None) -> Any:
    """The root element of one whole XML document held in memory.

    :class:`ParseError` (naming ``file``) for a DOCTYPE, a syntax error or an empty document.
    """
    try:
        root = etree.fromstring(raw, parser=safe_parser())
    except etree.XMLSyntaxError as exc:
        raise _syntax_error(exc, file) from exc
    if root is None:
        raise ParseError("empty XML document", file=file)
    if _has_doctype(root):
        raise _doctype_error(file)
    return root


def refuse_doctype(path: Path) -> None:
    """Read ``path`` up to its root element's start tag; :class:`ParseError` when the
    prolog carries a DOCTYPE (or the prolog is not well-formed)."""
    label = str(path)
    try:
        context = etree.iterparse(str(path), events=("start",), huge_tree=False, **SAFE_OPTIONS)
        for _, element in context:
            if _has_doctype(element):
                raise _doctype_error(label)
            break
    except etree.XMLSyntaxError as exc:
        raise _syntax_error(exc, label) from exc
    except OSError as exc:
        raise ParseError(f"cannot read XML: {exc}", file=label) from exc


@lru_cache(maxsize=4096)
def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1] if "}" in tag else tag


def local(tag: object) -> str:
    """Tag name without namespace (``{ns}name`` -> ``name``)."""
    return _local(tag) if isinstance(tag, str) else str(tag)


def iter_elements(path: Path, tags: set[str]) -> Iterator[Any]:
    """Yield each completed element whose local name is in ``tags``, then free it.

    The file is refused (:class:`ParseError`) when it has a DOCTYPE, before any element."""
    label = str(path)
    refuse_doctype(path)
    try:
        context = etree.iterparse(
            str(path),
            events=("end",),
            huge_tree=True,
            tag=[f"{{*}}{name}" for name in sorted(tags)],
            **SAFE_OPTIONS,
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
        raise _syntax_error(exc, label) from exc
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
