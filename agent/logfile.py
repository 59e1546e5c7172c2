"""The agent's log: a small rotating file in the state folder that never holds a secret."""

from __future__ import annotations

import logging
import os
from logging.handlers import RotatingFileHandler

LOG_FILENAME = "agent.log"
MAX_LOG_BYTES = 256 * 1024  # three files of 256 KiB at most
LOG_BACKUPS = 2


class PrivateRotatingFileHandler(RotatingFileHandler):
    """A rotating log readable by its owner only (0600 on POSIX; on Windows the state
    folder's ACL protects it): it names the collector, this PC and what went wrong. Each new
    file after a rotation is created private too, and an older agent's 0644 log is made so."""

    def _open(self):
        # O_BINARY: else Windows' C runtime would turn the "\r\n" Python writes into "\r\r\n"
        flags = os.O_WRONLY | os.O_CREAT | os.O_APPEND | getattr(os, "O_BINARY", 0)
        descriptor = os.open(self.baseFilename, flags, 0o600)
        if hasattr(os, "fchmod"):
            try:
                os.fchmod(descriptor, 0o600)
            except OSError:  # another user's file: still written, as before
                pass
        return open(
            descriptor, self.mode, encoding=self.encoding, errors=getattr(self, "errors", None)
        )


class RedactSecrets(logging.Filter):
    """Replace the token or credential wherever it would appear in a log line."""

    def __init__(self, secrets):
        super().__init__()
        self.secrets = [secret for secret in secrets if secret]

    def filter(self, record):
        message = record.getMessage()
        for secret in self.secrets:
            message = message.replace(secret, "***")
        record.msg, record.args = message, None
        return True


def start_logging(state_dir, secrets, verbose=False):
    """Log to `state_dir`/agent.log (and stderr if `verbose`); return the log path or None."""
    logger = logging.getLogger("avroll")
    logger.setLevel(logging.INFO)
    for handler in list(logger.handlers):
        logger.removeHandler(handler)
        handler.close()
    handlers, path = [], os.path.join(state_dir, LOG_FILENAME)
    try:
        os.makedirs(state_dir, exist_ok=True)
        handlers.append(
            PrivateRotatingFileHandler(
                path, maxBytes=MAX_LOG_BYTES, backupCount=LOG_BACKUPS, encoding="utf-8"
            )
        )
    except OSError:
        path = None  # a user without rights on the state folder: the command's last line says why
    if verbose:
        handlers.append(logging.StreamHandler())
    if not handlers:  # else logging's last resort would print warnings on stderr
        handlers.append(logging.NullHandler())
    for handler in handlers:
        handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(message)s"))
        handler.addFilter(RedactSecrets(secrets))
        logger.addHandler(handler)
    logger.propagate = False
    return path
