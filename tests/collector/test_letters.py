"""The drafted letters (DOCX, Decree 30/2020 layout) read back with python-docx: their
figures are the appendix's, in Vietnamese form, whatever the rollup gives."""

from __future__ import annotations

import io
import re

import pytest
from click.testing import CliRunner
from docx import Document
from docx.oxml.ns import qn
from openpyxl import load_workbook

from collector.cli.main import main
from collector.exports.letterhead import Issue
from collector.exports.reminder_letter import BadReminder, build_reminder_letter
from collector.exports.reminders import BadRate
from collector.exports.report_letter import build_report_letter
from collector.exports.rollup_appendix import build_rollup_export
from collector.formats.formatting import number, percent
from collector.store import settings, users
from tests.dong_thap import allocation_2021, dong_thap_database
from tests.exports_data import seed_small_province
from tests.reporting import login

LETTERHEAD = {
    "issuer_parent": "UBND tỉnh Đồng Tháp",
    "issuer_name": "Sở Thông tin và Truyền thông",
    "issuer_symbol": "STTTT-CNTT",
    "issuer_place": "Đồng Tháp",
    "report_recipient": "Ủy ban nhân dân Tỉnh",
    "report_basis": "Chỉ đạo của Ủy ban nhân dân Tỉnh tại Công văn số 160/UBND-THVX ngày 26 "
    "tháng 4 năm 2022",
    "signer_title": "KT. GIÁM ĐỐC; PHÓ GIÁM ĐỐC",
    "signer_name": "Nguyễn Lâm Thanh Thủy",
    "letter_copies": "UBND các huyện, thành phố; Lưu: VT, CNTT",
}


@pytest.fixture(scope="module")
def dong_thap(tmp_path_factory):
    path = tmp_path_factory.mktemp("letters") / "avroll.db"
    db = dong_thap_database(path)
    for key, value in LETTERHEAD.items():
        settings.set_value(db, key, value)
    with allocation_2021(db):
        yield db
    db.close()


def texts(body):
    """Every paragraph of the document, those in table cells too, in order."""
    document = Document(io.BytesIO(body))
    found = [paragraph.text for paragraph in document.paragraphs]
    for table in document.tables:
        for row in table.rows:
            for cell in row.cells:
                found += [paragraph.text for paragraph in cell.paragraphs]
    return found


def paragraph_with(body, start):
    return next(text for text in texts(body) if text.startswith(start))


def appendix_totals(db):
    """`{label: (allocated, installed, rate)}` of the appendix's total rows, as printed."""
    sheet = load_workbook(
        io.BytesIO(build_rollup_export(db, "xlsx", as_of="2022-05-12").body)
    ).active
    return {
        row[1]: (number(row[2]), number(row[3]), percent(row[4]))
        for row in sheet.iter_rows(values_only=True)
        if row[1] in ("Cộng mục 1", "Cộng mục 2", "Tổng cộng")
    }


def test_report_letter_sentences_are_letter_002s_figures(dong_thap):
    body = build_report_letter(dong_thap, as_of="2022-05-12").body
    assert paragraph_with(body, "Tính đến ngày") == (
        "Tính đến ngày 12/05/2022, toàn tỉnh có 5.007 máy tính đã cài đặt phần mềm phòng, "
        "chống mã độc tập trung (tổng số lượng license trang bị cho các đơn vị, địa phương là "
        "5.137)."
    )
    assert paragraph_with(body, "Trong đó") == (
        "Trong đó, các Sở, ban, ngành Tỉnh đã cài đặt là 1.177/1.177 license, đạt tỷ lệ là "
        "100,0%; UBND các huyện, thành phố đã cài đặt là 3.830/3.960 license, đạt tỷ lệ là "
        "96,7%."
    )
    assert paragraph_with(body, "Thực hiện Chỉ đạo").endswith(
        "Sở Thông tin và Truyền thông báo cáo kết quả triển khai cài đặt phần mềm phòng, "
        "chống mã độc tập trung của các cơ quan, đơn vị, địa phương như sau:"
    )


def test_report_letter_figures_read_back_match_the_appendix(dong_thap):
    body = build_report_letter(dong_thap, as_of="2022-05-12").body
    totals = appendix_totals(dong_thap)
    sections = re.findall(
        r"đã cài đặt là ([\d.]+)/([\d.]+) license, đạt tỷ lệ là ([\d,]+%)",
        paragraph_with(body, "Trong đó"),
    )
    assert [(allocated, installed, rate) for installed, allocated, rate in sections] == [
        totals["Cộng mục 1"],
        totals["Cộng mục 2"],
    ]
    headline = paragraph_with(body, "Tính đến ngày")
    installed, allocated = re.findall(r"có ([\d.]+) máy tính.* là ([\d.]+)\)", headline)[0]
    assert (allocated, installed) == totals["Tổng cộng"][:2]


def test_the_decree_30_layout(dong_thap):
    body = build_report_letter(dong_thap, as_of="2022-05-12").body
    document = Document(io.BytesIO(body))
    section = document.sections[0]
    sizes = [
        round(length.mm)
        for length in (
            section.page_width,
            section.page_height,
            section.top_margin,
            section.bottom_margin,
            section.left_margin,
            section.right_margin,
        )
    ]
    assert sizes == [210, 297, 20, 20, 30, 15]  # A4; margins within the decree's ranges
    assert document.styles["Normal"].font.name == "Times New Roman"
    assert document.styles["Normal"].font.size.pt == 14
    heading = [
        paragraph.text
        for cell in document.tables[0].rows[0].cells
        for paragraph in cell.paragraphs
        if paragraph.text
    ]
    assert heading == [
        "UBND TỈNH ĐỒNG THÁP",
        "SỞ THÔNG TIN",
        "VÀ TRUYỀN THÔNG",  # letter 002's line break
        "Số: " + "\u00a0" * 6 + "/STTTT-CNTT",
        "V/v báo cáo kết quả cài đặt phần mềm phòng, chống mã độc tập trung theo Chỉ thị số "
        "14/CT-TTg ngày 25/5/2018 của Thủ tướng Chính phủ",
        "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM",
        "Độc lập - Tự do - Hạnh phúc",
        "Đồng Tháp, ngày\u00a0\u00a0\u00a0\u00a0\u00a0\u00a0tháng 5 năm 2022",
    ]
    assert "Kính gửi: Ủy ban nhân dân Tỉnh" in texts(body)
    closing = [
        paragraph.text
        for cell in document.tables[1].rows[0].cells
        for paragraph in cell.paragraphs
        if paragraph.text
    ]
    assert closing == [
        "Nơi nhận:",
        "- Như trên;",
        "- UBND các huyện, thành phố;",
        "- Lưu: VT, CNTT.",
        "KT. GIÁM ĐỐC",
        "PHÓ GIÁM ĐỐC",
        "Nguyễn Lâm Thanh Thủy",
    ]
    assert texts(body)[-1] != ""  # nothing left over after the signature


def test_an_issued_letter_has_its_number_and_date(dong_thap):
    issue = Issue.checked("0123", "2022-05-13", as_of="2022-05-12")
    found = texts(build_report_letter(dong_thap, as_of="2022-05-12", issue=issue).body)
    assert "Số: 123/STTTT-CNTT" in found
    assert "Đồng Tháp, ngày 13 tháng 5 năm 2022" in found
    february = Issue("7", "2023-02-05")
    found = texts(build_report_letter(dong_thap, as_of="2022-05-12", issue=february).body)
    assert "Đồng Tháp, ngày 05 tháng 02 năm 2023" in found  # Decree 30: 0 before 1-9, Jan, Feb


def table_of(body):
    """The reminder's table as rows of cell texts; a section's title row as one text."""
    rows = []
    for row in Document(io.BytesIO(body)).tables[1].rows:
        cells = [cell.text for cell in row.cells]
        rows.append(cells[0] if len(set(cells)) == 1 else cells)
    return rows


def test_reminder_lists_the_units_below_the_rate_with_the_appendixs_figures(dong_thap):
    body = build_reminder_letter(dong_thap, below="97", as_of="2022-05-12").body
    document = Document(io.BytesIO(body))
    rows = table_of(body)
    assert rows[0] == [
        "STT",
        "Tên đơn vị",
        "Số lượng bản quyền được phân bổ",
        "Số lượng bản quyền được cài đặt",
        "Tỷ lệ cài đặt",
        "Ghi chú",
    ]
    # By section, as the appendix: its title, then its units numbered from 1.
    assert rows[1] == "1. Các Sở, ban, ngành Tỉnh"
    assert rows[2] == ["1", "Sở Công thương", "50", "48", "96,0%", ""]
    # The note the appendix writes beside a unit with no machine reporting.
    assert rows[8] == [
        "7",
        "Văn phòng Ban An toàn giao thông",
        "3",
        "0",
        "0,0%",
        "Chưa có máy báo cáo",
    ]
    assert rows[9] == "2. UBND các huyện, thành phố"
    assert rows[11] == ["2", "Thành phố Sa Đéc", "330", "313", "94,8%", ""]
    assert rows[-1] == ["4", "Huyện Lai Vung", "330", "257", "77,9%", ""]
    units = [row for row in rows[1:] if isinstance(row, list)]
    assert len(units) == 11
    assert all(float(row[4].rstrip("%").replace(",", ".")) < 97 for row in units)
    sheet = load_workbook(
        io.BytesIO(build_rollup_export(dong_thap, "xlsx", as_of="2022-05-12").body)
    ).active
    printed = {
        row[1]: [number(row[2]), number(row[3]), percent(row[4])]
        for row in sheet.iter_rows(values_only=True)
        if isinstance(row[0], int)
    }
    assert all(printed[row[1]] == row[2:5] for row in units)
    found = texts(body)
    assert paragraph_with(body, "Qua kết quả rà soát") == (
        "Qua kết quả rà soát đến ngày 12/05/2022, toàn tỉnh có 5.007 máy/5.137 máy đã cài đặt "
        "phần mềm phòng, chống mã độc tập trung (có 4.948 máy đặt đúng tên theo hướng dẫn). "
        "Tuy nhiên, vẫn còn 11 cơ quan, đơn vị có tỷ lệ cài đặt dưới 97,0%, cụ thể như sau:"
    )
    # Seven departments lag, more than are named one by one; four districts, by name.
    recipients = found[found.index("Kính gửi:") + 1 : found.index("Kính gửi:") + 6]
    assert recipients == [
        "- Các Sở, ban, ngành Tỉnh có tên tại danh sách dưới đây;",
        "- Huyện Lập Vò;",
        "- Thành phố Sa Đéc;",
        "- Huyện Thanh Bình;",
        "- Huyện Lai Vung.",
    ]
    deadline = next(
        paragraph
        for paragraph in document.paragraphs
        if paragraph.text.startswith("2. Báo cáo kết quả")
    )
    # A week after the figures; letter 004's "(có mẫu báo cáo kèm theo)".
    assert deadline.text.endswith("chậm nhất ngày 19/05/2022 (có mẫu báo cáo kèm theo).")
    assert [run.text for run in deadline.runs if run.bold] == ["19/05/2022"]


def row_properties(body):
    """Per table, per row: whether the row may not split ("cantSplit") and whether it repeats
    at the top of each page ("tblHeader")."""
    found = []
    for table in Document(io.BytesIO(body)).tables:
        rows = []
        for row in table.rows:
            properties = row._tr.trPr
            tags = [] if properties is None else [child.tag for child in properties]
            rows.append((qn("w:cantSplit") in tags, qn("w:tblHeader") in tags))
        found.append(rows)
    return found


def test_no_row_of_either_letter_breaks_across_pages(dong_thap):
    """A unit's row, the heading and the signature block stay whole on one page; only the
    reminder's column headings repeat on each page."""
    reminder = build_reminder_letter(dong_thap, below="97", as_of="2022-05-12").body
    heading, units, closing = row_properties(reminder)
    assert heading == closing == [(True, False)]
    assert units[0] == (True, True)
    assert set(units[1:]) == {(True, False)}
    report = row_properties(build_report_letter(dong_thap, as_of="2022-05-12").body)
    assert report == [[(True, False)], [(True, False)]]


def test_reminder_deadline_as_given(dong_thap):
    body = build_reminder_letter(dong_thap, deadline="2022-05-20", as_of="2022-05-12").body
    assert "chậm nhất ngày 20/05/2022 (" in paragraph_with(body, "2. Báo cáo")
    assert "dưới 100,0%" in paragraph_with(body, "Qua kết quả rà soát")  # the default


def test_no_reminder_when_no_unit_lags(dong_thap):
    with pytest.raises(BadReminder, match="không có đơn vị nào có tỷ lệ cài đặt dưới 100,0%"):
        build_reminder_letter(dong_thap, as_of="2022-05-12", parent="HTM")  # no unit under it


@pytest.mark.parametrize(
    ("below", "deadline", "error", "message"),
    [
        ("abc", None, BadRate, "'abc' is not a percentage"),
        ("0", None, BadReminder, "không có đơn vị nào có tỷ lệ cài đặt dưới 0,0%"),
        ("90", "19/05/2022", BadReminder, "không phải ngày"),
        ("90", "2022-05-01", BadReminder, "trước ngày số liệu 12/05/2022"),
    ],
)
def test_reminder_refusals(dong_thap, below, deadline, error, message):
    with pytest.raises(error, match=message):
        build_reminder_letter(dong_thap, below=below, deadline=deadline, as_of="2022-05-12")


def test_a_rate_of_exactly_the_threshold_is_not_below(dong_thap):
    # Sở Công thương: 48/50 = 96,0% exactly; the e-mail reminders read "96" the same way.
    rows = [
        row[1]
        for row in table_of(build_reminder_letter(dong_thap, below="96", as_of="2022-05-12").body)
        if isinstance(row, list)
    ]
    assert "Sở Công thương" not in rows and "Sở Khoa học và Công nghệ" in rows


def test_cli_writes_both_letters(dong_thap, tmp_path):
    database = str(dong_thap.conn.execute("PRAGMA database_list").fetchone()[2])
    runner = CliRunner()
    out = tmp_path / "bao-cao.docx"
    result = runner.invoke(
        main,
        ["export", "report-letter", "--out", str(out), "--as-of", "2022-05-12", "--db", database],
    )
    assert result.exit_code == 0, result.output
    assert "5.007 máy tính" in paragraph_with(out.read_bytes(), "Tính đến ngày")
    out = tmp_path / "don-doc.docx"
    result = runner.invoke(
        main,
        [
            "export",
            "reminder-letter",
            "--out",
            str(out),
            "--below",
            "90",
            "--deadline",
            "2022-05-19",
            "--as-of",
            "2022-05-12",
            "--db",
            database,
        ],
    )
    assert result.exit_code == 0, result.output
    assert "dưới 90,0%" in paragraph_with(out.read_bytes(), "Qua kết quả rà soát")
    result = runner.invoke(
        main, ["export", "reminder-letter", "--out", str(out), "--below", "nhiều", "--db", database]
    )
    assert result.exit_code != 0 and "is not a percentage" in result.output


def test_letters_download_from_the_pages(client, db):
    seed_small_province(db)
    overview = client.get("/").get_data(as_text=True)
    assert "/exports/report-letter.docx" in overview and "/exports/reminder-letter.docx" in overview
    answer = client.get("/exports/report-letter.docx")
    assert answer.status_code == 200
    assert answer.mimetype == (
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
    )
    assert answer.headers["Content-Disposition"].startswith(
        'attachment; filename="cong-van-bao-cao-'
    )
    assert paragraph_with(answer.data, "Tính đến ngày")
    answer = client.get("/exports/reminder-letter.docx?below=100&deadline=")
    assert answer.status_code == 200 and paragraph_with(answer.data, "Qua kết quả rà soát")
    assert client.get("/exports/reminder-letter.docx?below=abc").status_code == 400
    assert client.get("/exports/report-letter.docx?parent=NOPE").status_code == 404


def test_a_unit_officer_drafts_letters_for_their_units_only(app, anon_client, db):
    seed_small_province(db)
    users.add_user(db, "tests", "hcl", "officer-password", "unit", "HCL")
    assert login(anon_client, "hcl", "officer-password").status_code == 302
    answer = anon_client.get("/exports/report-letter.docx")
    assert "Huyện Cao Lãnh có" in paragraph_with(answer.data, "Tính đến ngày")
    assert anon_client.get("/exports/reminder-letter.docx?parent=SXD").status_code == 404
