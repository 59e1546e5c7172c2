"""What the pages say in words instead of codes: the store's error messages, setting names
and audit actions, in Vietnamese (English as the store writes them, on ?lang=en).

The store and the command line keep their English messages; a page passes each through
`message()` here, so one table says how every message reads in Vietnamese.
"""

from __future__ import annotations

import json
import re

from collector.formats.formatting import datetime_local, day, number

# (English message as the store writes it, Vietnamese) with {name} for the varying parts.
MESSAGES = [
    ("'{value}' is not a whole number", "'{value}' không phải là một số nguyên"),
    ("must be between {low} and {high}", "phải nằm trong khoảng từ {low} đến {high}"),
    (
        "keep_daily_reports_days ({daily}) cannot be shorter than keep_all_reports_days ({all})",
        "keep_daily_reports_days ({daily}) không được ngắn hơn keep_all_reports_days ({all})",
    ),
    (
        "name at least one product (separate several with ';')",
        "cần nêu ít nhất một sản phẩm (nhiều sản phẩm thì cách nhau bởi dấu ';')",
    ),
    ("a product name is longer than 200 characters", "có tên sản phẩm dài quá 200 ký tự"),
    ("the naming pattern is empty", "mẫu đặt tên đang để trống"),
    ("the naming pattern is longer than {max} characters", "mẫu đặt tên dài quá {max} ký tự"),
    (
        "unmatched '{brace}' in the naming pattern",
        "mẫu đặt tên thiếu dấu ngoặc tương ứng với '{brace}'",
    ),
    (
        "unknown placeholder {name}: use {{unit}}, {{any}}, {{n}} or {{text}}",
        "không có ô {name}: chỉ dùng {{unit}}, {{any}}, {{n}} hoặc {{text}}",
    ),
    (
        "the naming pattern must contain {{unit}} exactly once",
        "mẫu đặt tên phải có {{unit}} (mã đơn vị) đúng một lần",
    ),
    ("line {line}: {problem}", "dòng {line}: {problem}"),
    (
        "code '{code}' must be 1 to 15 letters or digits (it is used in computer names)",
        "mã đơn vị '{code}' phải gồm 1 đến 15 chữ cái hoặc chữ số (mã được dùng trong tên máy)",
    ),
    ("name is empty", "tên đơn vị đang để trống"),
    ("{column} is longer than {max} characters", "{column} dài quá {max} ký tự"),
    ("parent '{code}' is not a unit code", "đơn vị cấp trên '{code}' không phải là mã đơn vị"),
    ("parent '{code}' is not a known unit", "đơn vị cấp trên '{code}' chưa có trong danh sách"),
    (
        "allocated '{value}' is not a whole number of licences (leave it empty when none)",
        "số bản quyền phân bổ '{value}' không phải là số nguyên (để trống nếu không có)",
    ),
    ("{column} '{value}' is not a phone number", "{column} '{value}' không phải là số điện thoại"),
    (
        "unit '{code}' would be its own ancestor (via '{via}')",
        "đơn vị '{code}' sẽ là cấp trên của chính nó (qua '{via}')",
    ),
    ("code '{code}' is also on line {other}", "mã đơn vị '{code}' đã có ở dòng {other}"),
    ("header: column '{heading}' appears twice", "dòng tiêu đề: cột '{heading}' xuất hiện hai lần"),
    (
        "header: unknown column {number} '{heading}' (expected {expected})",
        "dòng tiêu đề: cột {number} '{heading}' không được hỗ trợ (cần các cột {expected})",
    ),
    ("header: missing column(s) {columns}", "dòng tiêu đề: thiếu cột {columns}"),
    ("not a readable XLSX file: {reason}", "không đọc được tệp XLSX: {reason}"),
    ("more than {max} rows", "tệp có quá {max} dòng"),
    ("the file is empty", "tệp không có dữ liệu"),
    ("the password must have at least {n} characters", "mật khẩu phải có ít nhất {n} ký tự"),
    ("the password must have at most {n} characters", "mật khẩu chỉ được có tối đa {n} ký tự"),
    ("a unit code is 1 to 32 letters or digits", "mã đơn vị gồm 1 đến 32 chữ cái hoặc chữ số"),
    ("there is no unit {code}", "không có đơn vị {code}"),
    ("there is no user {name}", "không có người dùng {name}"),
    ("user {name} already exists", "người dùng {name} đã có"),
    ("tick the box to confirm the retirement", "hãy đánh dấu ô xác nhận thôi tính"),
    ("give the day it leaves the counts", "hãy nhập ngày máy thôi được tính"),
    ("give the reason for the retirement", "hãy nhập lý do thôi tính"),
    ("date '{day}' is not YYYY-MM-DD", "ngày '{day}' không đúng dạng YYYY-MM-DD"),
    ("date {day} is in the future", "ngày {day} chưa tới"),
    ("the machine is not retired", "máy này chưa bị thôi tính"),
    ("tick at least one machine", "hãy chọn ít nhất một máy"),
    ("choose assign or retire", "hãy chọn gán đơn vị hoặc thôi tính"),
    (
        "the filter matches {n} machines, more than {max} at once: narrow it",
        "bộ lọc có {n} máy, quá {max} máy một lần: hãy thu hẹp bộ lọc",
    ),
    ("more than {max} machines at once", "quá {max} máy một lần"),
    ("no machine has reported with id {id}", "không có máy nào báo cáo với mã {id}"),
    # the SMTP settings (store/mail.py)
    ("not a host name or address", "không phải tên hoặc địa chỉ máy chủ"),
    ("must be a whole number from 1 to 65535", "phải là số nguyên từ 1 đến 65535"),
    ("one of {choices}", "một trong {choices}"),
    ("at most {n} printable characters", "tối đa {n} ký tự in được"),
    ("not an e-mail address", "không phải địa chỉ e-mail"),
    ("at most {n} characters on one line", "tối đa {n} ký tự trên một dòng"),
    # a sending's failure: the exception's name, then what it says
    (
        "SMTP is not set up (the server and the sender's address)",
        "SMTP chưa được cấu hình (máy chủ và địa chỉ gửi)",
    ),
    ("the unit has no contact e-mail", "đơn vị chưa có địa chỉ e-mail liên hệ"),
    ("SMTPAuthenticationError: {problem}", "SMTPAuthenticationError: {problem}"),
    ("SMTPException: {problem}", "SMTPException: {problem}"),
    ("the server refused the login ({code})", "máy chủ từ chối đăng nhập ({code})"),
    (
        "the server offers no AUTH PLAIN, which a password that is not ASCII needs",
        "máy chủ không có AUTH PLAIN, cách đăng nhập mà mật khẩu có ký tự ngoài ASCII cần",
    ),
]

# The settings by their key: a label to show instead of the key.
SETTING_LABELS = {
    "naming_pattern": "Naming rule for computers",
    "ram_exempt_below_mb": "Exempt below this RAM (MB)",
    "stale_after_days": "Not reporting after (days)",
    "connected_days": "Connected within (days)",
    "required_product": "Mandated antivirus",
    "official_requires_connected": "Official installed only if connected",
    "signatures_max_age_days": "Signatures current within (days)",
    "retire_after_days": "Retired after not reporting for (days)",
    "keep_all_reports_days": "Every report kept for (days)",
    "keep_daily_reports_days": "One report a day kept for (days)",
    "licence_warning_days": "Licence warning (days before expiry)",
}

# The audit log's actions (noun.verb, as the store records them) in words.
ACTIONS = {
    "units.import": "Imported units from a file",
    "units.save": "Saved units",
    "settings.set": "Changed a setting",
    "mail.settings": "Changed the mail settings",
    "reports.issue": "Issued a report",
    "reminders.issue": "Issued a reminder",
    "letterhead.set": "Changed a unit's letterhead",
    "replies.record": "Recorded a unit's reply",
    "reports.prune": "Thinned old reports (retention rule)",
    "users.add": "Added a user",
    "users.disable": "Disabled a user",
    "users.enable": "Enabled a user",
    "users.reset_password": "Reset a user's password",
    "tokens.create": "Created an enrollment token",
    "tokens.revoke": "Revoked an enrollment token",
    "machines.reset_credential": "Let a computer enroll again",
    "machines.retire": "Retired a computer",
    "machines.restore": "Brought a retired computer back",
    "machines.assign": "Assigned a computer to a unit",
    "machines.reinstall": "A reinstalled computer enrolled again",
    "machines.clone": "A copied computer enrolled as a new one",
    "machines.new_id": "A computer reported under a new id",
    "machines.reinstall_held": "A reinstall waits for an administrator",
    "machines.enrollment_held": "An enrolled computer id waits for an administrator",
    "machines.held_accept": "Accepted a held enrollment",
    "machines.held_refuse": "Refused a held enrollment",
    "machines.takeover": "A computer id was taken over by a new enrollment",
    "tokens.retire_machines": "Retired the computers a token enrolled",
    "import.ksc": "Imported a Kaspersky Security Center export",
    "import.directory": "Imported an Active Directory export",
}

# The keys of an audit line's details, in words (a key not here is shown as it is).
DETAIL_LABELS = {
    "machine_id": "computer",
    "unit_code": "unit",
    "before": "before",
    "from": "from",
    "reason": "reason",
    "retired_on": "retired from",
    "retire_reason": "reason retired",
    "token_id": "token",
    "machines": "computers",
    "username": "user",
    "role": "role",
    "key": "setting",
    "value": "value",
    "effective_from": "from",
    "created": "created",
    "updated": "changed",
    "codes": "units",
    "allocations": "allocations",
    "id": "number",
    "number": "number",
    "issued_on": "issued on",
    "as_of": "figures as of",
    "parent": "unit",
    "files": "files",
    "removed": "reports removed",
    "to_days": "thinned to one a day",
    "to_months": "thinned to one a month",
    "import_id": "import",
    "devices": "devices",
    "note": "note",
    "machine_limit": "machine limit",
    "hardware_uuid": "board UUID",
    "stored_as": "kept as",
    "hostname": "computer name",
    "monthly_from": "one a month before",
    "exported_at": "exported at",
    "exported_from": "export date",
}
DETAIL_MAX = 300


DAY = re.compile(r"\d{4}-\d{2}-\d{2}")
MOMENT = re.compile(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z")
# Detail values that are codes, in words.
VALUE_WORDS = {"given": "given by the officer", "file": "written in the file"}


def _detail_value(key, value, lang, translate):
    """One detail's value as text: days and moments as the pages write them, a setting by
    its name, a change of allocation as before → after, lists joined."""
    if isinstance(value, list) and len(value) == 2 and key == "allocations":
        return " → ".join("—" if part is None else str(part) for part in value)
    if isinstance(value, dict):
        return ", ".join(
            f"{inner}: {_detail_value(key, text, lang, translate)}" for inner, text in value.items()
        )
    if isinstance(value, list):
        return ", ".join(_detail_value(key, item, lang, translate) for item in value)
    text = str(value)
    if key == "key" and text in SETTING_LABELS:
        return translate(SETTING_LABELS[text])
    if DAY.fullmatch(text):
        return day(text, lang)
    if MOMENT.fullmatch(text):
        return datetime_local(text, lang)
    return translate(VALUE_WORDS[text]) if text in VALUE_WORDS else text


def detail_parts(detail, lang="vi", translate=str):
    """An audit line's details (JSON text, or plain text) as `(label, value)` pairs in
    words: empty values and digests left out, a long text cut."""
    try:
        values = json.loads(detail) if detail else {}
    except ValueError:
        values = detail
    if not isinstance(values, dict):
        return [("", str(values)[:DETAIL_MAX])]
    parts = []
    for key, value in values.items():
        if value is None or value == [] or value == {} or key == "sha256":
            continue
        text = _detail_value(key, value, lang, translate)
        parts.append(
            (
                translate(DETAIL_LABELS.get(key, key)),
                text if len(text) <= DETAIL_MAX else text[:DETAIL_MAX] + "…",
            )
        )
    return parts


def setting_value(key, value, lang, label):
    """A setting's value as a definition's sentence reads it: a number of days or MB, the
    naming rule itself, or a yes/no setting named with its state."""
    vi = lang == "vi"
    if isinstance(value, bool):
        state = ("bật" if value else "tắt") if vi else ("yes" if value else "no")
        return f"«{label}» ({'hiện' if vi else 'now'} {state})"
    if isinstance(value, int):
        unit = (
            " MB" if key.endswith("_mb") else " days" if key.endswith("_days") and not vi else ""
        )  # the Vietnamese sentences write "ngày" after the key themselves
        return number(value, lang) + unit
    if isinstance(value, list):
        return "; ".join(value)
    return f"{'quy tắc' if vi else 'the rule'} {value}" if key == "naming_pattern" else str(value)


def _matcher(english):
    parts = re.split(r"(?<!\{)\{(\w+)\}(?!\})", english)
    regex = "".join(
        re.escape(part.replace("{{", "{").replace("}}", "}")) if n % 2 == 0 else f"(?P<{part}>.+?)"
        for n, part in enumerate(parts)
    )
    return re.compile(regex + r"\Z", re.S)


_MATCHERS = [(_matcher(english), vietnamese) for english, vietnamese in MESSAGES]


def message(text, lang="vi"):
    """A store message in the page's language; an unknown message stays as written."""
    if lang != "vi":
        return text
    for matcher, vietnamese in _MATCHERS:
        found = matcher.match(text)
        if found:
            parts = {
                name: message(value, lang) if name == "problem" else value
                for name, value in found.groupdict().items()
            }
            return vietnamese.format(**parts)
    return text
