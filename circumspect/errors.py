"""One exception hierarchy for the whole package.

Every error carries, where known, the file, line, record and field it is about, so the
message a user sees names the exact place of the problem. Each class also carries the HTTP
status the service answers with (``status``, as yente's ``exc.py`` does), so the API's error
handler reads ``exc.status`` instead of testing classes one by one.
"""

from __future__ import annotations

import re
from typing import ClassVar


class CircumspectError(Exception):
    """Base class of every error circumspect raises on purpose."""

    #: HTTP status of this error in the service's error envelope.
    status: ClassVar[int] = 500

    def __init__(
        self,
        message: str,
        *,
        file: str | None = None,
        line: int | None = None,
        record: str | None = None,
        field: str | None = None,
    ) -> None:
        super().__init__(message)
        self.message = message
        self.file = file
        self.line = line
        self.record = record
        self.field = field

    def location(self) -> str:
        """Where the problem is, as ``file:line record field`` (empty when unknown)."""
        parts: list[str] = []
        if self.file is not None:
            parts.append(self.file if self.line is None else f"{self.file}:{self.line}")
        elif self.line is not None:
            parts.append(f"line {self.line}")
        if self.record is not None:
            parts.append(f"record {self.record}")
        if self.field is not None:
            parts.append(f"field {self.field}")
        return " ".join(parts)

    def __str__(self) -> str:
        where = self.location()
        return f"{where}: {self.message}" if where else self.message

    def to_dict(self) -> dict[str, object]:
        """A JSON-ready form used by the CLI (--json) and the API error envelope."""
        return {
            "error": type(self).__name__,
            "message": self.message,
            "file": self.file,
            "line": self.line,
            "record": self.record,
            "field": self.field,
        }


class ConfigError(CircumspectError):
    """A setting or option is missing or invalid."""

    status: ClassVar[int] = 503


class InputError(CircumspectError):
    """User input (a file, a row, a value) is invalid."""

    status: ClassVar[int] = 422


class LimitError(InputError):
    """Input over a configured limit (rows, decompressed bytes, cases per request); HTTP 413."""

    status: ClassVar[int] = 413


class ParseError(InputError):
    """A file could not be parsed in the format it claims or was given as."""


class FormatMismatchError(ParseError):
    """The file is not of the format expected for the source it was loaded as."""


class StoreError(CircumspectError):
    """The store could not complete an operation."""

    status: ClassVar[int] = 503


class NotFoundError(CircumspectError):
    """A requested object (snapshot, entity, case, place) does not exist."""

    status: ClassVar[int] = 404


class FetchError(CircumspectError):
    """Downloading an official source failed (offline, timeout, HTTP error)."""

    status: ClassVar[int] = 502


class AuthError(CircumspectError):
    """Authentication or authorisation failed."""

    status: ClassVar[int] = 401


class DependencyError(CircumspectError):
    """An optional component (PySpark, Java, Chromium) is not installed."""

    status: ClassVar[int] = 503


#: An absolute file path (POSIX or Windows): its folders are dropped, the file name kept.
_PATH = re.compile(r"(?<![\w.:/\\])(?:[A-Za-z]:)?[/\\](?:[^\s'\"/\\:]+[/\\])+")


def scrub(value: object) -> object:
    """Text without server paths: ``/tmp/cs-decl-x1/input.csv`` becomes ``input.csv``."""
    if not isinstance(value, str):
        return value
    return _PATH.sub("", value)
