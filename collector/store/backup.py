"""A copy of the whole province (one SQLite file) taken while the collector runs, and putting
one back.

The copy is SQLite's online backup (`sqlite3.Connection.backup`) in one step: it reads the
database inside one read transaction, so it holds one consistent moment (every report
acknowledged by then, the kept figures as they were with them) while agents keep writing
under WAL. Copying the file with `cp` during a write could catch half a transaction.
"""

from __future__ import annotations

import os
import sqlite3
from datetime import datetime, timezone
from pathlib import Path

from collector.store.db import BUSY_TIMEOUT_MS
from collector.store.keyfile import make_private

SQLITE_HEADER = b"SQLite format 3\x00"
# What makes a file an avroll database rather than any SQLite file.
AVROLL_TABLES = ("_sqlite_migrations", "machines", "reports", "units", "audit_log")


class BackupError(Exception):
    """A backup or a restore that could not be done; the message says why."""


def _connect(path):
    connection = sqlite3.connect(path, timeout=BUSY_TIMEOUT_MS / 1000)
    connection.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
    return connection


def _private_new_file(path):
    """An empty file of mode 0600 at `path` (an older one replaced): the copy holds password
    hashes and every PC's report, as the database does."""
    path.unlink(missing_ok=True)
    os.close(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600))


def _copy(source_path, target_path):
    """SQLite's backup of `source_path` into `target_path`, in one step (one moment)."""
    source, target = _connect(source_path), _connect(target_path)
    try:
        source.backup(target)
    except sqlite3.Error as exc:
        raise BackupError(f"the copy failed: {exc}") from None
    finally:
        source.close()
        target.close()


def summary(path):
    """What a database holds, to print: `{machines, reports, units, last_report}`."""
    connection = sqlite3.connect(f"file:{Path(path).resolve()}?mode=ro", uri=True)
    try:
        count = {
            table: connection.execute(f"SELECT count(*) FROM {table}").fetchone()[0]  # noqa: S608
            for table in ("machines", "reports", "units")
        }
        count["last_report"] = connection.execute(
            "SELECT max(observed_at) FROM reports"
        ).fetchone()[0]
        return count
    finally:
        connection.close()


def backup(db_path, out_path):
    """Copy the database at `db_path` to `out_path` (0600, a single file without a WAL),
    consistent as of one moment, while the collector may be writing; returns `summary()`."""
    db_path, out_path = Path(db_path), Path(out_path)
    if not db_path.exists():
        raise BackupError(f"there is no database at {db_path}")
    if out_path.resolve() == db_path.resolve():
        raise BackupError("the backup cannot replace the database itself")
    partial = out_path.with_name(out_path.name + ".part")
    _private_new_file(partial)
    try:
        _copy(db_path, partial)
        copy = sqlite3.connect(partial)
        try:
            copy.execute("PRAGMA journal_mode = DELETE")  # one self-contained file
            checked = copy.execute("PRAGMA quick_check").fetchone()[0]
        finally:
            copy.close()
        if checked != "ok":
            raise BackupError(f"the copy does not check out: {checked}")
        os.replace(partial, out_path)
    finally:
        partial.unlink(missing_ok=True)
    return summary(out_path)


def check_backup(path):
    """Refuse (BackupError) a file that is not a sound avroll database."""
    path = Path(path)
    try:
        with path.open("rb") as handle:
            header = handle.read(len(SQLITE_HEADER))
    except OSError as exc:
        raise BackupError(f"cannot read {path}: {exc.strerror}") from None
    if header != SQLITE_HEADER:
        raise BackupError(f"{path} is not a SQLite database")
    connection = sqlite3.connect(f"file:{path.resolve()}?mode=ro", uri=True)
    try:
        tables = {
            name
            for (name,) in connection.execute("SELECT name FROM sqlite_master WHERE type = 'table'")
        }
        missing = [table for table in AVROLL_TABLES if table not in tables]
        if missing:
            raise BackupError(f"{path} is not an avroll database (no {', '.join(missing)})")
        checked = connection.execute("PRAGMA quick_check").fetchone()[0]
    except sqlite3.DatabaseError as exc:
        raise BackupError(f"{path} cannot be read: {exc}") from None
    finally:
        connection.close()
    if checked != "ok":
        raise BackupError(f"{path} is damaged: {checked}")


def restore(backup_path, db_path):
    """Put the backup at `backup_path` in place of the database at `db_path`. The database
    it replaces is first backed up beside it (`.before-restore-YYYYmmddTHHMMSSZ`), whose
    path is returned (None when there was none). Written through SQLite, so a process that
    has the database open sees either the old or the restored one, never a mix."""
    backup_path, db_path = Path(backup_path), Path(db_path)
    check_backup(backup_path)
    if db_path.exists() and backup_path.resolve() == db_path.resolve():
        raise BackupError("the backup is the database itself")
    kept = None
    if db_path.exists():
        stamp = datetime.now(timezone.utc).strftime("%Y%m%dT%H%M%SZ")
        kept = db_path.with_name(f"{db_path.name}.before-restore-{stamp}")
        backup(db_path, kept)
    else:
        db_path.parent.mkdir(parents=True, exist_ok=True)
        _private_new_file(db_path)
    _copy(backup_path, db_path)
    connection = _connect(db_path)
    try:
        connection.execute("PRAGMA journal_mode = WAL")
    finally:
        connection.close()
    for suffix in ("", "-wal", "-shm"):
        companion = Path(str(db_path) + suffix)
        if companion.exists():
            make_private(companion)
    return kept
