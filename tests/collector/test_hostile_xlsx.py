"""An XLSX that lies (issue 24, Lows): one claiming a million rows, one whose few MB unpack to
a huge shared string, one with a cell reference without a row: each refused with a clear
TableError (a 4xx on upload), none pinning a thread or the memory."""

from __future__ import annotations

import zipfile

import pytest
from openpyxl import Workbook

from collector.formats import spreadsheets
from collector.formats.spreadsheets import TableError, read_table

MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"


def xlsx(path, sheet_xml=None, shared_strings=None):
    """A real workbook, its sheet (or shared strings) replaced by the XML given."""
    book = Workbook()
    book.active.append(["name", "ip"])
    book.active.append(["SXD-KT01", "10.0.0.1"])
    book.save(path)
    with zipfile.ZipFile(path) as source:
        parts = {name: source.read(name) for name in source.namelist()}
    if sheet_xml is not None:
        parts["xl/worksheets/sheet1.xml"] = sheet_xml.encode()
    if shared_strings is not None:
        parts["xl/sharedStrings.xml"] = shared_strings.encode()
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as target:
        for name, data in parts.items():
            target.writestr(name, data)
    return path


def sheet(rows_xml, dimension="A1:B2"):
    return (
        f'<worksheet xmlns="{MAIN}"><dimension ref="{dimension}"/>'
        f"<sheetData>{rows_xml}</sheetData></worksheet>"
    )


ROW = (
    '<row r="1"><c r="A1" t="inlineStr"><is><t>name</t></is></c></row>'
    '<row r="2"><c r="A2" t="inlineStr"><is><t>SXD-KT01</t></is></c></row>'
)


def test_a_sound_workbook_is_read(tmp_path):
    header, rows = read_table(xlsx(tmp_path / "ok.xlsx"))
    assert header == ["name", "ip"] and rows == [(2, ["SXD-KT01", "10.0.0.1"])]


def test_a_sheet_claiming_a_million_rows_is_refused(tmp_path):
    path = xlsx(tmp_path / "claims.xlsx", sheet(ROW, dimension="A1:XFD1048576"))
    assert path.stat().st_size < 10_000
    with pytest.raises(TableError, match="1,048,576 rows"):
        read_table(path)


def test_rows_far_past_the_limit_are_refused_without_padding(tmp_path):
    far = '<row r="1048576"><c r="XFD1048576" t="inlineStr"><is><t>x</t></is></c></row>'
    path = xlsx(tmp_path / "far.xlsx", sheet(ROW + far, dimension="A1"))
    with pytest.raises(TableError, match="more than"):
        read_table(path)


def test_a_shared_string_past_the_limit_is_refused_unread(tmp_path, monkeypatch):
    monkeypatch.setattr(spreadsheets, "XLSX_STRINGS_MAX", 1_000_000)
    strings = (
        f'<sst xmlns="{MAIN}" count="1" uniqueCount="1"><si><t>'
        + "A" * 2_000_000
        + "</t></si></sst>"
    )
    path = xlsx(tmp_path / "bomb.xlsx", shared_strings=strings)
    assert path.stat().st_size < 100_000  # packed small, unpacked past the limit
    with pytest.raises(TableError, match="unpacks"):
        read_table(path)


def test_a_cell_reference_without_a_row_is_a_clear_error(tmp_path):
    broken = '<row r="1"><c r="A" t="inlineStr"><is><t>name</t></is></c></row>'
    with pytest.raises(TableError, match="not a readable XLSX"):
        read_table(xlsx(tmp_path / "norow.xlsx", sheet(broken)))


def test_an_upload_of_a_broken_xlsx_answers_4xx(client, tmp_path):
    from tests.reporting import csrf_token

    path = xlsx(
        tmp_path / "norow.xlsx",
        sheet('<row r="1"><c r="A" t="inlineStr"><is><t>name</t></is></c></row>'),
    )
    client.get("/admin/imports")
    answer = client.post(
        "/admin/imports",
        data={
            "source": "ksc",
            "csrf_token": csrf_token(client),
            "file": (path.open("rb"), "devices.xlsx"),
        },
    )
    assert answer.status_code == 422
