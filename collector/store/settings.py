"""The collector's settings: each with its default, its help text and its check, in one place.

The database holds only the values an administrator changed (`settings` table); reading a
setting that was never set gives its default.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from collector.store import audit
from collector.store.db import write_transaction
from collector.store.in_force import check_after_latest, effective_day
from collector.store.units import EMAIL
from shared.naming import PatternError, parse_pattern
from shared.report import text_problem

LINE_BREAKS = str.maketrans("\t\r\n", "   ")


class SettingError(ValueError):
    """A setting's name or value was refused; the message says why."""


def _pattern(text):
    try:
        parse_pattern(text)
    except PatternError as exc:
        raise SettingError(str(exc)) from None
    return text.strip()


def _whole_number(low, high):
    def parse(text):
        try:
            value = int(str(text).strip())
        except ValueError:
            raise SettingError(f"'{text}' is not a whole number") from None
        if not low <= value <= high:
            raise SettingError(f"must be between {low} and {high}")
        return value

    return parse


def _product_names(text):
    names = [name.strip() for name in str(text).split(";")]
    names = [name for name in names if name]
    if not names:
        raise SettingError("name at least one product (separate several with ';')")
    if any(len(name) > 200 for name in names):
        raise SettingError("a product name is longer than 200 characters")
    return names


YES = ("yes", "true", "1", "có")
NO = ("no", "false", "0", "không")


def _yes_no(text):
    value = str(text).strip().casefold()
    if value in YES:
        return True
    if value in NO:
        return False
    raise SettingError(f"'{text}' is neither yes nor no")


# The two time limits follow Kaspersky Security Center's device status conditions "Not
# connected for a long time" and "Databases are outdated" ("About device statuses"), so the
# collector and the console the officers also read call the same PC connected and current.
KSC_STATUS_PAGE = "https://support.kaspersky.com/help/KSC/15.1/en-US/191051_1.htm"


def _document_text(max_length):
    """A line (or `;`-separated lines) printed on the official letters; empty leaves a
    dotted blank for the officer to fill in by hand."""

    def parse(text):
        text = " ".join(str(text).split())
        if len(text) > max_length:
            raise SettingError(f"dài quá {max_length} ký tự")
        return text

    return parse


def _reply_email(text):
    text = str(text).strip()
    if text and (len(text) > 254 or not EMAIL.fullmatch(text)):
        raise SettingError(f"'{text}' không phải địa chỉ e-mail")
    return text


def _days_of_month(text):
    """`5; 20`: the days of the month reminders go out on (empty: never by themselves)."""
    days = []
    for part in str(text).replace(",", ";").split(";"):
        part = part.strip()
        if not part:
            continue
        if not part.isdigit() or not 1 <= int(part) <= 28:
            raise SettingError(f"'{part}' không phải ngày trong tháng từ 1 đến 28")
        days.append(int(part))
    return sorted(set(days))


def lines(value):
    """A `;`-separated setting as its lines (recipients, copies, signer's titles)."""
    return [line.strip() for line in value.split(";") if line.strip()]


@dataclass(frozen=True)
class Setting:
    """One setting: its default (as text), what it means, and how a value is checked;
    `label` names it on the settings page."""

    key: str
    default: str
    help: str
    parse: Callable[[str], Any]
    label: str = ""


SETTINGS = {
    setting.key: setting
    for setting in (
        Setting(
            "naming_pattern",
            "{unit}-{any}",
            "How computers must be named: {unit} a unit code, {any} letters, digits or "
            "hyphens, {n} digits, {text} letters; matched case-insensitively against the "
            "whole name (at most 15 characters).",
            _pattern,
        ),
        Setting(
            "ram_exempt_below_mb",
            "2048",
            "A machine without the mandated antivirus is exempt when its RAM is below this "
            "many MB, judged on the larger of installed and visible RAM (either may be "
            "misread; a machine never escapes the count by one low figure).",
            _whole_number(0, 1_048_576),
        ),
        Setting(
            "stale_after_days",
            "30",
            "A machine not seen for this many days is stale: listed, not counted.",
            _whole_number(1, 3650),
        ),
        Setting(
            "keep_all_reports_days",
            "90",
            "Every report is kept this many days; older ones are thinned to each machine's "
            "last report of each day (all a figure as of a past date reads), every night "
            "and by `avroll reports prune`.",
            _whole_number(1, 36500),
        ),
        Setting(
            "keep_daily_reports_days",
            "365",
            "Each machine's last report of each day is kept this many days (at least "
            "keep_all_reports_days); older ones are thinned to its last report of each "
            "month, the figures of those days being kept for good first.",
            _whole_number(1, 36500),
        ),
        Setting(
            "retire_after_days",
            "180",
            "A machine not seen for this many days is retired: it leaves every count and "
            "list (its history stays); 0 never retires a machine by itself.",
            _whole_number(0, 3650),
        ),
        Setting(
            "connected_days",
            "7",
            "An installed machine is connected when its Network Agent last synchronised with "
            "the Administration Server within this many days (as of the date counted; for the "
            "console's list, before its import). "
            "Default 7 days, after Kaspersky Security Center's \"Not connected for a long "
            f'time" device status condition ({KSC_STATUS_PAGE}).',
            _whole_number(1, 365),
        ),
        Setting(
            "official_requires_connected",
            "no",
            "yes: the official installed figure (the appendix's) counts only connected "
            "machines; no: it counts installed machines, as the provincial letters do. "
            "Connected is shown beside it either way.",
            _yes_no,
        ),
        Setting(
            "signatures_max_age_days",
            "7",
            "Where the OS has no Security Center to say whether signatures are up to date "
            "(servers, Linux), an enabled product is protected when its signature databases "
            "are at most this many days old. Default 7 days, after Kaspersky Security Center's "
            f'"Databases are outdated" device status condition ({KSC_STATUS_PAGE}).',
            _whole_number(1, 365),
        ),
        Setting(
            "licence_warning_days",
            "30",
            "A machine whose mandated antivirus says its licence ends within this many days "
            'is listed under "licence expires within N days" on its unit\'s page, so the '
            "licence is renewed before protection stops.",
            _whole_number(1, 365),
        ),
        Setting(
            "required_product",
            "Kaspersky Endpoint Security for Windows; Kaspersky Security for Windows Server; "
            "Kaspersky Endpoint Security for Linux; Kaspersky Endpoint Security for Business",
            "The mandated, centrally managed antivirus, as product families separated by ';'. "
            "A reported product counts when its name is one of these families, whatever its "
            "language, version, service pack or maintenance release, or an edition of one "
            "(Select, Advanced, Total); another product of the same vendor does not.",
            _product_names,
        ),
        # What the drafted letters (Decree 30/2020/NĐ-CP layout) print about who sends them.
        Setting(
            "issuer_parent",
            "",
            "Dòng trên cùng bên trái của công văn: cơ quan chủ quản, ví dụ "
            '"UBND TỈNH ĐỒNG THÁP" (để trống nếu không có).',
            _document_text(120),
            "Cơ quan chủ quản",
        ),
        Setting(
            "issuer_name",
            "",
            'Tên cơ quan ban hành công văn và phụ lục, ví dụ "Sở Thông tin và Truyền '
            'thông"; in hoa ở đầu công văn, giữ nguyên trong câu văn.',
            _document_text(160),
            "Cơ quan ban hành",
        ),
        Setting(
            "issuer_symbol",
            "",
            'Ký hiệu công văn sau số, ví dụ "STTTT-CNTT" (in ra "Số: …/STTTT-CNTT").',
            _document_text(40),
            "Ký hiệu văn bản",
        ),
        Setting(
            "issuer_place",
            "",
            'Địa danh ghi trước ngày tháng, ví dụ "Đồng Tháp".',
            _document_text(60),
            "Địa danh",
        ),
        Setting(
            "report_recipient",
            "",
            '"Kính gửi" của công văn báo cáo kết quả cài đặt, ví dụ "Ủy ban nhân dân '
            'Tỉnh"; nhiều nơi cách nhau bằng dấu ;.',
            _document_text(400),
            "Nơi gửi báo cáo",
        ),
        Setting(
            "report_basis",
            "",
            'Văn bản chỉ đạo mà báo cáo thực hiện, viết tiếp sau "Thực hiện", ví dụ '
            '"Chỉ đạo của Ủy ban nhân dân Tỉnh tại Công văn số 160/UBND-THVX ngày 26 tháng '
            '4 năm 2022".',
            _document_text(400),
            "Căn cứ báo cáo",
        ),
        Setting(
            "signer_title",
            "",
            "Thẩm quyền và chức vụ người ký, các dòng cách nhau bằng dấu ;, ví dụ "
            '"KT. GIÁM ĐỐC; PHÓ GIÁM ĐỐC".',
            _document_text(160),
            "Chức vụ người ký",
        ),
        Setting("signer_name", "", "Họ và tên người ký công văn.", _document_text(80), "Người ký"),
        Setting(
            "letter_copies",
            "Lưu: VT",
            '"Nơi nhận" của công văn báo cáo sau dòng "Như trên", các nơi cách nhau '
            'bằng dấu ;, ví dụ "UBND các huyện, thành phố; Lưu: VT, CNTT".',
            _document_text(400),
            "Nơi nhận (báo cáo)",
        ),
        Setting(
            "reminder_copies",
            "Lưu: VT",
            '"Nơi nhận" của công văn đôn đốc sau dòng "Như trên", ví dụ "CT và các '
            'PCT UBND huyện; LĐVP; Lưu: VT".',
            _document_text(400),
            "Nơi nhận (đôn đốc)",
        ),
        Setting(
            "reminder_basis",
            "",
            'Văn bản mà công văn đôn đốc thực hiện, viết tiếp sau "Thực hiện", ví dụ '
            '"Công văn số 1134/STTTT-CNTT ngày 11/10/2022 của Sở Thông tin và Truyền '
            'thông" (để trống nếu không có).',
            _document_text(400),
            "Căn cứ đôn đốc",
        ),
        Setting(
            "reply_office",
            "",
            "Nơi nhận báo cáo của các đơn vị, in trong công văn và thư đôn đốc, ví dụ "
            '"Phòng Văn hóa và Thông tin".',
            _document_text(160),
            "Đầu mối nhận báo cáo",
        ),
        Setting(
            "reply_email",
            "",
            "Địa chỉ e-mail các đơn vị gửi báo cáo về (in trong công văn đôn đốc; thư đôn "
            "đốc trả lời về địa chỉ này).",
            _reply_email,
            "E-mail nhận báo cáo",
        ),
        Setting(
            "children_group",
            "",
            'Tên gọi chung các đơn vị trực thuộc không ghi nhóm riêng, ví dụ "UBND các xã, '
            'thị trấn" (in ở mục của bảng và ở "Kính gửi").',
            _document_text(120),
            "Tên nhóm đơn vị trực thuộc",
        ),
        Setting(
            "letter_connected_sentence",
            "yes",
            "yes: công văn báo cáo có thêm câu về số máy kết nối được với máy chủ quản trị "
            "và số máy chưa đặt tên theo hướng dẫn; no: không in câu này.",
            _yes_no,
            "Câu về máy kết nối và đặt tên",
        ),
        Setting(
            "reminder_days",
            "",
            'Các ngày trong tháng (1 đến 28, cách nhau bằng dấu ;) mà "avroll serve" tự '
            "gửi thư đôn đốc trong lần chạy ban đêm; để trống: không tự gửi.",
            _days_of_month,
            "Ngày tự gửi thư đôn đốc",
        ),
        Setting(
            "reminder_below",
            "100",
            "Thư đôn đốc tự gửi đến các đơn vị có tỷ lệ cài đặt dưới mức này (%).",
            _whole_number(1, 1000),
            "Mức tỷ lệ đôn đốc",
        ),
        Setting(
            "reminder_answer_days",
            "7",
            "Số ngày đơn vị có để báo cáo sau ngày số liệu (hạn báo cáo trong công văn và "
            "thư đôn đốc; công văn 004: rà soát 12/10, hạn 19/10).",
            _whole_number(1, 90),
            "Số ngày để báo cáo",
        ),
    )
}


def _check_retention(db, key, value):
    """One report a day is kept at least as long as every report is."""
    if key not in ("keep_all_reports_days", "keep_daily_reports_days"):
        return
    values = {**current(db), key: value}
    if values["keep_daily_reports_days"] < values["keep_all_reports_days"]:
        raise SettingError(
            "keep_daily_reports_days ({}) cannot be shorter than keep_all_reports_days ({})".format(
                values["keep_daily_reports_days"], values["keep_all_reports_days"]
            )
        )


def _setting(key):
    try:
        return SETTINGS[key]
    except KeyError:
        raise SettingError(f"unknown setting '{key}': one of {', '.join(SETTINGS)}") from None


# The counting settings, kept by the day they took effect. The naming pattern applies to
# every date (names are read again under the pattern in force); the others are not counting.
VERSIONED = (
    "ram_exempt_below_mb",
    "stale_after_days",
    "retire_after_days",
    "connected_days",
    "official_requires_connected",
    "signatures_max_age_days",
    "required_product",
)
IN_FORCE_ON = """
    SELECT v.key, v.value FROM setting_versions v
    WHERE v.effective_from = (SELECT max(effective_from) FROM setting_versions
                              WHERE key = v.key AND effective_from <= ?)"""


def current(db, as_of=None):
    """Every setting's value in force (today, or on `as_of`, a date or YYYY-MM-DD), parsed
    (`required_product` as a list of names)."""
    stored = dict(db.execute("SELECT key, value FROM settings").fetchall())
    if as_of is not None:
        then = dict(db.execute(IN_FORCE_ON, [str(as_of)]).fetchall())
        for key in SETTINGS:
            if key in VERSIONED:
                stored[key] = then.get(key)
    return {key: parsed(key, stored.get(key)) for key in SETTINGS}


def parsed(key, stored):
    """One setting's value from its stored text (None: not set, the default)."""
    setting = SETTINGS[key]
    return setting.parse(stored or setting.default)


def described(db):
    """Every setting as `{key, label, value, default, help, changed}`, in the order
    defined."""
    stored = dict(db.execute("SELECT key, value FROM settings").fetchall())
    return [
        {
            "key": key,
            "label": setting.label,
            "value": stored.get(key, setting.default),
            "default": setting.default,
            "help": setting.help,
            "changed": key in stored,
            "versioned": key in VERSIONED,
        }
        for key, setting in SETTINGS.items()
    ]


def set_value(db, key, text, actor=None, effective_from=None):
    """Check and store one setting, audited as done by `actor` (None: whoever runs this
    command line); the default again removes the stored value. A counting setting takes
    effect from `effective_from` (YYYY-MM-DD, default today): figures as of an earlier day
    keep the value then in force."""
    setting = _setting(key)
    problem = text_problem(str(text).translate(LINE_BREAKS))  # a text area's lines are text
    if problem:
        raise SettingError(f"{key} {problem}")
    value = setting.parse(text)
    text = str(text).strip()
    try:
        day = effective_day(effective_from)
    except ValueError as exc:
        raise SettingError(str(exc)) from None
    with write_transaction(db):
        _check_retention(db, key, value)
        if key in VERSIONED:
            latest = db.execute(
                "SELECT max(effective_from) FROM setting_versions WHERE key = ?", [key]
            ).fetchone()[0]
            try:
                check_after_latest(latest, day, f"setting {key}")
            except ValueError as exc:
                raise SettingError(str(exc)) from None
            db.execute(
                "INSERT OR REPLACE INTO setting_versions (key, value, effective_from, "
                "recorded_at) VALUES (?, ?, ?, strftime('%Y-%m-%dT%H:%M:%SZ', 'now'))",
                [key, None if text == setting.default else text, day],
            )
        if text == setting.default:
            db.execute("DELETE FROM settings WHERE key = ?", [key])
        else:
            db.execute(
                "INSERT INTO settings (key, value) VALUES (?, ?) "
                "ON CONFLICT (key) DO UPDATE SET value = excluded.value",
                [key, text],
            )
        audit.record(
            db,
            actor or audit.cli_actor(),
            "settings.set",
            {"key": key, "value": text, "effective_from": day},
        )
    return text
