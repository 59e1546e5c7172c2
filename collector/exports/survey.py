"""Biểu mẫu 1 of the Bac Ninh 2026 survey (Công văn 719/CAT-ANM): a unit's servers and
computers counted by device type and operating system, pre-filled from the inventory, with
the letter it goes with, the unit's contacts (name, job title, phone: the title is left for
the unit, avroll does not hold it), the form's notes, and the columns only the unit can fill
left blank.

Device types map to the form's words: a server OS or server hardware is "Máy chủ", a laptop
"Laptop", a desktop "Máy tính để bàn"; virtual machines are marked "(máy ảo)". Smartphones and
tablets run no agent: their rows are left for the unit to count.
"""

from __future__ import annotations

import re

from collector.counting.inventory import device_os_counts
from collector.counting.states import UnknownUnit, when_for
from collector.exports.files import day_text, export_file
from collector.exports.letterhead import asking_letterhead, attached_line
from collector.exports.xlsx_layout import COUNT_FORMAT, SheetWriter
from collector.store.units import get_unit

TITLE = (
    "BIỂU MẪU 1: Thống kê số lượng máy chủ, máy tính, smartphone, máy tính bảng phục vụ công tác"
)
COLUMNS = (
    "TT",
    "LOẠI THIẾT BỊ (Máy chủ, máy tính để bàn, laptop, smartphone, máy tính bảng)",
    "SỐ LƯỢNG",
    "HỆ ĐIỀU HÀNH",
    "Bộ phận quản lý sử dụng",
    "MỤC ĐÍCH SỬ DỤNG (Triển khai hoặc sử dụng cho Hệ thống thông tin nào?)",
)
WIDTHS = (5, 22, 10, 28, 18, 30)
TYPE_ORDER = (
    "Máy chủ",
    "Máy chủ (máy ảo)",
    "Máy tính để bàn",
    "Máy tính để bàn (máy ảo)",
    "Laptop",
    "Máy tính (chưa rõ loại)",
)
LEFT_FOR_THE_UNIT = ("Smartphone", "Máy tính bảng")
DOTS = "........................................"
TRADEMARKS = re.compile(r"[®™©]|\(R\)|\(TM\)")
LINUX_VERSION = re.compile(r"^(?P<distro>[^\d]+?)\s+(?:Server\s+)?(?P<major>\d+(?:\.\d+)?)")


def device_label(device_type, os_server):
    """The form's word for a device."""
    if os_server or device_type == "server":
        kind = "Máy chủ"
    elif device_type == "laptop":
        return "Laptop"
    elif device_type in ("desktop", "virtual"):
        kind = "Máy tính để bàn"
    else:
        return "Máy tính (chưa rõ loại)"
    return f"{kind} (máy ảo)" if device_type == "virtual" else kind


def os_label(os_family, os_name, os_server):
    """An OS name as the form writes it: `Windows 11 Pro`, `Windows Server 2019 Standard`,
    `Ubuntu Server 24.04` (no vendor prefix, trademarks, point releases or "LTS")."""
    name = " ".join(TRADEMARKS.sub("", os_name or "").split())
    if name.startswith("Microsoft "):
        name = name[len("Microsoft ") :]
    if os_family == "linux":
        found = LINUX_VERSION.match(name)
        if found:
            distro = found["distro"].removesuffix(" GNU/Linux").strip()
            server = " Server" if os_server else ""
            name = f"{distro}{server} {found['major']}"
    return name or "Không rõ"


def survey_rows(counts):
    """`(device label, OS label, machines)` rows, grouped as the form lists them."""
    merged = {}
    for row in counts:
        key = (
            device_label(row["device_type"], row["os_server"]),
            os_label(row["os_family"], row["os_name"], row["os_server"]),
        )
        merged[key] = merged.get(key, 0) + row["machines"]
    return sorted(
        ((kind, os, machines) for (kind, os), machines in merged.items()),
        key=lambda item: (TYPE_ORDER.index(item[0]), -item[2], item[1]),
    )


def build_survey(db, unit, as_of=None):
    """The survey's data: the unit, its contacts, the date and the counted rows."""
    found = get_unit(db, unit)
    if found is None:
        raise UnknownUnit(unit)
    day = when_for(db, as_of).as_of.isoformat()
    rows = survey_rows(device_os_counts(db, unit, day))
    return {
        "unit": found,
        "as_of": day,
        "devices": [
            {"device_type": kind, "os": os, "count": machines} for kind, os, machines in rows
        ],
    }


LETTER_NOTES = (
    "* Lưu ý:",
    "– Đơn vị: Là các cơ quan, đơn vị tương đương Văn phòng Tỉnh ủy, UBND tỉnh, cấp Sở, UBND "
    "cấp xã...",
    "– Bộ phận phụ trách: Là các cơ quan, đơn vị tương đương cấp Phòng chuyên môn thuộc cấp "
    "Sở, UBND cấp xã...",
)
SIGNATURES = ("LÃNH ĐẠO ĐƠN VỊ XÁC NHẬN", "CÁN BỘ THỐNG KÊ")
CSV_COLUMNS = (
    "Mã đơn vị",
    "Tên đơn vị",
    "TT",
    "Loại thiết bị",
    "Số lượng",
    "Hệ điều hành",
    "Bộ phận quản lý sử dụng",
    "Mục đích sử dụng",
)


def _contact(name, phone):
    """The form's "(Họ và tên, Chức vụ, Số điện thoại)": the job title is not in the units
    table, so it is left for the unit to write."""
    return f"Họ và tên: {name or DOTS}; Chức vụ: {DOTS}; Số điện thoại: {phone or DOTS}"


def form_rows(counted):
    """The form's numbered rows from `(device label, OS label, machines)`: the counted
    devices, then the kinds left for the unit to count (Biểu mẫu 1 and 2 alike)."""
    rows = [(kind, machines, os) for kind, os, machines in counted]
    rows += [(kind, None, None) for kind in LEFT_FOR_THE_UNIT]
    return [
        (number, kind, machines, os, None, None)
        for number, (kind, machines, os) in enumerate(rows, 1)
    ]


def form_end(sheet):
    """What ends both forms: the letter's notes and the two signature captions."""
    sheet.blank()
    for note in LETTER_NOTES:
        sheet.line(note, bold=note == LETTER_NOTES[0], align="left")
    sheet.blank()
    sheet.signatures(*SIGNATURES)


def _table(survey):
    return form_rows(
        (device["device_type"], device["os"], device["count"]) for device in survey["devices"]
    )


def to_xlsx(survey, head):
    unit = survey["unit"]
    sheet = SheetWriter("Biểu mẫu 1", WIDTHS, landscape=True)
    sheet.line(TITLE, bold=True, size=13)
    sheet.line(attached_line(head, None, survey["as_of"], "Gửi kèm theo"), italic=True)
    sheet.line(
        f"(Số máy chủ, máy tính do phần mềm avroll tổng hợp đến ngày "
        f"{day_text(survey['as_of'])}; đơn vị kiểm tra và điền các cột còn trống)",
        italic=True,
    )
    sheet.blank()
    sheet.line(f"TÊN ĐƠN VỊ: {unit['name']}", bold=True, align="left")
    sheet.line(
        "1. Thông tin đầu mối phụ trách quản lý hệ thống công nghệ thông tin của đơn vị:",
        bold=True,
        align="left",
    )
    sheet.line(f"– Tên bộ phận phụ trách: Phòng{DOTS}", align="left")
    sheet.line(
        "– Thông tin lãnh đạo bộ phận phụ trách (Họ và tên, Chức vụ, Số điện thoại): "
        + _contact(unit["leader_name"], unit["leader_phone"]),
        align="left",
    )
    sheet.line(
        "– Thông tin cán bộ phận phụ trách (Họ và tên, Chức vụ, Số điện thoại): "
        + _contact(unit["officer_name"], unit["officer_phone"]),
        align="left",
    )
    sheet.line("2. Bảng thống kê số lượng thiết bị của đơn vị:", bold=True, align="left")
    sheet.header(COLUMNS)
    for row in _table(survey):
        sheet.table_row(row, (None, None, COUNT_FORMAT))
    form_end(sheet)
    return sheet


def csv_rows(survey):
    unit = survey["unit"]
    return CSV_COLUMNS, [(unit["code"], unit["name"], *row) for row in _table(survey)]


def build_survey_export(db, unit, fmt, as_of=None):
    """The unit's Biểu mẫu 1 file, counted as of a date (today when None)."""
    survey = build_survey(db, unit, as_of)
    stem = f"bieu-mau-1-{survey['unit']['code']}-{survey['as_of']}"
    return export_file(
        stem,
        fmt,
        lambda: to_xlsx(survey, asking_letterhead(db, survey["unit"]["code"])),
        lambda: csv_rows(survey),
    )
