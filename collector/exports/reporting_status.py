"""Who has answered: per unit, whether its machines report and whether its contacts are
known, marked "x" as in the appendix of the Bac Ninh letter (Công văn 3324/CAT-ANM), generated
from the inventory instead of typed.

Counts are the unit's own machines (its descendants are rows of their own); sections follow the
unit groups, numbered I, II, III as the letter does.
"""

from __future__ import annotations

from collector.counting.inventory import unit_reporting
from collector.counting.rollup import when_for
from collector.exports.files import day_text, export_file
from collector.exports.xlsx_layout import COUNT_FORMAT, SheetWriter

TITLE = "DANH SÁCH CÁC ĐƠN VỊ ĐÃ CÓ MÁY BÁO CÁO VÀ THÔNG TIN ĐẦU MỐI"
MARKS_NOTE = "(Đã có thông tin đánh dấu x, chưa có thông tin để trống)"
COLUMNS = ("TT", "Tên đơn vị", "Mã", "Số lượng bản quyền được phân bổ",
           "Số máy tính đang báo cáo", "Số máy đã cài đặt", "Có máy báo cáo",
           "Đầu mối lãnh đạo", "SĐT", "Đầu mối cán bộ", "SĐT")
CONTACTS = ("leader_name", "leader_phone", "officer_name", "officer_phone")
WIDTHS = (5, 34, 9, 11, 10, 10, 9, 9, 7, 9, 7)
OTHER_GROUP = "Các đơn vị khác"
ROMAN = ("I", "II", "III", "IV", "V", "VI", "VII", "VIII", "IX", "X")


def roman(number):
    return ROMAN[number - 1] if number <= len(ROMAN) else str(number)


def build_reporting_status(db, parent=None, as_of=None):
    """Units grouped by section, each with its reporting machines and which contacts exist."""
    day = when_for(db, as_of).as_of.isoformat()
    sections = {}
    for unit in unit_reporting(db, day, parent):
        sections.setdefault(unit["group"] or "", []).append({
            "code": unit["code"], "name": unit["name"], "allocated": unit["allocated"],
            "machines_reporting": unit["seen"], "machines_installed": unit["installed"],
            "reporting": unit["seen"] > 0,
            "contacts": {key: bool(unit[key]) for key in CONTACTS}})
    units = [unit for members in sections.values() for unit in members]
    return {
        "as_of": day, "parent": parent.upper() if parent else None,
        "sections": [{"group": group, "units": members} for group, members in sections.items()],
        "summary": {
            "units": len(units),
            "reporting": sum(unit["reporting"] for unit in units),
            "contacts_complete": sum(all(unit["contacts"].values()) for unit in units)},
    }


def _mark(present):
    return "x" if present else None


def _cells(number, unit):
    return [number, unit["name"], unit["code"], unit["allocated"], unit["machines_reporting"],
            unit["machines_installed"], _mark(unit["reporting"]),
            *(_mark(unit["contacts"][key]) for key in CONTACTS)]


def to_xlsx(status):
    sheet = SheetWriter("Tình hình báo cáo", WIDTHS, landscape=True)
    sheet.line(TITLE, bold=True, size=13)
    sheet.line(f"(Tổng hợp từ phần mềm avroll đến ngày {day_text(status['as_of'])})",
               italic=True)
    sheet.blank()
    sheet.header(COLUMNS)
    sheet.table_row([None, MARKS_NOTE], italic=True)
    for position, section in enumerate(status["sections"], 1):
        sheet.table_row([roman(position), section["group"] or OTHER_GROUP], bold=True)
        for number, unit in enumerate(section["units"], 1):
            sheet.table_row(_cells(number, unit), (None,) * 3 + (COUNT_FORMAT,) * 3)
    summary = status["summary"]
    sheet.blank()
    sheet.line(f"Có máy báo cáo: {summary['reporting']}/{summary['units']} đơn vị; "
               f"đủ thông tin đầu mối: {summary['contacts_complete']}/{summary['units']} "
               "đơn vị.", align="left")
    return sheet


def csv_rows(status):
    header = ("Mục", *COLUMNS)
    rows = [(section["group"] or OTHER_GROUP, *_cells(number, unit))
            for section in status["sections"]
            for number, unit in enumerate(section["units"], 1)]
    return header, rows


def build_reporting_status_export(db, fmt, as_of=None, parent=None):
    """The reporting status file, whole province or under `parent`."""
    status = build_reporting_status(db, parent, as_of)
    stem = "tinh-hinh-bao-cao-" + status["as_of"] + (
        f"-{status['parent']}" if status["parent"] else "")
    return export_file(stem, fmt, lambda: to_xlsx(status), lambda: csv_rows(status))
