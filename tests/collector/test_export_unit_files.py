"""A unit's machine list, its Biểu mẫu 1 survey and the reporting status, read back from
XLSX and CSV."""

from __future__ import annotations

import csv
import io

import pytest
from openpyxl import load_workbook

from collector.counting.machine_states import UnknownTab
from collector.counting.states import UnknownUnit
from collector.exports.machine_list import build_machines_export
from collector.exports.reporting_status import build_reporting_status_export
from collector.exports.survey import build_survey, build_survey_export, os_label
from tests.exports_data import HOSTILE, seed_small_province


@pytest.fixture
def province(db):
    seed_small_province(db)
    return db


def sheet_rows(made):
    sheet = load_workbook(io.BytesIO(made.body)).active
    return sheet, [list(row) for row in sheet.iter_rows(values_only=True)]


def csv_rows(made):
    assert made.body.startswith(b"\xef\xbb\xbf")
    return list(csv.reader(io.StringIO(made.body.decode("utf-8-sig"))))


def table(rows, first_heading):
    """The rows after the header row that starts with `first_heading`."""
    start = next(number for number, row in enumerate(rows) if row[0] == first_heading)
    return rows[start], rows[start + 1 :]


def test_machine_list_has_every_column_the_unit_must_send(province):
    sheet, rows = sheet_rows(build_machines_export(province, "SXD", "xlsx"))
    header, machines = table(rows, "STT")
    assert header[:4] == ["STT", "Tên máy", "Đơn vị", "Bộ phận sử dụng"]
    machines = [row for row in machines if isinstance(row[0], int)]
    by_name = {row[1]: dict(zip(header, row, strict=True)) for row in machines}
    # Sorted by hostname; the stale PC is listed (tab "all"), the commune's PC is not.
    assert [row[1] for row in machines] == [
        "'" + HOSTILE,
        "SXD-LAP01",
        "SXD-OLD01",
        "SXD-PC01",
        "SXD-PC02",
        "SXD-SRV01",
        "SXD-WEB01",
    ]
    laptop = by_name["SXD-LAP01"]
    assert laptop["Bộ phận sử dụng"] is None  # not collected: left for the unit
    assert laptop["RAM lắp đặt (GB)"] == 16.0
    assert laptop["Phần mềm phòng, chống mã độc"] == "Kaspersky Endpoint Security for Windows"
    assert laptop["Network Agent"] == "Có"
    assert laptop["Trạng thái"] == "Đã cài, đang bảo vệ"
    assert by_name["SXD-PC02"]["Trạng thái"] == "Đã cài, chưa bảo vệ (tắt hoặc chưa cập nhật)"
    assert by_name["SXD-OLD01"]["Trạng thái"] == "Quá hạn báo cáo"
    hostile = by_name["'" + HOSTILE]
    assert (hostile["Trạng thái"], hostile["Đặt tên theo hướng dẫn"]) == (
        "Miễn cài (RAM dưới ngưỡng)",
        "Không",
    )
    assert sheet.cell(header and rows.index(header) + 2, 2).data_type == "s"
    assert sheet.page_setup.orientation == "landscape"
    assert sheet.print_title_rows


@pytest.mark.parametrize(
    ("tab", "hostnames"),
    [
        ("installed", ["SXD-LAP01", "SXD-PC01", "SXD-PC02", "SXD-SRV01", "SXD-WEB01"]),
        ("misnamed", ["'" + HOSTILE]),
        ("exempt", ["'" + HOSTILE]),
        ("stale", ["SXD-OLD01"]),
        ("missing", []),
    ],
)
def test_machine_list_tabs(province, tab, hostnames):
    rows = csv_rows(build_machines_export(province, "SXD", "csv", tab=tab))
    assert [row[1] for row in rows[1:]] == hostnames


def test_machine_list_of_a_district_includes_its_communes(province):
    rows = csv_rows(build_machines_export(province, "HCL", "csv", tab="missing"))
    assert [(row[1], row[2], row[6], row[7]) for row in rows[1:]] == [
        ("XMH-PC01", "XMH", "Windows Defender", "Không")
    ]


def test_machine_list_refuses_unknown_tabs_and_units(province):
    with pytest.raises(UnknownTab):
        build_machines_export(province, "SXD", "csv", tab="everything")
    with pytest.raises(UnknownUnit):
        build_machines_export(province, "NOPE", "csv")


@pytest.mark.parametrize(
    ("family", "name", "server", "label"),
    [
        ("windows", "Microsoft Windows 11 Pro", False, "Windows 11 Pro"),
        (
            "windows",
            "Microsoft® Windows Server® 2019 Standard",
            True,
            "Windows Server 2019 Standard",
        ),
        ("windows", "Microsoft Windows 7 Professional ", False, "Windows 7 Professional"),
        ("linux", "Ubuntu 24.04.1 LTS", True, "Ubuntu Server 24.04"),
        ("linux", "Ubuntu 22.04.4 LTS", False, "Ubuntu 22.04"),
        ("linux", "Debian GNU/Linux 12 (bookworm)", True, "Debian Server 12"),
        ("linux", None, False, "Không rõ"),
    ],
)
def test_os_names_as_the_form_writes_them(family, name, server, label):
    assert os_label(family, name, server) == label


def test_survey_counts_devices_by_type_and_system(province):
    survey = build_survey(province, "SXD")
    assert [(d["device_type"], d["os"], d["count"]) for d in survey["devices"]] == [
        ("Máy chủ", "Windows Server 2019 Standard", 1),
        ("Máy chủ (máy ảo)", "Ubuntu Server 24.04", 1),
        ("Máy tính để bàn", "Windows 11 Pro", 2),
        ("Máy tính để bàn", "Windows 10 Pro", 1),  # the misnamed PC enrolled for SXD
        ("Laptop", "Windows 11 Pro", 1),
    ]  # the stale PC is left out


def test_survey_xlsx_is_the_form_with_contacts_and_blank_columns(province):
    sheet, rows = sheet_rows(build_survey_export(province, "SXD", "xlsx"))
    lines = [row[0] for row in rows if row[0]]
    assert lines[0].startswith("BIỂU MẪU 1: Thống kê số lượng máy chủ, máy tính")
    assert "TÊN ĐƠN VỊ: Sở Xây dựng" in lines
    dots = "........................................"
    assert lines[1] == (
        "(Gửi kèm theo Công văn số \u00a0\u00a0\u00a0\u00a0\u00a0\u00a0/……… ngày"
        "\u00a0\u00a0\u00a0\u00a0\u00a0\u00a0tháng "
        f"{survey_month(province)} của ………)"
    )
    # The job title is a field of its own, left for the unit (avroll does not hold it).
    assert (
        "– Thông tin lãnh đạo bộ phận phụ trách (Họ và tên, Chức vụ, Số điện thoại): "
        f"Họ và tên: Nguyễn Văn A; Chức vụ: {dots}; Số điện thoại: 0912 345 678"
    ) in lines
    assert (
        "– Thông tin cán bộ phận phụ trách (Họ và tên, Chức vụ, Số điện thoại): "
        f"Họ và tên: Trần Thị B; Chức vụ: {dots}; Số điện thoại: {dots}"
    ) in lines
    assert "* Lưu ý:" in lines
    assert ["LÃNH ĐẠO ĐƠN VỊ XÁC NHẬN", None, None, "CÁN BỘ THỐNG KÊ", None, None] in rows
    header, body = table(rows, "TT")
    assert header[1].startswith("LOẠI THIẾT BỊ") and header[2] == "SỐ LƯỢNG"
    body = [row for row in body if isinstance(row[0], int)]
    assert body[0] == [1, "Máy chủ", 1, "Windows Server 2019 Standard", None, None]
    assert body[-2:] == [
        [6, "Smartphone", None, None, None, None],
        [7, "Máy tính bảng", None, None, None, None],
    ]
    assert sheet.print_title_rows


def survey_month(db):
    """`11 năm 2026`: the month of today's figures, as a draft's blank date shows it."""
    as_of = build_survey(db, "SXD")["as_of"]
    month = int(as_of[5:7])
    text = f"{month:02d}" if month <= 2 else str(month)
    return f"{text} năm {as_of[:4]}"


def test_survey_csv(province):
    rows = csv_rows(build_survey_export(province, "XMH", "csv"))
    assert rows[1] == ["XMH", "Xã Mỹ Hiệp", "1", "Máy tính để bàn", "1", "Windows 10 Pro", "", ""]


def test_reporting_status_is_letter_003s_appendix(province):
    sheet, rows = sheet_rows(build_reporting_status_export(province, "xlsx"))
    assert rows[0][0] == (
        "DANH SÁCH CÁC CƠ QUAN CHƯA GỬI THÔNG TIN ĐẦU MỐI TRIỂN KHAI PHẦN "
        "MỀM PHÒNG CHỐNG MÃ ĐỘC KASPERSKY"
    )
    assert rows[1][0].startswith("(Gửi kèm theo Công văn số ")
    header, body = table(rows, "TT")
    assert header == [
        "TT",
        "Tên đơn vị",
        "Tổng số máy tính",
        "Nhu cầu triển khai",
        "Đầu mối lãnh đạo",
        "SĐT",
        "Đầu mối cán bộ",
        "SĐT",
        "Đã đôn đốc ngày",
        "Đã báo cáo",
    ]
    assert body[0][1] == "(Đã có thông tin đánh dấu x, chưa có thông tin để trống)"
    assert body[1][:2] == ["I", "Các Sở, ban, ngành Tỉnh"]
    units = {row[1]: row for row in body if isinstance(row[0], int)}
    # SXD: 6 machines reporting (the stale one not), none missing the product (the 1,5 GB
    # PC is exempt); leader and officer named, the officer's phone not given.
    assert units["Sở Xây dựng"][2:] == [6, 0, "x", "x", "x", None, None, None]
    # The district's own machines: none, so not answered: empty cells, as in the letter.
    assert units["Huyện Cao Lãnh"][2:] == [None] * 8
    assert units["Xã Mỹ Hiệp"][2:] == [
        1,
        1,
        None,
        None,
        "x",
        "x",
        None,
        None,
    ]  # Defender only: needs it
    assert [row[0] for row in body if row[0] in ("I", "II")] == ["I", "II"]


def test_reporting_status_csv_under_a_parent(province):
    rows = csv_rows(build_reporting_status_export(province, "csv", parent="HCL"))
    assert rows[0][:4] == ["Mục", "Mã đơn vị", "TT", "Tên đơn vị"]
    assert [(row[1], row[4], row[5]) for row in rows[1:]] == [("HCL", "", ""), ("XMH", "1", "1")]
