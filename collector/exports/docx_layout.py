"""An administrative letter ("công văn") as DOCX in the layout of Decree 30/2020/NĐ-CP
(Appendix I): A4, margins top/bottom 20 mm, left 30 mm, right 15 mm, Times New Roman; the
issuing body and the national motto side by side, number and "V/v" under the issuer, place
and date under the motto, "Kính gửi", the body (14 pt, justified, first line indented),
"Nơi nhận" beside the signature block.

Pages are numbered from the second, top centre (the decree's section on page numbers); the
first page has none. Every letter avroll drafts is written through `Letter`, so they all look
alike; the officer
opens the draft in Word, checks it and signs it. Text is placed as given: numbers must already
be in Vietnamese form (`formatting.number`, `formatting.percent`).
"""

from __future__ import annotations

import io
from dataclasses import dataclass

from docx import Document
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Cm, Mm, Pt

from collector.exports.letterhead import DOTS, heading_lines, place_and_date, reference
from collector.formats.safe_cells import printable

FONT_NAME = "Times New Roman"
BODY_SIZE = 14
PAGE_WIDTH, PAGE_HEIGHT = Mm(210), Mm(297)
MARGINS = {"top": Mm(20), "bottom": Mm(20), "left": Mm(30), "right": Mm(15)}
TEXT_WIDTH = Mm(165)
# The header and footer tables: issuer | motto, copies | signature.
LEFT, RIGHT = Mm(66), Mm(99)
MOTTO = ("CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", "Độc lập - Tự do - Hạnh phúc")
CENTER, JUSTIFY, LEFT_ALIGN = (
    WD_ALIGN_PARAGRAPH.CENTER,
    WD_ALIGN_PARAGRAPH.JUSTIFY,
    WD_ALIGN_PARAGRAPH.LEFT,
)


@dataclass(frozen=True)
class Heading:
    """A section's title row in a letter's table ("1. Các Sở, ban, ngành Tỉnh")."""

    text: str


def _rule(cell, cell_width, share):
    """The decree's thin line under the issuer and under the motto: an empty paragraph's
    bottom border, `share` of the cell wide and centred."""
    paragraph = cell.add_paragraph()
    form = paragraph.paragraph_format
    form.left_indent = form.right_indent = int(cell_width * (1 - share) / 2)
    form.line_spacing = Pt(2)
    borders = OxmlElement("w:pBdr")
    bottom = OxmlElement("w:bottom")
    for key, value in (("w:val", "single"), ("w:sz", "6"), ("w:space", "1"), ("w:color", "000000")):
        bottom.set(qn(key), value)
    borders.append(bottom)
    paragraph._p.get_or_add_pPr().append(borders)


def _no_borders(table):
    borders = OxmlElement("w:tblBorders")
    for side in ("top", "left", "bottom", "right", "insideH", "insideV"):
        element = OxmlElement(f"w:{side}")
        element.set(qn("w:val"), "nil")
        borders.append(element)
    table._tbl.tblPr.append(borders)


# What follows each in a row's properties (ECMA-376 CT_TrPr's order, which Word checks).
_AFTER_CANT_SPLIT = ("w:trHeight", "w:tblHeader", "w:tblCellSpacing", "w:jc", "w:hidden")
_AFTER_HEADER = _AFTER_CANT_SPLIT[2:]


def _whole_on_a_page(row, repeats=False):
    """Keep the row on one page (Word and LibreOffice split a tall row at a page break by
    default, cutting a unit's figures or the signature block in two); a `repeats` row is a
    header printed again at the top of each page the table runs onto."""
    properties = row._tr.get_or_add_trPr()
    properties.insert_element_before(OxmlElement("w:cantSplit"), *_AFTER_CANT_SPLIT)
    if repeats:
        properties.insert_element_before(OxmlElement("w:tblHeader"), *_AFTER_HEADER)


class Letter:
    """Writes one letter from the top down."""

    def __init__(self):
        self.document = Document()
        section = self.document.sections[0]
        section.page_width, section.page_height = PAGE_WIDTH, PAGE_HEIGHT
        for side, size in MARGINS.items():
            setattr(section, f"{side}_margin", size)
        style = self.document.styles["Normal"]
        style.font.name = FONT_NAME
        style.font.size = Pt(BODY_SIZE)
        # Word takes Vietnamese letters from the East Asian/complex-script font slots too.
        fonts = style.element.get_or_add_rPr().get_or_add_rFonts()
        for slot in ("w:ascii", "w:hAnsi", "w:eastAsia", "w:cs"):
            fonts.set(qn(slot), FONT_NAME)
        style.paragraph_format.space_before = Pt(0)
        style.paragraph_format.space_after = Pt(0)
        style.paragraph_format.line_spacing = 1.0
        self._page_numbers(section)

    @staticmethod
    def _page_numbers(section):
        """The page number in the header of every page but the first, centred."""
        section.different_first_page_header_footer = True
        section.header_distance = Mm(10)
        paragraph = section.header.paragraphs[0]
        paragraph.alignment = CENTER
        run = paragraph.add_run()
        run.font.size = Pt(BODY_SIZE)
        for kind, text in (
            ("begin", None),
            (None, " PAGE "),
            ("separate", None),
            (None, "2"),
            ("end", None),
        ):
            if kind:
                element = OxmlElement("w:fldChar")
                element.set(qn("w:fldCharType"), kind)
            elif text == " PAGE ":
                element = OxmlElement("w:instrText")
                element.set(qn("xml:space"), "preserve")
                element.text = text
            else:
                element = OxmlElement("w:t")
                element.text = text
            run._r.append(element)

    def _text(
        self, container, text, size=BODY_SIZE, bold=False, italic=False, align=CENTER, after=0
    ):
        paragraph = container.add_paragraph()
        paragraph.alignment = align
        paragraph.paragraph_format.space_after = Pt(after)
        run = paragraph.add_run(printable(text))
        run.font.size, run.bold, run.italic = Pt(size), bold, italic
        return paragraph

    def _two_columns(self):
        table = self.document.add_table(rows=1, cols=2)
        table.alignment = WD_TABLE_ALIGNMENT.CENTER
        table.autofit = False
        _no_borders(table)
        cells = table.rows[0].cells
        for column, cell, width in zip(table.columns, cells, (LEFT, RIGHT), strict=True):
            column.width = cell.width = width  # the grid for LibreOffice, the cell for Word
            cell.paragraphs[0]._p.getparent().remove(cell.paragraphs[0]._p)
        _whole_on_a_page(table.rows[0])
        return cells

    def heading(self, head, issue, as_of, subject):
        """Issuer, number and "V/v" on the left; motto, place and date on the right."""
        left, right = self._two_columns()
        for line in heading_lines(head.parent) if head.parent else ():
            self._text(left, line, size=13)
        for line in heading_lines(head.name or DOTS):
            self._text(left, line, size=13, bold=True)
        _rule(left, LEFT, 0.4)
        self._text(
            left, f"Số: {reference(head, issue)}", size=13
        ).paragraph_format.space_before = Pt(6)
        self._text(left, f"V/v {subject}", size=12).paragraph_format.space_before = Pt(4)
        self._text(right, MOTTO[0], size=12, bold=True)
        self._text(right, MOTTO[1], size=13, bold=True)
        _rule(right, RIGHT, 0.6)
        self._text(
            right, place_and_date(head, issue, as_of), size=14, italic=True
        ).paragraph_format.space_before = Pt(6)
        self.document.add_paragraph().paragraph_format.space_after = Pt(6)

    def recipients(self, names):
        """ "Kính gửi: X" on one line, or "Kính gửi:" and one "- X;" line per recipient (a
        unit, or a whole group of them: "UBND các xã, thị trấn")."""
        names = list(names) or [DOTS]
        if len(names) == 1:
            self._text(self.document, f"Kính gửi: {names[0]}", after=12)
            return
        self._text(self.document, "Kính gửi:", after=0)
        for number, name in enumerate(names, 1):
            line = self._text(
                self.document, f"- {name}{'.' if number == len(names) else ';'}", align=LEFT_ALIGN
            )
            line.paragraph_format.left_indent = Mm(45)
        self.document.paragraphs[-1].paragraph_format.space_after = Pt(12)

    def paragraph(self, *parts):
        """A body paragraph: justified, first line indented; parts are text or
        `(text, "bold")` for a bold run (a deadline)."""
        paragraph = self.document.add_paragraph()
        paragraph.alignment = JUSTIFY
        form = paragraph.paragraph_format
        form.first_line_indent, form.space_after, form.line_spacing = Cm(1.27), Pt(6), 1.15
        for part in parts:
            text, bold = (part[0], True) if isinstance(part, tuple) else (part, False)
            run = paragraph.add_run(printable(text))
            run.bold = bold
        return paragraph

    def table(self, header, rows, widths, numeric=()):
        """A bordered table (the units a reminder names), column `widths` in mm; `numeric`
        columns right-aligned. A row given as `Heading(text)` is a section's title across
        the table, in bold."""
        table = self.document.add_table(rows=1, cols=len(header))
        table.style = "Table Grid"
        table.alignment = WD_TABLE_ALIGNMENT.CENTER
        for column, cell in enumerate(table.rows[0].cells):
            table.columns[column].width = cell.width = Mm(widths[column])
            self._cell(cell, header[column], CENTER, bold=True)
        _whole_on_a_page(table.rows[0], repeats=True)
        for row in rows:
            added = table.add_row()
            _whole_on_a_page(added)
            cells = added.cells
            for column, cell in enumerate(cells):
                cell.width = Mm(widths[column])
            if isinstance(row, Heading):
                title = self._cell(cells[0].merge(cells[-1]), row.text, LEFT_ALIGN, bold=True)
                # A section's title is never the last line of a page, apart from its units.
                title.paragraph_format.keep_with_next = True
                continue
            for column, (cell, value) in enumerate(zip(cells, row, strict=True)):
                self._cell(
                    cell,
                    value,
                    CENTER
                    if column == 0
                    else WD_ALIGN_PARAGRAPH.RIGHT
                    if column in numeric
                    else LEFT_ALIGN,
                )
        self.document.add_paragraph().paragraph_format.space_after = Pt(6)

    @staticmethod
    def _cell(cell, value, align, bold=False):
        paragraph = cell.paragraphs[0]
        paragraph.alignment = align
        run = paragraph.add_run("" if value is None else printable(str(value)))
        run.font.size, run.bold = Pt(13), bold
        return paragraph

    def closing(self, head, copies):
        """ "Nơi nhận" (Như trên; the letter's own `copies`) beside the signer's titles and
        name."""
        self.document.add_paragraph()
        left, right = self._two_columns()
        self._text(left, "Nơi nhận:", size=12, bold=True, italic=True, align=LEFT_ALIGN)
        copies = ["Như trên", *copies]
        for number, copy in enumerate(copies, 1):
            self._text(
                left, f"- {copy}{'.' if number == len(copies) else ';'}", size=11, align=LEFT_ALIGN
            )
        for title in head.signer_title or (DOTS,):
            self._text(right, title.upper(), size=14, bold=True)
        for _ in range(4):  # room for the signature and the seal
            self._text(right, "", size=14)
        self._text(right, head.signer_name or DOTS, size=14, bold=True)

    def to_bytes(self):
        stream = io.BytesIO()
        self.document.save(stream)
        return stream.getvalue()
