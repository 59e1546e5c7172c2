"""The agent's log rotates, stays small and never shows the token."""

from __future__ import annotations

import logging
import os
import stat

import pytest

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


@pytest.mark.skipif(os.name != "posix", reason="Windows protects the state folder by its ACL")
def test_the_log_and_its_rotations_are_readable_by_their_owner_only(tmp_path):
    old_umask = os.umask(0o022)
    try:
        (tmp_path / "agent.log").write_text("from an older agent\n")
        os.chmod(tmp_path / "agent.log", 0o644)
        start_logging(str(tmp_path), [])
        log = logging.getLogger("avroll")
        for n in range(12000):
            log.warning("line %d of a log that rotates", n)
        for handler in list(log.handlers):
            log.removeHandler(handler)
            handler.close()
    finally:
        os.umask(old_umask)
    files = sorted(name for name in os.listdir(tmp_path) if name.startswith("agent.log"))
    assert files == ["agent.log", "agent.log.1", "agent.log.2"]
    assert {
        name: stat.S_IMODE(os.stat(tmp_path / name).st_mode) for name in files
    } == dict.fromkeys(files, 0o600)
