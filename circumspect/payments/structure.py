"""Structural validation of ISO 20022 messages against their message definitions.

The element cardinalities, order, simple-type facets and code lists of every supported
message version (pacs.008.001.02-13, pacs.009.001.02-12, pain.001.001.03-12) and of the
business application header (head.001.001.01-04) are data: ``data/iso20022_structure.csv``,
compiled from the published XSDs by ``scripts/gen/iso20022_structure.py`` (see decision
1301). :func:`build` walks a parsed message once, checks every element against its type and
builds the :class:`Node` tree the reader works on. Anything the definition does not allow is a
:class:`ParseError` whose ``field`` is the element path (``/Document/FIToFICstmrCdtTrf/
CdtTrfTxInf[1]/Cdtr/Nm``):

* an element that is not defined at that place (unknown, or from another namespace);
* a non-repeatable element given twice, a repeatable one more often than its maximum, a
  mandatory one missing, elements out of their sequence order, a ``...Choice`` with other
  than exactly one alternative;
* text directly inside a complex element, or child elements inside a text element (mixed
  content: ``<Nm>Weber <b>ARLAN TRADE LLP</b></Nm>``);
* a value outside its type: length, pattern, code list, decimal digits, date, boolean;
* an amount with more decimals than its currency's ISO 4217 minor unit;
* an attribute the type does not define (``xsi:``/``xml:`` attributes excepted).
"""

from __future__ import annotations

import csv
import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime
from functools import lru_cache
from importlib import resources
from typing import Any

from circumspect.errors import ParseError

#: Element types whose content is a party (person or organisation) or a bank: every
#: element of these types anywhere in a message is screened.
PARTY_TYPE_PREFIXES = ("PartyIdentification", "NameAndAddress")
AGENT_TYPE_PREFIXES = ("BranchAndFinancialInstitutionIdentification",)
#: Attributes allowed on any element (namespace declarations are not attributes in lxml).
_FREE_ATTR_NS = (
    "http://www.w3.org/2001/XMLSchema-instance",
    "http://www.w3.org/XML/1998/namespace",
)


@dataclass(frozen=True, slots=True)
class Rule:
    """One element (or ``@attribute`` / ``#text`` value) of a complex type."""

    name: str
    minimum: int
    maximum: int | None  # None: unbounded
    type: str
    kind: str
    min_length: int | None = None
    max_length: int | None = None
    pattern: re.Pattern[str] | None = None
    total_digits: int | None = None
    fraction_digits: int | None = None


@dataclass(slots=True)
class ComplexType:
    name: str
    elements: dict[str, Rule]
    order: dict[str, int]
    attributes: dict[str, Rule]
    text: Rule | None
    wildcard: bool
    choice: bool


@dataclass(slots=True)
class Schema:
    """One message definition version (e.g. ``pacs.008.001.08``)."""

    message: str
    root: Rule
    types: dict[str, ComplexType]
    codes: dict[str, frozenset[str]]


class Node:
    """A validated element: local name, whitespace-normalised text, attributes, children by
    local name, its ISO 20022 type and its path (for error messages and flags)."""

    __slots__ = ("attrib", "children", "path", "tag", "text", "type")

    def __init__(
        self, tag: str, text: str | None, attrib: dict[str, str], type_name: str, path: str
    ) -> None:
        self.tag = tag
        self.text = text
        self.attrib = attrib
        self.type = type_name
        self.path = path
        self.children: dict[str, list[Node]] = {}

    def get(self, name: str) -> str | None:
        return self.attrib.get(name)

    def findall(self, path: str) -> list[Node]:
        nodes = [self]
        for part in path.split("/"):
            if part == ".":
                continue
            nxt: list[Node] = []
            for node in nodes:
                nxt.extend(node.children.get(part, ()))
            nodes = nxt
            if not nodes:
                break
        return nodes

    def find(self, path: str) -> Node | None:
        node = self
        for part in path.split("/"):
            if part == ".":
                continue
            found = node.children.get(part)
            if not found:
                return None
            node = found[0]
        return node

    def walk(self) -> Iterator[Node]:
        stack = [self]
        while stack:
            node = stack.pop()
            yield node
            for group in reversed(list(node.children.values())):
                stack.extend(reversed(group))


def is_party_type(name: str) -> bool:
    return name.startswith(PARTY_TYPE_PREFIXES)


def is_agent_type(name: str) -> bool:
    return name.startswith(AGENT_TYPE_PREFIXES)


# -- loading ---------------------------------------------------------------------------------


def _versions(spec: str) -> list[str]:
    out: list[str] = []
    for item in spec.split():
        if ".." in item:
            first, last = item.split("..")
            stem = first[:-2]
            out.extend(f"{stem}{n:02d}" for n in range(int(first[-2:]), int(last) + 1))
        else:
            out.append(item)
    return out


def _int(value: str) -> int | None:
    return int(value) if value else None


@lru_cache(maxsize=1)
def schemas() -> dict[str, Schema]:
    """Every supported message definition, from ``data/iso20022_structure.csv``."""
    text = (
        resources.files("circumspect.payments")
        .joinpath("data/iso20022_structure.csv")
        .read_text(encoding="utf-8")
    )
    patterns: dict[str, re.Pattern[str]] = {}
    raw: dict[str, dict[str, list[dict[str, str]]]] = {}
    for row in csv.DictReader(text.splitlines()):
        for message in _versions(row["version"]):
            raw.setdefault(message, {}).setdefault(row["type"], []).append(row)
    out: dict[str, Schema] = {}
    for message, by_type in raw.items():
        types: dict[str, ComplexType] = {}
        codes: dict[str, frozenset[str]] = {}
        root: Rule | None = None
        for type_name, rows in by_type.items():
            if rows[0]["kind"] == "enum":
                codes[type_name] = frozenset(rows[0]["values"].split())
                continue
            ctype = ComplexType(type_name, {}, {}, {}, None, False, type_name.endswith("Choice"))
            for row in rows:
                pattern_text = row["pattern"]
                pattern = None
                if pattern_text:
                    pattern = patterns.get(pattern_text)
                    if pattern is None:
                        pattern = re.compile(pattern_text)
                        patterns[pattern_text] = pattern
                rule = Rule(
                    name=row["element"],
                    minimum=int(row["min"] or 0),
                    maximum=None if row["max"] == "unbounded" else int(row["max"] or 1),
                    type=row["element_type"],
                    kind=row["kind"],
                    min_length=_int(row["min_length"]),
                    max_length=_int(row["max_length"]),
                    pattern=pattern,
                    total_digits=_int(row["total_digits"]),
                    fraction_digits=_int(row["fraction_digits"]),
                )
                if rule.name == "*":
                    ctype.wildcard = True
                elif rule.name == "#text":
                    ctype.text = rule
                elif rule.name.startswith("@"):
                    ctype.attributes[rule.name[1:]] = rule
                else:
                    ctype.order[rule.name] = len(ctype.elements)
                    ctype.elements[rule.name] = rule
            if type_name == "Document":
                root = next(iter(ctype.elements.values()))
            else:
                types[type_name] = ctype
        if root is None:
            continue
        out[message] = Schema(message, root, types, codes)
    return out


# -- validation --------------------------------------------------------------------------------


def _local(tag: str) -> tuple[str, str]:
    if tag.startswith("{"):
        ns, _, name = tag[1:].partition("}")
        return ns, name
    return "", tag


class _Validator:
    def __init__(self, schema: Schema, namespace: str, file: str | None) -> None:
        self.schema = schema
        self.namespace = namespace
        self.file = file

    def error(self, message: str, path: str, line: int | None = None) -> ParseError:
        return ParseError(message, file=self.file, line=line, field=path)

    def element(self, el: Any, rule: Rule, path: str) -> Node:
        ctype = self.schema.types.get(rule.type)
        line = el.sourceline if isinstance(el.sourceline, int) else None
        if ctype is None:
            return self._simple(el, rule, path, line)
        attrib = self._attributes(el, ctype, path, line)
        text = el.text
        if ctype.text is not None:
            value = (text or "").strip()
            if len(el):
                raise self.error(f"element inside the value of <{rule.name}>", path, line)
            self._value(value, ctype.text, path, line, rule.name)
            self._amount(value, attrib, ctype, path, line)
            return Node(rule.name, value, attrib, rule.type, path)
        if text is not None and text.strip():
            raise self.error(
                f"text {text.strip()[:30]!r} directly inside <{rule.name}> (mixed content)",
                path,
                line,
            )
        node = Node(rule.name, None, attrib, rule.type, path)
        if ctype.wildcard:
            self._wildcard(el, node, path)
            return node
        counts: dict[str, int] = {}
        last = -1
        for child in el:
            tag = child.tag
            child_line = child.sourceline if isinstance(child.sourceline, int) else line
            if not isinstance(tag, str):
                raise self.error("entity reference or unexpected node", path, child_line)
            ns, name = _local(tag)
            count = counts.get(name, 0) + 1
            counts[name] = count
            child_path = f"{path}/{name}" if count == 1 else f"{path}/{name}[{count}]"
            sub = ctype.elements.get(name)
            if sub is None or ns != self.namespace:
                where = f" (namespace {ns!r})" if sub is not None else ""
                raise self.error(
                    f"unknown element <{name}>{where} in <{rule.name}> ({rule.type})",
                    child_path,
                    child_line,
                )
            if sub.maximum is not None and count > sub.maximum:
                what = "non-repeatable element" if sub.maximum == 1 else "element"
                raise self.error(
                    f"{what} <{name}> given {count} times in <{rule.name}> "
                    f"(at most {sub.maximum} allowed)",
                    child_path,
                    child_line,
                )
            position = ctype.order[name]
            if position < last:
                raise self.error(
                    f"element <{name}> out of order in <{rule.name}> ({rule.type})",
                    child_path,
                    child_line,
                )
            last = position
            if child.tail is not None and child.tail.strip():
                raise self.error(
                    f"text {child.tail.strip()[:30]!r} after <{name}> inside <{rule.name}> "
                    "(mixed content)",
                    child_path,
                    child_line,
                )
            node.children.setdefault(name, []).append(self.element(child, sub, child_path))
        if ctype.choice:
            if len(counts) != 1:
                raise self.error(
                    f"<{rule.name}> ({rule.type}) must hold exactly one of "
                    f"{', '.join(ctype.elements)}; it holds {len(counts) or 'none'}",
                    path,
                    line,
                )
        else:
            for name, sub in ctype.elements.items():
                if counts.get(name, 0) < sub.minimum:
                    raise self.error(
                        f"missing mandatory element <{name}> in <{rule.name}>",
                        f"{path}/{name}",
                        line,
                    )
        return node

    def _attributes(
        self, el: Any, ctype: ComplexType, path: str, line: int | None
    ) -> dict[str, str]:
        attrib: dict[str, str] = {}
        for key, value in el.attrib.items():
            ns, name = _local(str(key))
            if ns in _FREE_ATTR_NS:
                continue
            rule = ctype.attributes.get(name)
            if rule is None or ns:
                raise self.error(f"unknown attribute {name!r}", f"{path}/@{name}", line)
            self._value(str(value).strip(), rule, f"{path}/@{name}", line, name)
            attrib[name] = str(value).strip()
        for name, rule in ctype.attributes.items():
            if rule.minimum and name not in attrib:
                raise self.error(f"missing mandatory attribute {name!r}", f"{path}/@{name}", line)
        return attrib

    def _simple(self, el: Any, rule: Rule, path: str, line: int | None) -> Node:
        if len(el):
            child = el[0]
            name = _local(child.tag)[1] if isinstance(child.tag, str) else "?"
            raise self.error(
                f"element <{name}> inside the text element <{rule.name}> (mixed content: "
                "a text element holds text only)",
                f"{path}/{name}",
                line,
            )
        if el.attrib:
            for key in el.attrib:
                if _local(str(key))[0] not in _FREE_ATTR_NS:
                    name = _local(str(key))[1]
                    raise self.error(f"unknown attribute {name!r}", f"{path}/@{name}", line)
        value = (el.text or "").strip()
        self._value(value, rule, path, line, rule.name)
        collapsed = " ".join(value.split())
        return Node(rule.name, collapsed or None, {}, rule.type, path)

    def _value(self, value: str, rule: Rule, path: str, line: int | None, name: str) -> None:
        kind = rule.kind
        if rule.min_length is not None and len(value) < rule.min_length:
            raise self.error(f"<{name}> is empty or shorter than {rule.min_length}", path, line)
        if rule.max_length is not None and len(value) > rule.max_length:
            raise self.error(
                f"<{name}> is {len(value)} characters long (at most {rule.max_length})",
                path,
                line,
            )
        if rule.pattern is not None and not rule.pattern.fullmatch(value):
            raise self.error(f"<{name}> value {value[:40]!r} does not match its format", path, line)
        if (
            kind == "text"
            and rule.min_length is None
            and rule.pattern is None
            and not value.strip()
        ):
            raise self.error(f"<{name}> is empty", path, line)
        if kind == "code":
            allowed = self.schema.codes.get(rule.type)
            if allowed is None or value not in allowed:
                raise self.error(f"<{name}> code {value[:20]!r} is not in {rule.type}", path, line)
        elif kind in ("decimal", "integer"):
            self._decimal(value, rule, path, line, name)
        elif kind == "date":
            try:
                date.fromisoformat(value)
            except ValueError as exc:
                raise self.error(f"<{name}> is not a date: {value[:30]!r}", path, line) from exc
        elif kind == "datetime":
            try:
                datetime.fromisoformat(value.replace("Z", "+00:00"))
            except ValueError as exc:
                raise self.error(
                    f"<{name}> is not a date-time: {value[:30]!r}", path, line
                ) from exc
        elif kind == "boolean" and value not in ("true", "false", "1", "0"):
            raise self.error(f"<{name}> is not a boolean: {value[:10]!r}", path, line)

    def _decimal(self, value: str, rule: Rule, path: str, line: int | None, name: str) -> None:
        if not re.fullmatch(r"[+-]?(\d+(\.\d*)?|\.\d+)", value):
            raise self.error(f"<{name}> is not a decimal number: {value[:30]!r}", path, line)
        digits = value.lstrip("+-")
        whole, _, fraction = digits.partition(".")
        fraction = fraction.rstrip("0") if rule.kind == "decimal" else fraction
        if rule.fraction_digits is not None and len(fraction) > rule.fraction_digits:
            raise self.error(
                f"<{name}> has {len(fraction)} decimals (at most {rule.fraction_digits})",
                path,
                line,
            )
        significant = (whole.lstrip("0") or "") + fraction
        if rule.total_digits is not None and len(significant) > rule.total_digits:
            raise self.error(
                f"<{name}> has {len(significant)} digits (at most {rule.total_digits})",
                path,
                line,
            )

    def _amount(
        self, value: str, attrib: dict[str, str], ctype: ComplexType, path: str, line: int | None
    ) -> None:
        currency = attrib.get("Ccy")
        if currency is None or "Ccy" not in ctype.attributes:
            return
        from circumspect.payments.checks import check_decimals

        check_decimals(value, currency, path, self.file, line=line)

    def _wildcard(self, el: Any, node: Node, path: str) -> None:
        """Supplementary data (``xs:any``): any well-formed content, kept as text so that it
        is screened as free text."""
        texts = [t.strip() for t in el.itertext() if t and t.strip()]
        node.text = " ".join(" ".join(texts).split()) or None


def build(el: Any, schema: Schema, namespace: str, path: str, file: str | None) -> Node:
    """Validate ``el`` (the root element of the message or header) and return its tree."""
    ns, name = _local(el.tag) if isinstance(el.tag, str) else ("", "")
    if name != schema.root.name or ns != namespace:
        raise ParseError(
            f"expected <{schema.root.name}> in {namespace}, found <{name}>",
            file=file,
            field=path,
        )
    if el.tail is not None and el.tail.strip():
        raise ParseError("text after the message element", file=file, field=path)
    return _Validator(schema, namespace, file).element(el, schema.root, f"{path}/{name}")
