"""The covering letter of the install-rate appendix, drafted as letter 002 (Dong Thap, May
2022) words it: "Tính đến ngày …, toàn tỉnh có … máy tính đã cài đặt … Trong đó, các sở,
ban, ngành đã cài đặt là …/… license, đạt tỷ lệ là …".

Its figures are the appendix's own: the same `rollup()`, the grand total and each section's
"Cộng mục" row, so letter and appendix cannot disagree (the hand-typed letters did). Where a
hand-made letter could differ from its table (letter 002: a unit with its allocation left
blank, the misnamed row), the draft says that it follows the table and what those rows hold;
the appendix lists them too (`rollup_appendix.difference_lines`).

With `letter_connected_sentence` (the default), a sentence gives the figures the directive
now asks for: machines connected to the Administration Server, machines not named per the
guideline. The letter is drafted under the scope's own letterhead (a district's for its
subtree) with its own recipients and copies.
"""

from __future__ import annotations

from collector.counting.rollup import rollup
from collector.exports.docx_layout import Letter
from collector.exports.files import ExportFile, day_text
from collector.exports.letterhead import DIRECTIVE, OTHER_GROUP, letterhead, with_group_titles
from collector.exports.rollup_appendix import unallocated
from collector.formats.formatting import number, percent
from collector.store import settings
from collector.store.units import get_unit

SUBJECT = f"báo cáo kết quả cài đặt phần mềm phòng, chống mã độc tập trung theo {DIRECTIVE}"
PRODUCT = "phần mềm phòng, chống mã độc tập trung"


def in_sentence(group):
    """A section's name inside a sentence: "Các Sở, ban, ngành Tỉnh" → "các Sở, …"."""
    group = group or OTHER_GROUP
    return "c" + group[1:] if group.startswith("Các ") else group


def _installed_of(total):
    installed = number(total["installed_official"])
    if total["allocated"] is None:
        return f"đã cài đặt là {installed} license"
    return (
        f"đã cài đặt là {installed}/{number(total['allocated'])} license, đạt tỷ lệ là "
        f"{percent(total['install_rate'])}"
    )


def follows_the_table(report):
    """The sentence saying which figures the letter follows, when the table has rows whose
    machines are installed without an allocation (None when it has none)."""
    units, misnamed = unallocated(report)
    if not units and not misnamed:
        return None
    parts = [
        f"{number(installed)} máy của {name} (chưa được phân bổ bản quyền)"
        for name, installed in units
    ]
    if misnamed:
        parts.append(f"{number(misnamed)} máy chưa đặt tên theo hướng dẫn")
    return (
        "Số liệu nêu trên theo Phụ lục kèm theo: số máy đã cài đặt gồm cả "
        + "; ".join(parts)
        + ", không có trong số license được phân bổ."
    )


def connected_sentence(report):
    """The directive's further figures: connected to the console, not named per the
    guideline. Under a unit its misnamed machines are listed, not added (the appendix's
    rule), so the sentence says they are besides the figure above."""
    total, misnamed = report["total"], number(report["misnamed"]["installed_official"])
    connected = (
        f"Trong số máy đã cài đặt, có {number(total['connected'])} máy kết nối được "
        "với máy chủ quản trị tập trung"
    )
    if report["parent"]:
        return (
            f"{connected}; ngoài ra có {misnamed} máy đã cài đặt nhưng chưa đặt tên theo "
            "hướng dẫn (không tính vào số trên)."
        )
    return f"{connected} và {misnamed} máy chưa đặt tên theo hướng dẫn."


def sentences(report, head, scope_name, with_connected=True):
    """The letter's body, paragraph by paragraph, from the rollup the appendix prints."""
    total = report["total"]
    opening = f"Thực hiện {head.report_basis}, " if head.report_basis else ""
    opening += (
        f"{head.issuer} báo cáo kết quả triển khai cài đặt {PRODUCT} của các cơ "
        "quan, đơn vị, địa phương như sau:"
    )
    licences = (
        ""
        if total["allocated"] is None
        else f" (tổng số lượng license trang bị cho các đơn vị, địa phương là "
        f"{number(total['allocated'])})"
    )
    headline = (
        f"Tính đến ngày {day_text(report['as_of'])}, {scope_name} có "
        f"{number(total['installed_official'])} máy tính đã cài đặt {PRODUCT}"
        f"{licences}."
    )
    parts = [
        f"{in_sentence(section['group'])} {_installed_of(section['total'])}"
        for section in report["sections"]
    ]
    if report["parent_own"]:
        parts.append(
            f"máy tính của chính {report['parent_own']['name']} đã cài đặt là "
            f"{number(report['parent_own']['installed_official'])}"
        )
    paragraphs = [opening, headline]
    if parts:
        paragraphs.append("Trong đó, " + "; ".join(parts) + ".")
    if with_connected:
        paragraphs.append(connected_sentence(report))
    follows = follows_the_table(report)
    if follows:
        paragraphs.append(follows)
    recipient = "; ".join(head.report_recipients) or "cấp có thẩm quyền"
    paragraphs += [
        "(Chi tiết tại Phụ lục kèm theo).",
        f"Trên đây là kết quả cài đặt {PRODUCT} theo Chỉ thị 14/CT-TTg, kính trình "
        f"{recipient} xem xét./.",
    ]
    return paragraphs


def build_report_letter(db, as_of=None, parent=None, issue=None):
    """The report letter as DOCX, figures as of a date (today when None), the whole
    province or one unit's subtree; `issue` fills its number and date in."""
    report = rollup(db, as_of=as_of, parent=parent)
    head = letterhead(db, report["parent"])
    report = with_group_titles(report, head)
    scope_name = get_unit(db, report["parent"])["name"] if report["parent"] else "toàn tỉnh"
    letter = Letter()
    letter.heading(head, issue, report["as_of"], SUBJECT)
    letter.recipients(head.report_recipients)
    with_connected = settings.current(db)["letter_connected_sentence"]
    for text in sentences(report, head, scope_name, with_connected):
        letter.paragraph(text)
    letter.closing(head, head.copies)
    stem = (
        "cong-van-bao-cao-" + report["as_of"] + (f"-{report['parent']}" if report["parent"] else "")
    )
    return ExportFile(f"{stem}.docx", letter.to_bytes())
