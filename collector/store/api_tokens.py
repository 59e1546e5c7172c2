"""Read tokens: bearer tokens for scripts and other collectors that read `GET /api/v1/*`.

A token has a role (`viewer`: every unit; `unit`: one unit and the units under it) and a
last day. Like enrollment tokens it is 256 random bits, shown once and kept as its SHA-256;
creating and revoking one is written to the audit log, and its last day of use is kept so
an admin sees which tokens still serve. It never opens a page and never writes: the web
guard (`web/access.py`) refuses it anywhere but `GET /api/v1/*`.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import date

from collector.formats.timefmt import now_stored
from collector.store import audit
from collector.store.db import write_transaction
from collector.store.enrollment import secret_hash
from collector.store.lifecycle import today
from collector.store.users import check_unit_code

READ_TOKEN_PREFIX = "avrr_"
ROLES = ("viewer", "unit")
LONGEST_LIFE_DAYS = 5 * 366


class BadReadToken(ValueError):
    """A read token asked with a role, unit or last day the collector does not accept."""


class UnknownReadToken(LookupError):
    """No read token has this id."""


@dataclass(frozen=True)
class Reader:
    """Who a valid read token speaks for: shaped like an officer for the scope checks."""

    token_id: int
    role: str
    unit_code: str | None

    def as_user(self):
        """The `users`-like row the access checks read (`role`, `unit_code`, `username`)."""
        return {
            "username": f"api-token:{self.token_id}",
            "role": self.role,
            "unit_code": self.unit_code,
            "disabled": 0,
            "auth_version": None,
        }


def is_read_token(secret):
    """True when a bearer secret is spelt as a read token (whether or not it is valid)."""
    return bool(secret) and secret.startswith(READ_TOKEN_PREFIX)


def _last_day(text):
    try:
        day = date.fromisoformat(str(text).strip())
    except ValueError:
        raise BadReadToken(f"expiry '{text}' is not a date YYYY-MM-DD") from None
    if day < today():
        raise BadReadToken(f"expiry {day.isoformat()} has already passed")
    if (day - today()).days > LONGEST_LIFE_DAYS:
        raise BadReadToken("a read token lives at most five years")
    return day.isoformat()


def create(db, actor, role, expires, unit_code=None, note=None):
    """A new read token (returned once, kept as a hash) and its id."""
    if role not in ROLES:
        raise BadReadToken("the role of a read token is viewer or unit")
    if role == "unit":
        if not unit_code:
            raise BadReadToken("a unit token needs --unit CODE")
        unit_code = check_unit_code(db, unit_code)
    elif unit_code:
        raise BadReadToken("only a unit token (--role unit) is bound to a unit")
    last_day = _last_day(expires)
    token = READ_TOKEN_PREFIX + secrets.token_urlsafe(32)
    with write_transaction(db):
        token_id = db.execute(
            "INSERT INTO api_tokens (token_hash, role, unit_code, note, expires_on, "
            "created_at, created_by) VALUES (?, ?, ?, ?, ?, ?, ?)",
            [secret_hash(token), role, unit_code, note, last_day, now_stored(), actor],
        ).lastrowid
        audit.record(
            db,
            actor,
            "api_tokens.create",
            {
                "token_id": token_id,
                "role": role,
                "unit_code": unit_code,
                "expires": last_day,
                "note": note,
            },
        )
    return token_id, token


def listed(db):
    """Every read token, never the secret: id, role, unit, last day, use, state."""
    return list(
        db.query(
            "SELECT token_id, role, unit_code, note, expires_on, created_at, created_by, "
            "last_used_on, revoked_at FROM api_tokens ORDER BY token_id"
        )
    )


def revoke(db, actor, token_id):
    """Revoke a read token at once; False when it was revoked already."""
    with write_transaction(db):
        changed = db.execute(
            "UPDATE api_tokens SET revoked_at = ? WHERE token_id = ? AND revoked_at IS NULL",
            [now_stored(), token_id],
        ).rowcount
        if (
            not changed
            and db.execute("SELECT 1 FROM api_tokens WHERE token_id = ?", [token_id]).fetchone()
            is None
        ):
            raise UnknownReadToken(token_id)
        if changed:
            audit.record(db, actor, "api_tokens.revoke", {"token_id": token_id})
    return bool(changed)


def reader(db, secret):
    """The reader a valid read token speaks for (not revoked, not past its last day, its
    unit still there), or None. Marks the token used today, once a day."""
    if not is_read_token(secret):
        return None
    row = db.execute(
        "SELECT token_id, role, unit_code, expires_on, last_used_on "
        "FROM api_tokens WHERE token_hash = ? AND revoked_at IS NULL",
        [secret_hash(secret)],
    ).fetchone()
    day = today().isoformat()
    if row is None or row[3] < day:
        return None
    if (
        row[2] is not None
        and db.execute("SELECT 1 FROM units WHERE upper(code) = upper(?)", [row[2]]).fetchone()
        is None
    ):
        return None
    if row[4] != day:
        with write_transaction(db):
            db.execute("UPDATE api_tokens SET last_used_on = ? WHERE token_id = ?", [day, row[0]])
    return Reader(token_id=row[0], role=row[1], unit_code=row[2])
