"""One A4 worksheet as official appendices look: merged bold titles, a bordered table in
Times New Roman, the header row repeated on every printed page, fitted to the page width.

Every export's XLSX is written through `SheetWriter`, so they all print alike and every text
cell is neutralised (a hostname such as `=HYPERLINK(...)` stays text).
"""

from __future__ import annotations

import math
from copy import copy

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.cell_range import CellRange

from collector.formats.safe_cells import neutralise

FONT_NAME = "Times New Roman"  # the font of the letters these appendices are attached to
FONT_SIZE = 12
COUNT_FORMAT = "#,##0"  # shows 5.137 in a Vietnamese Excel, 5,137 in an English one
RATE_FORMAT = "0.0%"  # the rate is stored as a number: 55/56 shows 98,2%
GB_FORMAT = "#,##0.0"
THIN = Side(style="thin", color="000000")
BORDER = Border(left=THIN, right=THIN, top=THIN, bottom=THIN)
HEADER_FILL = PatternFill("solid", fgColor="F2F2F2")
POINTS_PER_LINE = 16
# Roughly how many characters of 12-point Times fit in one unit of Excel column width.
CHARS_PER_WIDTH = 1.15


def _font(bold=False, italic=False, size=FONT_SIZE):
    return Font(name=FONT_NAME, size=size, bold=bold, italic=italic)


class SheetWriter:
    """Writes one worksheet from the top down: title lines, then a table, then notes.

    openpyxl's write-only mode: each row goes to a temporary file as it is written, so a
    list of 12,000 machines takes little memory. What the sheet's top holds (the frozen
    header) must be known before the first row goes out, so lines before the header wait
    in `_pending` until `header()` (or the end)."""

    def __init__(self, sheet_title, widths, landscape=False):
        self.book = Workbook(write_only=True)
        self.sheet = self.book.create_sheet(sheet_title[:31])
        self.widths = widths
        self.landscape = landscape
        self.header_row = None
        self.row = 0
        self._pending = []  # (row, height or None, cells) of rows not yet written
        self._looks = {}  # a cell's look (see _cell) -> its style indexes
        for number, width in enumerate(widths, 1):
            self.sheet.column_dimensions[get_column_letter(number)].width = width
        self._print_setup()

    def _print_setup(self):
        """Print on A4 fitted to the page width, numbered pages (before any row is out)."""
        sheet = self.sheet
        setup = sheet.page_setup
        setup.paperSize = "9"  # A4
        setup.orientation = "landscape" if self.landscape else "portrait"
        setup.fitToWidth = 1
        setup.fitToHeight = 0  # as many pages down as the table needs
        sheet.sheet_properties.pageSetUpPr.fitToPage = True
        sheet.print_options.horizontalCentered = True
        sheet.page_margins.left = sheet.page_margins.right = 0.5
        sheet.page_margins.top = sheet.page_margins.bottom = 0.6
        sheet.oddFooter.center.text = "Trang &P / &N"
        sheet.oddFooter.center.font = FONT_NAME

    def _lines_needed(self, text, width):
        return max(1, math.ceil(len(text) / max(1.0, width * CHARS_PER_WIDTH)))

    def _cell(self, value, horizontal, bold=False, italic=False, size=FONT_SIZE, wrap=True,
              boxed=True, number_format=None, header=False):
        """A cell with this look. openpyxl hashes style objects each time they are set (a
        minute for 12,000 rows), so each look is made once and its style indexes copied,
        as openpyxl's own worksheet copy does."""
        key = (horizontal, bold, italic, size, wrap, boxed, number_format, header)
        look = self._looks.get(key)
        if look is None:
            model = WriteOnlyCell(self.sheet)
            model.font = _font(bold, italic, size)
            model.alignment = Alignment(horizontal=horizontal, vertical="center",
                                        wrap_text=wrap or None)
            if boxed:
                model.border = BORDER
            if number_format is not None:
                model.number_format = number_format
            if header:
                model.fill = HEADER_FILL
            look = self._looks[key] = model._style
        cell = WriteOnlyCell(self.sheet, neutralise(value))
        cell._style = copy(look)
        return cell

    def _add(self, cells, height=None):
        self.row += 1
        self._pending.append((self.row, height, cells))
        if self.header_row is not None:
            self._flush()

    def _flush(self):
        for row, height, cells in self._pending:
            if height is not None:
                self.sheet.row_dimensions[row].height = height
            self.sheet.append(cells)
        self._pending = []

    def line(self, text, bold=False, italic=False, align="center", size=FONT_SIZE):
        """A line of text merged across the table's width (titles, contacts, notes)."""
        cell = self._cell(text, align, bold, italic, size, boxed=False)
        if len(self.widths) > 1:
            self.sheet.merged_cells.add(CellRange(min_row=self.row + 1, min_col=1,
                                                  max_row=self.row + 1,
                                                  max_col=len(self.widths)))
        # Excel does not grow merged cells to their text: give the row the lines it needs.
        lines = self._lines_needed(text, sum(self.widths))
        self._add([cell], lines * POINTS_PER_LINE * size / FONT_SIZE)

    def blank(self):
        self._add([])

    def header(self, labels):
        """The table's header row: bold, centred, wrapped, repeated on each printed page,
        and frozen on screen."""
        self.header_row = self.row + 1
        self.sheet.print_title_rows = f"{self.header_row}:{self.header_row}"
        self.sheet.freeze_panes = f"A{self.header_row + 1}"
        lines, cells = 1, []
        for number, label in enumerate(labels, 1):
            cells.append(self._cell(label, "center", bold=True, header=True))
            lines = max(lines, self._lines_needed(label, self.widths[number - 1]))
        self._add(cells, lines * POINTS_PER_LINE)

    def table_row(self, values, formats=(), bold=False, italic=False):
        """A bordered row; numbers get their format from `formats` (by column), text is
        neutralised and wrapped."""
        lines, cells = 1, []
        for number, value in enumerate(values, 1):
            number_format = formats[number - 1] if number <= len(formats) else None
            if isinstance(value, (int, float)) and not isinstance(value, bool):
                cells.append(self._cell(value, "right", bold, italic, wrap=False,
                                        number_format=number_format or COUNT_FORMAT))
                continue
            centred = number == 1 or value == "x"
            cells.append(self._cell(value, "center" if centred else "left", bold, italic))
            if isinstance(value, str):
                lines = max(lines, self._lines_needed(value, self.widths[number - 1]))
        self._add(cells, lines * POINTS_PER_LINE if lines > 1 else None)

    def save(self, stream):
        """Write the workbook to `stream`."""
        self._flush()
        self.book.save(stream)
