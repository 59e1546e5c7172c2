"""The reminder ("đôn đốc") to the units that lag, drafted as letter 004 (Thap Muoi, October
2022) words it: "qua kết quả rà soát đến ngày …, … có 255 máy/330 máy (có 235 đặt đúng tên
theo hướng dẫn)", then what the units must do and by when.

The units below the rate are listed with the appendix's figures (the same `rollup()` rows:
allocated, installed, rate), in the appendix's order; units with nothing allocated have no
rate and are not listed.
"""

from __future__ import annotations

from datetime import date, timedelta
from fractions import Fraction

from collector.counting.rollup import rollup
from collector.exports.docx_layout import Letter
from collector.exports.files import ExportFile, day_text
from collector.exports.letterhead import DIRECTIVE, letterhead
from collector.exports.reminders import parse_rate
from collector.formats.formatting import number, percent
from collector.store.units import get_unit

SUBJECT = f"đôn đốc cài đặt phần mềm phòng, chống mã độc tập trung theo {DIRECTIVE}"
COLUMNS = ("STT", "Tên đơn vị", "Số lượng bản quyền được phân bổ",
           "Số lượng bản quyền được cài đặt", "Tỷ lệ cài đặt")
DEFAULT_BELOW = "100"
DAYS_TO_ANSWER = 7  # letter 004: reviewed on 12/10, answers due 19/10


class BadReminder(ValueError):
    """A deadline the reminder cannot use, or no unit below the rate (a rate that is not
    one: `reminders.BadRate`, the e-mail reminders' rule)."""


def parse_deadline(text, as_of):
    """The answer date: YYYY-MM-DD not before the figures' date; default a week after."""
    if not text:
        return date.fromisoformat(as_of) + timedelta(days=DAYS_TO_ANSWER)
    try:
        deadline = date.fromisoformat(str(text).strip())
    except ValueError:
        raise BadReminder(f"hạn báo cáo '{text}' không phải ngày (YYYY-MM-DD)") from None
    if deadline < date.fromisoformat(as_of):
        raise BadReminder(f"hạn báo cáo {day_text(deadline)} trước ngày số liệu "
                          f"{day_text(as_of)}")
    return deadline


def lagging(report, below):
    """The units shown in the appendix whose install rate is under `below`."""
    return [row for section in report["sections"] for row in section["units"]
            if row["allocated"] and Fraction(row["installed_official"], row["allocated"]) < below]


def build_reminder(db, below=None, deadline=None, as_of=None, parent=None):
    """What the reminder says: the scope's totals, the lagging units, the deadline."""
    threshold = parse_rate(below or DEFAULT_BELOW)  # the same reading as the e-mail reminders
    report = rollup(db, as_of=as_of, parent=parent)
    units = lagging(report, threshold)
    if not units:
        raise BadReminder(f"không có đơn vị nào có tỷ lệ cài đặt dưới {percent(threshold)}")
    total = report["total"]
    return {"as_of": report["as_of"], "parent": report["parent"],
            "scope": get_unit(db, report["parent"])["name"] if report["parent"] else
            "toàn tỉnh",
            "below": threshold, "deadline": parse_deadline(deadline, report["as_of"]),
            "installed": total["installed_official"], "allocated": total["allocated"],
            "named": total["installed_official"] - report["misnamed"]["installed_official"],
            "units": units}


def paragraphs(reminder, issuer):
    """The body before and after the table (the table is `table_rows()`)."""
    allocated = ("" if reminder["allocated"] is None else
                 f"/{number(reminder['allocated'])} máy")
    before = [
        f"Qua kết quả rà soát đến ngày {day_text(reminder['as_of'])}, {reminder['scope']} có "
        f"{number(reminder['installed'])} máy{allocated} đã cài đặt phần mềm phòng, chống mã "
        f"độc tập trung (có {number(reminder['named'])} máy đặt đúng tên theo hướng dẫn). "
        f"Tuy nhiên, vẫn còn {number(len(reminder['units']))} cơ quan, đơn vị có tỷ lệ cài "
        f"đặt dưới {percent(reminder['below'])}, cụ thể như sau:"]
    after = [
        (f"Để kịp thời chấn chỉnh tình trạng trên, {issuer} đề nghị Thủ trưởng các cơ quan, "
         "đơn vị nêu trên thực hiện tốt một số nội dung sau:",),
        ("1. Khẩn trương rà soát, đặt tên máy, cài đặt đầy đủ phần mềm phòng, chống mã độc "
         "tập trung tại cơ quan, đơn vị mình theo hướng dẫn để bảo vệ máy tính, đảm bảo an "
         "toàn an ninh thông tin qua mạng.",),
        (f"2. Báo cáo kết quả cài đặt về {issuer} để tổng hợp chậm nhất ngày ",
         (day_text(reminder["deadline"]), "bold"), "."),
        (f"{issuer} đề nghị Thủ trưởng các cơ quan, đơn vị quan tâm, thực hiện./.",)]
    return before, after


def table_rows(reminder):
    return [(stt, row["name"], number(row["allocated"]), number(row["installed_official"]),
             percent(row["install_rate"])) for stt, row in enumerate(reminder["units"], 1)]


def build_reminder_letter(db, below=None, deadline=None, as_of=None, parent=None, issue=None):
    """The reminder as DOCX, addressed to the units below `below` percent (default 100)."""
    reminder = build_reminder(db, below, deadline, as_of, parent)
    head = letterhead(db)
    letter = Letter()
    letter.heading(head, issue, reminder["as_of"], SUBJECT)
    letter.recipients(row["name"] for row in reminder["units"])
    before, after = paragraphs(reminder, head.issuer)
    for text in before:
        letter.paragraph(text)
    letter.table(COLUMNS, table_rows(reminder), widths=(15, 65, 28, 28, 22), numeric=(2, 3, 4))
    for parts in after:
        letter.paragraph(*parts)
    letter.closing(head)
    stem = "cong-van-don-doc-" + reminder["as_of"] + (
        f"-{reminder['parent']}" if reminder["parent"] else "")
    return ExportFile(f"{stem}.docx", letter.to_bytes())
