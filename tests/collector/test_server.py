"""The waitress server as `avroll serve` runs it: idle connections starve no one, its own
errors are JSON under /api/, and behind a trusted proxy the client's real address counts."""

from __future__ import annotations

import contextlib
import json
import socket
import threading

import pytest
import requests

from collector.store import login_failures
from collector.store.db import open_db
from collector.web import server
from tests.e2e.conftest import free_port


@contextlib.contextmanager
def running(app, trusted_proxy=None, **changed):
    """`avroll serve`'s server for `app` on a free port (waitress settings `changed`)."""
    port = free_port()
    settings = dict(server.options(threads=4, trusted_proxy=trusted_proxy), **changed)
    waitress = server.make_server(app, host="127.0.0.1", port=port, **settings)
    thread = threading.Thread(target=waitress.run, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{port}", port
    finally:
        waitress.close()  # its loop ends at its next wake-up; the thread is a daemon


def raw(port, request):
    with socket.create_connection(("127.0.0.1", port), timeout=5) as conn:
        conn.sendall(request)
        answer = b""
        while chunk := conn.recv(65536):
            answer += chunk
    head, _, body = answer.partition(b"\r\n\r\n")
    return head.decode("latin-1"), body


def test_the_limits_are_set():
    chosen = server.options()
    assert chosen["connection_limit"] >= 1000
    assert chosen["channel_timeout"] <= 60 and chosen["asyncore_use_poll"] is True


def test_held_idle_connections_do_not_starve_the_health_check(app):
    with running(app) as (url, port):
        held = [
            socket.create_connection(
                ("127.0.0.1", port), timeout=5, source_address=(f"127.0.1.{1 + n % 250}", 0)
            )
            for n in range(250)
        ]
        try:
            assert requests.get(url + "/api/v1/health", timeout=5).json() == {"ok": True}
        finally:
            for conn in held:
                conn.close()


@pytest.mark.parametrize(
    "request_bytes, status",
    [
        (
            b"POST /api/v1/reports HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
            b"Content-Length: 30000000\r\n\r\n",
            413,
        ),
        (b"GET /api/v1/health HTTP/1.1\r\nHost: x\r\nContent-Length: abc\r\n\r\n", 400),
        (b"POST /api/v1/reports HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: gzip\r\n\r\n", 501),
    ],
)
def test_the_servers_own_errors_are_json_under_api(app, request_bytes, status):
    with running(app) as (_url, port):
        head, body = raw(port, request_bytes)
    assert head.startswith(f"HTTP/1.1 {status}"), head
    assert "application/json" in head
    answer = json.loads(body)
    assert answer["ok"] is False and answer["status"] == status and answer["error"]


def test_flasks_errors_are_json_under_api(client, anon_client):
    for browser, method, url in (
        (client, "get", "/api/v1/nowhere"),
        (anon_client, "get", "/api/v1/nowhere"),
        (client, "delete", "/api/v1/reports"),
        (anon_client, "put", "/api/v1/health"),
        (anon_client, "post", "/api/v1/reports"),
    ):
        answer = getattr(browser, method)(url, data=b"x" * 300_000)
        assert 400 <= answer.status_code < 500 and answer.is_json, (method, url)
        assert answer.json["status"] == answer.status_code


def test_behind_a_trusted_proxy_the_clients_address_is_counted(app):
    with running(app, trusted_proxy="127.0.0.1") as (url, _port):
        browser = requests.Session()
        form = browser.get(url + "/login", timeout=5).text
        token = form.split('name="csrf_token" value="', 1)[1].split('"', 1)[0]
        answer = browser.post(
            url + "/login",
            timeout=5,
            allow_redirects=False,
            headers={"X-Forwarded-For": "198.51.100.23"},
            data={"username": "admin", "password": "wrong-password", "csrf_token": token},
        )
        assert answer.status_code == 401
    db = open_db(app.config["DATABASE"])
    keys = {row[0] for row in db.execute("SELECT key FROM login_failures")}
    db.close()
    assert keys == {"account:admin@198.51.100.23", "address:198.51.100.23"}
    assert login_failures.address_key("::ffff:10.0.0.1") == "10.0.0.1"


def test_the_pages_templates_are_compiled_before_the_first_request(app, monkeypatch):
    """The first view after a start does not wait for its templates to compile."""
    seen = {}

    class Ready:
        def run(self):
            seen["compiled"] = {
                template.name for template in app.jinja_env.cache.values() if template
            }

    monkeypatch.setattr(server, "make_server", lambda *_args, **_settings: Ready())
    monkeypatch.setattr(server.signal, "signal", lambda *_args: None)
    server.serve(app)
    assert {"overview.html", "base.html", "machines.html"} <= seen["compiled"]
