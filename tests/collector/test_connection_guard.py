"""Each client's share of the server (collector/web/connection_guard.py): connections per
address, a deadline for a request's headers, bodies refused from their Content-Length before
they are read, a budget of bodies in flight, and only an administrator's upload large."""

from __future__ import annotations

import socket
import time

import requests

from collector.web import connection_guard
from tests.collector.test_server import running as serving
from tests.reporting import ADMIN

REPORT_HEAD = (
    "POST /api/v1/reports HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
    "Content-Length: {size}\r\n\r\n"
)


def running(app, **changed):
    """The server as `avroll serve` runs it, its deadlines checked five times a second."""
    return serving(app, **dict({"cleanup_interval": 0.2}, **changed))


def connect(port, source="127.0.0.1"):
    return socket.create_connection(("127.0.0.1", port), timeout=5, source_address=(source, 0))


def closed_by_server(conn, seconds=5.0):
    """True when the server closes `conn` (or answers and closes) within `seconds`."""
    conn.settimeout(seconds)
    try:
        while conn.recv(65536):
            pass
    except TimeoutError:
        return False
    except OSError:
        return True
    return True


def answer_head(conn, seconds=5.0):
    conn.settimeout(seconds)
    data = b""
    while b"\r\n\r\n" not in data:
        chunk = conn.recv(65536)
        if not chunk:
            break
        data += chunk
    return data.decode("latin-1")


def health(url):
    return requests.get(url + "/api/v1/health", timeout=5).status_code


def test_an_address_holds_at_most_its_share_of_connections(app):
    with running(app) as (url, port):
        held = [connect(port, "127.0.3.9") for _ in range(connection_guard.PER_ADDRESS)]
        extra = connect(port, "127.0.3.9")
        try:
            assert closed_by_server(extra)
            assert not closed_by_server(held[-1], seconds=0.5)
            assert health(url) == 200  # another address is served
        finally:
            for conn in (*held, extra):
                conn.close()


def test_headers_sent_a_byte_at_a_time_are_closed_at_the_deadline(app, monkeypatch):
    monkeypatch.setattr(connection_guard, "HEADER_SECONDS", 1.0)
    with running(app) as (_url, port):
        conn = connect(port)
        conn.sendall(b"GET /api/v1/health HTTP/1.1\r\n")
        started = time.monotonic()
        closed = False
        while time.monotonic() - started < 6 and not closed:
            try:
                conn.sendall(b"X-Slow: 1\r\n")  # far faster than any idle timeout
            except OSError:
                closed = True
                break
            conn.settimeout(0.3)
            try:
                closed = conn.recv(1) == b""
            except TimeoutError:
                pass
            except OSError:
                closed = True
        conn.close()
        assert closed


def test_a_report_body_over_the_limit_is_refused_before_it_is_sent(app):
    with running(app) as (_url, port):
        conn = connect(port)
        conn.sendall(REPORT_HEAD.format(size=23 * 1024 * 1024).encode())
        try:
            head = answer_head(conn)  # not one byte of the body sent
        finally:
            conn.close()
    assert head.startswith("HTTP/1.1 413"), head


def test_a_chunked_report_body_stops_at_the_limit(app):
    with running(app) as (_url, port):
        conn = connect(port)
        conn.sendall(
            b"POST /api/v1/reports HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n"
        )
        chunk = b"%x\r\n%s\r\n" % (64 * 1024, b"x" * 64 * 1024)
        try:
            for _ in range(6):
                conn.sendall(chunk)
            head = answer_head(conn)
        except OSError:
            head = "closed"
        finally:
            conn.close()
    assert head.startswith("HTTP/1.1 413") or head == "closed", head


def test_bodies_in_flight_share_a_budget(app, monkeypatch):
    monkeypatch.setattr(connection_guard, "SMALL_BODIES_IN_FLIGHT", 150_000)
    with running(app) as (url, port):
        first = connect(port, "127.0.4.1")
        first.sendall(REPORT_HEAD.format(size=100_000).encode() + b"{")
        time.sleep(0.3)
        second = connect(port, "127.0.4.2")
        second.sendall(REPORT_HEAD.format(size=100_000).encode())
        try:
            head = answer_head(second)
            assert head.startswith("HTTP/1.1 503") and "Retry-After:" in head, head
            assert health(url) == 200
        finally:
            first.close()
            second.close()
        time.sleep(0.3)
        third = connect(port, "127.0.4.3")  # the first one's share came back
        third.sendall(REPORT_HEAD.format(size=100_000).encode() + b"x" * 100_000)
        try:
            assert answer_head(third).startswith("HTTP/1.1 401")  # read, judged by the app
        finally:
            third.close()


def logged_in(url, username, password, session=None):
    browser = session or requests.Session()
    form = browser.get(url + "/login", timeout=5).text
    token = form.split('name="csrf_token" value="', 1)[1].split('"', 1)[0]
    answer = browser.post(
        url + "/login",
        timeout=5,
        allow_redirects=False,
        data={"username": username, "password": password, "csrf_token": token},
    )
    assert answer.status_code == 302
    page = browser.get(url + "/admin/imports", timeout=5).text  # the token after login
    return browser, page.split('name="csrf_token" value="', 1)[1].split('"', 1)[0]


def test_only_an_administrators_upload_may_be_large(app, db):
    from collector.store import users

    users.add_user(db, "tests", "viewer1", "viewer-password-1", "viewer")
    db.conn.commit()
    body = b"x" * (3 * 1024 * 1024)
    with running(app) as (url, _port):
        admin, token = logged_in(url, *ADMIN)
        viewer, viewer_token = logged_in(url, "viewer1", "viewer-password-1")
        uploaded = admin.post(
            url + "/admin/imports",
            timeout=30,
            data={"source": "ksc", "csrf_token": token},
            files={"file": ("devices.txt", body)},
        )
        refused = viewer.post(
            url + "/admin/imports",
            timeout=30,
            data={"source": "ksc", "csrf_token": viewer_token},
            files={"file": ("devices.txt", body)},
        )
        anonymous = requests.post(
            url + "/admin/imports", timeout=30, files={"file": ("devices.txt", body)}
        )
    assert uploaded.status_code in (200, 422), uploaded.text[:300]  # read and judged
    assert refused.status_code == 413 and anonymous.status_code == 413


def test_near_the_limit_the_oldest_unfinished_request_makes_room(app, monkeypatch):
    monkeypatch.setattr(connection_guard, "HEADROOM", 5)
    with running(app, connection_limit=40) as (url, port):
        held = []
        for n in range(60):
            conn = connect(port, f"127.0.5.{n + 1}")
            conn.sendall(b"GET / HTTP/1.1\r\n")
            held.append(conn)
        try:
            assert health(url) == 200
            assert closed_by_server(held[0], seconds=2)
        finally:
            for conn in held:
                conn.close()
