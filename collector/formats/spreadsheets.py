"""Tables officers edit in Excel: reading CSV/XLSX with line numbers, writing safe CSV.

Cells are neutralised on the way out (a leading `=`, `+`, `-`, `@`, tab or CR gets a `'`), so a
name typed by anyone cannot run as a formula in the spreadsheet that opens the export; the
same `'` is removed on the way back in.
"""

from __future__ import annotations

import csv
import io
import unicodedata
from pathlib import Path

from collector.formats.safe_cells import looks_like_formula, neutralise

MAX_ROWS = 20_000


class TableError(Exception):
    """The file cannot be read as a table at all (format, encoding, size)."""


def unquote_cell(text):
    """Undo `safe_cells.neutralise()` for a value read back from a file."""
    if text.startswith("'") and text[1:2] and looks_like_formula(text[1:]):
        return text[1:]
    return text


def write_csv(stream, header, rows):
    """Write UTF-8 CSV with a BOM (so Excel reads Vietnamese right), every cell neutralised."""
    for text in csv_pieces(header, rows):
        stream.write(text)


def csv_pieces(header, rows, rows_per_piece=500):
    """The CSV `write_csv` writes, as text pieces of a few hundred rows (for streaming)."""
    buffer = io.StringIO(newline="")
    buffer.write("\ufeff")
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(header)
    for number, row in enumerate(rows, 1):
        writer.writerow(["" if value is None else neutralise(value) for value in row])
        if number % rows_per_piece == 0:
            yield buffer.getvalue()
            buffer.seek(0)
            buffer.truncate()
    yield buffer.getvalue()


def _text(value):
    """A cell as clean text: whole numbers without `.0`, Unicode composed (NFC)."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return unquote_cell(unicodedata.normalize("NFC", str(value)).strip())


def _csv_rows(path):
    raw = Path(path).read_bytes()
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        # Excel's "CSV" on a Vietnamese Windows saves in the ANSI code page, not UTF-8.
        text = raw.decode("cp1258", errors="replace")
    # Excel writes ';' between cells where ',' is the decimal sign (Vietnamese settings).
    first_line = text.split("\n", 1)[0]
    delimiter = max(",;\t", key=first_line.count)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    line = 1
    for cells in reader:
        yield line, cells
        line = reader.line_num + 1


def _xlsx_rows(path):
    from openpyxl import load_workbook

    try:
        book = load_workbook(path, read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many kinds for a damaged or foreign file
        raise TableError(f"not a readable XLSX file: {exc}") from None
    try:
        for number, cells in enumerate(book.worksheets[0].iter_rows(values_only=True), 1):
            yield number, list(cells)
    finally:
        book.close()


def read_table(path):
    """The file's header and its rows as `(line number, {column: text})`, from CSV or XLSX.

    The header is the first non-empty row; empty rows are skipped; line numbers are the
    file's own (what the officer sees in the editor)."""
    path = Path(path)
    if not path.is_file():
        raise TableError(f"{path}: no such file")
    rows = _xlsx_rows(path) if path.suffix.lower() in (".xlsx", ".xlsm") else _csv_rows(path)
    header, records = None, []
    for line, cells in rows:
        cells = [_text(cell) for cell in cells]
        if not any(cells):
            continue
        if header is None:
            header = cells
            continue
        if len(records) >= MAX_ROWS:
            raise TableError(f"more than {MAX_ROWS} rows")
        cells += [""] * (len(header) - len(cells))
        records.append((line, cells))
    if header is None:
        raise TableError("the file is empty")
    return header, records
