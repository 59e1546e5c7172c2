"""Never lose a report: the real agent against a real collector that is down, failing or hanging."""

from __future__ import annotations

import json
import os
import shutil
import sqlite3
import subprocess
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from tests.e2e.conftest import avroll, command, free_port

pytestmark = pytest.mark.e2e


def agent(*args, time_limit=4):
    """Run `avroll-agent send` (or another command) with a short time limit."""
    extra = ["--timeout", "2", "--time-limit", str(time_limit)] if args[0] == "send" else []
    return subprocess.run(
        [command("avroll-agent"), *args, *extra], capture_output=True, text=True, timeout=120
    )


def spooled(state_dir):
    folder = state_dir / "spool"
    return sorted(folder.glob("*.json")) if folder.exists() else []


def stored_report_ids(db_path):
    with sqlite3.connect(db_path) as db:
        return [row[0] for row in db.execute("SELECT report_id FROM reports")]


def test_down_then_up_delivers_each_report_exactly_once(collector, agent_dirs, monkeypatch):
    url, db_path, token = collector
    monkeypatch.setenv("AVROLL_TOKEN", token)
    down = agent("send", "--server", f"http://127.0.0.1:{free_port()}")
    assert down.returncode == 1
    assert "spooled (1 waiting" in down.stderr and len(down.stderr.splitlines()) == 1
    [waiting] = spooled(agent_dirs)
    first_id = json.loads(waiting.read_text(encoding="utf-8"))["report_id"]
    kept = agent_dirs / "kept.json"
    shutil.copy(waiting, kept)

    up = agent("send", "--server", url)
    assert up.returncode == 0, up.stderr
    assert "with 1 spooled earlier" in up.stdout
    assert spooled(agent_dirs) == []
    ids = stored_report_ids(db_path)
    assert len(ids) == 2 and ids.count(first_id) == 1

    # a crash after delivery but before the spool file was removed: the resend counts once
    shutil.copy(kept, agent_dirs / "spool" / waiting.name)
    again = agent("send", "--server", url)
    assert again.returncode == 0, again.stderr
    ids = stored_report_ids(db_path)
    assert len(ids) == 3 and ids.count(first_id) == 1
    assert spooled(agent_dirs) == []

    status = agent("status", "--server", url)
    assert "spooled reports:  0 waiting" in status.stdout
    assert f"to {url}" in status.stdout


def test_corrupt_spool_file_is_set_aside_and_the_run_goes_on(collector, agent_dirs, monkeypatch):
    url, db_path, token = collector
    monkeypatch.setenv("AVROLL_TOKEN", token)
    (agent_dirs / "spool").mkdir(parents=True)
    corrupt = agent_dirs / "spool" / "00000000000000000001-cut.json"
    corrupt.write_text('{"schema_version": 1, "report_id": "ab', encoding="utf-8")
    sent = agent("send", "--server", url)
    assert sent.returncode == 0, sent.stderr
    assert len(stored_report_ids(db_path)) == 1
    assert (agent_dirs / "set-aside" / corrupt.name).exists()
    assert "not valid JSON" in (
        agent_dirs / "set-aside" / (corrupt.name + ".reason.txt")
    ).read_text(encoding="utf-8")
    assert "set aside an unreadable spool entry" in (agent_dirs / "agent.log").read_text("utf-8")


@pytest.fixture
def bad_collector():
    """A local server that answers 500 (`mode[0] == "error"`) or never answers ("hang")."""
    mode, posts, release = ["error"], [], threading.Event()

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self):
            self.rfile.read(int(self.headers["Content-Length"]))
            posts.append(time.monotonic())
            if mode[0] == "hang":
                release.wait(60)
                return
            body = b'{"ok": false, "error": "database is locked", "status": 500}'
            self.send_response(500)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_port}", mode, posts
    release.set()
    server.shutdown()


@pytest.mark.parametrize("behaviour", ["error", "hang"])
def test_failing_or_hanging_collector_spools_within_the_time_limit(
    bad_collector, agent_dirs, behaviour, monkeypatch
):
    url, mode, posts = bad_collector
    monkeypatch.setenv("AVROLL_TOKEN", "avre_any")
    mode[0] = behaviour
    started = time.monotonic()
    sent = agent("send", "--server", url, time_limit=4)
    elapsed = time.monotonic() - started
    assert sent.returncode == 1
    reason = (
        "collector answered 500 database is locked" if behaviour == "error" else "no answer from"
    )
    assert sent.stderr.startswith(f"avroll-agent: report not delivered: {reason}")
    assert len(spooled(agent_dirs)) == 1
    assert len(posts) >= 2  # retried within the run, with a wait in between
    assert posts[1] - posts[0] >= 0.5
    assert elapsed < 4 + 2 + 10  # the time limit, one request timeout, start-up slack


def test_a_held_enrollment_keeps_the_reports_until_an_admin_accepts_it(
    collector, agent_dirs, monkeypatch
):
    """The PC lost its agent's state: its enrollment with the token waits for an
    administrator (the same machine id, another credential); its reports stay spooled, one
    line each run; accepted with the real command, the next run delivers them all."""
    url, db_path, token = collector
    monkeypatch.setenv("AVROLL_TOKEN", token)
    assert agent("send", "--server", url).returncode == 0
    (agent_dirs / "credential").unlink()
    for run in (1, 2):
        held = agent("send", "--server", url)
        assert held.returncode == 1
        assert "waiting for an administrator of the collector" in held.stderr
        assert f"spooled ({run} waiting" in held.stderr and len(held.stderr.splitlines()) == 1
    assert "Traceback" not in (agent_dirs / "agent.log").read_text(encoding="utf-8")
    assert len(stored_report_ids(db_path)) == 1
    env = dict(os.environ, AVROLL_DB=str(db_path))
    listed = avroll(env, "machines", "held")
    assert "known_id" in listed and "tries 2" in listed
    assert "accepted" in avroll(env, "machines", "accept", listed.split()[0])
    delivered = agent("send", "--server", url)
    assert delivered.returncode == 0, delivered.stderr
    assert "with 2 spooled earlier" in delivered.stdout
    assert len(stored_report_ids(db_path)) == 4 and spooled(agent_dirs) == []
    with sqlite3.connect(db_path) as db:
        assert db.execute("SELECT count(*) FROM machine_credentials").fetchone() == (1,)
        assert db.execute("SELECT count(*) FROM held_admissions").fetchone() == (0,)
