"""Who sends the official documents and how their reference lines read, as Decree
30/2020/NĐ-CP writes them: issuing body, number and symbol, place and date, signer, copies.

The province's come from the settings (`issuer_*`, `signer_*`, `letter_copies`, …), a unit's
from its own letterhead (`store.letterheads`): a district drafts as its People's Committee
or its office, as letter 004 does. An empty key prints a dotted blank, and a draft (no
`Issue` yet) leaves the number and the day blank, as letter 002 went to be signed, so the
officer fills them in by hand.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

from collector.counting.states import UnknownUnit
from collector.exports.files import day_text
from collector.store import letterheads, settings
from collector.store.units import get_unit

DOTS = "………"
OTHER_GROUP = "Các đơn vị khác"
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
            raise BadIssue(f"ngày ban hành {day_text(day)} trước ngày số liệu {day_text(as_of)}")
        return cls(number.lstrip("0") or "0", day.isoformat())


@dataclass(frozen=True)
class Letterhead:
    """What a letter prints about who sends it, to whom, and where answers go: the
    province's (`scope` None) or one unit's own, read once."""

    scope: str | None
    parent: str
    name: str
    symbol: str
    place: str
    report_recipients: tuple
    report_basis: str
    signer_title: tuple
    signer_name: str
    copies: tuple
    reminder_copies: tuple = ()
    reminder_basis: str = ""
    reply_office: str = ""
    reply_email: str = ""
    children_group: str = ""
    scope_group: str = ""

    @property
    def issuer(self):
        """The issuing body as a sentence names it (without the "|" that breaks its
        heading by hand)."""
        return " ".join(self.name.replace(LINE_BREAK, " ").split()) or DOTS

    def reply_to(self, unnamed=DOTS):
        """Where the units' answers go: "Sở … (qua Phòng …, Email: …)"; `unnamed` stands
        for the body when its name is not set."""
        via = ", ".join(
            part
            for part in (
                f"qua {self.reply_office}" if self.reply_office else "",
                f"Email: {self.reply_email}" if self.reply_email else "",
            )
            if part
        )
        return (self.issuer if self.name else unnamed) + (f" ({via})" if via else "")

    def group_title(self, group):
        """The name a section of the scope's units goes by. Under a unit, children left in
        their parent's own group (a commune imported under "UBND các huyện, thành phố") or
        in none take the unit's word for its children ("UBND các xã, thị trấn")."""
        if not group or (self.scope and group == self.scope_group):
            return self.children_group or OTHER_GROUP
        return group


def with_group_titles(report, head):
    """The rollup with each section (and its rows) under the name the letter prints."""
    sections = [
        dict(
            section,
            group=head.group_title(section["group"]),
            units=[dict(row, group=head.group_title(row["group"])) for row in section["units"]],
        )
        for section in report["sections"]
    ]
    return dict(report, sections=sections)


def _from_values(scope, values, scope_group=""):
    return Letterhead(
        scope=scope,
        parent=values.get("issuer_parent", ""),
        name=values.get("issuer_name", ""),
        symbol=values.get("issuer_symbol", ""),
        place=values.get("issuer_place", ""),
        report_recipients=tuple(settings.lines(values.get("report_recipient", ""))),
        report_basis=values.get("report_basis", ""),
        signer_title=tuple(settings.lines(values.get("signer_title", ""))),
        signer_name=values.get("signer_name", ""),
        copies=tuple(settings.lines(values.get("letter_copies", ""))),
        reminder_copies=tuple(settings.lines(values.get("reminder_copies", ""))),
        reminder_basis=values.get("reminder_basis", ""),
        reply_office=values.get("reply_office", ""),
        reply_email=values.get("reply_email", ""),
        children_group=values.get("children_group", ""),
        scope_group=scope_group,
    )


def letterhead(db, scope=None):
    """The letterhead of the province (`scope` None) or of the unit `scope`: the unit's own
    keys; its name as the issuer and the body above it as the report's recipient when it
    set none; a dotted blank for anything else it left empty (never the province's)."""
    if not scope:
        return _from_values(None, letterheads.province_values(db))
    unit = get_unit(db, scope)
    if unit is None:
        raise UnknownUnit(scope)
    values = letterheads.unit_values(db, unit["code"])
    values.setdefault("issuer_name", unit["name"])
    if "report_recipient" not in values:
        above = letterhead(db, unit["parent"]) if unit["parent"] else letterhead(db)
        values["report_recipient"] = above.issuer if above.name else ""
    return _from_values(unit["code"], values, unit["group"] or "")


def asking_letterhead(db, scope=None):
    """The letterhead of the level that sends a form to the unit `scope` to fill in (the
    survey, Biểu mẫu 2, who has answered): the nearest of the unit and those above it with
    a letterhead of its own (a district, for itself and its communes), else the
    province's."""
    unit = get_unit(db, scope) if scope else None
    if scope and unit is None:
        raise UnknownUnit(scope)
    while unit is not None:  # the units table refuses a parent that loops back
        if letterheads.unit_values(db, unit["code"]):
            return letterhead(db, unit["code"])
        unit = get_unit(db, unit["parent"]) if unit["parent"] else None
    return letterhead(db)


# A line of the issuer's block holds about this many capitals (13 pt bold, 66 mm); a "|" in
# the name breaks it by hand where the rule below would not.
HEADING_LINE = 25
LINE_BREAK = "|"
# Words a line of a name does not end on, and words a second line may start with, as the
# seeds break them: "SỞ THÔNG TIN / VÀ TRUYỀN THÔNG", "ỦY BAN NHÂN DÂN / HUYỆN THÁP MƯỜI".
DANGLING = {"VÀ", "CỦA", "VỀ", "CÁC", "THUỘC", "-", "–"}
BREAK_BEFORE = ("VÀ", "HUYỆN", "TỈNH", "THÀNH PHỐ", "THỊ XÃ", "QUẬN", "XÃ", "PHƯỜNG", "THỊ TRẤN")


def heading_lines(name, width=HEADING_LINE):
    """A body's name in capitals, broken into the lines the seeds print: one line when it
    fits; else two, before "VÀ" or a place's rank when both halves fit, else where the
    longer line is shortest without a line ending on "VÀ", "CỦA" …; at "|" when given."""
    if LINE_BREAK in name:
        return [" ".join(part.upper().split()) for part in name.split(LINE_BREAK) if part.strip()]
    words = name.upper().split()
    text = " ".join(words)
    if len(text) <= width or len(words) < 2:
        return [text]
    splits = [(" ".join(words[:at]), " ".join(words[at:])) for at in range(1, len(words))]
    for start in BREAK_BEFORE:
        for first, second in splits:
            if (second == start or second.startswith(start + " ")) and max(
                len(first), len(second)
            ) <= width:
                return [first, second]
    usable = [pair for pair in splits if pair[0].split()[-1] not in DANGLING] or splits
    first, second = min(usable, key=lambda pair: (max(map(len, pair)), -len(pair[0])))
    return [first, *heading_lines(second, width)] if len(second) > width else [first, second]


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
        return (
            f"ngày {_two_digits_when_needed(day.day, True)} tháng "
            f"{_two_digits_when_needed(day.month, day.month <= 2)} năm {day.year}"
        )
    month = date.fromisoformat(as_of)
    return (
        f"ngày{BLANK}tháng {_two_digits_when_needed(month.month, month.month <= 2)} "
        f"năm {month.year}"
    )


def place_and_date(head, issue, as_of):
    """`Đồng Tháp, ngày 13 tháng 5 năm 2022`."""
    return f"{head.place or DOTS}, {long_date(issue, as_of)}"


def attached_line(head, issue, as_of, words="Kèm theo"):
    """The appendix's `(Kèm theo Công văn số … ngày … của …)` line (the Bac Ninh forms say
    "Gửi kèm theo")."""
    when = f"ngày {day_text(issue.issued_on)}" if issue else long_date(None, as_of)
    return f"({words} Công văn số {reference(head, issue)} {when} của {head.issuer})"
