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
# What an XLSX may hold, however small it is packed (a few KB of zip can unpack to GBs);
# room to spare for the 200,000 devices a console import takes.
XLSX_UNPACKED_MAX = 512 * 2**20
XLSX_STRINGS_MAX = 128 * 2**20
MAX_COLUMNS = 256
BLANK_LINES_ALLOWED = 10_000


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
    text = str(value)
    if not text.isascii():  # ASCII is composed already (most cells: keep them quick)
        text = unicodedata.normalize("NFC", text)
    text = text.strip()
    return unquote_cell(text) if text.startswith("'") else text


def _decoded(raw, strict):
    """The file's text: UTF-16 when it starts with its BOM (what KSC and `csvde -u` write),
    else UTF-8. Not UTF-8: the ANSI code page Excel uses on a Vietnamese Windows, or with
    `strict` a TableError naming the first line that is not UTF-8."""
    if raw.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            return raw.decode("utf-16")
        except UnicodeDecodeError as exc:
            line = raw[: exc.start].decode("utf-16", errors="replace").count("\n") + 1
            raise TableError(f"line {line}: broken UTF-16 (a truncated file?)") from None
    if b"\0" in raw:
        raise TableError(
            "the file holds NUL bytes (UTF-16 without its BOM?); save it as "
            "Unicode text or UTF-8 and import it again"
        )
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        if strict:
            line = raw[: exc.start].count(b"\n") + 1
            raise TableError(
                f"line {line}: not UTF-8 text; save the file as Unicode "
                "(UTF-8 or UTF-16) and import it again"
            ) from None
        # Excel's "CSV" on a Vietnamese Windows saves in the ANSI code page, not UTF-8.
        return raw.decode("cp1258", errors="replace")


def _csv_rows(path, strict=False):
    text = _decoded(Path(path).read_bytes(), strict)
    line = 1
    if text.startswith("#TYPE"):  # PowerShell's Export-Csv names the object type first
        text = text.split("\n", 1)[1] if "\n" in text else ""
        line = 2
    # Excel writes ';' between cells where ',' is the decimal sign (Vietnamese settings).
    first_line = text.split("\n", 1)[0]
    delimiter = max(",;\t", key=first_line.count)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    first = line
    try:
        for cells in reader:
            yield line, cells
            line = first + reader.line_num
    except csv.Error as exc:  # a cell past the csv module's size limit, a stray quote
        raise TableError(f"line {line}: {exc}") from None


def _xlsx_rows(path, max_rows):
    """The first sheet's rows, bounded however the file lies: its unpacked size (a 2 MB file
    may hold a 2 GB string), the rows its dimension claims (openpyxl pads every claimed
    row), and the columns of a row; a damaged file is a TableError wherever it breaks."""
    from openpyxl import load_workbook

    _check_unpacked(path)
    line_limit = max_rows + BLANK_LINES_ALLOWED
    try:
        book = load_workbook(path, read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many kinds for a damaged or foreign file
        raise TableError(f"not a readable XLSX file: {exc}") from None
    try:
        sheet = book.worksheets[0]
        claimed = sheet.max_row if hasattr(sheet, "reset_dimensions") else None
        if claimed and claimed > line_limit:
            raise TableError(f"the sheet says it holds {claimed:,} rows: more than {max_rows:,}")
        if hasattr(sheet, "reset_dimensions"):
            sheet.reset_dimensions()  # rows as the file holds them, not as it claims
        for number, cells in enumerate(sheet.iter_rows(values_only=True), 1):
            if number > line_limit:
                raise TableError(f"more than {max_rows:,} rows")
            if len(cells) > MAX_COLUMNS:
                raise TableError(f"line {number}: more than {MAX_COLUMNS} columns")
            yield number, list(cells)
    except TableError:
        raise
    except Exception as exc:  # a cell reference without a row, a broken XML part, ...
        raise TableError(f"not a readable XLSX file: {exc}") from None
    finally:
        book.close()


def _check_unpacked(path):
    """Refuse an XLSX whose parts unpack past what any province's list needs (zipfile
    stops a part at its declared size, so the declared sizes bound what is read)."""
    import zipfile

    try:
        with zipfile.ZipFile(path) as archive:
            parts = archive.infolist()
    except (zipfile.BadZipFile, OSError, ValueError):
        return  # not a zip: openpyxl names the problem
    if sum(part.file_size for part in parts) > XLSX_UNPACKED_MAX:
        raise TableError(f"the file unpacks to more than {XLSX_UNPACKED_MAX // 2**20} MB")
    for part in parts:
        if (
            part.filename.lower().endswith("sharedstrings.xml")
            and part.file_size > XLSX_STRINGS_MAX
        ):
            raise TableError(f"the file's text unpacks to more than {XLSX_STRINGS_MAX // 2**20} MB")


def written_at(path):
    """When an XLSX file says it was made (its document properties: created, which a later
    save in Excel keeps, else last modified; both UTC), as an aware datetime; None for text
    files or when absent."""
    from datetime import timezone

    path = Path(path)
    if path.suffix.lower() not in (".xlsx", ".xlsm"):
        return None
    from openpyxl import load_workbook

    try:
        book = load_workbook(path, read_only=True)
    except Exception:  # a damaged file: read_table names the problem
        return None
    try:
        moment = book.properties.created or book.properties.modified
    finally:
        book.close()
    if moment is None:
        return None
    return moment.replace(tzinfo=timezone.utc) if moment.tzinfo is None else moment


def read_table(path, max_rows=MAX_ROWS, strict=False, pad=True):
    """The file's header and its rows as `(line number, [cell text])`, from CSV or XLSX.

    The header is the first non-empty row; empty rows are skipped; line numbers are the
    file's own (what the officer sees in the editor). `strict`: text that is not UTF-8 or
    UTF-16 is refused rather than read as ANSI; `pad=False` keeps short rows short, so a
    truncated line can be told."""
    path = Path(path)
    if not path.is_file():
        raise TableError(f"{path}: no such file")
    if path.suffix.lower() in (".xlsx", ".xlsm"):
        rows = _xlsx_rows(path, max_rows)
    else:
        rows = _csv_rows(path, strict)
    header = None
    records: list = []
    for line, cells in rows:
        cells = [_text(cell) for cell in cells]
        if not any(cells):
            continue
        if header is None:
            header = cells
            continue
        if len(records) >= max_rows:
            raise TableError(f"more than {max_rows:,} rows")
        if pad:
            cells += [""] * (len(header) - len(cells))
        records.append((line, cells))
    if header is None:
        raise TableError("the file is empty")
    return header, records
