"""A real collector process on 127.0.0.1 and a free port, for end-to-end tests."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
from contextlib import contextmanager
from pathlib import Path
from typing import NamedTuple

import pytest
import requests

from collector.cli.wait_ready import wait_ready

BIN = Path(sys.executable).parent
ADMIN = ("admin", "e2e-admin-password")


class Collector(NamedTuple):
    """A running collector: its URL, its database, and an enrollment token for agents."""

    url: str
    db_path: Path
    token: str


def free_port():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def command(name):
    """A console script of this environment (the installed `avroll`, `avroll-agent`)."""
    found = shutil.which(name, path=str(BIN)) or shutil.which(name)
    assert found, f"{name} is not installed: run `make install`"
    return found


def avroll(env, *args, stdin=None):
    """Run an `avroll` admin command; its stdout."""
    return subprocess.run(
        [command("avroll"), *args],
        env=env,
        input=stdin,
        text=True,
        capture_output=True,
        check=True,
        timeout=60,
    ).stdout


def logged_in(url):
    """A requests session logged in as the e2e admin through the real form."""
    browser = requests.Session()
    form = browser.get(url + "/login", timeout=10).text
    token = form.split('name="csrf_token" value="', 1)[1].split('"', 1)[0]
    answer = browser.post(
        url + "/login",
        timeout=10,
        allow_redirects=False,
        data={"username": ADMIN[0], "password": ADMIN[1], "csrf_token": token},
    )
    assert answer.status_code == 302, answer.text
    return browser


@contextmanager
def serving(env, port):
    """Run `avroll serve` on 127.0.0.1:`port` with `env` until the block ends; its URL."""
    process = subprocess.Popen(
        [command("avroll"), "serve", "--host", "127.0.0.1", "--port", str(port)],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        if not wait_ready(url, seconds=30):
            process.kill()
            pytest.fail("collector did not start:\n" + process.communicate()[0])
        yield url
    finally:
        process.terminate()
        process.wait(timeout=10)


@pytest.fixture
def collector(tmp_path):
    """Start `avroll serve` (with an admin and an enrollment token made by the real CLI);
    yield its URL, database path and token; stop it afterwards."""
    port = free_port()
    db_path = tmp_path / "collector.db"
    env = dict(os.environ, AVROLL_DB=str(db_path))
    avroll(env, "users", "add", ADMIN[0], "--role", "admin", stdin=ADMIN[1] + "\n")
    token = avroll(env, "tokens", "create", "--note", "e2e").strip()
    with serving(env, port) as url:
        yield Collector(url, db_path, token)
