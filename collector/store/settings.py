"""The collector's settings: each with its default, its help text and its check, in one place.

The database holds only the values an administrator changed (`settings` table); reading a
setting that was never set gives its default.
"""

from __future__ import annotations

from dataclasses import dataclass

from collector.store import audit
from collector.store.db import write_transaction
from shared.naming import PatternError, parse_pattern


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


def _document_text(max_length):
    """A line (or `;`-separated lines) printed on the official letters; empty leaves a
    dotted blank for the officer to fill in by hand."""
    def parse(text):
        text = " ".join(str(text).split())
        if len(text) > max_length:
            raise SettingError(f"dài quá {max_length} ký tự")
        return text
    return parse


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
    parse: object
    label: str = ""


SETTINGS = {setting.key: setting for setting in (
    Setting("naming_pattern", "{unit}-{any}",
            "How computers must be named: {unit} a unit code, {any} letters, digits or "
            "hyphens, {n} digits, {text} letters; matched case-insensitively against the "
            "whole name (at most 15 characters).", _pattern),
    Setting("ram_exempt_below_mb", "2048",
            "A machine without the mandated antivirus is exempt when its installed RAM (the "
            "visible RAM only when installed is unknown) is below this many MB.",
            _whole_number(0, 1_048_576)),
    Setting("stale_after_days", "30",
            "A machine not seen for this many days is stale: listed, not counted.",
            _whole_number(1, 3650)),
    Setting("connected_days", "7",
            "A computer's Kaspersky counts as connected to the province's console (\"kết nối "
            "được\") when the console heard from its Network Agent within this many days.",
            _whole_number(1, 3650)),
    Setting("required_product",
            "Kaspersky Endpoint Security for Windows; Kaspersky Security for Windows Server; "
            "Kaspersky Endpoint Security for Linux",
            "The mandated, centrally managed antivirus, as product names separated by ';'. "
            "A reported product counts when its name equals one of them, ignoring case, "
            "spacing and version numbers.", _product_names),
    # What the drafted letters (Decree 30/2020/NĐ-CP layout) print about who sends them.
    Setting("issuer_parent", "",
            "Dòng trên cùng bên trái của công văn: cơ quan chủ quản, ví dụ "
            "\"UBND TỈNH ĐỒNG THÁP\" (để trống nếu không có).", _document_text(120),
            "Cơ quan chủ quản"),
    Setting("issuer_name", "",
            "Tên cơ quan ban hành công văn và phụ lục, ví dụ \"Sở Thông tin và Truyền "
            "thông\"; in hoa ở đầu công văn, giữ nguyên trong câu văn.", _document_text(160),
            "Cơ quan ban hành"),
    Setting("issuer_symbol", "",
            "Ký hiệu công văn sau số, ví dụ \"STTTT-CNTT\" (in ra \"Số: …/STTTT-CNTT\").",
            _document_text(40), "Ký hiệu văn bản"),
    Setting("issuer_place", "",
            "Địa danh ghi trước ngày tháng, ví dụ \"Đồng Tháp\".", _document_text(60),
            "Địa danh"),
    Setting("report_recipient", "",
            "\"Kính gửi\" của công văn báo cáo kết quả cài đặt, ví dụ \"Ủy ban nhân dân "
            "Tỉnh\"; nhiều nơi cách nhau bằng dấu ;.", _document_text(400),
            "Nơi gửi báo cáo"),
    Setting("report_basis", "",
            "Văn bản chỉ đạo mà báo cáo thực hiện, viết tiếp sau \"Thực hiện\", ví dụ "
            "\"Chỉ đạo của Ủy ban nhân dân Tỉnh tại Công văn số 160/UBND-THVX ngày 26 tháng "
            "4 năm 2022\".", _document_text(400), "Căn cứ báo cáo"),
    Setting("signer_title", "",
            "Thẩm quyền và chức vụ người ký, các dòng cách nhau bằng dấu ;, ví dụ "
            "\"KT. GIÁM ĐỐC; PHÓ GIÁM ĐỐC\".", _document_text(160), "Chức vụ người ký"),
    Setting("signer_name", "", "Họ và tên người ký công văn.", _document_text(80),
            "Người ký"),
    Setting("letter_copies", "Lưu: VT",
            "\"Nơi nhận\" của công văn sau dòng \"Như trên\", các nơi cách nhau bằng dấu "
            ";, ví dụ \"UBND các huyện, thành phố; Lưu: VT, CNTT\".", _document_text(400),
            "Nơi nhận"),
)}


def _setting(key):
    try:
        return SETTINGS[key]
    except KeyError:
        raise SettingError(f"unknown setting '{key}': one of {', '.join(SETTINGS)}") from None


def current(db):
    """Every setting's value in force, parsed (`required_product` as a list of names)."""
    stored = dict(db.execute("SELECT key, value FROM settings").fetchall())
    return {key: setting.parse(stored.get(key, setting.default))
            for key, setting in SETTINGS.items()}


def described(db):
    """Every setting as `{key, label, value, default, help, changed}`, in the order
    defined."""
    stored = dict(db.execute("SELECT key, value FROM settings").fetchall())
    return [{"key": key, "label": setting.label, "value": stored.get(key, setting.default),
             "default": setting.default, "help": setting.help, "changed": key in stored}
            for key, setting in SETTINGS.items()]


def set_value(db, key, text, actor=None):
    """Check and store one setting, audited as done by `actor` (None: whoever runs this
    command line); the default again removes the stored value."""
    setting = _setting(key)
    setting.parse(text)
    text = str(text).strip()
    with write_transaction(db):
        if text == setting.default:
            db.execute("DELETE FROM settings WHERE key = ?", [key])
        else:
            db.execute("INSERT INTO settings (key, value) VALUES (?, ?) "
                       "ON CONFLICT (key) DO UPDATE SET value = excluded.value", [key, text])
        audit.record(db, actor or audit.cli_actor(), "settings.set", {"key": key, "value": text})
    return text
