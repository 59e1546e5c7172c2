"""What `make run` relies on: it stops waiting when the server ends, and it enrolls this
machine with a one-time token that is revoked at once (later runs need none)."""

from __future__ import annotations

import subprocess
import sys
import time

from collector.cli.enroll_here import send_report
from collector.cli.wait_ready import wait_ready
from collector.store.db import open_db
from collector.store.enrollment import list_tokens
from tests.e2e.conftest import free_port


def test_waiting_stops_as_soon_as_the_server_has_ended():
    ended = subprocess.Popen([sys.executable, "-c", "raise SystemExit(1)"])
    time.sleep(0.5)  # ended, not reaped: what the shell of `make run` sees
    start = time.monotonic()
    assert wait_ready(f"http://127.0.0.1:{free_port()}", seconds=30, pid=ended.pid) is False
    assert time.monotonic() - start < 5
    ended.wait()


def test_make_run_leaves_no_unused_token(collector, tmp_path):
    state = tmp_path / "agent-state-make-run"
    db = open_db(collector.db_path)
    before = len(list_tokens(db))
    assert send_report(collector.url, collector.db_path, state) == 0
    assert (state / "credential").exists()
    made = list_tokens(db)[before:]
    assert len(made) == 1 and made[0]["revoked_at"] and made[0]["enrolled_count"] == 1
    assert send_report(collector.url, collector.db_path, state) == 0
    assert len(list_tokens(db)) == before + 1  # the second run needed no token
    assert db.execute("SELECT count(*) FROM reports").fetchone()[0] == 2
