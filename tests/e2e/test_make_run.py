"""What `make run` relies on: it stops waiting when the server ends, and it enrolls this
machine with a one-time token that is revoked at once (later runs need none)."""

from __future__ import annotations

import socket
import subprocess
import sys
import time
from pathlib import Path

from collector.cli.enroll_here import send_report
from collector.cli.wait_ready import wait_ready
from collector.store.db import open_db
from collector.store.enrollment import list_tokens
from tests.e2e.conftest import command, free_port


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


def test_a_second_make_run_says_the_port_is_taken_and_stops(tmp_path):
    root = Path(__file__).resolve().parents[2]
    port = free_port()
    with socket.socket() as first:  # the collector of the first `make run`
        first.bind(("127.0.0.1", port))
        first.listen()
        second = subprocess.run(
            [
                "make",
                "--no-print-directory",
                "-C",
                str(root),
                "run",
                f"PORT={port}",
                f"DB={tmp_path / 'second.db'}",
                f"AGENT_STATE={tmp_path / 'agent'}",
            ],
            capture_output=True,
            text=True,
            timeout=120,
        )
        served = subprocess.run(
            [command("avroll"), "serve", "--port", str(port), "--db", str(tmp_path / "x.db")],
            capture_output=True,
            text=True,
            timeout=60,
        )
    assert second.returncode != 0
    assert f"port {port} on 127.0.0.1 is taken" in second.stderr
    assert "avroll is running" not in second.stdout and "Traceback" not in second.stderr
    assert not (tmp_path / "second.db").exists()  # stopped before anything else
    assert served.returncode == 1 and "is taken" in served.stderr
    assert "Traceback" not in served.stderr
