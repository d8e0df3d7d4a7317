"""The one writer for tabular outputs (CSV and XLSX): safe cells, atomic files.

Every CSV or XLSX file circumspect writes goes through :class:`TableWriter` (or the helpers
built on it), so every output gets the same three guarantees:

* **No live formulas.** A text cell that a spreadsheet would evaluate (it begins with ``=``,
  ``+``, ``-``, ``@``, TAB or CR: the OWASP CSV-injection rule) is written with a single
  quote in front (``'=HYPERLINK(...)``), so it shows as text and stays readable. Numbers stay
  numbers. Leading quotes already present are kept and one more is added, so the rule is
  reversible: :func:`restore` gives back the original text exactly.
* **One cell stays one cell.** CSV fields holding a CR, LF, delimiter or quote are quoted
  (RFC 4180, CRLF row ends); XLSX text that XML cannot carry (control characters) is
  written with the OOXML ``_xHHHH_`` escape, which spreadsheet readers decode (and
  :func:`read_xlsx_rows`); CR is kept as ``&#13;``.
* **Atomic.** The file is written beside its destination and renamed onto it when complete
  (``fsutil.atomic_path``); a failure leaves the previous file untouched.
"""

from __future__ import annotations

import csv
import io
import math
import re
from collections.abc import Iterable, Iterator, Mapping, Sequence
from contextlib import ExitStack
from pathlib import Path
from types import TracebackType
from typing import IO, TYPE_CHECKING, Any

from circumspect.errors import InputError
from circumspect.fsutil import atomic_path, unwritable

if TYPE_CHECKING:
    import pandas as pd

#: First characters that make a spreadsheet evaluate a cell (OWASP CSV injection).
FORMULA_LEAD = ("=", "+", "-", "@", "\t", "\r")

#: Text that needs neutralising: any run of quotes, then a formula-leading character.
_DANGEROUS = re.compile(r"^'*[=+\-@\t\r]")
#: A neutralised cell: one or more quotes, then a formula-leading character.
_NEUTRALISED = re.compile(r"^'+[=+\-@\t\r]")

#: Characters XML 1.0 cannot carry, and the escape's own introducer where it would be read
#: as an escape (OOXML ST_Xstring: ``_xHHHH_`` is a character in every spreadsheet reader).
_XLSX_ESCAPE = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]|_(?=x[0-9A-Fa-f]{4}_)")
_XLSX_UNESCAPE = re.compile(r"_x([0-9A-Fa-f]{4})_")

FORMATS = (".csv", ".xlsx")


def neutralise(value: str) -> str:
    """``value`` safe for a spreadsheet: a quote in front when it would be evaluated."""
    return "'" + value if _DANGEROUS.match(value) else value


def restore(value: str) -> str:
    """The original text of a neutralised cell (inverse of :func:`neutralise`)."""
    return value[1:] if _NEUTRALISED.match(value) else value


def cell(value: Any) -> str | int | float | bool | None:
    """One output cell: numbers and booleans as they are, everything else safe text."""
    if value is None:
        return None
    if isinstance(value, bool | int):
        return value
    if isinstance(value, float):
        return value if math.isfinite(value) else str(value)
    return neutralise(str(value))


def _csv_cell(value: Any) -> Any:
    out = cell(value)
    return "" if out is None else out


def _xlsx_cell(value: Any) -> Any:
    out = cell(value)
    if isinstance(out, str):
        return _XLSX_ESCAPE.sub(lambda m: f"_x{ord(m.group(0)):04X}_", out)
    return out


def format_of(path: Path) -> str:
    """``.csv`` or ``.xlsx`` from the file name; ``InputError`` for anything else."""
    suffix = path.suffix.lower()
    if suffix not in FORMATS:
        raise InputError(
            f"unsupported output type {suffix or '(none)'}: use .csv or .xlsx", file=str(path)
        )
    return suffix


def output_format(path: Path) -> str:
    """``.xlsx`` for an ``.xlsx`` name, else ``.csv`` (outputs named freely are CSV)."""
    return ".xlsx" if Path(path).suffix.lower() == ".xlsx" else ".csv"


class _CsvSink:
    def __init__(self, fh: IO[str]) -> None:
        # CRLF row ends make Python quote every field holding CR or LF (QUOTE_MINIMAL quotes
        # the characters of the line terminator), so no field can split a row.
        self.writer = csv.writer(fh, lineterminator="\r\n", quoting=csv.QUOTE_MINIMAL)

    def write(self, values: Sequence[Any]) -> None:
        self.writer.writerow([_csv_cell(v) for v in values])

    def close(self) -> None:
        pass


class _XlsxSink:
    def __init__(self, path: Path, sheet: str) -> None:
        from openpyxl import Workbook

        self.path = path
        # write_only streams rows to disk: constant memory for any number of rows.
        self.book = Workbook(write_only=True)
        self.sheet = self.book.create_sheet(sheet[:31] or "Sheet1")

    def write(self, values: Sequence[Any]) -> None:
        self.sheet.append([_xlsx_cell(v) for v in values])

    def close(self) -> None:
        self.book.save(self.path)


class TableWriter:
    """Write rows to a CSV or XLSX file (``.xlsx`` by name, else CSV; or ``fmt``), atomically.

    Use as a context manager: the file appears under its name only when the block completes
    without an exception::

        with TableWriter(path, ["id", "name"]) as out:
            out.write([1, "=cmd"])  # written as '=cmd
    """

    def __init__(
        self,
        path: Path,
        columns: Sequence[str],
        *,
        fmt: str | None = None,
        sheet: str = "Sheet1",
    ) -> None:
        self.path = Path(path)
        self.columns = [str(c) for c in columns]
        self.fmt = fmt if fmt is not None else output_format(self.path)
        if self.fmt not in FORMATS:
            raise InputError(f"unsupported output type {self.fmt}", file=str(self.path))
        self.sheet = sheet
        self.rows = 0
        self._stack = ExitStack()
        self._sink: _CsvSink | _XlsxSink | None = None

    def __enter__(self) -> TableWriter:
        try:
            tmp = self._stack.enter_context(atomic_path(self.path))
            if self.fmt == ".csv":
                fh = self._stack.enter_context(open(tmp, "w", encoding="utf-8", newline=""))
                self._sink = _CsvSink(fh)
            else:
                self._sink = _XlsxSink(tmp, self.sheet)
            self._sink.write(self.columns)
        except OSError as exc:
            self._stack.close()
            raise unwritable(self.path, exc) from exc
        except BaseException:
            self._stack.close()
            raise
        return self

    def write(self, values: Sequence[Any]) -> None:
        """One row, in column order."""
        assert self._sink is not None, "use TableWriter as a context manager"
        self._sink.write(values)
        self.rows += 1

    def write_dict(self, row: Mapping[str, Any]) -> None:
        """One row given as a mapping (missing columns empty, extra keys ignored)."""
        self.write([row.get(c) for c in self.columns])

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        if exc_type is None and self._sink is not None:
            try:
                self._sink.close()
            except BaseException as err:
                self._stack.__exit__(type(err), err, err.__traceback__)
                if isinstance(err, OSError):
                    raise unwritable(self.path, err) from err
                raise
        try:
            self._stack.__exit__(exc_type, exc, tb)
        except OSError as err:
            raise unwritable(self.path, err) from err


def write_rows(
    path: Path,
    columns: Sequence[str],
    rows: Iterable[Sequence[Any]],
    *,
    fmt: str | None = None,
) -> int:
    """Write ``rows`` (sequences in column order); returns the number of rows."""
    with TableWriter(path, columns, fmt=fmt) as out:
        for values in rows:
            out.write(values)
    return out.rows


def write_dicts(
    path: Path,
    rows: Sequence[Mapping[str, Any]],
    columns: Sequence[str] | None = None,
    *,
    fmt: str | None = None,
) -> int:
    """Write mappings; columns default to the keys of the rows in first-seen order."""
    cols = list(columns) if columns is not None else _columns(rows)
    with TableWriter(path, cols, fmt=fmt) as out:
        for row in rows:
            out.write_dict(row)
    return out.rows


def write_frame(frame: pd.DataFrame, path: Path, *, fmt: str | None = None) -> int:
    """Write a pandas frame (its columns, no index) as CSV or XLSX."""
    columns = [str(c) for c in frame.columns]
    with TableWriter(path, columns, fmt=fmt) as out:
        for values in frame.itertuples(index=False, name=None):
            out.write([_frame_value(v) for v in values])
    return out.rows


def _frame_value(value: Any) -> Any:
    try:
        import pandas as pd

        if value is pd.NA or value is pd.NaT:
            return None
    except ImportError:  # pragma: no cover - pandas is a dependency
        pass
    if isinstance(value, float) and math.isnan(value):
        return None
    if hasattr(value, "item") and not isinstance(value, str | bytes):
        return value.item()  # numpy scalars
    return value


def csv_text(columns: Sequence[str], rows: Iterable[Sequence[Any]]) -> str:
    """CSV text (same safety rules) for outputs held in memory or sent over HTTP."""
    buf = io.StringIO()
    sink = _CsvSink(buf)
    sink.write(list(columns))
    for values in rows:
        sink.write(values)
    return buf.getvalue()


def dicts_csv_text(rows: Sequence[Mapping[str, Any]], columns: Sequence[str] | None = None) -> str:
    cols = list(columns) if columns is not None else _columns(rows)
    return csv_text(cols, ([row.get(c) for c in cols] for row in rows))


def _columns(rows: Sequence[Mapping[str, Any]]) -> list[str]:
    cols: dict[str, None] = {}
    for row in rows:
        for key in row:
            cols.setdefault(str(key), None)
    return list(cols)


def xlsx_text(value: str) -> str:
    """Decode the OOXML ``_xHHHH_`` escapes of a string read from an XLSX cell."""
    return _XLSX_UNESCAPE.sub(lambda m: chr(int(m.group(1), 16)), value)


def read_xlsx_rows(path: Path) -> Iterator[list[Any]]:
    """Rows of the first sheet of an XLSX file, streamed (read-only mode), escapes decoded."""
    from openpyxl import load_workbook

    book = load_workbook(path, read_only=True, data_only=True)
    try:
        sheet = book.worksheets[0]
        for row in sheet.iter_rows(values_only=True):
            yield [xlsx_text(v) if isinstance(v, str) else v for v in row]
    finally:
        book.close()
