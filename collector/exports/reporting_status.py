"""Who has answered, laid out exactly as the appendix of the Bac Ninh letter (Công văn
3324/CAT-ANM, letter 003): its title, its eight columns (TT, unit, total computers,
deployment need, leader contact, phone, officer contact, phone) and its x marks, generated from
the inventory instead of typed.

Counts are the unit's own machines (its descendants are rows of their own): total computers
are those reporting, the deployment need those missing the mandated product (not exempt).
A unit with no machine reporting has both cells empty, as the letter leaves the units that
have not answered. Sections follow the unit groups, numbered I, II, III as the letter does.
Two columns follow the letter's eight: the last reminder e-mailed to the unit, and its
latest answer recorded (day and who), so the officer sees whom to chase.
"""

from __future__ import annotations

from collector.counting.inventory import unit_reporting
from collector.counting.states import when_for
from collector.exports.files import day_text, export_file
from collector.exports.letterhead import asking_letterhead, attached_line
from collector.exports.xlsx_layout import COUNT_FORMAT, SheetWriter
from collector.formats.formatting import LOCAL_TZ
from collector.formats.timefmt import parse_stored
from collector.store import mail, replies

TITLE = (
    "DANH SÁCH CÁC CƠ QUAN CHƯA GỬI THÔNG TIN ĐẦU MỐI TRIỂN KHAI PHẦN MỀM PHÒNG "
    "CHỐNG MÃ ĐỘC KASPERSKY"
)
MARKS_NOTE = "(Đã có thông tin đánh dấu x, chưa có thông tin để trống)"
COLUMNS = (
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
)
CONTACTS = ("leader_name", "leader_phone", "officer_name", "officer_phone")
WIDTHS = (6, 34, 11, 11, 10, 8, 10, 8, 11, 16)
OTHER_GROUP = "Các đơn vị khác"
ROMAN = ("I", "II", "III", "IV", "V", "VI", "VII", "VIII", "IX", "X")


def roman(number):
    return ROMAN[number - 1] if number <= len(ROMAN) else str(number)


def build_reporting_status(db, parent=None, as_of=None):
    """Units grouped by section, each with its reporting machines and which contacts exist."""
    day = when_for(db, as_of).as_of.isoformat()
    answers, reminded = replies.latest_replies(db), mail.last_sent(db)
    sections = {}
    for unit in unit_reporting(db, day, parent):
        answer = answers.get(unit["code"])
        sections.setdefault(unit["group"] or "", []).append(
            {
                "code": unit["code"],
                "name": unit["name"],
                "allocated": unit["allocated"],
                "machines_reporting": unit["seen"],
                "machines_installed": unit["installed"],
                "deployment_need": unit["missing"],
                "reporting": unit["seen"] > 0,
                "contacts": {key: bool(unit[key]) for key in CONTACTS},
                "reminded_on": _local_day(reminded.get(unit["code"])),
                "replied_on": answer["replied_on"] if answer else None,
                "replied_by": answer["replied_by"] if answer else None,
            }
        )
    units = [unit for members in sections.values() for unit in members]
    return {
        "as_of": day,
        "parent": parent.upper() if parent else None,
        "sections": [{"group": group, "units": members} for group, members in sections.items()],
        "summary": {
            "units": len(units),
            "reporting": sum(unit["reporting"] for unit in units),
            "contacts_complete": sum(all(unit["contacts"].values()) for unit in units),
            "replied": sum(unit["replied_on"] is not None for unit in units),
        },
    }


def _local_day(stored):
    return None if stored is None else parse_stored(stored).astimezone(LOCAL_TZ).date().isoformat()


def _mark(present):
    return "x" if present else None


def _cells(number, unit):
    answered = unit["reporting"]
    reply = f"{day_text(unit['replied_on'])}, {unit['replied_by']}" if unit["replied_on"] else None
    return [
        number,
        unit["name"],
        unit["machines_reporting"] if answered else None,
        unit["deployment_need"] if answered else None,
        *(_mark(unit["contacts"][key]) for key in CONTACTS),
        day_text(unit["reminded_on"]) if unit["reminded_on"] else None,
        reply,
    ]


def to_xlsx(status, head):
    sheet = SheetWriter("Phụ lục", WIDTHS)
    sheet.line(TITLE, bold=True, size=13)
    sheet.line(attached_line(head, None, status["as_of"], "Gửi kèm theo"), italic=True)
    sheet.line(
        f"(Số máy tổng hợp từ phần mềm avroll đến ngày {day_text(status['as_of'])})", italic=True
    )
    sheet.blank()
    sheet.header(COLUMNS)
    sheet.table_row([None, MARKS_NOTE], italic=True)
    for position, section in enumerate(status["sections"], 1):
        sheet.table_row([roman(position), section["group"] or OTHER_GROUP], bold=True)
        for number, unit in enumerate(section["units"], 1):
            sheet.table_row(_cells(number, unit), (None, None, COUNT_FORMAT, COUNT_FORMAT))
    return sheet


def csv_rows(status):
    header = ("Mục", "Mã đơn vị", *COLUMNS)
    rows = [
        (section["group"] or OTHER_GROUP, unit["code"], *_cells(number, unit))
        for section in status["sections"]
        for number, unit in enumerate(section["units"], 1)
    ]
    return header, rows


def build_reporting_status_export(db, fmt, as_of=None, parent=None):
    """The reporting status file, whole province or under `parent`."""
    status = build_reporting_status(db, parent, as_of)
    stem = (
        "tinh-hinh-bao-cao-"
        + status["as_of"]
        + (f"-{status['parent']}" if status["parent"] else "")
    )
    return export_file(
        stem,
        fmt,
        lambda: to_xlsx(status, asking_letterhead(db, status["parent"])),
        lambda: csv_rows(status),
    )
