"""Compile ``circumspect/payments/data/iso20022_structure.csv`` from the published XSDs.

The XSDs of the ISO 20022 message definitions (iso20022.org, "Catalogue of messages") are
not redistributed here. This script reads them through the ``pyiso20022`` package (MIT; its
dataclasses are generated one-to-one from those XSDs with xsdata and keep every element's
name, minOccurs/maxOccurs (``required``, ``min_occurs``, ``max_occurs``) and simple-type
facets in their ``metadata``). It parses the package's source with ``ast`` (nothing is
imported, so xsdata is not needed) and writes one row per element of every complex type:

    type, element, min, max, element_type, kind, min_length, max_length, pattern,
    total_digits, fraction_digits, values, source, version

``version`` lists the message definitions (e.g. ``pacs.008.001.08``) in which the type has
exactly this definition (ISO 20022 type names are versioned, so most types are shared).
``Document`` rows give each message's root element and type; ``AppHdr`` rows the business
application header's. Code-list (enumeration) types are rows with ``kind=enum`` and the codes
in ``values``. xs:choice is not kept by xsdata; ISO 20022 names every choice component
``...Choice`` and the validator applies "exactly one child" to those types.

Usage (the only network step is pip download, run by hand, never at test time):

    pip download --no-deps pyiso20022==1.6.2 -d /tmp/x && unzip -q /tmp/x/*.whl -d /tmp/x
    python scripts/gen/iso20022_structure.py /tmp/x/pyiso20022 \
        > circumspect/payments/data/iso20022_structure.csv
"""

from __future__ import annotations

import ast
import csv
import sys
from pathlib import Path

PYISO_VERSION = "1.6.2"
#: message families read (the ones the payment parser supports) and the header.
FAMILIES = (
    ("pacs", "pacs_008_"),
    ("pacs", "pacs_009_"),
    ("pain", "pain_001_"),
    ("head", "head_001_"),
)

#: the first versions (2006) use other element names and roots; not supported.
SKIPPED = frozenset({"pacs.008.001.01", "pacs.009.001.01", "pain.001.001.01", "pain.001.001.02"})

COLUMNS = (
    "type",
    "element",
    "min",
    "max",
    "element_type",
    "kind",
    "min_length",
    "max_length",
    "pattern",
    "total_digits",
    "fraction_digits",
    "values",
    "source",
    "version",
)

_SIMPLE = {
    "str": "text",
    "Decimal": "decimal",
    "int": "integer",
    "bool": "boolean",
    "XmlDate": "date",
    "XmlDateTime": "datetime",
    "XmlTime": "time",
    "XmlPeriod": "year",
    "bytes": "binary",
    "object": "any",
}


def _literal(node: ast.expr) -> object:
    if isinstance(node, ast.Call) and getattr(node.func, "id", "") == "Decimal":
        return str(ast.literal_eval(node.args[0]))
    return ast.literal_eval(node)


def _annotation(node: ast.expr | None) -> tuple[str, bool]:
    """(type name, is list) of a field annotation such as ``None | X`` or ``list[X]``."""
    if node is None:
        return "", False
    text = ast.unparse(node)
    is_list = text.startswith("list[")
    if is_list:
        text = text[5:-1]
    parts = [p.strip() for p in text.split("|") if p.strip() != "None"]
    return (parts[0] if parts else ""), is_list


def _classes(tree: ast.Module) -> dict[str, ast.ClassDef]:
    return {n.name: n for n in tree.body if isinstance(n, ast.ClassDef)}


def _rows(path: Path, message: str) -> list[dict[str, str]]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    classes = _classes(tree)
    enums = {
        name
        for name, cls in classes.items()
        if any(getattr(b, "id", "") == "Enum" for b in cls.bases)
    }
    rows: list[dict[str, str]] = []

    def fields(cls: ast.ClassDef) -> list[ast.AnnAssign]:
        out: list[ast.AnnAssign] = []
        for base in cls.bases:
            base_name = getattr(base, "id", "")
            if base_name in classes and base_name not in enums:
                out.extend(fields(classes[base_name]))
        out.extend(n for n in cls.body if isinstance(n, ast.AnnAssign))
        return out

    for name, cls in classes.items():
        if name in enums:
            codes = [
                str(_literal(n.value))
                for n in cls.body
                if isinstance(n, ast.Assign) and n.value is not None
            ]
            rows.append({"type": name, "element": "", "kind": "enum", "values": " ".join(codes)})
            continue
        if name in ("AppHdr",) or (name == "Document" and message.startswith("head")):
            continue
        for stmt in fields(cls):
            if not isinstance(stmt.value, ast.Call):
                continue
            meta: dict[str, object] = {}
            for kw in stmt.value.keywords:
                if kw.arg == "metadata" and isinstance(kw.value, ast.Dict):
                    for k, v in zip(kw.value.keys, kw.value.values, strict=True):
                        if k is not None and v is not None:
                            meta[str(_literal(k))] = _literal(v)
            type_name, is_list = _annotation(stmt.annotation)
            kind_meta = str(meta.get("type", ""))
            if kind_meta == "Attribute":
                element = "@" + str(meta.get("name", ""))
            elif kind_meta == "Wildcard":
                element = "*"
            elif kind_meta == "Element":
                element = str(meta.get("name", ""))
            else:  # the text value of a simple-content type (amounts)
                element = "#text"
            kwargs = {k.arg for k in stmt.value.keywords}
            required = bool(meta.get("required")) or not kwargs & {"default", "default_factory"}
            if is_list:
                minimum = int(str(meta.get("min_occurs", 0)))
                maximum = str(meta.get("max_occurs", "unbounded"))
            else:
                minimum = 1 if required else 0
                maximum = "1"
            if type_name in enums:
                kind = "code"
            elif type_name in _SIMPLE:
                kind = _SIMPLE[type_name]
            else:
                kind = "complex"
            rows.append(
                {
                    "type": name,
                    "element": element,
                    "min": str(minimum),
                    "max": maximum,
                    "element_type": type_name,
                    "kind": kind,
                    "min_length": str(meta.get("min_length", "")),
                    "max_length": str(meta.get("max_length", "")),
                    "pattern": str(meta.get("pattern", "")),
                    "total_digits": str(meta.get("total_digits", "")),
                    "fraction_digits": str(meta.get("fraction_digits", "")),
                    "values": "",
                }
            )
    if message.startswith("head"):
        root = classes.get("AppHdr")
        base = getattr(root.bases[0], "id", "") if root is not None and root.bases else ""
        rows.append(
            {
                "type": "Document",
                "element": "AppHdr",
                "min": "1",
                "max": "1",
                "element_type": base,
                "kind": "complex",
            }
        )
    return rows


def _ranges(messages: list[str]) -> str:
    """``pacs.008.001.02 pacs.008.001.03 pacs.008.001.04`` -> ``pacs.008.001.02..04``."""
    out: list[str] = []
    run: list[str] = []
    for message in [*messages, ""]:
        if (
            run
            and message
            and message[:-2] == run[-1][:-2]
            and int(message[-2:]) == int(run[-1][-2:]) + 1
        ):
            run.append(message)
            continue
        if run:
            out.append(run[0] if len(run) == 1 else f"{run[0]}..{run[-1][-2:]}")
        run = [message] if message else []
    return " ".join(out)


def main(package: Path) -> None:
    merged: dict[tuple[str, ...], list[str]] = {}
    order: list[tuple[str, ...]] = []
    for family, prefix in FAMILIES:
        for folder in sorted((package / family).glob(prefix + "*")):
            message = folder.name.replace("_", ".")
            if message in SKIPPED:
                continue
            module = folder / f"{folder.name}.py"
            if not module.is_file():
                continue
            type_rows = _rows(module, message)
            by_type: dict[str, list[dict[str, str]]] = {}
            for row in type_rows:
                by_type.setdefault(row["type"], []).append(row)
            for rows in by_type.values():
                key = tuple("\x1f".join(r.get(c, "") for c in COLUMNS[:12]) for r in rows)
                if key not in merged:
                    merged[key] = []
                    order.append(key)
                merged[key].append(message)
    writer = csv.writer(sys.stdout, lineterminator="\n")
    writer.writerow(COLUMNS)
    for key in order:
        versions = _ranges(merged[key])
        for row in key:
            values = row.split("\x1f")
            writer.writerow([*values, f"ISO 20022 XSD via pyiso20022 {PYISO_VERSION}", versions])


if __name__ == "__main__":
    main(Path(sys.argv[1]))
