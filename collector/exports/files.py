"""What every export shares: the formats, the CSV bytes, the file name and its MIME type
(letters are DOCX only)."""

from __future__ import annotations

import io
from dataclasses import dataclass
from datetime import date

from collector.formats.spreadsheets import write_csv

FORMATS = ("xlsx", "csv")
MIMETYPES = {
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "csv": "text/csv",  # Flask adds "; charset=utf-8" to text types
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
}


class UnknownFormat(ValueError):
    """An export format other than xlsx or csv."""


@dataclass(frozen=True)
class ExportFile:
    """One export ready to download or save."""

    filename: str
    body: bytes

    @property
    def mimetype(self):
        return MIMETYPES[self.filename.rsplit(".", 1)[-1]]


def csv_bytes(header, rows):
    """UTF-8 CSV with a BOM (Excel reads Vietnamese right), every text cell neutralised."""
    stream = io.StringIO(newline="")
    write_csv(stream, header, rows)
    return stream.getvalue().encode("utf-8")


def day_text(as_of):
    """A date as the letters write it: `12/05/2022`."""
    if isinstance(as_of, str):
        as_of = date.fromisoformat(as_of)
    return as_of.strftime("%d/%m/%Y")


def export_file(stem, fmt, to_xlsx, to_csv_rows):
    """The file `stem.fmt`, rendered by `to_xlsx()` (bytes) or `to_csv_rows()` (header, rows)."""
    if fmt not in FORMATS:
        raise UnknownFormat(f"format '{fmt}' is not one of {', '.join(FORMATS)}")
    body = to_xlsx() if fmt == "xlsx" else csv_bytes(*to_csv_rows())
    return ExportFile(f"{stem}.{fmt}", body)
