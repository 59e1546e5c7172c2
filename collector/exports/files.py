"""What every export shares: the formats, the CSV bytes, the file name and its MIME type
(letters are DOCX only)."""

from __future__ import annotations

import tempfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import date

from collector.formats.spreadsheets import csv_pieces

FORMATS = ("xlsx", "csv")
MIMETYPES = {
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "csv": "text/csv",  # Flask adds "; charset=utf-8" to text types
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
}


CHUNK = 64 * 1024
SPOOL_IN_MEMORY = 2 * 1024 * 1024  # a bigger workbook is built in a temporary file


class UnknownFormat(ValueError):
    """An export format other than xlsx or csv."""


@dataclass(frozen=True)
class ExportFile:
    """One export ready to download or save: its bytes (a letter, a kept file), or a
    function making them as they are read, so a long list streams to the browser instead
    of sitting whole in memory."""

    filename: str
    content: bytes | Callable[[], Iterator[bytes]]

    @property
    def mimetype(self):
        return MIMETYPES[self.filename.rsplit(".", 1)[-1]]

    def chunks(self):
        return iter([self.content]) if isinstance(self.content, bytes) else self.content()

    @property
    def body(self):
        """The whole file at once (the command line, attachments, tests)."""
        return b"".join(self.chunks())


def csv_chunks(header, rows):
    """UTF-8 CSV with a BOM (Excel reads Vietnamese right), every text cell neutralised."""
    for piece in csv_pieces(header, rows):
        yield piece.encode("utf-8")


def xlsx_chunks(sheet):
    """The workbook `sheet` (a SheetWriter) writes, read back in chunks from a temporary
    file that stays in memory while small."""
    with tempfile.SpooledTemporaryFile(max_size=SPOOL_IN_MEMORY) as stream:
        sheet.save(stream)
        stream.seek(0)
        while chunk := stream.read(CHUNK):
            yield chunk


def day_text(as_of):
    """A date as the letters write it: `12/05/2022`."""
    if isinstance(as_of, str):
        as_of = date.fromisoformat(as_of)
    return as_of.strftime("%d/%m/%Y")


def export_file(stem, fmt, to_xlsx, to_csv_rows):
    """The file `stem.fmt`, rendered by `to_xlsx()` (a SheetWriter) or `to_csv_rows()`
    (header, rows) only when its bytes are read."""
    if fmt not in FORMATS:
        raise UnknownFormat(f"format '{fmt}' is not one of {', '.join(FORMATS)}")
    if fmt == "xlsx":
        return ExportFile(f"{stem}.{fmt}", lambda: xlsx_chunks(to_xlsx()))
    return ExportFile(f"{stem}.{fmt}", lambda: csv_chunks(*to_csv_rows()))
