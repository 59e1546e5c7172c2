"""Who sends the official documents and how their reference lines read, as Decree
30/2020/NĐ-CP writes them: issuing body, number and symbol, place and date, signer, copies.

Everything comes from the settings (`issuer_*`, `signer_*`, `letter_copies`); an empty setting
prints a dotted blank and a draft (no `Issue` yet) leaves the number and the day blank, as
letter 002 went to be signed, so the officer fills them in by hand.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

from collector.exports.files import day_text
from collector.store import settings

DOTS = "………"
BLANK = "\u00a0" * 6  # where the number or the day is written by hand
ISSUE_NUMBER = re.compile(r"[0-9]{1,6}")
DIRECTIVE = "Chỉ thị số 14/CT-TTg ngày 25/5/2018 của Thủ tướng Chính phủ"


class BadIssue(ValueError):
    """An issue number or date that cannot go on an official document."""


@dataclass(frozen=True)
class Issue:
    """The number and date a document was issued with (`issued_on` as YYYY-MM-DD)."""

    number: str
    issued_on: str

    @classmethod
    def checked(cls, number, issued_on, as_of=None, today=None):
        """An Issue from typed text: the number 1-6 digits, the date a real day not in the
        future and not before the figures' as-of date."""
        number = str(number or "").strip()
        if not ISSUE_NUMBER.fullmatch(number):
            raise BadIssue(f"số văn bản '{number}' phải là 1 đến 6 chữ số")
        try:
            day = date.fromisoformat(str(issued_on or "").strip())
        except ValueError:
            raise BadIssue(f"ngày ban hành '{issued_on}' không phải ngày (YYYY-MM-DD)") from None
        if today is not None and day > today:
            raise BadIssue(f"ngày ban hành {day_text(day)} ở tương lai")
        if as_of is not None and day < date.fromisoformat(as_of):
            raise BadIssue(f"ngày ban hành {day_text(day)} trước ngày số liệu "
                           f"{day_text(as_of)}")
        return cls(number.lstrip("0") or "0", day.isoformat())


@dataclass(frozen=True)
class Letterhead:
    """The settings a letter prints, read once."""

    parent: str
    name: str
    symbol: str
    place: str
    report_recipients: tuple
    report_basis: str
    signer_title: tuple
    signer_name: str
    copies: tuple

    @property
    def issuer(self):
        """The issuing body as a sentence names it."""
        return self.name or DOTS


def letterhead(db):
    """The letterhead settings in force."""
    values = settings.current(db)
    return Letterhead(
        parent=values["issuer_parent"], name=values["issuer_name"],
        symbol=values["issuer_symbol"], place=values["issuer_place"],
        report_recipients=tuple(settings.lines(values["report_recipient"])),
        report_basis=values["report_basis"],
        signer_title=tuple(settings.lines(values["signer_title"])),
        signer_name=values["signer_name"],
        copies=tuple(settings.lines(values["letter_copies"])))


def reference(head, issue):
    """`123/STTTT-CNTT`, or with the number left blank in a draft."""
    return f"{issue.number if issue else BLANK}/{head.symbol or DOTS}"


def _two_digits_when_needed(value, always=False):
    # Decree 30: days under 10 and the months January and February are written with a 0.
    return f"{value:02d}" if always and value < 10 else str(value)


def long_date(issue, as_of):
    """`ngày 05 tháng 02 năm 2022`; a draft: the day blank, the month of the figures."""
    if issue:
        day = date.fromisoformat(issue.issued_on)
        return (f"ngày {_two_digits_when_needed(day.day, True)} tháng "
                f"{_two_digits_when_needed(day.month, day.month <= 2)} năm {day.year}")
    month = date.fromisoformat(as_of)
    return (f"ngày{BLANK}tháng {_two_digits_when_needed(month.month, month.month <= 2)} "
            f"năm {month.year}")


def place_and_date(head, issue, as_of):
    """`Đồng Tháp, ngày 13 tháng 5 năm 2022`."""
    return f"{head.place or DOTS}, {long_date(issue, as_of)}"


def attached_line(head, issue, as_of, words="Kèm theo"):
    """The appendix's `(Kèm theo Công văn số … ngày … của …)` line (the Bac Ninh forms say
    "Gửi kèm theo")."""
    when = f"ngày {day_text(issue.issued_on)}" if issue else long_date(None, as_of)
    return f"({words} Công văn số {reference(head, issue)} {when} của {head.issuer})"
