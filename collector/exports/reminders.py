"""Reminders by e-mail ("đôn đốc"): which units are below a rate, the Vietnamese message each
gets with its figures, a deadline, whom to answer and its non-empty lists as XLSX, and the
sending, each logged, a failure reported for its unit; a test send to any address; and the
run on the days of the month set in `reminder_days`, from `avroll serve`'s nightly thread.

Each message is a valid RFC 5322 message (Date, Message-ID, a named sender) signed as the
letters are, by the level above the unit (`letterhead`): a commune's reminder is its
district's, answered to the district's office (Reply-To).

The figures are the rollup's (`rollup()` of the unit's parent: the row the units table shows)
and the reconciliation's; the lists are the exports a unit page offers.
"""

from __future__ import annotations

import base64
import smtplib
import ssl
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from email.message import EmailMessage
from email.utils import formataddr, formatdate, make_msgid

from collector.counting import reconcile
from collector.counting.rollup import rollup
from collector.exports.files import day_text
from collector.exports.letterhead import Letterhead, letterhead
from collector.exports.machine_list import build_machines_export
from collector.exports.mail_policy import SMTP
from collector.exports.reconcile_lists import build_reconcile_export
from collector.formats.formatting import LOCAL_TZ, number, percent
from collector.formats.timefmt import parse_stored, to_stored
from collector.store import mail, replies, settings
from collector.store.units import list_units

SMTP_TIMEOUT = 30
XLSX = ("application", "vnd.openxmlformats-officedocument.spreadsheetml.sheet")
# The lists attached, each with the file it comes from.
ATTACHED = (
    ("missing", "Máy chưa cài đặt phần mềm"),
    ("misnamed", "Máy đặt tên chưa đúng hướng dẫn"),
    ("no_agent", "Máy có trong KSC hoặc AD nhưng chưa có agent avroll"),
    ("not_connected", "Máy đã cài Kaspersky nhưng chưa kết nối được với máy chủ quản trị"),
)


class BadRate(ValueError):
    """A --below rate that is not a percentage from 0 to 1000."""


def parse_rate(text):
    """`80`, `80%` or `80,5` as a fraction (0.8); BadRate otherwise."""
    cleaned = str(text).strip().rstrip("%").strip().replace(",", ".")
    try:
        value = float(cleaned)
    except ValueError:
        raise BadRate(f"'{text}' is not a percentage (for example 80 or 80,5)") from None
    if not 0 <= value <= 1000:
        raise BadRate(f"'{text}' must be between 0 and 1000 (%)")
    return value / 100


@dataclass
class Reminder:
    """One unit's reminder: its figures, its address, and (once tried) what happened."""

    unit: dict
    figures: dict
    lists: dict
    recipient: str | None
    head: Letterhead | None = None
    deadline: date | None = None
    subject: str = ""
    body: str = ""
    attachments: list = field(default_factory=list)
    error: str | None = None
    sent: bool = False
    # The unit's answer to its last reminder (`answer_to_last`): it is not reminded again.
    answered: dict | None = None


def unit_rows(db):
    """Every unit's row as the units table shows it (under its parent), by code."""
    units = list_units(db)
    parents = [None] + sorted({unit["parent"] for unit in units if unit["parent"]})
    rows = {}
    for parent in parents:
        report = rollup(db, parent=parent)
        for section in report["sections"]:
            for row in section["units"]:
                rows[row["code"]] = dict(row, as_of=report["as_of"])
    return rows


def deadline_after(db, as_of):
    """The default answer date: `reminder_answer_days` after the figures' date."""
    return date.fromisoformat(as_of) + timedelta(days=settings.current(db)["reminder_answer_days"])


def answer_to_last(reply, reminded_at, answer_days, today):
    """The unit's answer to its last reminder e-mailed (`reminded_at`, a stored time): its
    latest reply when recorded on that reminder's day or after, else None. A reply with no
    reminder before it answered something else (a letter) and holds nothing back; nor does
    an answer once that reminder's answer date (`answer_days` after it) is past: a unit
    still below the rate then is reminded again, as a new round."""
    if reply is None or reminded_at is None:
        return None
    reminded_on = parse_stored(reminded_at).astimezone(LOCAL_TZ).date()
    if reply["replied_on"] < reminded_on.isoformat():
        return None
    if today > reminded_on + timedelta(days=answer_days):
        return None
    return {
        "replied_on": reply["replied_on"],
        "replied_by": reply["replied_by"],
        "reminded_on": reminded_on.isoformat(),
    }


def plan(db, below=1.0, deadline=None, include_answered=False, today=None):
    """The units whose install rate is below `below` (a fraction; units without an
    allocation have no rate and are left out), each with its figures, its lists, the
    letterhead of the level above it and its answer date (`deadline`, a date, or the
    default). A unit that answered its last reminder (until that reminder's answer date,
    as of `today`) is marked `answered` and is not sent again, unless `include_answered`
    (the officer starts a new round)."""
    today = today or datetime.now(LOCAL_TZ).date()
    answer_days = settings.current(db)["reminder_answer_days"]
    rows = unit_rows(db)
    result = reconcile.reconcile(db)
    answers, reminded = replies.latest_replies(db), mail.last_sent(db)
    heads = {}
    reminders = []
    for unit in list_units(db):
        row = rows.get(unit["code"])
        if row is None or row["install_rate"] is None or row["install_rate"] >= below:
            continue
        counts = reconcile.summary(db, unit["code"], result)["counts"]
        lists = {
            "missing": row["missing"],
            "misnamed": row["misnamed"],
            "no_agent": counts["no_agent"],
            # The unit page's figure: connected as avroll counts it, not as KSC's list.
            "not_connected": row["installed"] - row["connected"],
        }
        if unit["parent"] not in heads:
            heads[unit["parent"]] = letterhead(db, unit["parent"])
        reminder = Reminder(
            unit,
            row,
            lists,
            unit.get("email"),
            heads[unit["parent"]],
            deadline or deadline_after(db, row["as_of"]),
        )
        reminder.subject = (
            f"Đôn đốc cài đặt phần mềm phòng, chống mã độc: {unit['name']} "
            f"đạt {percent(row['install_rate'])}"
        )
        reminder.body = message_text(db, reminder, below)
        if not include_answered:
            reminder.answered = answer_to_last(
                answers.get(unit["code"]), reminded.get(unit["code"]), answer_days, today
            )
        reminders.append(reminder)
    return reminders, result


def _count(value):
    return "chưa có số liệu (chưa nhập danh sách từ KSC)" if value is None else number(value)


def example_name(pattern, code):
    """A computer name that follows the naming pattern, for the unit `code` (SYT-PC01)."""
    for filler in ({"any": "PC01", "n": "01", "text": "KT"}, {"any": "1", "n": "1", "text": "A"}):
        name = pattern
        for placeholder, text in (("unit", code), *filler.items()):
            name = name.replace("{" + placeholder + "}", text)
        if len(name) <= 15:
            break
    return name


def _ram_limit(megabytes):
    return f"{number(megabytes // 1024)} GB" if megabytes % 1024 == 0 else f"{number(megabytes)} MB"


def signature(head):
    """The signature block: the signer's titles and name, the body, whom to contact."""
    lines = [
        *head.signer_title,
        head.signer_name,
        head.name,
        head.reply_office,
        f"Email: {head.reply_email}" if head.reply_email else "",
    ]
    lines = [line for line in lines if line]
    return ["-- ", *lines] if lines else []


def message_text(db, reminder, below):
    """The Vietnamese message: the unit's figures, what is attached, what to do, by when
    and to whom, signed."""
    row, lists, head = reminder.figures, reminder.lists, reminder.head
    values = settings.current(db)
    lines = [
        f"Kính gửi: {reminder.unit['name']}",
        "",
        f"Theo số liệu tổng hợp đến ngày {day_text(row['as_of'])}, đơn vị đã cài đặt phần "
        f"mềm phòng, chống mã độc tập trung trên {number(row['installed_official'])}"
        f"/{number(row['allocated'])} bản quyền được phân bổ, đạt tỷ lệ "
        f"{percent(row['install_rate'])} (thấp hơn mức {percent(below)}).",
        "",
        "Cụ thể:",
    ]
    for key, label in ATTACHED:
        lines.append(f"- {label}: {_count(lists[key])}")
    attached = [label for key, label in ATTACHED if lists[key]]
    if attached:
        lines += ["", "Danh sách từng máy của các mục khác 0 được gửi kèm thư này (tệp XLSX)."]
    lines += [
        "",
        "Đề nghị đơn vị:",
        "- cài đặt phần mềm trên các máy chưa cài (trừ máy cấu hình thấp, RAM dưới "
        f"{_ram_limit(values['ram_exempt_below_mb'])});",
        "- đặt tên máy theo hướng dẫn, ví dụ "
        f"{example_name(values['naming_pattern'], reminder.unit['code'])};",
        "- cài agent avroll trên các máy chưa có, và kiểm tra kết nối của Kaspersky với máy "
        "chủ quản trị tập trung;",
        f"và báo cáo kết quả về {head.reply_to('đơn vị chủ trì')} trước ngày "
        f"{day_text(reminder.deadline)}.",
        "",
        "Trân trọng.",
        "",
        *signature(head),
    ]
    return "\n".join(lines)


def attachments(db, reminder, result):
    """The unit's non-empty lists as XLSX files: (filename, bytes)."""
    code = reminder.unit["code"]
    makers = {
        "missing": lambda: build_machines_export(db, code, "xlsx", tab="missing"),
        "misnamed": lambda: build_machines_export(db, code, "xlsx", tab="misnamed"),
        "no_agent": lambda: build_reconcile_export(
            db, "xlsx", unit=code, list_name="no_agent", result=result
        ),
        "not_connected": lambda: build_machines_export(db, code, "xlsx", tab="not_connected"),
    }
    files = [makers[key]() for key, _ in ATTACHED if reminder.lists[key]]
    return [(made.filename, made.body) for made in files]


def message(config, reminder):
    """The e-mail of one reminder, attachments included: From the sender's name (or the
    issuer's) and address, Reply-To the office that collects the answers."""
    email = EmailMessage(policy=SMTP)
    email["From"] = formataddr(
        (config["sender_name"] or reminder.head.name or "avroll", config["sender"])
    )
    email["To"] = reminder.recipient
    if reminder.head.reply_email:
        email["Reply-To"] = reminder.head.reply_email
    # A unit name stored with a line break (before names were checked) is one line here.
    email["Subject"] = " ".join(reminder.subject.split())
    email["Date"] = formatdate(localtime=True)
    email["Message-ID"] = make_msgid(domain=config["sender"].split("@", 1)[1])
    email.set_content(reminder.body, cte="quoted-printable")  # 7-bit: any relay takes it
    for filename, body in reminder.attachments:
        email.add_attachment(body, maintype=XLSX[0], subtype=XLSX[1], filename=filename)
    return email


def _connect(config, password):
    if config["security"] == "tls":
        server = smtplib.SMTP_SSL(
            config["host"],
            config["port"],
            timeout=SMTP_TIMEOUT,
            context=ssl.create_default_context(),
        )
    else:
        server = smtplib.SMTP(config["host"], config["port"], timeout=SMTP_TIMEOUT)
        if config["security"] == "starttls":
            server.starttls(context=ssl.create_default_context())
    if config["username"]:
        _login(server, config["username"], password or "")
    return server


def _login(server, username, password):
    """smtplib's login, or, for a name or password that is not ASCII (which smtplib cannot
    encode), AUTH PLAIN in UTF-8 as RFC 4616 has it."""
    if username.isascii() and password.isascii():
        server.login(username, password)
        return
    server.ehlo_or_helo_if_needed()
    if "PLAIN" not in server.esmtp_features.get("auth", "").upper().split():
        raise smtplib.SMTPException(
            "the server offers no AUTH PLAIN, which a password that is not ASCII needs"
        )
    code, answer = server.docmd(
        "AUTH", "PLAIN " + base64.b64encode(f"\0{username}\0{password}".encode()).decode("ascii")
    )
    if code != 235:
        raise smtplib.SMTPAuthenticationError(code, answer)


def _error_text(exc, username, password):
    """What a failure says in the log and on /admin/mail: never the password, nor what a
    server echoes of the login (its text is left out of a refused login)."""
    if isinstance(exc, smtplib.SMTPAuthenticationError):
        return f"SMTPAuthenticationError: the server refused the login ({exc.smtp_code})"
    return mail.without_secret(f"{type(exc).__name__}: {exc}", password, username)


def send(db, reminders, result, actor):
    """Send each reminder on its own connection, so one unit's failure stops no other;
    every attempt is logged; the `answered` are left out. Returns the reminders with `sent`
    or `error` set."""
    config = mail.current(db)
    password = mail.smtp_password(db)
    for reminder in reminders:
        if reminder.answered:
            continue
        if not config["ready"]:
            reminder.error = "SMTP is not set up (the server and the sender's address)"
        elif not reminder.recipient:
            reminder.error = "the unit has no contact e-mail"
        else:
            try:
                reminder.attachments = attachments(db, reminder, result)
                with _connect(config, password) as server:
                    server.send_message(message(config, reminder))
                reminder.sent = True
            except (OSError, smtplib.SMTPException, ValueError) as exc:
                # ValueError: a header the policy refuses, a text the server cannot take.
                reminder.error = _error_text(exc, config["username"] or "", password)
        mail.log_sending(
            db,
            actor,
            reminder.unit["code"],
            reminder.recipient,
            reminder.subject,
            len(reminder.attachments),
            reminder.error,
        )
    return reminders


def send_test(db, address, below, actor):
    """Send one sample to `address`: the first unit's reminder below `below` as that unit
    would get it, its subject marked as a test; logged like the others. The Reminder, with
    `sent` or `error`; None when no unit is below the rate."""
    planned, result = plan(db, below)
    if not planned:
        return None
    sample = planned[0]
    sample.recipient, sample.subject = address, mail.TEST_MARK + sample.subject
    return send(db, [sample], result, actor)[0]


def local_day_start(day):
    """The stored (UTC) time at which the Vietnamese day `day` begins."""
    return to_stored(datetime(day.year, day.month, day.day, tzinfo=LOCAL_TZ))


def send_scheduled(db, today, actor):
    """On a day of the month listed in `reminder_days`, send the reminders below
    `reminder_below` once (not again that day, after a restart). The reminders tried, or
    None when today is not such a day or they went out already."""
    values = settings.current(db)
    if today.day not in values["reminder_days"] or mail.sent_since(
        db, actor, local_day_start(today)
    ):
        return None
    planned, result = plan(db, values["reminder_below"] / 100, today=today)
    return send(db, planned, result, actor)
