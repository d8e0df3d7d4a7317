"""File-system helpers shared by the commands that write outputs."""

from __future__ import annotations

import os
import tempfile
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from circumspect.errors import InputError


def unwritable(path: Path, exc: OSError, what: str = "") -> InputError:
    """The one-line error for an output that cannot be written."""
    where = f": {exc.filename}" if exc.filename else ""
    return InputError(f"cannot write {what}({exc.strerror or exc}{where})", file=str(path))


def check_writable(path: Path, example: str = "out.csv", what: str = "") -> None:
    """Fail before any work when PATH cannot be written (an ``InputError`` naming it).

    Creates the parent folder if needed and tries a temporary file beside PATH, which is how
    outputs are written (temporary name, then rename).
    """
    if path.is_dir():
        raise InputError(f"is a directory; give a file name such as {example}", file=str(path))
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    except OSError as exc:
        raise unwritable(path, exc, what) from exc
    os.close(fd)
    Path(tmp).unlink(missing_ok=True)


@contextmanager
def atomic_path(path: Path) -> Iterator[Path]:
    """A temporary path beside PATH, renamed onto PATH when the block completes.

    Every output is written this way, so an interrupted or failed write never leaves a
    half-written PATH: on any exception the temporary file is removed, the exception goes on
    unchanged, and a previous PATH stays as it was. The parent folder is created if needed.
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.{uuid.uuid4().hex[:8]}.tmp")
    try:
        yield tmp
        os.replace(tmp, path)
    finally:
        tmp.unlink(missing_ok=True)
