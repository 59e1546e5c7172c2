"""One A4 worksheet as official appendices look: merged bold titles, a bordered table in
Times New Roman, the header row repeated on every printed page, fitted to the page width.

Every export's XLSX is written through `SheetWriter`, so they all print alike and every text
cell is neutralised (a hostname such as `=HYPERLINK(...)` stays text).
"""

from __future__ import annotations

import io

from openpyxl import Workbook
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.utils import get_column_letter

from collector.formats.safe_cells import neutralise

FONT_NAME = "Times New Roman"  # the font of the letters these appendices are attached to
FONT_SIZE = 12
# Counts print `5.137` whatever the language of Excel or LibreOffice: the dots are literal
# characters of the format, not the locale's grouping sign (the cell stays a number).
COUNT_FORMAT = '[>=1000000]#"."###"."##0;[>=1000]#"."##0;0'
# The rate stays a number (55/56 is 0,982…) shown as `98,2%`: the [$-42A] (Vietnamese) tag
# gives LibreOffice the decimal comma in any language; Excel uses Windows' regional format.
RATE_FORMAT = "[$-42A]0.0%"
GB_FORMAT = "[$-42A]#,##0.0"
THIN = Side(style="thin", color="000000")
BORDER = Border(left=THIN, right=THIN, top=THIN, bottom=THIN)
HEADER_FILL = PatternFill("solid", fgColor="F2F2F2")
POINTS_PER_LINE = 16
# Roughly how many characters of 12-point Times fit in one unit of Excel column width (bold
# text is wider); estimated low, so a row gets a line too many rather than a clipped one.
CHARS_PER_WIDTH = 1.1
BOLD_WIDTH = 0.88


def _font(bold=False, italic=False, size=FONT_SIZE):
    return Font(name=FONT_NAME, size=size, bold=bold, italic=italic)


class SheetWriter:
    """Writes one worksheet from the top down: title lines, then a table, then notes."""

    def __init__(self, sheet_title, widths, landscape=False, one_line_rows=False,
                 table_size=FONT_SIZE):
        """`one_line_rows`: every table row one line high, long text shrunk to fit its cell
        instead of wrapped (long lists: a fixed number of rows per printed page);
        `table_size`: the table's font size."""
        self.book = Workbook()
        self.sheet = self.book.active
        self.sheet.title = sheet_title[:31]
        self.widths = widths
        self.landscape = landscape
        self.one_line_rows = one_line_rows
        self.table_size = table_size
        self.header_row = None
        self.row = 0
        for number, width in enumerate(widths, 1):
            self.sheet.column_dimensions[get_column_letter(number)].width = width

    def _lines_needed(self, text, width, bold=False, size=FONT_SIZE):
        """How many lines `text` wraps to in a column `width` wide, word by word as the
        spreadsheet wraps it."""
        fits = max(1.0, width * CHARS_PER_WIDTH * FONT_SIZE / size * (BOLD_WIDTH if bold else 1))
        lines, used = 1, 0
        for word in str(text).split():
            if used and used + 1 + len(word) > fits:
                lines, used = lines + 1, 0
            used += len(word) + (1 if used else 0)
            while used > fits:  # a word longer than the column breaks where it must
                lines, used = lines + 1, used - fits
        return max(1, lines)

    def line(self, text, bold=False, italic=False, align="center", size=FONT_SIZE):
        """A line of text merged across the table's width (titles, contacts, notes)."""
        self.row += 1
        cell = self.sheet.cell(self.row, 1, neutralise(text))
        cell.font = _font(bold, italic, size)
        cell.alignment = Alignment(horizontal=align, vertical="center", wrap_text=True)
        if len(self.widths) > 1:
            self.sheet.merge_cells(start_row=self.row, start_column=1, end_row=self.row,
                                   end_column=len(self.widths))
        # Excel does not grow merged cells to their text: give the row the lines it needs.
        lines = self._lines_needed(text, sum(self.widths), bold, size)
        self.sheet.row_dimensions[self.row].height = lines * POINTS_PER_LINE * size / FONT_SIZE

    def blank(self):
        self.row += 1

    def signatures(self, left, right):
        """Two bold captions side by side under the table (who confirms, who compiled),
        each over half of the columns, with room below to sign."""
        self.row += 1
        half = max(1, len(self.widths) // 2)
        for text, first, last in ((left, 1, half), (right, half + 1, len(self.widths))):
            cell = self.sheet.cell(self.row, first, neutralise(text))
            cell.font = _font(bold=True)
            cell.alignment = Alignment(horizontal="center", vertical="top", wrap_text=True)
            if last > first:
                self.sheet.merge_cells(start_row=self.row, start_column=first,
                                       end_row=self.row, end_column=last)
        self.sheet.row_dimensions[self.row].height = 5 * POINTS_PER_LINE

    def header(self, labels):
        """The table's header row: bold, centred, wrapped, repeated on each printed page."""
        self.row += 1
        self.header_row = self.row
        lines = 1
        for number, label in enumerate(labels, 1):
            cell = self.sheet.cell(self.row, number, neutralise(label))
            cell.font = _font(bold=True, size=self.table_size)
            cell.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)
            cell.border = BORDER
            cell.fill = HEADER_FILL
            lines = max(lines, self._lines_needed(label, self.widths[number - 1], True,
                                                  self.table_size))
        self.sheet.row_dimensions[self.row].height = (
            lines * POINTS_PER_LINE * self.table_size / FONT_SIZE)

    def table_row(self, values, formats=(), bold=False, italic=False):
        """A bordered row; numbers get their format from `formats` (by column), text is
        neutralised and wrapped."""
        self.row += 1
        lines = 1
        for number, value in enumerate(values, 1):
            cell = self.sheet.cell(self.row, number, neutralise(value))
            cell.font = _font(bold, italic, self.table_size)
            cell.border = BORDER
            number_format = formats[number - 1] if number <= len(formats) else None
            if isinstance(value, (int, float)) and not isinstance(value, bool):
                cell.number_format = number_format or COUNT_FORMAT
                cell.alignment = Alignment(horizontal="right", vertical="center")
            else:
                centred = number == 1 or value == "x"
                cell.alignment = Alignment(horizontal="center" if centred else "left",
                                           vertical="center", wrap_text=not self.one_line_rows,
                                           shrink_to_fit=self.one_line_rows)
                if isinstance(value, str) and not self.one_line_rows:
                    lines = max(lines, self._lines_needed(value, self.widths[number - 1], bold,
                                                          self.table_size))
        if lines > 1 or self.one_line_rows:
            self.sheet.row_dimensions[self.row].height = (
                lines * POINTS_PER_LINE * self.table_size / FONT_SIZE)

    def group_row(self, first, text):
        """A bold bordered row: `first` in the first column, `text` merged over the rest
        (a unit's block in a list of units)."""
        self.table_row([first, text] + [None] * (len(self.widths) - 2), bold=True)
        self.sheet.merge_cells(start_row=self.row, start_column=2, end_row=self.row,
                               end_column=len(self.widths))
        self.sheet.row_dimensions[self.row].height = None

    def to_bytes(self):
        """The workbook, set up to print on A4 fitted to the page width."""
        sheet = self.sheet
        setup = sheet.page_setup
        setup.paperSize = sheet.PAPERSIZE_A4
        setup.orientation = "landscape" if self.landscape else "portrait"
        setup.fitToWidth = 1
        setup.fitToHeight = 0  # as many pages down as the table needs
        sheet.sheet_properties.pageSetUpPr.fitToPage = True
        sheet.print_options.horizontalCentered = True
        sheet.page_margins.left = sheet.page_margins.right = 0.5
        sheet.page_margins.top = sheet.page_margins.bottom = 0.6
        sheet.page_margins.footer = 0.25  # the page number below the table, not cut off
        if self.header_row:
            sheet.print_title_rows = f"{self.header_row}:{self.header_row}"
            sheet.freeze_panes = sheet.cell(self.header_row + 1, 1)
        sheet.oddFooter.center.text = "Trang &P / &N"
        sheet.oddFooter.center.font = FONT_NAME
        stream = io.BytesIO()
        self.book.save(stream)
        return stream.getvalue()
