"""Officer accounts: roles, password hashes, and checking a login.

Passwords are hashed with werkzeug's scrypt (memory-hard, salted, reviewed as part of
Werkzeug, already installed with Flask): no extra dependency for the same protection as
argon2 at these volumes.
"""

from __future__ import annotations

import re
import secrets

from werkzeug.security import check_password_hash, generate_password_hash

from collector.formats.timefmt import now_stored
from collector.store import audit, server_sessions
from collector.store.db import write_transaction

ROLES = ("admin", "viewer", "unit")
USERNAME_PATTERN = re.compile(r"[a-z0-9][a-z0-9._-]{0,63}")
UNIT_CODE_PATTERN = re.compile(r"[A-Z0-9]{1,32}")
MIN_PASSWORD_LENGTH = 10
MAX_PASSWORD_LENGTH = 1024
FIRST_ADMIN = "admin"
# Checked when the username does not exist, so a login takes as long either way.
_DUMMY_HASH = generate_password_hash("avroll: no such user")


class AccountError(ValueError):
    """An account change that cannot be made as asked."""


def normalise_username(name):
    """Usernames are case-insensitive: stored and compared in lower case."""
    return (name or "").strip().lower()


def normalise_unit_code(code):
    return (code or "").strip().upper() or None


def check_password_rules(password):
    if len(password) < MIN_PASSWORD_LENGTH:
        raise AccountError(f"the password must have at least {MIN_PASSWORD_LENGTH} characters")
    if len(password) > MAX_PASSWORD_LENGTH:
        raise AccountError(f"the password must have at most {MAX_PASSWORD_LENGTH} characters")


def check_unit_code(db, code):
    """A unit code as stored (upper case); it must name a unit once the units table exists."""
    code = normalise_unit_code(code)
    if code is None or not UNIT_CODE_PATTERN.fullmatch(code):
        raise AccountError("a unit code is 1 to 32 letters or digits")
    if (
        db["units"].exists()
        and db.execute("SELECT 1 FROM units WHERE upper(code) = ?", [code]).fetchone() is None
    ):
        raise AccountError(f"there is no unit {code}")
    return code


def get_user(db, username):
    rows = list(db.query("SELECT * FROM users WHERE username = ?", [normalise_username(username)]))
    return rows[0] if rows else None


def list_users(db):
    return list(
        db.query(
            "SELECT username, role, unit_code, disabled, created_at FROM users ORDER BY username"
        )
    )


def add_user(db, actor, username, password, role, unit_code=None):
    """Create an officer account; unit officers are bound to a unit code."""
    username = normalise_username(username)
    if not USERNAME_PATTERN.fullmatch(username):
        raise AccountError("a username is 1 to 64 letters, digits, dots, hyphens or underscores")
    if role not in ROLES:
        raise AccountError("the role must be one of " + ", ".join(ROLES))
    if role == "unit":
        unit_code = check_unit_code(db, unit_code)
    elif unit_code:
        raise AccountError("only a unit officer (--role unit) is bound to a unit")
    check_password_rules(password)
    with write_transaction(db):
        if get_user(db, username) is not None:
            raise AccountError(f"user {username} already exists")
        db.execute(
            "INSERT INTO users (username, password_hash, role, unit_code, created_at) "
            "VALUES (?, ?, ?, ?, ?)",
            [username, generate_password_hash(password), role, unit_code, now_stored()],
        )
        audit.record(
            db, actor, "users.add", {"username": username, "role": role, "unit_code": unit_code}
        )


def _change(db, actor, username, action, update, params):
    """Run one UPDATE of the user (it must bump auth_version), end their sessions, audit it."""
    username = normalise_username(username)
    with write_transaction(db):
        changed = db.execute(update, [*params, username]).rowcount
        if not changed:
            raise AccountError(f"there is no user {username}")
        server_sessions.end_all(db, username)
        audit.record(db, actor, action, {"username": username})


def set_disabled(db, actor, username, disabled):
    """Disable (or enable again) an account; a disabled account's sessions end at once."""
    _change(
        db,
        actor,
        username,
        "users.disable" if disabled else "users.enable",
        "UPDATE users SET disabled = ?, auth_version = auth_version + 1 WHERE username = ?",
        [int(disabled)],
    )


def reset_password(db, actor, username, password):
    """Set a new password; the account's open sessions end."""
    check_password_rules(password)
    _change(
        db,
        actor,
        username,
        "users.reset_password",
        "UPDATE users SET password_hash = ?, auth_version = auth_version + 1 WHERE username = ?",
        [generate_password_hash(password)],
    )


def authenticate(db, username, password):
    """The enabled user with this username and password, or None."""
    user = get_user(db, username) if len(password) <= MAX_PASSWORD_LENGTH else None
    if user is None:
        check_password_hash(_DUMMY_HASH, password[:MAX_PASSWORD_LENGTH])
        return None
    if not check_password_hash(user["password_hash"], password) or user["disabled"]:
        return None
    return user


def has_admin(db):
    return (
        db.execute("SELECT 1 FROM users WHERE role = 'admin' AND disabled = 0").fetchone()
        is not None
    )


def create_first_admin(db):
    """On a database without an enabled admin, create one with a random password; return it."""
    password = secrets.token_urlsafe(12)
    add_user(db, audit.cli_actor(), FIRST_ADMIN, password, "admin")
    return password
