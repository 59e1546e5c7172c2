"""Officers' sessions held on the server: the cookie carries only a random session id.

Logging out deletes the row, disabling an account or resetting its password deletes all of
its rows, so a cookie copied earlier (or one signed with a stolen key) opens nothing. Only a
hash of each id is stored: a copy of the database opens no session either.
"""

from __future__ import annotations

import hashlib
import secrets
from datetime import datetime, timedelta, timezone

from collector.formats.timefmt import now_stored, to_stored

SESSION_HOURS = 12


def _hash(session_id):
    return hashlib.sha256(str(session_id).encode("utf-8", "replace")).hexdigest()


def _oldest_live():
    return to_stored(datetime.now(timezone.utc) - timedelta(hours=SESSION_HOURS))


def start(db, username):
    """A new session id for `username`, expired sessions forgotten (the caller commits)."""
    session_id = secrets.token_urlsafe(32)
    db.execute("DELETE FROM sessions WHERE started_at <= ?", [_oldest_live()])
    db.execute(
        "INSERT INTO sessions (id_hash, username, started_at) VALUES (?, ?, ?)",
        [_hash(session_id), username, now_stored()],
    )
    return session_id


def username_of(db, session_id):
    """The username of a live session, or None (unknown, ended, or older than 12 hours)."""
    if not session_id:
        return None
    row = db.execute(
        "SELECT username FROM sessions WHERE id_hash = ? AND started_at > ?",
        [_hash(session_id), _oldest_live()],
    ).fetchone()
    return row[0] if row else None


def end(db, session_id):
    """Forget one session (the caller commits)."""
    db.execute("DELETE FROM sessions WHERE id_hash = ?", [_hash(session_id)])


def end_all(db, username):
    """Forget every session of `username` (the caller commits)."""
    db.execute("DELETE FROM sessions WHERE username = ?", [username])
