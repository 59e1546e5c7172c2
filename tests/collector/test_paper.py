"""What the XLSX files look like on A4: headings tall enough for their words, the machine
list one line per machine in landscape (at least 35 per page)."""

from __future__ import annotations

import io

from openpyxl import load_workbook
from openpyxl.utils import get_column_letter

from collector.exports.machine_list import COLUMNS, TABLE_SIZE, build_machines_export
from collector.exports.rollup_appendix import build_rollup_export
from collector.exports.xlsx_layout import CHARS_PER_WIDTH, FONT_SIZE
from collector.store.ingest import store_report
from collector.store.units import save_units
from tests.builders import make_report

A4_LANDSCAPE = (841.9, 595.3)  # points
MACHINE_ID_LENGTH = 36  # a GUID


def points(width):
    """An Excel column width in points (7 pixels a unit plus 5, at 96 dpi)."""
    return (width * 7 + 5) * 0.75


def test_machine_list_fits_35_machines_a_page_with_unwrapped_ids(db):
    save_units(db, [(2, {"code": "SXD", "name": "Sở Xây dựng", "allocated": "60"})])
    for number in range(40):
        store_report(db, make_report(f"SXD-PC{number:02d}"))
    sheet = load_workbook(io.BytesIO(build_machines_export(db, "SXD", "xlsx").body)).active
    assert sheet.page_setup.orientation == "landscape"
    header = next(row[0].row for row in sheet.iter_rows() if row[0].value == "STT")
    rows = [row for row in sheet.iter_rows(min_row=header + 1) if isinstance(row[0].value, int)]
    assert len(rows) == 40
    id_column = COLUMNS.index("Mã máy")
    ids = [row[id_column] for row in rows]
    assert all(
        not cell.alignment.wrap_text and len(cell.value) == MACHINE_ID_LENGTH for cell in ids
    )
    letters = [get_column_letter(number) for number in range(1, len(COLUMNS) + 1)]
    width = sheet.column_dimensions[letters[id_column]].width
    assert width * CHARS_PER_WIDTH * FONT_SIZE / TABLE_SIZE >= MACHINE_ID_LENGTH
    heights = {sheet.row_dimensions[row[0].row].height for row in rows}
    assert len(heights) == 1  # every machine one line
    # Fitted to the page width, how many such rows an A4 landscape page holds.
    margins = sheet.page_margins
    total = sum(points(sheet.column_dimensions[column].width) for column in letters)
    scale = min(1.0, (A4_LANDSCAPE[0] - 72 * (margins.left + margins.right)) / total)
    usable = A4_LANDSCAPE[1] - 72 * (margins.top + margins.bottom)
    header_height = sheet.row_dimensions[header].height
    assert (usable - header_height * scale) / (heights.pop() * scale) >= 35


def test_appendix_headings_are_tall_enough_for_their_words(db):
    sheet = load_workbook(io.BytesIO(build_rollup_export(db, "xlsx").body)).active
    header = next(row[0].row for row in sheet.iter_rows() if row[0].value == "STT")
    # "Số lượng bản quyền được phân bổ" wraps to three lines in its column.
    assert sheet.row_dimensions[header].height >= 3 * 16
    assert sheet.column_dimensions["F"].width >= 20  # the note column reads on paper
