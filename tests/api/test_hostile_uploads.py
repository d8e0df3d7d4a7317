"""Uploads are capped by rows and by decompressed size (issue 13).

The memory test runs a real server process (``uvicorn --factory tests.api.killapp:build``),
measures its resident set size (``VmRSS`` in ``/proc/PID/status``) after one ordinary
upload, sends 20 hostile uploads (XLSX zip bombs, sheets with too many rows or a row gap to
row 1,048,576, a shared-strings bomb under the byte cap, huge and long CSVs, JSON with too
many rows) and checks that each is refused with 413/422 in the error envelope and that the
RSS stays within 200 MB of the measurement before them.
"""

from __future__ import annotations

import io
import os
import signal
import zipfile
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from circumspect.cases.service import CaseService
from circumspect.errors import InputError, LimitError
from circumspect.uploads import UploadLimits, check_upload
from tests.api.helpers import Api
from tests.api.test_kill9 import free_port, start

CONTENT_TYPES = (
    '<?xml version="1.0" encoding="UTF-8"?>'
    '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
    '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'  # noqa: E501
    '<Default Extension="xml" ContentType="application/xml"/>'
    '<Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'  # noqa: E501
    '<Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'  # noqa: E501
    "{extra}</Types>"
)
RELS = (
    '<?xml version="1.0" encoding="UTF-8"?>'
    '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/>'  # noqa: E501
    "</Relationships>"
)
WORKBOOK = (
    '<?xml version="1.0" encoding="UTF-8"?>'
    '<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
    'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">'
    '<sheets><sheet name="Sheet1" sheetId="1" r:id="rId1"/></sheets></workbook>'
)
WB_RELS = (
    '<?xml version="1.0" encoding="UTF-8"?>'
    '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/>'  # noqa: E501
    "{extra}</Relationships>"
)
SHEET_HEAD = (
    '<?xml version="1.0" encoding="UTF-8"?>'
    '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>'
)
SHEET_TAIL = "</sheetData></worksheet>"
HEADER_ROW = (
    '<row r="1"><c r="A1" t="inlineStr"><is><t>declaration_id</t></is></c>'
    '<c r="B1" t="inlineStr"><is><t>consignee_name</t></is></c></row>'
)


def xlsx(rows: Iterator[str], shared: Iterator[str] | None = None) -> bytes:
    """A minimal, valid XLSX whose sheet rows (XML) are streamed into the ZIP."""
    buf = io.BytesIO()
    extra_types = extra_rels = ""
    if shared is not None:
        extra_types = (
            '<Override PartName="/xl/sharedStrings.xml" ContentType="application/'
            'vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/>'
        )
        extra_rels = (
            '<Relationship Id="rId2" Type="http://schemas.openxmlformats.org/officeDocument/'
            '2006/relationships/sharedStrings" Target="sharedStrings.xml"/>'
        )
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as z:
        z.writestr("[Content_Types].xml", CONTENT_TYPES.format(extra=extra_types))
        z.writestr("_rels/.rels", RELS)
        z.writestr("xl/workbook.xml", WORKBOOK)
        z.writestr("xl/_rels/workbook.xml.rels", WB_RELS.format(extra=extra_rels))
        with z.open("xl/worksheets/sheet1.xml", "w", force_zip64=True) as fh:
            fh.write((SHEET_HEAD + HEADER_ROW).encode())
            for chunk in rows:
                fh.write(chunk.encode())
            fh.write(SHEET_TAIL.encode())
        if shared is not None:
            with z.open("xl/sharedStrings.xml", "w", force_zip64=True) as fh:
                fh.write(b'<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">')
                for chunk in shared:
                    fh.write(chunk.encode())
                fh.write(b"</sst>")
    return buf.getvalue()


def many_rows(n: int, start: int = 2) -> Iterator[str]:
    for block in range(start, start + n, 1000):
        yield "".join(
            f'<row r="{i}"><c r="A{i}" t="inlineStr"><is><t>D{i}</t></is></c>'
            f'<c r="B{i}" t="inlineStr"><is><t>ACME {i} LLP</t></is></c></row>'
            for i in range(block, min(block + 1000, start + n))
        )


def bomb(megabytes: int) -> bytes:
    """Declares ``megabytes`` of sheet XML that compress to a few hundred KB."""
    cell = '<c r="A{}" t="inlineStr"><is><t>' + "A" * 4000 + "</t></is></c>"

    def rows() -> Iterator[str]:
        size = 0
        i = 2
        while size < megabytes * 1_000_000:
            chunk = f'<row r="{i}">' + cell.format(i) + "</row>"
            size += len(chunk)
            i += 1
            yield chunk

    return xlsx(rows())


def gap() -> bytes:
    """One data row at row 1,048,576: streaming readers see a million empty rows."""
    return xlsx(
        iter(['<row r="1048576"><c r="A1048576" t="inlineStr"><is><t>x</t></is></c></row>'])
    )


def shared_strings_bomb(megabytes: int) -> bytes:
    """Many tiny unique shared strings (under the byte cap) and a one-row sheet."""

    def strings() -> Iterator[str]:
        size = 0
        i = 0
        while size < megabytes * 1_000_000:
            chunk = "".join(f"<si><t>{j:x}</t></si>" for j in range(i, i + 1000))
            size += len(chunk)
            i += 1000
            yield chunk

    row = '<row r="2"><c r="A2" t="s"><v>0</v></c><c r="B2" t="s"><v>1</v></c></row>'
    return xlsx(iter([row]), strings())


def long_csv(rows: int) -> bytes:
    lines = ["declaration_id,consignee_name"] + [f"D{i},ACME {i} LLP" for i in range(rows)]
    return ("\n".join(lines) + "\n").encode()


LIMITS = UploadLimits(max_rows=10_000, max_bytes=20 * 1024 * 1024)


def test_zip_bomb_refused_from_its_directory() -> None:
    data = bomb(30)
    assert len(data) < 2_000_000
    with pytest.raises(LimitError, match="decompressed"):
        check_upload("bomb.xlsx", data, LIMITS)


def test_row_caps() -> None:
    with pytest.raises(LimitError, match="more than 10,000 data rows"):
        check_upload("many.xlsx", xlsx(many_rows(10_001)), LIMITS)
    assert check_upload("ok.xlsx", xlsx(many_rows(10_000)), LIMITS) == 10_000
    with pytest.raises(LimitError, match="data rows"):
        check_upload("gap.xlsx", gap(), LIMITS)
    with pytest.raises(LimitError, match="data rows"):
        check_upload("long.csv", long_csv(10_001), LIMITS)
    assert check_upload("ok.csv", long_csv(10_000), LIMITS) == 10_000
    with pytest.raises(LimitError, match="distinct strings"):
        check_upload("strings.xlsx", shared_strings_bomb(18), LIMITS)
    with pytest.raises(InputError, match="not an XLSX"):
        check_upload("fake.xlsx", b"hello", LIMITS)


def test_api_answers_413_in_the_envelope(api: Api, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CIRCUMSPECT_UPLOAD_MAX_ROWS", "100")
    files = {"file": ("many.csv", long_csv(101), "text/csv")}
    r = api.client.post("/v1/declarations/score", files=files, headers=api.h("viewer"))
    assert r.status_code == 413, r.text
    error = r.json()["error"]
    assert (
        error["code"] == "request_too_large" and "CIRCUMSPECT_UPLOAD_MAX_ROWS" in error["message"]
    )
    rows = [{"declaration_id": f"D{i}", "consignee_name": "X"} for i in range(101)]
    r = api.client.post("/v1/declarations/score", json={"rows": rows}, headers=api.h("viewer"))
    assert r.status_code == 413


def test_a_batch_opens_its_cases_together_or_not_at_all(
    api: Api, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("CIRCUMSPECT_BATCH_MAX_CASES", "1")
    body = {"queries": [{"name": "Ivan Petrov"}, {"name": "Arctic Shipping LLC"}]}
    r = api.client.post("/v1/screen", json=body, headers=api.h("analyst"))
    assert r.status_code == 413 and "CIRCUMSPECT_BATCH_MAX_CASES" in r.text
    assert api.app.state.runtime.cases.list_cases()[1] == 0
    monkeypatch.setenv("CIRCUMSPECT_BATCH_MAX_CASES", "2")
    r = api.client.post("/v1/screen", json=body, headers=api.h("analyst"))
    assert r.status_code == 200
    assert api.app.state.runtime.cases.list_cases()[1] == 2


def rss(pid: int) -> int:
    """Resident set size of a process in bytes (Linux)."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) * 1024
    raise AssertionError("no VmRSS")


@pytest.mark.slow
def test_server_memory_after_20_hostile_uploads(tmp_path: Path) -> None:
    if not Path("/proc/self/status").exists():
        pytest.skip("needs /proc to measure the server's memory")
    url = f"sqlite:///{tmp_path / 'mem.sqlite'}"
    service = CaseService(url)
    _, key = service.add_user("uploader", "viewer")
    service.close()
    port = free_port()
    proc = start(url, port)
    base = f"http://127.0.0.1:{port}"
    auth = {"Authorization": f"Bearer {key}"}
    hostile: list[tuple[str, bytes]] = [
        ("bomb.xlsx", bomb(60)),
        ("bomb2.xlsx", bomb(25)),
        ("rows.xlsx", xlsx(many_rows(12_000))),
        ("gap.xlsx", gap()),
        ("strings.xlsx", shared_strings_bomb(18)),
        ("long.csv", long_csv(60_000)),
        ("huge.csv", b"a,b\n" + b"x," * 6_000_000),
        ("fake.xlsx", b"PK\x03\x04" + b"\x00" * 1000),
    ]
    try:
        with httpx.Client(base_url=base, headers=auth, timeout=120) as client:
            warm = client.post(
                "/v1/declarations/score",
                files={"file": ("ok.csv", long_csv(20), "text/csv")},
            )
            assert warm.status_code in (200, 422), warm.text
            before = rss(proc.pid)
            statuses = []
            for i in range(20):
                name, data = hostile[i % len(hostile)]
                if i == 19:
                    rows = [
                        {"declaration_id": f"D{j}", "consignee_name": "X"} for j in range(20_000)
                    ]
                    r = client.post("/v1/declarations/score", json={"rows": rows})
                else:
                    r = client.post("/v1/declarations/score", files={"file": (name, data)})
                assert r.status_code in (413, 422), (name, r.status_code, r.text[:300])
                assert set(r.json()["error"]) >= {"status", "code", "message"}
                statuses.append(r.status_code)
            after = rss(proc.pid)
        grown = (after - before) / 1e6
        print(
            f"server RSS before {before / 1e6:.0f} MB, after 20 hostile uploads "
            f"{after / 1e6:.0f} MB (+{grown:.0f} MB); statuses {statuses}"
        )
        assert after - before < 200 * 1e6, f"the server grew by {grown:.0f} MB"
    finally:
        proc.send_signal(signal.SIGTERM)
        proc.wait(timeout=20)
    assert os.path.exists(tmp_path / "mem.sqlite")
