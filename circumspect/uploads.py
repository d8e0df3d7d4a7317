"""Limits on uploaded tables, checked before anything is parsed into memory.

An upload (``POST /v1/declarations/score``: a file or JSON rows) is refused with HTTP 413
(:class:`~circumspect.errors.LimitError`) when

* its decompressed size is over ``CIRCUMSPECT_UPLOAD_MAX_BYTES``: for XLSX the sum of the
  uncompressed sizes of the parts of the ZIP container (a 2 MB "zip bomb" declaring gigabytes
  is refused from its directory alone, nothing is inflated); for Parquet the uncompressed size
  in its footer; for CSV its size;
* it holds more than ``CIRCUMSPECT_UPLOAD_MAX_ROWS`` data rows: XLSX sheets are counted by
  streaming the sheet in openpyxl's read-only mode and stopping one row past the limit, CSV
  records with the csv module likewise, Parquet from its footer.

A file that is not what its name says (not a ZIP, no worksheet, a broken footer) is a 422
(``InputError``) naming the file. Nothing here keeps more than one row in memory.
"""

from __future__ import annotations

import csv
import io
import zipfile
from dataclasses import dataclass
from pathlib import PurePath

from circumspect import settings
from circumspect.errors import InputError, LimitError


@dataclass(frozen=True, slots=True)
class UploadLimits:
    max_rows: int
    max_bytes: int

    @classmethod
    def from_settings(cls) -> UploadLimits:
        return cls(
            max_rows=settings.get_int("CIRCUMSPECT_UPLOAD_MAX_ROWS"),
            max_bytes=settings.get_int("CIRCUMSPECT_UPLOAD_MAX_BYTES"),
        )


def _too_big(name: str, size: int, limits: UploadLimits) -> LimitError:
    return LimitError(
        f"the upload is {size:,} bytes decompressed, more than the limit of "
        f"{limits.max_bytes:,} (CIRCUMSPECT_UPLOAD_MAX_BYTES)",
        file=name,
    )


def _too_many(name: str, limits: UploadLimits) -> LimitError:
    return LimitError(
        f"the upload has more than {limits.max_rows:,} data rows, the limit per request "
        "(CIRCUMSPECT_UPLOAD_MAX_ROWS); split it",
        file=name,
    )


def check_rows(name: str, rows: int, limits: UploadLimits | None = None) -> None:
    """413 when ``rows`` data rows are over the limit."""
    limits = limits or UploadLimits.from_settings()
    if rows > limits.max_rows:
        raise _too_many(name, limits)


def check_upload(name: str, data: bytes, limits: UploadLimits | None = None) -> int:
    """Check an uploaded table against the limits; returns its number of data rows."""
    limits = limits or UploadLimits.from_settings()
    suffix = PurePath(name).suffix.lower() or ".csv"
    if suffix == ".xlsx":
        return _check_xlsx(name, data, limits)
    if suffix == ".parquet":
        return _check_parquet(name, data, limits)
    return _check_csv(name, data, limits)


def _check_csv(name: str, data: bytes, limits: UploadLimits) -> int:
    if len(data) > limits.max_bytes:
        raise _too_big(name, len(data), limits)
    text = io.TextIOWrapper(io.BytesIO(data), encoding="utf-8-sig", errors="replace", newline="")
    rows = -1  # the header
    try:
        for _ in csv.reader(text):
            rows += 1
            if rows > limits.max_rows:
                raise _too_many(name, limits)
    except csv.Error:
        pass  # the reader reports malformed CSV with its line; only the count matters here
    return max(rows, 0)


def _check_xlsx(name: str, data: bytes, limits: UploadLimits) -> int:
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except zipfile.BadZipFile as exc:
        raise InputError("not an XLSX file (not a ZIP container)", file=name) from exc
    with archive:
        total = 0
        for info in archive.infolist():
            total += info.file_size
            if total > limits.max_bytes:
                raise _too_big(name, total, limits)
        _check_shared_strings(name, archive, limits)
    from openpyxl import load_workbook

    try:
        book = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many types for a broken workbook
        raise InputError(f"cannot read the XLSX file ({type(exc).__name__})", file=name) from exc
    try:
        if not book.worksheets:
            raise InputError("the XLSX file has no worksheet", file=name)
        rows = -1
        for _ in book.worksheets[0].iter_rows(values_only=True):
            rows += 1
            if rows > limits.max_rows:
                raise _too_many(name, limits)
    finally:
        book.close()
    return max(rows, 0)


#: Most distinct shared strings per data row allowed (a row of 50 text columns).
STRINGS_PER_ROW = 50


def _check_shared_strings(name: str, archive: zipfile.ZipFile, limits: UploadLimits) -> None:
    """Readers load every shared string into memory at once: count them (streaming, in
    chunks) before any reader does, and refuse more than the rows could hold."""
    allowed = limits.max_rows * STRINGS_PER_ROW
    for info in archive.infolist():
        if not info.filename.lower().endswith("sharedstrings.xml"):
            continue
        count = 0
        tail = b""
        with archive.open(info) as fh:
            while chunk := fh.read(1 << 20):
                data = tail + chunk
                count += data.count(b"<si>") + data.count(b"<si ")
                tail = data[-3:]  # a tag split by the chunk end is counted with the next
                if count > allowed:
                    raise LimitError(
                        f"the upload holds more than {allowed:,} distinct strings "
                        f"({STRINGS_PER_ROW} per allowed row, CIRCUMSPECT_UPLOAD_MAX_ROWS)",
                        file=name,
                    )


def _check_parquet(name: str, data: bytes, limits: UploadLimits) -> int:
    import pyarrow as pa
    import pyarrow.parquet as pq

    try:
        meta = pq.ParquetFile(pa.BufferReader(data)).metadata
    except Exception as exc:  # pyarrow raises ArrowInvalid, OSError ...
        raise InputError(f"cannot read the Parquet file ({type(exc).__name__})", file=name) from exc
    size = sum(meta.row_group(i).total_byte_size for i in range(meta.num_row_groups))
    if size > limits.max_bytes:
        raise _too_big(name, size, limits)
    if meta.num_rows > limits.max_rows:
        raise _too_many(name, limits)
    return int(meta.num_rows)
