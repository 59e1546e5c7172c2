"""Fixtures of the agent's tests, imported by tests/agent/conftest.py and, for agent_dirs,
by tests/conftest.py (every agent any test runs uses temp folders)."""

from __future__ import annotations

import json
import logging
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest


@pytest.fixture(autouse=True)
def agent_dirs(tmp_path, monkeypatch):
    """Every agent a test runs (in process or not) uses temp folders, never /etc or /var/lib."""
    state_dir = tmp_path / "agent-state"
    monkeypatch.setenv("AVROLL_STATE_DIR", str(state_dir))
    monkeypatch.setenv("AVROLL_CONFIG", str(tmp_path / "agent.ini"))
    for name in (
        "AVROLL_SERVER",
        "AVROLL_TOKEN",
        "AVROLL_UNIT",
        "AVROLL_CA_BUNDLE",
        "AVROLL_INTERVAL_HOURS",
    ):
        monkeypatch.delenv(name, raising=False)
    return state_dir


@pytest.fixture(autouse=True)
def agent_logger():
    """The "avroll" logger as each test found it: `start_logging` (a `send`, the log's own
    tests) turns propagation off, after which caplog would see nothing of later tests."""
    logger = logging.getLogger("avroll")
    handlers, propagate, level = logger.handlers[:], logger.propagate, logger.level
    yield logger
    for handler in logger.handlers:
        if handler not in handlers:
            handler.close()
    logger.handlers[:] = handlers
    logger.propagate, logger.level = propagate, level


@pytest.fixture
def fake_collector():
    """A local server answering each POST with the next (status, body) in `answers` (a body
    may be a function of the report received, e.g. `hostile.acknowledgement_of`); yields
    its URL, `answers`, the (path, body) received and the Authorization headers."""
    answers, received, authorizations = [], [], []

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self):
            report = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
            received.append((self.path, report))
            authorizations.append(self.headers.get("Authorization"))
            status, body = answers.pop(0)
            if callable(body):
                body = body(report)
            data = json.dumps(body).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_port}", answers, received, authorizations
    server.shutdown()
