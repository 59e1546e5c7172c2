"""A real collector process on 127.0.0.1 and a free port, for end-to-end tests."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
from pathlib import Path

import pytest

from collector.wait_ready import wait_ready

BIN = Path(sys.executable).parent


def free_port():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def command(name):
    """A console script of this environment (the installed `avroll`, `avroll-agent`)."""
    found = shutil.which(name, path=str(BIN)) or shutil.which(name)
    assert found, f"{name} is not installed: run `make install`"
    return found


@pytest.fixture
def collector(tmp_path):
    """Start `avroll serve`; yield its URL and database path; stop it afterwards."""
    port = free_port()
    db_path = tmp_path / "collector.db"
    env = dict(os.environ, AVROLL_DB=str(db_path))
    process = subprocess.Popen(
        [command("avroll"), "serve", "--host", "127.0.0.1", "--port", str(port)],
        env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    url = f"http://127.0.0.1:{port}"
    try:
        if not wait_ready(url, seconds=30):
            process.kill()
            pytest.fail("collector did not start:\n" + process.communicate()[0])
        yield url, db_path
    finally:
        process.terminate()
        process.wait(timeout=10)
