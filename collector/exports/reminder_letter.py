"""The reminder ("đôn đốc") to the units that lag, drafted as letter 004 (Thap Muoi, October
2022) words it: "qua kết quả rà soát đến ngày …, … có 255 máy/330 máy (có 235 đặt đúng tên
theo hướng dẫn)", then what the units must do, where to answer and by when.

It goes out under the scope's own letterhead (a district writes to its own offices and
communes) with its own copies. "Kính gửi" names a whole group when every unit of it lags
("UBND các xã, thị trấn"), as letters 000 and 004 do. The units below the rate are listed by
section with the appendix's figures and notes (the same `rollup()` rows: allocated,
installed, rate, "Chưa có máy báo cáo"), in the appendix's order; units with nothing
allocated have no rate and are not listed.
"""

from __future__ import annotations

from datetime import date, timedelta
from fractions import Fraction

from collector.counting.rollup import rollup
from collector.exports.docx_layout import Heading, Letter
from collector.exports.files import ExportFile, day_text
from collector.exports.letterhead import DIRECTIVE, letterhead, with_group_titles
from collector.exports.reminders import parse_rate
from collector.exports.rollup_appendix import COLUMNS, notes
from collector.formats.formatting import number, percent
from collector.store import settings
from collector.store.units import get_unit

SUBJECT = f"đôn đốc cài đặt phần mềm phòng, chống mã độc tập trung theo {DIRECTIVE}"
DEFAULT_BELOW = "100"
# A group with more units below the rate than this, but not all, is addressed as the group
# "có tên tại danh sách dưới đây" rather than unit by unit.
MOST_NAMED = 5


class BadReminder(ValueError):
    """A deadline the reminder cannot use, or no unit below the rate (a rate that is not
    one: `reminders.BadRate`, the e-mail reminders' rule)."""


def parse_deadline(text, as_of, days_to_answer=7):
    """The answer date: YYYY-MM-DD not before the figures' date; default `days_to_answer`
    after them (the `reminder_answer_days` setting)."""
    if not text:
        return date.fromisoformat(as_of) + timedelta(days=days_to_answer)
    try:
        deadline = date.fromisoformat(str(text).strip())
    except ValueError:
        raise BadReminder(f"hạn báo cáo '{text}' không phải ngày (YYYY-MM-DD)") from None
    if deadline < date.fromisoformat(as_of):
        raise BadReminder(f"hạn báo cáo {day_text(deadline)} trước ngày số liệu {day_text(as_of)}")
    return deadline


def below_rate(row, below):
    return bool(row["allocated"]) and Fraction(row["installed_official"], row["allocated"]) < below


def lagging(report, below):
    """The units shown in the appendix whose install rate is under `below`."""
    return [
        row for section in report["sections"] for row in section["units"] if below_rate(row, below)
    ]


def build_reminder(db, below=None, deadline=None, as_of=None, parent=None):
    """What the reminder says: the scope's totals, the lagging units by section, the
    deadline, and the letterhead it goes out under."""
    threshold = parse_rate(below or DEFAULT_BELOW)  # the same reading as the e-mail reminders
    report = rollup(db, as_of=as_of, parent=parent)
    head = letterhead(db, report["parent"])
    report = with_group_titles(report, head)
    units = lagging(report, threshold)
    if not units:
        raise BadReminder(f"không có đơn vị nào có tỷ lệ cài đặt dưới {percent(threshold)}")
    sections = [
        {
            "group": section["group"],
            "units": members,
            "whole": len(members) == len(section["units"]),
        }
        for section in report["sections"]
        for members in [[row for row in section["units"] if below_rate(row, threshold)]]
        if members
    ]
    total = report["total"]
    days = settings.current(db)["reminder_answer_days"]
    return {
        "as_of": report["as_of"],
        "parent": report["parent"],
        "head": head,
        "scope": get_unit(db, report["parent"])["name"] if report["parent"] else "toàn tỉnh",
        "below": threshold,
        "deadline": parse_deadline(deadline, report["as_of"], days),
        # As letter 004 writes it: installed with every name, then those named right
        # (under a unit its misnamed machines too, which its row leaves out).
        "installed": total["official"] + total["misnamed_official"],
        "allocated": total["allocated"],
        "named": total["official"],
        "units": units,
        "sections": sections,
    }


def addressed(reminder):
    """ "Kính gửi" lines: a group by its name when all of it lags, or when many of it do;
    else its units one by one."""
    found = []
    for section in reminder["sections"]:
        if section["whole"] and len(section["units"]) > 1:
            found.append(section["group"])
        elif len(section["units"]) > MOST_NAMED:
            found.append(f"{section['group']} có tên tại danh sách dưới đây")
        else:
            found += [row["name"] for row in section["units"]]
    return found


def paragraphs(reminder, head):
    """The body before and after the table (the table is `table_rows()`)."""
    issuer = head.issuer
    allocated = "" if reminder["allocated"] is None else f"/{number(reminder['allocated'])} máy"
    before = [(f"Thực hiện {head.reminder_basis}.",)] if head.reminder_basis else []
    before.append(
        (
            f"Qua kết quả rà soát đến ngày {day_text(reminder['as_of'])}, {reminder['scope']} có "
            f"{number(reminder['installed'])} máy{allocated} đã cài đặt phần mềm phòng, chống mã "
            f"độc tập trung (có {number(reminder['named'])} máy đặt đúng tên theo hướng dẫn). "
            f"Tuy nhiên, vẫn còn {number(len(reminder['units']))} cơ quan, đơn vị có tỷ lệ cài "
            f"đặt dưới {percent(reminder['below'])}, cụ thể như sau:",
        )
    )
    after = [
        (
            f"Để kịp thời chấn chỉnh tình trạng trên, {issuer} đề nghị Thủ trưởng các cơ quan, "
            "đơn vị nêu trên thực hiện tốt một số nội dung sau:",
        ),
        (
            "1. Khẩn trương rà soát, đặt tên máy, cài đặt đầy đủ phần mềm phòng, chống mã độc "
            "tập trung tại cơ quan, đơn vị mình theo hướng dẫn để bảo vệ máy tính, đảm bảo an "
            "toàn an ninh thông tin qua mạng.",
        ),
        (
            f"2. Báo cáo kết quả cài đặt về {head.reply_to()} để tổng hợp chậm nhất ngày ",
            (day_text(reminder["deadline"]), "bold"),
            " (có mẫu báo cáo kèm theo).",
        ),
        (f"{issuer} đề nghị Thủ trưởng các cơ quan, đơn vị quan tâm, thực hiện./.",),
    ]
    return before, after


def table_rows(reminder):
    """The lagging units under their sections' titles, numbered within each."""
    rows = []
    for position, section in enumerate(reminder["sections"], 1):
        rows.append(Heading(f"{position}. {section['group']}"))
        rows += [
            (
                stt,
                row["name"],
                number(row["allocated"]),
                number(row["installed_official"]),
                percent(row["install_rate"]),
                notes(row),
            )
            for stt, row in enumerate(section["units"], 1)
        ]
    return rows


def build_reminder_letter(db, below=None, deadline=None, as_of=None, parent=None, issue=None):
    """The reminder as DOCX, addressed to the units below `below` percent (default 100)."""
    reminder = build_reminder(db, below, deadline, as_of, parent)
    head = reminder["head"]
    letter = Letter()
    letter.heading(head, issue, reminder["as_of"], SUBJECT)
    letter.recipients(addressed(reminder))
    before, after = paragraphs(reminder, head)
    for parts in before:
        letter.paragraph(*parts)
    letter.table(COLUMNS, table_rows(reminder), widths=(14, 54, 24, 24, 19, 30), numeric=(2, 3, 4))
    for parts in after:
        letter.paragraph(*parts)
    letter.closing(head, head.reminder_copies)
    stem = (
        "cong-van-don-doc-"
        + reminder["as_of"]
        + (f"-{reminder['parent']}" if reminder["parent"] else "")
    )
    return ExportFile(f"{stem}.docx", letter.to_bytes())
