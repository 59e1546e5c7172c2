"""Reminders that chase: sent by `avroll serve`'s nightly thread on the days set, once a day;
each unit's answer recorded (on which day, by whom) and shown in the reporting status; headers
with Vietnamese text that any RFC 2047 reader decodes with every space in place."""

from __future__ import annotations

import email
import email.policy
import re
from datetime import date, datetime, timedelta, timezone
from email.header import decode_header, make_header
from email.message import EmailMessage
from email.utils import formataddr

import pytest
from click.testing import CliRunner

from collector.cli import nightly
from collector.cli.main import main
from collector.exports import reminders
from collector.exports.mail_policy import SMTP
from collector.exports.reporting_status import build_reporting_status
from collector.formats.formatting import LOCAL_TZ
from collector.store import replies, settings, users
from collector.store.units import save_units
from tests.collector.test_reminders import _configure, province, smtp_server  # noqa: F401
from tests.reporting import csrf_token

DAY = date(2026, 12, 5)


def test_long_vietnamese_headers_keep_their_spaces():
    subject = (
        "Đôn đốc cài đặt phần mềm phòng, chống mã độc: Ủy ban nhân dân xã Mỹ Hiệp, "
        "huyện Cao Lãnh đạt 50,0%"
    )
    name = "Ủy ban nhân dân huyện Cao Lãnh - Phòng Văn hóa và Thông tin huyện"
    message = EmailMessage(policy=SMTP)
    message["Subject"], message["From"] = subject, formataddr((name, "avroll@caolanh.gov.vn"))
    message.set_content("Kính gửi", cte="quoted-printable")
    raw = message.as_bytes()
    assert raw.isascii() and max(len(line) for line in raw.split(b"\r\n")) <= 78
    back = email.message_from_bytes(raw, policy=email.policy.default)
    assert back["Subject"] == subject  # Python's own reader
    headers = email.message_from_bytes(raw, policy=email.policy.compat32)
    assert str(make_header(decode_header(headers["Subject"]))) == subject  # RFC 2047's rule
    assert str(make_header(decode_header(headers["From"]))) == f"{name} <avroll@caolanh.gov.vn>"


def test_reminders_go_out_on_their_days_once(province, smtp_server):  # noqa: F811
    db, _ = province
    controller, inbox = smtp_server
    _configure(db, controller.port)
    assert reminders.send_scheduled(db, DAY, "avroll:nightly") is None  # no day set
    settings.set_value(db, "reminder_days", "5; 20")
    settings.set_value(db, "reminder_below", "90")
    sent = reminders.send_scheduled(db, DAY, "avroll:nightly")
    assert [reminder.unit["code"] for reminder in sent] == ["SXD", "SYT", "HCL", "XMH"]
    assert len(inbox.messages) == 4
    assert reminders.send_scheduled(db, DAY, "avroll:nightly") is None  # not twice a day
    assert reminders.send_scheduled(db, date(2026, 12, 6), "avroll:nightly") is None
    assert len(inbox.messages) == 4


@pytest.mark.parametrize("text", ["0", "29", "mồng 5", "5;;40"])
def test_reminder_days_are_days_of_a_month(province, text):  # noqa: F811
    db, _ = province
    with pytest.raises(settings.SettingError):
        settings.set_value(db, "reminder_days", text)


class Night:
    """The nightly thread's clock, set by the test."""

    def __init__(self):
        self.now = datetime(2026, 12, 4, 12, 0, tzinfo=timezone.utc)

    def clock(self):
        return self.now


def test_avroll_serves_nightly_thread_sends_them(province, smtp_server):  # noqa: F811
    db, path = province
    controller, inbox = smtp_server
    _configure(db, controller.port)
    settings.set_value(db, "reminder_days", "5")
    settings.set_value(db, "reminder_below", "50")
    night = Night()
    thread = nightly.NightlyRetention(path, clock=night.clock)
    done = thread.remind_once()  # 12:00 UTC on the 4th is 19:00 in Vietnam: not the day
    assert done is None and inbox.messages == []
    night.now = datetime(2026, 12, 4, 19, 0, tzinfo=timezone.utc)  # 02:00 on the 5th
    tried = thread.run_once()
    assert tried is not None
    assert [to for to, _ in inbox.messages] == [
        ["cntt@syt.dongthap.gov.vn"],
        ["ubnd@caolanh.dongthap.gov.vn"],
        ["xamyhiep@dongthap.gov.vn"],
    ]
    actors = {row[0] for row in db.execute("SELECT actor FROM mail_log")}
    assert actors == {"avroll:nightly"}


def test_a_failing_schedule_never_stops_the_night(province):  # noqa: F811
    _, path = province

    def broken(db, today, actor):
        raise RuntimeError("the relay is down")

    thread = nightly.NightlyRetention(path, clock=Night().clock, remind=broken)
    assert thread.remind_once() is None


def test_replies_are_recorded_and_shown_in_the_reporting_status(province):  # noqa: F811
    db, path = province
    runner = CliRunner()
    result = runner.invoke(
        main,
        [
            "replies",
            "add",
            "syt",
            "--by",
            "Trần Thị B",
            "--on",
            "2026-01-15",
            "--note",
            "đã cài 3 máy",
            "--db",
            str(path),
        ],
    )
    assert result.exit_code == 0, result.output
    status = build_reporting_status(db)
    units = {unit["code"]: unit for section in status["sections"] for unit in section["units"]}
    assert (units["SYT"]["replied_on"], units["SYT"]["replied_by"]) == ("2026-01-15", "Trần Thị B")
    assert units["SXD"]["replied_on"] is None and status["summary"]["replied"] == 1
    listed = runner.invoke(main, ["replies", "list", "--db", str(path)]).output
    assert "SYT\treminded -\tanswered 2026-01-15 by Trần Thị B" in listed
    for bad in (
        ["NOPE", "--by", "A"],
        ["SYT", "--by", " "],
        ["SYT", "--by", "A", "--on", "2999-01-01"],
        ["SYT", "--by", "A", "--on", "x"],
    ):
        result = runner.invoke(main, ["replies", "add", *bad, "--db", str(path)])
        assert result.exit_code != 0, bad
    assert len(list(db.query("SELECT * FROM unit_replies"))) == 1
    audit = [row[0] for row in db.execute("SELECT action FROM audit_log")]
    assert "replies.record" in audit


def test_a_reply_is_recorded_from_the_mail_page(client, db):
    save_units(db, [(2, {"code": "SYT", "name": "Sở Y tế", "allocated": "6"})], actor="tests")
    client.get("/admin/mail")
    answer = client.post(
        "/admin/mail",
        data={
            "action": "reply",
            "unit_code": "SYT",
            "replied_by": "Trần Thị B",
            "replied_on": "2026-01-15",
            "csrf_token": csrf_token(client),
        },
    )
    assert answer.status_code == 200
    assert replies.latest_replies(db)["SYT"]["replied_by"] == "Trần Thị B"
    refused = client.post(
        "/admin/mail",
        data={
            "action": "reply",
            "unit_code": "SYT",
            "replied_by": "",
            "csrf_token": csrf_token(client),
        },
    )
    assert refused.status_code == 422 and len(replies.latest_replies(db)) == 1


def _today():
    return datetime.now(LOCAL_TZ).date()


def test_a_unit_that_answered_its_reminder_is_not_reminded_again(province, smtp_server):  # noqa: F811
    db, path = province
    controller, inbox = smtp_server
    _configure(db, controller.port)
    settings.set_value(db, "reminder_days", "5; 20")
    settings.set_value(db, "reminder_below", "90")
    # The sendings are logged at the real time: the 20th stays within their answer window.
    settings.set_value(db, "reminder_answer_days", "90")
    first = reminders.send_scheduled(db, date(2026, 12, 5), "avroll:nightly")
    assert [reminder.unit["code"] for reminder in first] == ["SXD", "SYT", "HCL", "XMH"]
    # SYT answers that reminder; HCL's answer was recorded before it (another round's).
    replies.record_reply(db, "SYT", "Trần Thị B", _today().isoformat(), actor="tests")
    replies.record_reply(db, "HCL", "Lê Văn C", "2026-01-15", actor="tests")
    again = reminders.send_scheduled(db, date(2026, 12, 20), "avroll:nightly")
    assert [reminder.unit["code"] for reminder in again if reminder.sent] == ["SXD", "HCL", "XMH"]
    [skipped] = [reminder for reminder in again if reminder.answered]
    assert skipped.unit["code"] == "SYT" and not skipped.error
    assert skipped.answered == {
        "replied_on": _today().isoformat(),
        "replied_by": "Trần Thị B",
        "reminded_on": _today().isoformat(),
    }
    assert len(inbox.messages) == 7
    logged = [row[0] for row in db.execute("SELECT unit_code FROM mail_log ORDER BY id")]
    assert logged.count("SYT") == 1  # the skip is no failed sending
    # The officer sees whom and why, and may start a new round.
    runner = CliRunner()
    preview = runner.invoke(main, ["remind", "--below", "90", "--db", str(path)])
    assert preview.exit_code == 0, preview.output
    day = _today().strftime("%d/%m/%Y")
    assert (
        f"remind: SYT (Sở Y tế): skipped: answered on {day} by Trần Thị B, after the reminder "
        f"of {day}" in preview.output
    )
    assert "remind: 3 of 3 would be sent" in preview.output
    assert "remind: 1 skipped: they answered their last reminder" in preview.output
    sent = runner.invoke(
        main, ["remind", "--below", "90", "--send", "--include-answered", "--db", str(path)]
    )
    assert sent.exit_code == 0, sent.output
    assert "skipped" not in sent.output and len(inbox.messages) == 11
    vietnamese = runner.invoke(
        main, ["remind", "--below", "90", "--db", str(path)], env={"AVROLL_LANG": "vi"}
    ).output
    assert "skipped" not in vietnamese  # SYT was reminded again: its answer is older now
    replies.record_reply(db, "SYT", "Trần Thị B", _today().isoformat(), actor="tests")
    vietnamese = runner.invoke(
        main, ["remind", "--below", "90", "--db", str(path)], env={"AVROLL_LANG": "vi"}
    ).output
    assert f"đôn đốc: SYT (Sở Y tế): bỏ qua: đã báo cáo ngày {day} (Trần Thị B)" in vietnamese
    assert "đôn đốc: bỏ qua 1 đơn vị đã báo cáo sau thư đôn đốc gần nhất" in vietnamese


def test_an_answer_holds_reminders_back_only_until_that_reminder_s_answer_date(
    province,  # noqa: F811
    smtp_server,  # noqa: F811
):
    """Answering a reminder is not reaching the rate: once its answer date is past, a unit
    still below the rate is reminded again (a new round)."""
    db, _ = province
    controller, _ = smtp_server
    _configure(db, controller.port)
    settings.set_value(db, "reminder_below", "90")
    settings.set_value(db, "reminder_answer_days", "7")
    reminders.send(db, *reminders.plan(db, 0.9), "tests")
    replies.record_reply(db, "SYT", "Trần Thị B", _today().isoformat(), actor="tests")

    def answered(today):
        planned, _ = reminders.plan(db, 0.9, today=today)
        return [reminder.unit["code"] for reminder in planned if reminder.answered]

    assert answered(_today()) == ["SYT"]
    assert answered(_today() + timedelta(days=7)) == ["SYT"]  # the answer date itself
    assert answered(_today() + timedelta(days=8)) == []
    again = reminders.send(db, *reminders.plan(db, 0.9, today=_today() + timedelta(days=8)), "t")
    assert "SYT" in [reminder.unit["code"] for reminder in again if reminder.sent]


def test_the_mail_page_shows_who_answered_and_sends_them_nothing(province, smtp_server):  # noqa: F811
    from collector.web.app import create_app
    from tests.reporting import login

    db, path = province
    controller, inbox = smtp_server
    _configure(db, controller.port)
    reminders.send(db, *reminders.plan(db, 0.9), "tests")
    replies.record_reply(db, "SYT", "Trần Thị B", _today().isoformat(), actor="tests")
    users.add_user(db, "tests", "admin2", "admin-password-1", "admin")
    client = create_app({"DATABASE": str(path), "TESTING": True}).test_client()
    assert login(client, "admin2", "admin-password-1").status_code == 302
    page = client.get("/admin/mail?below=90&lang=en").get_data(as_text=True)
    assert page.count("not sent again: answered the reminder of") == 1
    answer = client.post(
        "/admin/mail?lang=en",
        data={"action": "send", "below": "90", "csrf_token": csrf_token(client)},
    )
    assert answer.status_code == 200
    assert len(inbox.messages) == 7  # SXD, HCL, XMH again; not SYT
    assert "skipped" in answer.get_data(as_text=True)
    again = client.post(
        "/admin/mail",
        data={
            "action": "send",
            "below": "90",
            "include_answered": "1",
            "csrf_token": csrf_token(client),
        },
    )
    assert again.status_code == 200 and len(inbox.messages) == 11
    for code in ("SXD", "SYT", "HCL", "XMH"):
        replies.record_reply(db, code, "Trần Thị B", _today().isoformat(), actor="tests")
    page = client.get("/admin/mail?below=90&lang=en").get_data(as_text=True)
    assert "Every unit below this rate answered its last reminder." in page
    assert re.search(r'<button type="submit" disabled>Send these reminders now', page)


def test_the_nightly_log_names_the_skipped_apart_from_the_failed(province, smtp_server, caplog):  # noqa: F811
    db, path = province
    controller, _ = smtp_server
    _configure(db, controller.port)
    reminders.send(db, *reminders.plan(db, 0.9), "tests")
    replies.record_reply(db, "SYT", "Trần Thị B", _today().isoformat(), actor="tests")
    settings.set_value(db, "reminder_days", "5")
    settings.set_value(db, "reminder_below", "90")
    night = Night()
    night.now = datetime(2026, 12, 4, 19, 0, tzinfo=timezone.utc)  # 02:00 on the 5th
    with caplog.at_level("INFO", logger="avroll"):
        nightly.NightlyRetention(path, clock=night.clock).remind_once()
    [line] = [
        record.getMessage() for record in caplog.records if "reminders:" in record.getMessage()
    ]
    assert line == "reminders: 3 of 3 sent; skipped (answered their last reminder): SYT"
