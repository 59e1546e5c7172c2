"""The install-rate appendix as the provincial letters attach it ("Thống kê số lượng máy tính
cài đặt phần mềm phòng, chống mã độc tập trung đến ngày …"), from `rollup()`.

The table has the letters' six columns, one section per unit group with its total, and the
grand total, laid out as letter 002: the row of installed machines not named per the guideline
is the last numbered row of section 1 (where `rollup()` puts it and counts it), so "Cộng mục 1"
and the grand total read as the letter's sentences. Notes only where the letter would write
one: a unit with no machine reporting, children allocated more than their unit.
"""

from __future__ import annotations

from dataclasses import dataclass

from collector.counting.rollup import rollup
from collector.exports.files import day_text, export_file
from collector.exports.letterhead import (
    OTHER_GROUP,
    attached_line,
    letterhead,
    with_group_titles,
)
from collector.exports.xlsx_layout import COUNT_FORMAT, RATE_FORMAT, SheetWriter
from collector.formats.formatting import number
from collector.store.units import get_unit

TITLE = "Thống kê số lượng máy tính cài đặt phần mềm phòng, chống mã độc tập trung đến ngày {day}"
COLUMNS = (
    "STT",
    "Tên đơn vị",
    "Số lượng bản quyền được phân bổ",
    "Số lượng bản quyền được cài đặt",
    "Tỷ lệ cài đặt",
    "Ghi chú",
)
# The CSV adds, after the letters' columns, the machines connected to the Administration
# Server (the printed table keeps the letters' six columns).
CSV_COLUMNS = (
    "Mục",
    "Dòng",
    "STT",
    "Mã đơn vị",
    "Tên đơn vị",
    *COLUMNS[2:],
    "Số máy đã kết nối máy chủ quản trị",
)
# Under a unit, the total is the unit's row in the table above it: misnamed machines count
# only in the province's misnamed row.
MISNAMED_NOTE_UNDER_UNIT = (
    "Không cộng vào tổng của đơn vị; được tính ở dòng máy đặt tên sai của toàn tỉnh"
)
MISNAMED_LABEL = (
    "Các máy tính đã cài đặt phần mềm phòng, chống mã độc tập trung nhưng không "
    "đặt tên máy theo hướng dẫn"
)
# Under a unit, the row of the unit's own machines is named after it with this.
PARENT_OWN = " (máy của chính đơn vị)"
APPENDIX_STEM = "phu-luc-ty-le-cai-dat"
WIDTHS = (6, 38, 14, 14, 10, 20)
# The kind of each CSV row, so totals can be filtered out before summing.
KINDS = {
    "unit": "đơn vị",
    "section_total": "cộng mục",
    "parent_own": "máy của đơn vị cấp trên",
    "misnamed": "máy đặt tên sai hướng dẫn",
    "total": "tổng cộng",
}


@dataclass(frozen=True)
class Line:
    """One row of the appendix table."""

    kind: str
    section: int | None
    group: str
    stt: int | None
    code: str | None
    name: str
    allocated: int | None
    installed: int
    rate: float | None
    note: str = ""
    connected: int | None = None


def notes(row):
    """The Ghi chú of a unit row: only what the figures beside it cannot say (a rate over
    100% or an empty allocation speaks for itself, as in letter 002)."""
    if row.get("pending"):  # a national appendix: the province has not pushed this day
        return "Chưa gửi số liệu ngày này"
    found = []
    if not row["seen"]:
        found.append("Chưa có máy báo cáo")
    if row.get("children_over_allocated"):
        found.append(
            f"Đơn vị trực thuộc được phân bổ {number(row['children_allocated'])}, "
            "vượt phân bổ của đơn vị"
        )
    return "; ".join(found)


def _line(kind, section, stt, row, name=None, note=""):
    group = section and (row.get("group") or "")
    return Line(
        kind,
        section,
        group,
        stt,
        row.get("code"),
        name or row["name"],
        row["allocated"],
        row["installed_official"],
        row["install_rate"],
        note,
        row.get("connected"),
    )


def section_heading(line):
    return f"{line.section}. {line.group or OTHER_GROUP}:"


def _misnamed_line(report, section, stt):
    return Line(
        "misnamed",
        section,
        section and (report["sections"][0]["group"] or ""),
        stt,
        None,
        MISNAMED_LABEL,
        None,
        report["misnamed"]["installed_official"],
        None,
        MISNAMED_NOTE_UNDER_UNIT if report["parent"] else "",
    )


def appendix_lines(report):
    """The table's rows in print order: per section its units (section 1 ending with the
    misnamed row) and total, then the parent's own machines (under a parent) and the grand
    total."""
    lines = []
    for position, section in enumerate(report["sections"], 1):
        for stt, row in enumerate(section["units"], 1):
            lines.append(_line("unit", position, stt, row, note=notes(row)))
        if section["misnamed"]:
            lines.append(_misnamed_line(report, position, len(section["units"]) + 1))
        total = dict(section["total"], group=section["group"])
        lines.append(_line("section_total", position, None, total, name=f"Cộng mục {position}"))
    if report["misnamed"]["section"] is None:  # no unit at all: the row stands alone
        lines.append(_misnamed_line(report, None, None))
    if report["parent_own"]:
        own = report["parent_own"]
        lines.append(_line("parent_own", None, None, own, name=own["name"] + PARENT_OWN))
    lines.append(_line("total", None, None, report["total"], name="Tổng cộng"))
    return lines


def unallocated(report):
    """The installed machines the sum of allocations leaves out: the units whose allocation
    is blank (`(name, installed)`, those with machines installed) and the misnamed row. The
    sentences and the totals follow the table, where these count as installed and not as
    allocated; these rows are where a hand-made letter may differ from it."""
    units = [
        (row["name"], row["installed_official"])
        for section in report["sections"]
        for row in section["units"]
        if row["allocated"] is None and row["installed_official"]
    ]
    # Under a unit the misnamed machines are listed, not added (see MISNAMED_NOTE_UNDER_UNIT).
    return units, 0 if report["parent"] else report["misnamed"]["installed_official"]


def difference_lines(report):
    """The appendix's closing notes on those rows, "a) …", "b) …" (none when there are
    none)."""
    units, misnamed = unallocated(report)
    items = [f"{name} (chưa được phân bổ): {number(installed)} máy" for name, installed in units]
    if misnamed:
        items.append(f"Máy không đặt tên theo hướng dẫn: {number(misnamed)} máy")
    if not items:
        return []
    return [
        "Ghi chú: số bản quyền được cài đặt ở dòng tổng gồm cả các máy sau, không có "
        "trong số bản quyền được phân bổ:",
        *(f"{chr(ord('a') + index)}) {item}" for index, item in enumerate(items)),
    ]


def title(report):
    return TITLE.format(day=day_text(report["as_of"]))


def to_xlsx(report, head, parent_name=None, issue=None):
    """The appendix as an A4 portrait page: title, the letter it goes with, sections,
    totals."""
    sheet = SheetWriter("Phụ lục", WIDTHS)
    sheet.line("Phụ lục", bold=True, size=13)
    sheet.line(title(report), bold=True, size=13)
    if parent_name:
        sheet.line(f"Đơn vị: {parent_name}", italic=True)
    sheet.line(attached_line(head, issue, report["as_of"]), italic=True)
    sheet.blank()
    sheet.header(COLUMNS)
    formats = (None, None, COUNT_FORMAT, COUNT_FORMAT, RATE_FORMAT, None)
    section = None
    for line in appendix_lines(report):
        if line.section and line.section != section:
            section = line.section
            sheet.table_row([None, section_heading(line), None, None, None, None], bold=True)
        bold = line.kind in ("section_total", "total")
        sheet.table_row(
            [line.stt, line.name, line.allocated, line.installed, line.rate, line.note],
            formats,
            bold=bold,
        )
    differences = difference_lines(report)
    if differences:
        sheet.blank()
        for text in differences:
            sheet.line(text, italic=True, align="left")
    return sheet


def csv_rows(report):
    """Header and rows for further processing: one row per table line, the section and the
    kind of row as columns; the rate as a fraction (0.9821 is 98,21 %)."""
    rows = [
        (
            line.group or (OTHER_GROUP if line.section else ""),
            KINDS[line.kind],
            line.stt,
            line.code,
            line.name,
            line.allocated,
            line.installed,
            None if line.rate is None else round(line.rate, 4),
            line.note,
            line.connected,
        )
        for line in appendix_lines(report)
    ]
    return CSV_COLUMNS, rows


def build_rollup_export(db, fmt, as_of=None, parent=None, issue=None):
    """The appendix file as of a date (today when None), whole province or under `parent`;
    `issue` (an `Issue`) fills the letter's number and date in."""
    report = rollup(db, as_of=as_of, parent=parent)
    head = letterhead(db, report["parent"])
    report = with_group_titles(report, head)
    parent_name = get_unit(db, report["parent"])["name"] if report["parent"] else None
    stem = (
        f"{APPENDIX_STEM}-" + report["as_of"] + (f"-{report['parent']}" if report["parent"] else "")
    )
    return export_file(
        stem, fmt, lambda: to_xlsx(report, head, parent_name, issue), lambda: csv_rows(report)
    )
