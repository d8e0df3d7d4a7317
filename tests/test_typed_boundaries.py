"""No ``Any`` across a layer boundary (issue 17, docs/decisions/1704-typed-boundaries.md).

Every public function and method in ``circumspect/services/`` and ``circumspect/cases/``
(and in ``circumspect/api/`` outside the FastAPI endpoint modules of ``api/routers``), and
every annotated field of the public classes of ``services/`` and ``cases/`` (the results they
hand out), is read with ``ast``: an annotation that names ``Any`` (``dict[str, Any]``,
``Mapping[str, Any]``, bare ``Any``, ``typing.Any``, also inside a string) fails. Results
are dataclasses, vocabularies are ``StrEnum``/``Literal``, verbatim JSON documents are
``cases.types.JsonValue``/``JsonObject``.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1] / "circumspect"

#: The packages checked, and folders inside them that are not (with the reason).
CHECKED = ("services", "cases", "api")
SKIPPED = {
    # FastAPI endpoint functions return JSON documents to FastAPI, which validates them
    # against the pydantic response models of api/schemas.py.
    "api/routers",
}

#: Packages whose public classes' fields are checked too (api's classes are pydantic models
#: of the HTTP bodies, whose free-form JSON fields make /openapi.json).
FIELDS_CHECKED = ("services", "cases")
#: Modules whose class fields are not checked (with the reason).
FIELDS_SKIPPED = {
    # SQLAlchemy tables: the JSON columns are persistence inside cases/, never handed out
    # (the store returns the dataclasses of cases/types.py).
    "cases/models.py",
}

#: Serialisers at the edge: they turn a typed value into JSON (or back) by definition.
ALLOWED_NAMES = frozenset({"to_dict", "to_json", "from_dict"})

#: ``path:qualified name`` -> why it may name ``Any``. Keep this short.
ALLOWED: dict[str, str] = {
    # The yente-compatible facade (api/yente.py) answers yente's JSON shapes; these are its
    # FastAPI endpoint functions (like those of api/routers, exempt by the brief of issue 17).
    "api/yente.py:match": "FastAPI endpoint (yente /match)",
    "api/yente.py:search": "FastAPI endpoint (yente /search)",
    "api/yente.py:fetch_entity": "FastAPI endpoint (yente /entities)",
    "api/yente.py:catalog": "FastAPI endpoint (yente /catalog)",
    "api/yente.py:algorithms": "FastAPI endpoint (yente /algorithms)",
}


def _names_any(node: ast.expr | None) -> bool:
    if node is None:
        return False
    for sub in ast.walk(node):
        if isinstance(sub, ast.Name) and sub.id == "Any":
            return True
        if isinstance(sub, ast.Attribute) and sub.attr == "Any":
            return True
        if isinstance(sub, ast.Constant) and isinstance(sub.value, str):
            # a string annotation ("dict[str, Any]") or a string part of one
            try:
                inner = ast.parse(sub.value, mode="eval").body
            except SyntaxError:
                continue
            if _names_any(inner):
                return True
    return False


def _function_annotations(func: ast.FunctionDef | ast.AsyncFunctionDef) -> list[ast.expr | None]:
    args = func.args
    params = [*args.posonlyargs, *args.args, *args.kwonlyargs, args.vararg, args.kwarg]
    return [p.annotation if p is not None else None for p in params] + [func.returns]


def violations(path: Path, rel: str) -> Iterator[str]:
    """``rel:line: name`` of each public function, method or class field naming ``Any``."""
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    fields = rel.split("/", 1)[0] in FIELDS_CHECKED and rel not in FIELDS_SKIPPED

    def check_function(func: ast.FunctionDef | ast.AsyncFunctionDef, qual: str) -> Iterator[str]:
        if func.name.startswith("_") or func.name in ALLOWED_NAMES:
            return
        if f"{rel}:{qual}" in ALLOWED:
            return
        if any(_names_any(a) for a in _function_annotations(func)):
            yield f"{rel}:{func.lineno}: {qual}"

    for node in tree.body:
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
            yield from check_function(node, node.name)
        elif isinstance(node, ast.ClassDef) and not node.name.startswith("_"):
            for item in node.body:
                if isinstance(item, ast.FunctionDef | ast.AsyncFunctionDef):
                    yield from check_function(item, f"{node.name}.{item.name}")
                elif (
                    fields
                    and isinstance(item, ast.AnnAssign)
                    and isinstance(item.target, ast.Name)
                    and not item.target.id.startswith("_")
                    and f"{rel}:{node.name}.{item.target.id}" not in ALLOWED
                    and _names_any(item.annotation)
                ):
                    yield f"{rel}:{item.lineno}: {node.name}.{item.target.id}"


def _checked_files(root: Path) -> Iterator[tuple[Path, str]]:
    for package in CHECKED:
        # rglob of a missing folder finds nothing: test_packages_exist keeps this honest
        for path in sorted((root / package).rglob("*.py")):
            rel = path.relative_to(root).as_posix()
            if any(rel.startswith(skip + "/") for skip in SKIPPED):
                continue
            if "/migrations/" in rel:
                continue  # Alembic revisions: generated shape, no callers
            yield path, rel


def test_packages_exist() -> None:
    missing = [p for p in CHECKED if not (ROOT / p / "__init__.py").is_file()]
    assert not missing, f"checked packages not found under {ROOT}: {missing}"


def test_no_any_across_the_boundaries() -> None:
    found = [v for path, rel in _checked_files(ROOT) for v in violations(path, rel)]
    assert not found, (
        "public functions, methods or fields naming Any (use a dataclass, a StrEnum or "
        "cases.types.JsonObject; docs/decisions/1704-typed-boundaries.md):\n" + "\n".join(found)
    )


def test_allowed_entries_are_still_needed() -> None:
    """An allow-list entry whose function is gone or typed now must be removed."""
    stale = []
    for key in ALLOWED:
        rel, qual = key.split(":", 1)
        tree = ast.parse((ROOT / rel).read_text(encoding="utf-8"))
        funcs = {
            n.name: n for n in tree.body if isinstance(n, ast.FunctionDef | ast.AsyncFunctionDef)
        }
        funcs |= {
            f"{c.name}.{m.name}": m
            for c in tree.body
            if isinstance(c, ast.ClassDef)
            for m in c.body
            if isinstance(m, ast.FunctionDef | ast.AsyncFunctionDef)
        }
        func = funcs.get(qual)
        if func is None or not any(_names_any(a) for a in _function_annotations(func)):
            stale.append(key)
    assert not stale, f"allow-list entries no longer needed: {stale}"


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        ("def screen(query: dict[str, Any]) -> int: ...", "screen"),
        ("def load() -> Mapping[str, Any]: ...", "load"),
        ("def parse(value: 'list[Any]') -> None: ...", "parse"),
        ("import typing\ndef f(*args: typing.Any) -> None: ...", "f"),
        ("class Service:\n    def get(self, **kw: Any) -> None: ...", "Service.get"),
        ("class Result:\n    data: dict[str, Any]", "Result.data"),
    ],
)
def test_checker_flags_a_planted_violation(tmp_path: Path, source: str, expected: str) -> None:
    package = tmp_path / "services"
    package.mkdir()
    (package / "planted.py").write_text(
        "from typing import Any, Mapping\n" + source + "\n", encoding="utf-8"
    )
    found = [v for path, rel in _checked_files(tmp_path) for v in violations(path, rel)]
    assert [v.split(": ", 1)[1] for v in found] == [expected]


@pytest.mark.parametrize(
    "source",
    [
        "def _private(query: dict[str, Any]) -> None: ...",
        "class Result:\n    def to_dict(self) -> dict[str, Any]: ...",
        "class _Row:\n    def get(self) -> Any: ...",
        "def typed(query: Mapping[str, str]) -> list[int]: ...",
    ],
)
def test_checker_passes_what_is_allowed(tmp_path: Path, source: str) -> None:
    package = tmp_path / "cases"
    package.mkdir()
    (package / "fine.py").write_text(
        "from typing import Any, Mapping\n" + source + "\n", encoding="utf-8"
    )
    assert [v for path, rel in _checked_files(tmp_path) for v in violations(path, rel)] == []
