"""A stand-in collector for the agent's delivery tests."""

from __future__ import annotations

import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest


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
