"""Biểu mẫu 2 of the Bac Ninh 2026 survey (Công văn 714/CAT-ANM): the deployment need
("Đăng ký nhu cầu triển khai …"), pre-filled with the machines that are missing the mandated
product (reporting, not installed, not exempt), by device type and operating system, in
Biểu mẫu 1's columns and words.

For one unit (its descendants included) it is the unit's form; for the whole province, one
block per top-level unit that has a need, under the same header. Rows for smartphones and
tablets, the department and purpose columns are left for the unit.
"""

from __future__ import annotations

from collector.counting.inventory import device_os_counts
from collector.counting.states import UnknownUnit, when_for
from collector.exports.files import day_text, export_file
from collector.exports.letterhead import asking_letterhead, attached_line, letterhead
from collector.exports.survey import (
    COLUMNS,
    CSV_COLUMNS,
    WIDTHS,
    form_end,
    form_rows,
    survey_rows,
)
from collector.exports.xlsx_layout import COUNT_FORMAT, SheetWriter
from collector.store.units import get_unit, list_units

TITLE = (
    "BIỂU MẪU 2: Đăng ký nhu cầu triển khai sử dụng phần mềm phòng chống mã độc tập "
    "trung của tỉnh cho các máy chủ, máy tính, smartphone, máy tính bảng phục vụ công "
    "tác chuyên môn"
)


def build_deployment_need(db, unit=None, as_of=None):
    """`{as_of, unit, blocks: [{unit, rows: [(kind, os, machines)]}]}`: one block for `unit`,
    else one per top-level unit with machines missing the product."""
    day = when_for(db, as_of).as_of.isoformat()
    if unit is not None:
        found = get_unit(db, unit)
        if found is None:
            raise UnknownUnit(unit)
        units = [found]
    else:
        every = list_units(db)
        codes = {row["code"] for row in every}
        units = [row for row in every if row["parent"] not in codes]
    blocks = [
        {"unit": row, "rows": survey_rows(device_os_counts(db, row["code"], day, state="missing"))}
        for row in units
    ]
    if unit is None:
        blocks = [block for block in blocks if block["rows"]]
    return {"as_of": day, "unit": units[0] if unit is not None else None, "blocks": blocks}


def to_xlsx(need, head, issue=None):
    sheet = SheetWriter("Biểu mẫu 2", WIDTHS, landscape=True)
    sheet.line(TITLE, bold=True, size=13)
    sheet.line(attached_line(head, issue, need["as_of"], "Gửi kèm theo"), italic=True)
    sheet.line(
        f"(Số máy chưa cài phần mềm phòng, chống mã độc tập trung do phần mềm avroll "
        f"tổng hợp đến ngày {day_text(need['as_of'])}; đơn vị kiểm tra và điền các cột "
        "còn trống)",
        italic=True,
    )
    sheet.blank()
    if need["unit"]:
        sheet.line(f"TÊN ĐƠN VỊ: {need['unit']['name']}", bold=True, align="left")
    sheet.header(COLUMNS)
    formats = (None, None, COUNT_FORMAT)
    for position, block in enumerate(need["blocks"], 1):
        if not need["unit"]:
            sheet.group_row(position, f"TÊN ĐƠN VỊ: {block['unit']['name']}")
        for row in form_rows(block["rows"]):
            sheet.table_row(row, formats)
    form_end(sheet)
    return sheet


def csv_rows(need):
    return CSV_COLUMNS, [
        (block["unit"]["code"], block["unit"]["name"], *row)
        for block in need["blocks"]
        for row in form_rows(block["rows"])
    ]


def build_deployment_need_export(db, fmt, unit=None, as_of=None, issue=None):
    """Biểu mẫu 2 as a file: one unit's (with `unit`) or the province's. Alone it cites the
    letter of the level that asks; sent with the reminder `issue` (an `Issue`) drafted under
    `unit`'s letterhead, it cites that reminder, its number and date."""
    need = build_deployment_need(db, unit, as_of)
    code = need["unit"] and need["unit"]["code"]
    head = letterhead(db, code) if issue else asking_letterhead(db, code)
    stem = "bieu-mau-2-" + (f"{code}-" if code else "") + need["as_of"]
    return export_file(stem, fmt, lambda: to_xlsx(need, head, issue), lambda: csv_rows(need))
