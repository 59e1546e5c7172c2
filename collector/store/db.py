"""The embedded SQLite database: where it lives, how it is opened, one handle per request."""

from __future__ import annotations

import contextlib
import os
import sqlite3
import sys
import threading
from pathlib import Path

import sqlite_utils
from flask import current_app

from collector.store.keyfile import make_private

BUSY_TIMEOUT_MS = 10_000
BUSY_CODES = (5, 6)  # SQLITE_BUSY, SQLITE_LOCKED (extended codes keep them in the low byte)


def default_path():
    """`./avroll.db` when it exists, else a file in the user's data directory."""
    here = Path("avroll.db")
    if here.exists():
        return here
    if sys.platform == "win32":
        base = Path(os.environ.get("LOCALAPPDATA") or Path.home() / "AppData" / "Local")
    else:
        base = Path(os.environ.get("XDG_DATA_HOME") or Path.home() / ".local" / "share")
    return base / "avroll" / "avroll.db"


def resolve_path(path=None):
    """The database path from the argument, then AVROLL_DB, then `default_path()`."""
    return Path(path or os.environ.get("AVROLL_DB") or default_path())


def open_db(path):
    """Open (creating if needed) the database in WAL mode, so pages read while agents write.

    The file is private (0600): it holds officers' password hashes and every PC's report.
    SQLite gives its -wal and -shm files the database file's mode; older files are tightened."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    if not path.exists():
        os.close(os.open(path, os.O_WRONLY | os.O_CREAT, 0o600))
    db = sqlite_utils.Database(path, execute_plugins=False)
    db.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
    db.execute("PRAGMA foreign_keys = ON")
    # The kept figures count a day through temporary tables: in memory, not in files.
    db.execute("PRAGMA temp_store = MEMORY")
    db.execute("PRAGMA synchronous = NORMAL")  # safe with WAL: a crash loses no commit
    if db.journal_mode != "wal":
        db.enable_wal()
    for suffix in ("", "-wal", "-shm"):
        companion = Path(str(path) + suffix)
        if companion.exists():
            make_private(companion)
    return db


def get_db():
    """This thread's database handle for the current app, opened once and then reused.

    The server's threads live as long as the app, so one connection per thread saves
    opening SQLite (and reading its schema) on every request.
    """
    local = current_app.extensions.setdefault("avroll_db", threading.local())
    if getattr(local, "db", None) is None:
        local.db = open_db(current_app.config["DATABASE"])
    return local.db


def end_request(_exc=None):
    """Never let a request leave a transaction open on a reused connection."""
    local = current_app.extensions.get("avroll_db")
    db = getattr(local, "db", None)
    if db is not None and db.conn.in_transaction:
        db.conn.rollback()


@contextlib.contextmanager
def write_transaction(db):
    """BEGIN IMMEDIATE … COMMIT: take the write lock up front, so writers queue, not fail.
    Inside a transaction already open, a savepoint: the work commits with the outer one."""
    if db.conn.in_transaction:
        db.execute("SAVEPOINT nested")
        try:
            yield db
        except BaseException:
            db.execute("ROLLBACK TO nested")
            db.execute("RELEASE nested")
            raise
        db.execute("RELEASE nested")
        return
    begin_immediate(db)
    try:
        yield db
    except BaseException:
        db.conn.rollback()
        raise
    db.conn.commit()


def begin_immediate(db):
    """BEGIN IMMEDIATE, however long another connection (`figures rebuild`, a backup, the
    writer's batch) holds the write lock: the busy timeout is one wait, not the end, so no
    client is ever answered "database is locked". In WAL mode the write lock, once held, is
    all a write needs: nothing after this waits for another connection."""
    while True:
        try:
            db.execute("BEGIN IMMEDIATE")
            return
        except sqlite3.OperationalError as exc:
            if not _busy(exc):
                raise


def _busy(exc):
    """Another connection holds the lock (Python before 3.11 gives only the message)."""
    code = getattr(exc, "sqlite_errorcode", None)
    if code is None:
        return "database is locked" in str(exc)
    return code & 0xFF in BUSY_CODES
