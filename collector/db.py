"""The embedded SQLite database: where it lives, how it is opened, one handle per request."""

from __future__ import annotations

import contextlib
import os
import sys
from pathlib import Path

import sqlite_utils
from flask import current_app, g

BUSY_TIMEOUT_MS = 10_000


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
    """Open (creating if needed) the database in WAL mode, so pages read while agents write."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    db = sqlite_utils.Database(path)
    db.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
    db.execute("PRAGMA foreign_keys = ON")
    db.execute("PRAGMA synchronous = NORMAL")  # safe with WAL: a crash loses no commit
    if db.journal_mode != "wal":
        db.enable_wal()
    return db


def get_db():
    """This request's database handle, opened on first use."""
    if "db" not in g:
        g.db = open_db(current_app.config["DATABASE"])
    return g.db


def close_db(_exc=None):
    db = g.pop("db", None)
    if db is not None:
        db.close()


@contextlib.contextmanager
def write_transaction(db):
    """BEGIN IMMEDIATE … COMMIT: take the write lock up front, so writers queue, not fail."""
    db.execute("BEGIN IMMEDIATE")
    try:
        yield db
    except BaseException:
        db.conn.rollback()
        raise
    db.conn.commit()
