"""The key that signs session cookies, in its own private file beside the database.

It is not in the database, so a copy of the database (a backup) does not hold it; a backup
restored without it gets a new key, which only ends open sessions. Sessions are held on the
server besides (`server_sessions`), so even the key alone forges none.
"""

from __future__ import annotations

import os
import secrets
import tempfile
from pathlib import Path

KEY_SUFFIX = ".session-key"


def key_path(db_path):
    return Path(str(db_path) + KEY_SUFFIX)


def make_private(path):
    """Readable and writable by the owner only (POSIX; on Windows the folder's ACL rules)."""
    if os.name == "posix" and os.stat(path).st_mode & 0o077:
        os.chmod(path, 0o600)


def write_private(path, data):
    """Write `data` (bytes) to `path`, readable by the owner only from its first byte: an
    export names every PC and officer of a province, and is not the world's to read."""
    handle = os.open(
        path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC | getattr(os, "O_BINARY", 0), 0o600
    )
    with os.fdopen(handle, "wb") as out:
        make_private(path)  # a file that was there before keeps its mode through O_CREAT
        out.write(data)


def session_key(db_path):
    """The key in the file beside `db_path`, made (0600, in one step) when there is none."""
    path = key_path(db_path)
    if not path.exists():
        handle, temporary = tempfile.mkstemp(prefix=".session-key-", dir=path.parent)
        try:
            with os.fdopen(handle, "w", encoding="ascii") as out:  # mkstemp makes it 0600
                out.write(secrets.token_hex(32) + "\n")
            try:
                os.link(temporary, path)  # never replaces a key another process just made
            except FileExistsError:
                pass
        finally:
            os.unlink(temporary)
    make_private(path)
    return path.read_text(encoding="ascii").strip()
