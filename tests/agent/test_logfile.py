"""The agent's log rotates, stays small and never shows the token."""

from __future__ import annotations

import logging
import os

from agent.logfile import MAX_LOG_BYTES, start_logging


def test_log_rotates_and_redacts_the_token(tmp_path):
    path = start_logging(str(tmp_path), ["s3cret-token"])
    log = logging.getLogger("avroll")
    for n in range(12000):
        log.warning("attempt %d with Bearer %s failed", n, "s3cret-token")
    for handler in log.handlers:
        handler.flush()
    files = sorted(name for name in os.listdir(tmp_path) if name.startswith("agent.log"))
    assert files == ["agent.log", "agent.log.1", "agent.log.2"]
    assert all(os.path.getsize(tmp_path / name) <= MAX_LOG_BYTES for name in files)
    text = open(path, encoding="utf-8").read()
    assert "Bearer ***" in text and "s3cret-token" not in text
    for handler in list(log.handlers):
        log.removeHandler(handler)
        handler.close()
