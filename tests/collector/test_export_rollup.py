"""The install-rate appendix as XLSX and CSV, read back cell by cell: the Dong Thap table of
12/05/2022 rebuilt from synthetic reports (`tests/dong_thap.py`)."""

from __future__ import annotations

import csv
import io

import pytest
from openpyxl import load_workbook

from collector.exports.rollup_appendix import MISNAMED_LABEL, build_rollup_export
from collector.store.ingest import store_report
from collector.store.units import get_unit, save_units
from tests.builders import make_report
from tests.dong_thap import EXPECTED, MISNAMED, allocation_2021, dong_thap_database

TITLE = (
    "Thống kê số lượng máy tính cài đặt phần mềm phòng, chống mã độc tập trung đến ngày 12/05/2022"
)
HEADER = [
    "STT",
    "Tên đơn vị",
    "Số lượng bản quyền được phân bổ",
    "Số lượng bản quyền được cài đặt",
    "Tỷ lệ cài đặt",
    "Ghi chú",
]


@pytest.fixture(scope="module")
def dong_thap(tmp_path_factory):
    db = dong_thap_database(tmp_path_factory.mktemp("dong_thap") / "avroll.db")
    yield db
    db.close()


@pytest.fixture(scope="module")
def sheet(dong_thap):
    made = build_rollup_export(dong_thap, "xlsx", as_of="2022-05-12")
    assert made.filename == "phu-luc-ty-le-cai-dat-2022-05-12.xlsx"
    return load_workbook(io.BytesIO(made.body)).active


@pytest.fixture(scope="module")
def csv_text(dong_thap):
    body = build_rollup_export(dong_thap, "csv", as_of="2022-05-12").body
    assert body.startswith(b"\xef\xbb\xbf")
    return body.decode("utf-8-sig")


def rows_of(sheet):
    return [list(row) for row in sheet.iter_rows(values_only=True)]


def find_row(sheet, text):
    return next(row for row in sheet.iter_rows() if row[1].value == text)


def test_title_header_and_sections(sheet):
    rows = rows_of(sheet)
    assert rows[0][0] == "Phụ lục"
    assert rows[1][0] == TITLE
    header_at = rows.index(HEADER)
    assert sheet.print_title_rows == f"${header_at + 1}:${header_at + 1}"  # on every page
    assert rows[header_at + 1][:2] == [None, "1. Các Sở, ban, ngành Tỉnh:"]
    assert [None, "2. UBND các huyện, thành phố:"] in [row[:2] for row in rows]
    assert "A2:F2" in {str(merged) for merged in sheet.merged_cells.ranges}
    assert sheet["A2"].font.bold and sheet["A2"].font.name == "Times New Roman"


def test_every_unit_row_with_its_figures_in_order(sheet, dong_thap):
    rows = rows_of(sheet)
    for number, (heading, expected) in enumerate(EXPECTED, 1):
        start = rows.index([None, f"{number}. {heading}:", None, None, None, None]) + 1
        got = rows[start : start + len(expected)]
        names = [get_unit(dong_thap, code)["name"] for code, *_ in expected]
        assert [row[:4] for row in got] == [
            [stt, name, allocated, installed]
            for stt, (name, (_, allocated, installed, _)) in enumerate(
                zip(names, expected, strict=True), 1
            )
        ]
        for row, (_, allocated, installed, _printed) in zip(got, expected, strict=True):
            assert row[4] == (None if allocated is None else pytest.approx(installed / allocated))


def test_55_of_56_is_the_number_0_982_shown_as_a_percentage(sheet):
    row = find_row(sheet, "Sở Giáo dục và Đào tạo")
    assert row[4].value == pytest.approx(55 / 56)
    # A number in a Vietnamese-tagged percent format: 98,2% in LibreOffice whatever its
    # language, in Excel with Windows' regional decimal sign (README, "Exports").
    assert row[4].number_format == "[$-42A]0.0%"
    assert round(row[4].value * 100, 1) == 98.2
    # Counts: literal dots, so 5.137 prints the same under an English (US) locale.
    assert (
        row[2].number_format
        == row[3].number_format
        == ('[>=1000000]#"."###"."##0;[>=1000]#"."##0;0')
    )
    assert find_row(sheet, "Tổng cộng")[3].value == 5007  # still a number to sum


def test_notes_only_where_the_letter_would_write_one(sheet):
    # Over quota (a rate over 100%) and no allocation (an empty cell) speak for themselves.
    assert find_row(sheet, "Sở Xây dựng")[5].value is None
    assert find_row(sheet, "Trung tâm THDL Tỉnh")[5].value is None
    assert find_row(sheet, "Văn phòng Ban An toàn giao thông")[5].value == "Chưa có máy báo cáo"
    noted = [
        row[1].value
        for row in sheet.iter_rows()
        if row[5].value and row[0].value and row[0].value != "STT"
    ]
    assert noted == ["Văn phòng Ban An toàn giao thông"]


def test_the_letter_it_goes_with_is_named_under_the_title(sheet):
    # No issuer set and not issued yet: blanks to fill in by hand, the month of the figures.
    assert rows_of(sheet)[2][0] == (
        "(Kèm theo Công văn số \u00a0\u00a0\u00a0\u00a0\u00a0\u00a0/……… "
        "ngày\u00a0\u00a0\u00a0\u00a0\u00a0\u00a0tháng 5 năm 2022 của ………)"
    )


def test_misnamed_row_ends_section_1_and_counts_in_its_total(sheet):
    rows = rows_of(sheet)
    misnamed = find_row(sheet, MISNAMED_LABEL)
    assert (
        misnamed[0].value,
        misnamed[2].value,
        misnamed[3].value,
        misnamed[4].value,
        misnamed[5].value,
    ) == (23, None, MISNAMED, None, None)
    at = rows.index([cell.value for cell in misnamed])
    assert rows[at - 1][1] == "Trung tâm THDL Tỉnh" and rows[at + 1][1] == "Cộng mục 1"
    for label, allocated, installed in (
        ("Cộng mục 1", 1124, 1118 + MISNAMED),
        ("Cộng mục 2", 3960, 3830),
        ("Tổng cộng", 5084, 5007),
    ):
        row = find_row(sheet, label)
        assert (row[2].value, row[3].value) == (allocated, installed), label
        assert row[4].value == pytest.approx(installed / allocated)
        assert row[1].font.bold
    # The grand total adds up from what is printed: the two section totals.
    assert 1118 + MISNAMED + 3830 == 5007
    table = [row for row in rows if any(row[1:])]
    notes = [row[0] for row in rows if row[0] and not any(row[1:])]
    assert table[-1][1] == "Tổng cộng"
    # What the sum of allocations leaves out, listed under the table: the unit whose
    # allocation is blank and the misnamed row (letter 002's sentences differ from its table
    # exactly there).
    assert notes[-3:] == [
        "Ghi chú: số bản quyền được cài đặt ở dòng tổng gồm cả các máy sau, không có trong "
        "số bản quyền được phân bổ:",
        "a) Trung tâm THDL Tỉnh (chưa được phân bổ): 17 máy",
        "b) Máy không đặt tên theo hướng dẫn: 59 máy",
    ]


def test_with_the_2021_allocation_the_table_reads_as_the_letters_sentences(dong_thap):
    """Letter 002: "các sở, ban, ngành … 1.177/1.177 license, đạt tỷ lệ là 100,0%; … UBND
    các huyện, thành phố … 3.830/3.960 license, đạt tỷ lệ là 96,7%"; 5.007 of 5.137."""
    with allocation_2021(dong_thap):
        sheet = load_workbook(
            io.BytesIO(build_rollup_export(dong_thap, "xlsx", as_of="2022-05-12").body)
        ).active
    figures = {
        label: (row[2].value, row[3].value, round(row[4].value * 100, 1))
        for label in ("Cộng mục 1", "Cộng mục 2", "Tổng cộng")
        for row in [find_row(sheet, label)]
    }
    assert figures == {
        "Cộng mục 1": (1177, 1177, 100.0),
        "Cộng mục 2": (3960, 3830, 96.7),
        "Tổng cộng": (5137, 5007, 97.5),
    }


def test_prints_on_a4_portrait_fitted_to_width(sheet):
    setup = sheet.page_setup
    assert setup.orientation == "portrait"
    assert str(setup.paperSize) == "9"  # A4
    assert setup.fitToWidth == 1 and setup.fitToHeight == 0
    assert sheet.sheet_properties.pageSetUpPr.fitToPage
    assert sheet.column_dimensions["B"].width > sheet.column_dimensions["A"].width
    assert sheet["B5"].border.left.style == "thin"


def test_csv_one_header_row_plain_numbers_section_as_a_column(csv_text):
    rows = list(csv.reader(io.StringIO(csv_text)))
    assert rows[0] == [
        "Mục",
        "Dòng",
        "STT",
        "Mã đơn vị",
        "Tên đơn vị",
        *HEADER[2:],
        "Số máy đã kết nối máy chủ quản trị",
    ]
    by_code = {row[3]: row for row in rows[1:] if row[1] == "đơn vị"}
    assert by_code["SGDDT"] == [
        "Các Sở, ban, ngành Tỉnh",
        "đơn vị",
        "15",
        "SGDDT",
        "Sở Giáo dục và Đào tạo",
        "56",
        "55",
        "0.9821",
        "",
        "0",
    ]
    assert by_code["HLVU"][0] == "UBND các huyện, thành phố"
    assert by_code["TTTHDL"][5:8] == ["", "17", ""]
    units = [row for row in rows[1:] if row[1] == "đơn vị"]
    assert len(units) == sum(len(expected) for _, expected in EXPECTED)
    kinds = {row[1]: row for row in rows[1:]}
    assert kinds["máy đặt tên sai hướng dẫn"][6] == str(MISNAMED)
    assert kinds["tổng cộng"][5:8] == ["5084", "5007", "0.9849"]
    assert kinds["máy đặt tên sai hướng dẫn"][:3] == [
        "Các Sở, ban, ngành Tỉnh",
        "máy đặt tên sai hướng dẫn",
        "23",
    ]
    assert [row[6] for row in rows[1:] if row[1] == "cộng mục"] == ["1177", "3830"]
    # Summing the unit rows and the misnamed row gives the grand total.
    assert sum(int(row[6]) for row in units) + MISNAMED == 5007


def test_under_a_parent_the_title_names_it(dong_thap):
    made = build_rollup_export(dong_thap, "xlsx", as_of="2022-05-12", parent="HTM")
    assert made.filename == "phu-luc-ty-le-cai-dat-2022-05-12-HTM.xlsx"
    rows = rows_of(load_workbook(io.BytesIO(made.body)).active)
    assert rows[2][0] == "Đơn vị: Huyện Tháp Mười"
    total = next(row for row in rows if row[1] == "Tổng cộng")
    # Its row in the province's table (the ten misnamed count in the province's row), not
    # 340: one figure per unit, whichever table shows it.
    assert total[2:4] == [330, 330]
    misnamed = next(row for row in rows if row[1] == MISNAMED_LABEL)
    assert misnamed[3] == 10 and "Không cộng vào tổng của đơn vị" in misnamed[5]


def test_hostile_unit_names_come_out_as_text(db):
    save_units(
        db,
        [
            (
                2,
                {
                    "code": "SXD",
                    "name": '=HYPERLINK("http://x","y")',
                    "group": "@SUM(1)",
                    "allocated": "3",
                },
            )
        ],
    )
    store_report(db, make_report(hostname="SXD-01"))
    sheet = load_workbook(io.BytesIO(build_rollup_export(db, "xlsx").body)).active
    text = build_rollup_export(db, "csv").body.decode("utf-8-sig")
    assert "\r\n'@SUM(1),đơn vị,1,SXD," in text  # the section column
    cell = find_row(sheet, '\'=HYPERLINK("http://x","y")')[1]
    assert cell.data_type == "s"
    assert ',"\'=HYPERLINK(""http://x"",""y"")",' in text
