"""Reminders by e-mail, what is stored of them: the SMTP settings (the password among them,
never shown back, never logged, never audited) and the log of every sending."""

from __future__ import annotations

import base64
import re

from collector.formats.timefmt import now_stored
from collector.store import audit
from collector.store.db import write_transaction
from collector.store.paging import MAX_PAGE, PER_PAGE_DEFAULT, Page
from collector.store.units import EMAIL

SECURITY = ("starttls", "tls", "none")
FIELDS = ("host", "port", "security", "username", "sender", "sender_name")
DEFAULTS = {
    "host": "",
    "port": "587",
    "security": "starttls",
    "username": "",
    "sender": "",
    "sender_name": "",
}
HOST = re.compile(r"[A-Za-z0-9.-]{1,253}|\[[0-9A-Fa-f:.]{2,45}\]")
ERROR_MAX = 500
# A test send's subject begins so: it went to an officer, not to the unit it shows.
TEST_MARK = "[Thư thử] "


class MailSettingError(ValueError):
    """SMTP settings were refused: `errors` maps each field to what is wrong."""

    def __init__(self, errors):
        super().__init__("; ".join(f"{key}: {text}" for key, text in errors.items()))
        self.errors = errors


def _stored(db):
    return dict(db.execute("SELECT key, value FROM mail_settings").fetchall())


def current(db):
    """The SMTP settings as they may be shown: every field but the password, and
    `password_set`; `ready` when a host and a sender are known."""
    stored = _stored(db)
    found = {key: stored.get(key, DEFAULTS[key]) for key in FIELDS}
    found["port"] = int(found["port"])
    found["password_set"] = bool(stored.get("password"))
    found["ready"] = bool(found["host"] and found["sender"])
    return found


def smtp_password(db):
    """The password, for the one place that logs in to the server with it."""
    return _stored(db).get("password") or None


def _checked(fields):
    errors, clean = {}, {}
    host = (fields.get("host") or "").strip()
    if host and not HOST.fullmatch(host):
        errors["host"] = "not a host name or address"
    clean["host"] = host
    try:
        port = int(str(fields.get("port") or DEFAULTS["port"]).strip())
        if not 1 <= port <= 65535:
            raise ValueError
        clean["port"] = str(port)
    except ValueError:
        errors["port"] = "must be a whole number from 1 to 65535"
    security = (fields.get("security") or DEFAULTS["security"]).strip().lower()
    if security not in SECURITY:
        errors["security"] = f"one of {', '.join(SECURITY)}"
    clean["security"] = security
    username = (fields.get("username") or "").strip()
    if len(username) > 254 or not username.isprintable():
        errors["username"] = "at most 254 printable characters"
    clean["username"] = username
    sender = (fields.get("sender") or "").strip()
    if sender and not EMAIL.fullmatch(sender):
        errors["sender"] = "not an e-mail address"
    clean["sender"] = sender
    # The name shown beside the address ("Sở Thông tin và Truyền thông"); one line.
    sender_name = " ".join(str(fields.get("sender_name") or "").split())
    if len(sender_name) > 120 or not sender_name.isprintable():
        errors["sender_name"] = "at most 120 printable characters"
    clean["sender_name"] = sender_name
    if errors:
        raise MailSettingError(errors)
    return clean


def save(db, fields, actor, password=None, clear_password=False):
    """Check and store the SMTP settings (all or none). `password`: a new one (None keeps
    the stored one); `clear_password` forgets it. The audit log says whether the password
    changed, never what it is."""
    clean = _checked(fields)
    if password is not None and (len(password) > 1000 or "\n" in password or "\r" in password):
        raise MailSettingError({"password": "at most 1000 characters on one line"})
    with write_transaction(db):
        for key, value in clean.items():
            db.execute(
                "INSERT INTO mail_settings (key, value) VALUES (?, ?) "
                "ON CONFLICT (key) DO UPDATE SET value = excluded.value",
                [key, value],
            )
        if clear_password:
            db.execute("DELETE FROM mail_settings WHERE key = 'password'")
        elif password:
            db.execute(
                "INSERT INTO mail_settings (key, value) VALUES ('password', ?) "
                "ON CONFLICT (key) DO UPDATE SET value = excluded.value",
                [password],
            )
        audit.record(
            db,
            actor,
            "mail.settings",
            dict(
                clean,
                password="cleared" if clear_password else "changed" if password else "unchanged",
            ),
        )
    return current(db)


def without_secret(text, secret, username=""):
    """An error message to store or show: the password cut out, as written and as the SMTP
    logins send it (base64, alone or in AUTH PLAIN's blob), the length bounded."""
    text = str(text)
    if secret:
        for form in (secret, *_sent_forms(secret, username)):
            text = text.replace(form, "***")
    return text[:ERROR_MAX]


def _sent_forms(secret, username):
    for raw in (secret, f"\0{username}\0{secret}", f"{username}\0{username}\0{secret}"):
        encoded = base64.b64encode(raw.encode()).decode("ascii")
        yield encoded
        yield encoded.rstrip("=")


def log_sending(db, actor, unit_code, recipient, subject, attachments, error=None):
    """Record one sending, sent (`error` None) or failed."""
    with write_transaction(db):
        db.execute(
            "INSERT INTO mail_log (at, actor, unit_code, recipient, subject, "
            "attachments, status, error) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            [
                now_stored(),
                actor,
                unit_code,
                recipient,
                subject,
                attachments,
                "failed" if error else "sent",
                error,
            ],
        )


def sent_since(db, actor, since):
    """Whether `actor` sent (or tried) any reminder at or after `since` (a stored time)."""
    return (
        db.execute(
            "SELECT 1 FROM mail_log WHERE actor = ? AND at >= ? LIMIT 1", [actor, since]
        ).fetchone()
        is not None
    )


def last_sent(db):
    """Each unit's last reminder sent to it (not a test send): `{unit_code: at}` (stored
    UTC time)."""
    return dict(
        db.execute(
            "SELECT unit_code, max(at) FROM mail_log WHERE status = 'sent' "
            "AND substr(subject, 1, ?) != ? GROUP BY unit_code",
            [len(TEST_MARK), TEST_MARK],
        ).fetchall()
    )


def recent_sendings(db, page=1, per_page=PER_PAGE_DEFAULT):
    """The log of sendings, newest first, one page."""
    page = min(max(1, page), MAX_PAGE)
    total = db.execute("SELECT count(*) FROM mail_log").fetchone()[0]
    rows = list(
        db.query(
            "SELECT * FROM mail_log ORDER BY id DESC LIMIT ? OFFSET ?",
            [per_page, (page - 1) * per_page],
        )
    )
    return Page(rows, total, page, per_page)
