"""One A4 worksheet as official appendices look: merged bold titles, a bordered table in
Times New Roman, the header row repeated on every printed page, fitted to the page width.

Every export's XLSX is written through `SheetWriter`, so they all print alike and every text
cell is neutralised (a hostname such as `=HYPERLINK(...)` stays text).
"""

from __future__ import annotations

from copy import copy

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.cell_range import CellRange

from collector.formats.safe_cells import neutralise, printable

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
    """Writes one worksheet from the top down: title lines, then a table, then notes.

    openpyxl's write-only mode: each row goes to a temporary file as it is written, so a
    list of 12,000 machines takes little memory. What the sheet's top holds (the frozen
    header) must be known before the first row goes out, so lines before the header wait
    in `_pending` until `header()` (or the end)."""

    def __init__(
        self, sheet_title, widths, landscape=False, one_line_rows=False, table_size=FONT_SIZE
    ):
        """`one_line_rows`: every table row one line high, long text shrunk to fit its cell
        instead of wrapped (long lists: a fixed number of rows per printed page);
        `table_size`: the table's font size."""
        self.book = Workbook(write_only=True)
        self.sheet = self.book.create_sheet(printable(sheet_title)[:31])
        self.widths = widths
        self.landscape = landscape
        self.one_line_rows = one_line_rows
        self.table_size = table_size
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
        sheet.page_margins.footer = 0.25  # the page number below the table, not cut off
        sheet.oddFooter.center.text = "Trang &P / &N"
        sheet.oddFooter.center.font = FONT_NAME

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

    def _cell(
        self,
        value,
        horizontal,
        bold=False,
        italic=False,
        size=FONT_SIZE,
        wrap=True,
        boxed=True,
        number_format=None,
        header=False,
        vertical="center",
        shrink=False,
    ):
        """A cell with this look. openpyxl hashes style objects each time they are set (a
        minute for 12,000 rows), so each look is made once and its style indexes copied,
        as openpyxl's own worksheet copy does."""
        key = (horizontal, bold, italic, size, wrap, boxed, number_format, header, vertical, shrink)
        look = self._looks.get(key)
        if look is None:
            model = WriteOnlyCell(self.sheet)
            model.font = _font(bold, italic, size)
            model.alignment = Alignment(
                horizontal=horizontal,
                vertical=vertical,
                wrap_text=wrap or None,
                shrink_to_fit=shrink or None,
            )
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

    def _merge(self, first, last):
        """Merge columns `first`..`last` of the row about to be added."""
        if last > first:
            self.sheet.merged_cells.add(
                CellRange(min_row=self.row + 1, min_col=first, max_row=self.row + 1, max_col=last)
            )

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
        self._merge(1, len(self.widths))
        # Excel does not grow merged cells to their text: give the row the lines it needs.
        lines = self._lines_needed(text, sum(self.widths), bold, size)
        self._add([cell], lines * POINTS_PER_LINE * size / FONT_SIZE)

    def blank(self):
        self._add([])

    def signatures(self, left, right):
        """Two bold captions side by side under the table (who confirms, who compiled),
        each over half of the columns, with room below to sign."""
        half = max(1, len(self.widths) // 2)
        cells = [None] * len(self.widths)
        for text, first, last in ((left, 1, half), (right, half + 1, len(self.widths))):
            cells[first - 1] = self._cell(text, "center", bold=True, boxed=False, vertical="top")
            self._merge(first, last)
        self._add(cells, 5 * POINTS_PER_LINE)

    def header(self, labels):
        """The table's header row: bold, centred, wrapped, repeated on each printed page,
        and frozen on screen."""
        self.header_row = self.row + 1
        self.sheet.print_title_rows = f"{self.header_row}:{self.header_row}"
        self.sheet.freeze_panes = f"A{self.header_row + 1}"
        lines, cells = 1, []
        for number, label in enumerate(labels, 1):
            cells.append(self._cell(label, "center", bold=True, size=self.table_size, header=True))
            lines = max(
                lines, self._lines_needed(label, self.widths[number - 1], True, self.table_size)
            )
        self._add(cells, lines * POINTS_PER_LINE * self.table_size / FONT_SIZE)

    def _table_cells(self, values, formats, bold, italic):
        """A bordered row's cells and the lines its text needs."""
        lines, cells = 1, []
        for number, value in enumerate(values, 1):
            number_format = formats[number - 1] if number <= len(formats) else None
            if isinstance(value, (int, float)) and not isinstance(value, bool):
                cells.append(
                    self._cell(
                        value,
                        "right",
                        bold,
                        italic,
                        self.table_size,
                        wrap=False,
                        number_format=number_format or COUNT_FORMAT,
                    )
                )
                continue
            centred = number == 1 or value == "x"
            cells.append(
                self._cell(
                    value,
                    "center" if centred else "left",
                    bold,
                    italic,
                    self.table_size,
                    wrap=not self.one_line_rows,
                    shrink=self.one_line_rows,
                )
            )
            if isinstance(value, str) and not self.one_line_rows:
                lines = max(
                    lines, self._lines_needed(value, self.widths[number - 1], bold, self.table_size)
                )
        return cells, lines

    def table_row(self, values, formats=(), bold=False, italic=False):
        """A bordered row; numbers get their format from `formats` (by column), text is
        neutralised and wrapped (or shrunk, with `one_line_rows`)."""
        cells, lines = self._table_cells(values, formats, bold, italic)
        height = None
        if lines > 1 or self.one_line_rows:
            height = lines * POINTS_PER_LINE * self.table_size / FONT_SIZE
        self._add(cells, height)

    def group_row(self, first, text):
        """A bold bordered row: `first` in the first column, `text` merged over the rest
        (a unit's block in a list of units)."""
        cells, _lines = self._table_cells(
            [first, text] + [None] * (len(self.widths) - 2), (), True, False
        )
        self._merge(2, len(self.widths))
        self._add(cells)

    def save(self, stream):
        """Write the workbook to `stream`."""
        self._flush()
        self.book.save(stream)
