"""Reminders by e-mail, sent to a real SMTP server on 127.0.0.1 (aiosmtpd): who gets what,
the Vietnamese message with its figures and XLSX lists, the log, failures per unit."""

from __future__ import annotations

import email
import email.policy
import io
import socket
from email.utils import parsedate_to_datetime

import pytest
from aiosmtpd.controller import Controller
from click.testing import CliRunner
from openpyxl import load_workbook

from collector.cli.main import main
from collector.exports import reminders
from collector.store import console_imports, letterheads, mail, settings, users
from collector.store.db import open_db
from collector.store.migrations import apply
from tests.console_files import seed_views


def free_port():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class Inbox:
    """Keeps every message the server accepts."""

    def __init__(self):
        self.messages = []

    async def handle_DATA(self, server, session, envelope):
        self.messages.append(
            (
                envelope.rcpt_tos,
                email.message_from_bytes(envelope.content, policy=email.policy.default),
            )
        )
        return "250 OK"


@pytest.fixture
def smtp_server():
    inbox = Inbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=free_port())
    controller.start()
    yield controller, inbox
    controller.stop()


@pytest.fixture
def province(tmp_path):
    path = tmp_path / "remind.db"
    db = open_db(path)
    apply(db)
    ksc, ad = seed_views(db, tmp_path)
    console_imports.import_file(db, "ksc", ksc, actor="tests")
    console_imports.import_file(db, "directory", ad, actor="tests")
    yield db, path
    db.close()


def _configure(db, port, **changes):
    fields = dict(
        host="127.0.0.1",
        port=port,
        security="none",
        username="",
        sender="avroll@stttt.dongthap.gov.vn",
    )
    fields.update(changes)
    mail.save(db, fields, "tests")


def test_preview_lists_who_would_get_what_and_sends_nothing(province, smtp_server):
    db, path = province
    controller, inbox = smtp_server
    _configure(db, controller.port)
    result = CliRunner().invoke(main, ["remind", "--below", "90", "--db", str(path)])
    assert result.exit_code == 0, result.output
    # SXD 5 of 10 (KT01-03 and the two KT06 machines), SYT 0 of 6 (the misnamed
    # DESKTOP-ABC counts in the misnamed row, not SYT's), HCL 1 of 4 (its commune's), XMH 1/4.
    lines = [line for line in result.output.splitlines() if "\t" in line]
    assert [line.split("\t")[0] for line in lines] == ["SXD", "SYT", "HCL", "XMH"]
    assert "it@sxd.dongthap.gov.vn" in lines[0] and "not_connected 1" in lines[0]
    assert "preview" in result.output and inbox.messages == []
    assert db.execute("SELECT count(*) FROM mail_log").fetchone()[0] == 0


def _letterheads(db):
    """The province signs its departments' and districts' reminders; the district Cao Lãnh
    its commune's, answered to its own office."""
    for key, value in (
        ("issuer_name", "Sở Thông tin và Truyền thông"),
        ("signer_title", "KT. GIÁM ĐỐC; PHÓ GIÁM ĐỐC"),
        ("signer_name", "Nguyễn Lâm Thanh Thủy"),
        ("reply_office", "Phòng Công nghệ thông tin"),
        ("reply_email", "cntt@stttt.dongthap.gov.vn"),
    ):
        settings.set_value(db, key, value)
    for key, value in (
        ("issuer_name", "Ủy ban nhân dân huyện Cao Lãnh"),
        ("reply_office", "Phòng Văn hóa và Thông tin"),
        ("reply_email", "vhtt@caolanh.gov.vn"),
    ):
        letterheads.set_unit_value(db, "HCL", key, value, "tests")


def test_send_delivers_a_valid_signed_message_with_its_non_empty_lists(province, smtp_server):
    db, path = province
    controller, inbox = smtp_server
    _configure(db, controller.port)
    _letterheads(db)
    result = CliRunner().invoke(
        main, ["remind", "--below", "50%", "--send", "--deadline", "2099-12-31", "--db", str(path)]
    )
    assert result.exit_code == 0, result.output
    assert [to for to, _ in inbox.messages] == [
        ["cntt@syt.dongthap.gov.vn"],
        ["ubnd@caolanh.dongthap.gov.vn"],
        ["xamyhiep@dongthap.gov.vn"],
    ]
    message = inbox.messages[0][1]
    # RFC 5322: an origination date, a message id, a named sender.
    assert parsedate_to_datetime(message["Date"]).tzinfo is not None
    assert message["Message-ID"].startswith("<") and message["Message-ID"].endswith(
        "@stttt.dongthap.gov.vn>"
    )
    assert message["From"].addresses[0].display_name == "Sở Thông tin và Truyền thông"
    assert message["From"].addresses[0].addr_spec == "avroll@stttt.dongthap.gov.vn"
    assert message["Reply-To"] == "cntt@stttt.dongthap.gov.vn"
    assert "Sở Y tế" in message["Subject"] and "0,0%" in message["Subject"]
    body = message.get_body(("plain",)).get_content().replace("\r\n", "\n")
    assert "Kính gửi: Sở Y tế" in body and "trên 0/6 bản quyền" in body
    assert "đặt tên chưa đúng hướng dẫn: 1" in body
    assert "chưa có agent avroll: 1" in body
    # Filled words: an example name, no pattern; a deadline and whom to answer; signed.
    assert "ví dụ SYT-PC01" in body and "{" not in body
    assert (
        "báo cáo kết quả về Sở Thông tin và Truyền thông (qua Phòng Công nghệ thông tin, "
        "Email: cntt@stttt.dongthap.gov.vn) trước ngày 31/12/2099."
    ) in body
    assert body.rstrip().endswith(
        "-- \nKT. GIÁM ĐỐC\nPHÓ GIÁM ĐỐC\nNguyễn Lâm Thanh Thủy\n"
        "Sở Thông tin và Truyền thông\nPhòng Công nghệ thông tin\n"
        "Email: cntt@stttt.dongthap.gov.vn"
    )
    assert "hệ thống avroll" not in body
    # Only the lists that hold a machine: misnamed and no agent, not the empty two.
    files = {
        part.get_filename(): part.get_payload(decode=True) for part in message.iter_attachments()
    }
    assert len(files) == 2 and all(name.endswith(".xlsx") for name in files)
    no_agent = next(body for name, body in files.items() if "no-agent" in name)
    cells = [
        cell
        for row in load_workbook(io.BytesIO(no_agent)).active.iter_rows(values_only=True)
        for cell in row
        if cell
    ]
    assert "SYT-KT09" in cells
    # The commune is chased by its district, answered to the district's office.
    commune = inbox.messages[2][1]
    assert commune["Reply-To"] == "vhtt@caolanh.gov.vn"
    assert (
        "về Ủy ban nhân dân huyện Cao Lãnh (qua Phòng Văn hóa và Thông tin"
        in commune.get_body(("plain",)).get_content()
    )
    log = list(db.query("SELECT unit_code, recipient, status, attachments FROM mail_log"))
    assert [(row["unit_code"], row["status"], row["attachments"]) for row in log] == [
        ("SYT", "sent", 2),
        ("HCL", "sent", 1),
        ("XMH", "sent", 1),
    ]
    assert set(mail.last_sent(db)) == {"SYT", "HCL", "XMH"}  # the reporting status's column


def test_a_unit_with_every_list_empty_gets_no_attachment(province):
    db, _ = province
    [reminder, *_], result = reminders.plan(db, 0.9)
    reminder.lists = dict.fromkeys(reminder.lists, 0)
    assert reminders.attachments(db, reminder, result) == []


def test_a_test_send_goes_only_to_the_address_given(province, smtp_server):
    db, path = province
    controller, inbox = smtp_server
    _configure(db, controller.port)
    result = CliRunner().invoke(
        main,
        ["remind", "--below", "90", "--test", "officer@stttt.dongthap.gov.vn", "--db", str(path)],
    )
    assert result.exit_code == 0, result.output
    [(to, message)] = inbox.messages
    assert to == ["officer@stttt.dongthap.gov.vn"]
    assert message["Subject"].startswith("[Thư thử] ") and "Sở Xây dựng" in message["Subject"]
    [log] = list(db.query("SELECT unit_code, recipient, status FROM mail_log"))
    assert (log["recipient"], log["status"]) == ("officer@stttt.dongthap.gov.vn", "sent")
    assert mail.last_sent(db) == {}  # the unit itself was not reminded
    for bad in (["--test", "not-an-address"], ["--below", "0", "--test", "a@b.vn"]):
        result = CliRunner().invoke(main, ["remind", *bad, "--db", str(path)])
        assert result.exit_code != 0 and len(inbox.messages) == 1


def test_the_test_send_button(province, smtp_server, tmp_path):
    from collector.web.app import create_app
    from tests.reporting import csrf_token, login

    db, path = province
    controller, inbox = smtp_server
    _configure(db, controller.port)
    users.add_user(db, "tests", "admin2", "admin-password-1", "admin")
    app = create_app({"DATABASE": str(path), "TESTING": True})
    client = app.test_client()
    assert login(client, "admin2", "admin-password-1").status_code == 302
    page = client.get("/admin/mail")
    assert 'name="test_address"' in page.get_data(as_text=True)
    answer = client.post(
        "/admin/mail",
        data={
            "action": "test",
            "below": "90",
            "test_address": "officer@stttt.dongthap.gov.vn",
            "csrf_token": csrf_token(client),
        },
    )
    assert answer.status_code == 200, answer.get_data(as_text=True)
    assert [to for to, _ in inbox.messages] == [["officer@stttt.dongthap.gov.vn"]]
    assert "Đã gửi thư thử đến" in answer.get_data(as_text=True)
    refused = client.post(
        "/admin/mail",
        data={
            "action": "test",
            "below": "90",
            "test_address": "x",
            "csrf_token": csrf_token(client),
        },
    )
    assert refused.status_code == 422 and len(inbox.messages) == 1


def test_failures_are_reported_per_unit_and_logged(province, smtp_server):
    db, path = province
    controller, inbox = smtp_server
    db.execute("UPDATE units SET email = NULL WHERE code = 'SYT'")
    db.conn.commit()
    # The test server offers no STARTTLS: every unit with an address fails, each on its own.
    _configure(db, controller.port, security="starttls", username="avroll")
    mail.save(db, mail.current(db), "tests", password="s3cret-Pa55")
    result = CliRunner().invoke(main, ["remind", "--below", "90", "--send", "--db", str(path)])
    assert result.exit_code == 1
    # Each failure on stderr, naming its unit.
    failures = [line for line in result.stderr.splitlines() if "FAILED" in line]
    assert [line.split(" ", 2)[1] for line in failures] == ["SXD", "SYT", "HCL", "XMH"]
    assert "remind: SYT (Sở Y tế): FAILED: the unit has no contact e-mail" in result.stderr
    vietnamese = CliRunner().invoke(
        main, ["remind", "--below", "90", "--send", "--db", str(path)], env={"AVROLL_LANG": "vi"}
    )
    assert "đôn đốc: SYT (Sở Y tế): THẤT BẠI: đơn vị chưa có địa chỉ e-mail" in vietnamese.stderr
    assert inbox.messages == []
    log = {row["unit_code"]: row for row in db.query("SELECT * FROM mail_log")}
    assert {code: row["status"] for code, row in log.items()} == {
        "SXD": "failed",
        "SYT": "failed",
        "HCL": "failed",
        "XMH": "failed",
    }
    assert "STARTTLS" in log["SXD"]["error"]
    assert all("s3cret-Pa55" not in (row["error"] or "") for row in log.values())
    audit = " ".join(detail for (detail,) in db.execute("SELECT detail FROM audit_log"))
    assert "s3cret-Pa55" not in audit and "changed" in audit


def test_a_closed_port_fails_every_unit_without_stopping(province):
    db, _ = province
    _configure(db, free_port())
    planned, result = reminders.plan(db, 0.9)
    sent = reminders.send(db, planned, result, "tests")
    assert [reminder.sent for reminder in sent] == [False] * 4
    assert all("ConnectionRefusedError" in reminder.error for reminder in sent)


def test_password_is_never_shown_back(province):
    db, path = province
    runner = CliRunner()
    result = runner.invoke(
        main,
        [
            "mail",
            "set",
            "--host",
            "smtp.dongthap.gov.vn",
            "--sender",
            "avroll@dongthap.gov.vn",
            "--username",
            "avroll",
            "--password-stdin",
            "--db",
            str(path),
        ],
        input="hunter2-secret\n",
    )
    assert result.exit_code == 0, result.output
    shown = runner.invoke(main, ["mail", "show", "--db", str(path)]).output
    assert "hunter2-secret" not in shown and "password = (set)" in shown
    assert mail.smtp_password(db) == "hunter2-secret"
    assert "password" not in mail.current(db) or mail.current(db).get("password") is None


@pytest.mark.parametrize("text, fraction", [("80", 0.8), ("80%", 0.8), ("80,5", 0.805)])
def test_rates(text, fraction):
    assert reminders.parse_rate(text) == pytest.approx(fraction)


def test_bad_settings_are_refused_whole(province):
    db, _ = province
    with pytest.raises(mail.MailSettingError) as caught:
        mail.save(
            db,
            {"host": "smtp host", "port": "99999", "security": "ssl3", "sender": "not-an-address"},
            "tests",
        )
    assert set(caught.value.errors) == {"host", "port", "security", "sender"}
    assert mail.current(db)["host"] == ""


def test_a_unit_name_with_a_line_break_stops_no_reminder(province, smtp_server):
    db, path = province
    controller, inbox = smtp_server
    db.execute("UPDATE units SET name = 'Sở Y tế\r\nBcc: x@example.invalid' WHERE code = 'SYT'")
    db.conn.commit()
    _configure(db, controller.port)
    result = CliRunner().invoke(main, ["remind", "--below", "50%", "--send", "--db", str(path)])
    assert result.exit_code == 0, result.output
    assert len(inbox.messages) == 3
    subject = inbox.messages[0][1]["Subject"]
    assert "Sở Y tế Bcc" in subject and "\n" not in subject
    assert all(to != ["x@example.invalid"] for to, _ in inbox.messages)


def test_a_password_that_is_not_ascii_logs_in(province):
    from aiosmtpd.smtp import AuthResult

    db, _ = province
    inbox, logins = Inbox(), []

    def authenticator(server, session, envelope, mechanism, auth_data):
        logins.append((mechanism, auth_data.login, auth_data.password))
        return AuthResult(success=auth_data.password == "mật-khẩu-Đồng".encode())

    controller = Controller(
        inbox,
        hostname="127.0.0.1",
        port=free_port(),
        authenticator=authenticator,
        auth_require_tls=False,
    )
    controller.start()
    try:
        _configure(db, controller.port, username="avroll")
        mail.save(db, mail.current(db), "tests", password="mật-khẩu-Đồng")
        planned, result = reminders.plan(db, 0.9)
        sent = reminders.send(db, planned, result, "tests")
    finally:
        controller.stop()
    assert [reminder.error for reminder in sent] == [None] * 4
    assert logins[0] == ("PLAIN", b"avroll", "mật-khẩu-Đồng".encode())
    assert len(inbox.messages) == 4


def echoing_smtp_server(port, stop):
    """A hostile SMTP server: it refuses every login, quoting what the client sent."""
    listener = socket.create_server(("127.0.0.1", port))
    listener.settimeout(0.2)
    while not stop.is_set():
        try:
            conn, _ = listener.accept()
        except TimeoutError:
            continue
        with conn, conn.makefile("rb") as lines:
            conn.sendall(b"220 evil ESMTP\r\n")
            for line in lines:
                if line.upper().startswith((b"EHLO", b"HELO")):
                    conn.sendall(b"250-evil\r\n250 AUTH PLAIN\r\n")
                elif line.upper().startswith(b"AUTH"):
                    conn.sendall(b"535 5.7.8 you sent " + line.strip() + b"\r\n")
                elif line.upper().startswith(b"QUIT"):
                    conn.sendall(b"221 bye\r\n")
                    break
                else:
                    conn.sendall(b"502 " + line.strip() + b"\r\n")
    listener.close()


def test_a_server_echoing_the_login_puts_no_password_on_the_mail_page(province):
    import base64
    import threading

    db, _ = province
    port, stop = free_port(), threading.Event()
    thread = threading.Thread(target=echoing_smtp_server, args=(port, stop), daemon=True)
    thread.start()
    try:
        _configure(db, port, username="avroll")
        mail.save(db, mail.current(db), "tests", password="hunter2-secret")
        planned, result = reminders.plan(db, 0.9)
        sent = reminders.send(db, planned, result, "tests")
    finally:
        stop.set()
        thread.join(5)
    assert all(reminder.error for reminder in sent)
    logged = " ".join(row["error"] for row in db.query("SELECT error FROM mail_log"))
    for secret in ("hunter2-secret", "\0avroll\0hunter2-secret"):
        encoded = base64.b64encode(secret.encode()).decode()
        assert secret not in logged and encoded.rstrip("=") not in logged


def test_the_mail_pages_errors_speak_the_pages_language(client):
    from tests.reporting import csrf_token

    client.get("/admin/mail")
    form = {"action": "settings", "host": "smtp host", "port": "70000", "sender": "x"}
    refused = client.post("/admin/mail", data=dict(form, csrf_token=csrf_token(client)))
    assert refused.status_code == 422
    page = refused.get_data(as_text=True)
    assert (
        "không phải tên hoặc địa chỉ máy chủ" in page and "phải là số nguyên từ 1 đến 65535" in page
    )
    english = client.post(
        "/admin/mail?lang=en", data=dict(form, csrf_token=csrf_token(client))
    ).get_data(as_text=True)
    assert "not a host name or address" in english
