"""The README's reverse-proxy configuration, run: Debian's nginx (`.ci/run` installs it) in
front of the collector on loopback ports, TLS with a throwaway certificate. Through it the
client's address and HTTPS reach the collector, a report is stored, an administrator's
upload passes, and an anonymous 23 MB body is refused before it is sent."""

from __future__ import annotations

import os
import re
import shutil
import socket
import ssl
import subprocess
import time
from pathlib import Path

import pytest
import requests
from requests.adapters import HTTPAdapter

from collector.store import login_failures
from collector.store.db import open_db
from tests.collector.test_connection_guard import logged_in, running
from tests.e2e.conftest import free_port
from tests.reporting import ADMIN

NGINX = shutil.which("nginx") or "/usr/sbin/nginx"
README = Path(__file__).resolve().parents[2] / "README.md"
CLIENT = "127.0.0.7"  # the browser's address, not the proxy's

# Skipped on a developer's machine without nginx; CI (.ci/run) installs it and requires it.
pytestmark = pytest.mark.skipif(
    not os.path.exists(NGINX) and not os.environ.get("AVROLL_REQUIRE_NGINX"),
    reason="nginx is not installed (.ci/run installs it)",
)


def documented_configuration():
    """The README's nginx block, exactly as an administrator would copy it."""
    text = README.read_text(encoding="utf-8")
    return re.search(r"```nginx\n(.*?)```", text, re.S).group(1)


def served_configuration(folder, port, upstream):
    """The documented block with this test's ports and certificate: nothing else changed."""
    block = documented_configuration()
    replaced = (
        block.replace("listen 443 ssl;", f"listen 127.0.0.1:{port} ssl;")
        .replace("/etc/ssl/avroll.crt", str(folder / "avroll.crt"))
        .replace("/etc/ssl/avroll.key", str(folder / "avroll.key"))
        .replace("http://127.0.0.1:8080", f"http://127.0.0.1:{upstream}")
    )
    assert replaced.count(f"127.0.0.1:{upstream}") == block.count("127.0.0.1:8080") >= 2
    (folder / "avroll.conf").write_text(replaced)
    temp = {name: folder / name for name in ("body", "proxy", "fastcgi", "uwsgi", "scgi")}
    for path in temp.values():
        path.mkdir()
    user = "user root;\n" if os.geteuid() == 0 else ""
    (folder / "nginx.conf").write_text(
        f"{user}daemon off;\npid {folder}/nginx.pid;\nerror_log {folder}/error.log;\n"
        "events { worker_connections 1024; }\n"
        f"http {{\n access_log off;\n client_body_temp_path {temp['body']};\n"
        f" proxy_temp_path {temp['proxy']};\n fastcgi_temp_path {temp['fastcgi']};\n"
        f" uwsgi_temp_path {temp['uwsgi']};\n scgi_temp_path {temp['scgi']};\n"
        f" include {folder}/avroll.conf;\n}}\n"
    )
    return folder / "nginx.conf"


def certificate(folder):
    subprocess.run(
        [
            "openssl",
            "req",
            "-x509",
            "-newkey",
            "rsa:2048",
            "-nodes",
            "-days",
            "1",
            "-subj",
            "/CN=127.0.0.1",
            "-addext",
            "subjectAltName=IP:127.0.0.1",
            "-keyout",
            str(folder / "avroll.key"),
            "-out",
            str(folder / "avroll.crt"),
        ],
        check=True,
        capture_output=True,
    )


class FromAddress(HTTPAdapter):
    """requests from CLIENT's address, as a browser elsewhere on the network."""

    def init_poolmanager(self, *args, **kwargs):
        kwargs["source_address"] = (CLIENT, 0)
        super().init_poolmanager(*args, **kwargs)


def client_session(folder):
    session = requests.Session()
    session.trust_env = False  # no CA bundle or proxy from the environment: loopback only
    session.verify = str(folder / "avroll.crt")  # the throwaway certificate, trusted
    session.mount("https://", FromAddress())
    return session


@pytest.fixture
def proxied(app, tmp_path):
    certificate(tmp_path)
    with running(app, trusted_proxy="127.0.0.1") as (_url, upstream):
        port = free_port()
        config = served_configuration(tmp_path, port, upstream)
        nginx = subprocess.Popen(
            [NGINX, "-c", str(config), "-p", str(tmp_path)],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
        )
        try:
            for _ in range(100):
                try:
                    socket.create_connection(("127.0.0.1", port), timeout=1).close()
                    break
                except OSError:
                    assert nginx.poll() is None, nginx.stderr.read().decode()
                    time.sleep(0.1)
            yield f"https://127.0.0.1:{port}", port
        finally:
            nginx.terminate()
            nginx.wait(10)


def test_through_the_documented_nginx(app, proxied, tmp_path):
    url, port = proxied
    browser = client_session(tmp_path)
    assert browser.get(url + "/api/v1/health", timeout=10).json() == {"ok": True}
    form = browser.get(url + "/login", timeout=10).text
    token = form.split('name="csrf_token" value="', 1)[1].split('"', 1)[0]
    refused = browser.post(
        url + "/login",
        timeout=10,
        allow_redirects=False,
        data={"username": ADMIN[0], "password": "wrong-password", "csrf_token": token},
    )
    assert refused.status_code == 401
    db = open_db(app.config["DATABASE"])
    keys = {row[0] for row in db.execute("SELECT key FROM login_failures")}
    db.close()
    assert keys == {f"account:admin@{CLIENT}", f"address:{CLIENT}"}  # the client's own
    assert login_failures.address_key(CLIENT) == CLIENT

    admin, csrf = logged_in(url, *ADMIN, session=client_session(tmp_path))
    assert all(cookie.secure for cookie in admin.cookies)  # X-Forwarded-Proto believed
    upload = admin.post(
        url + "/admin/imports",
        timeout=60,
        data={"source": "ksc", "csrf_token": csrf},
        files={"file": ("devices.txt", b"x" * (3 * 1024 * 1024))},
    )
    assert upload.status_code in (200, 422)  # passed on, read and judged by the collector

    with socket.create_connection(
        ("127.0.0.1", port), timeout=10, source_address=(CLIENT, 0)
    ) as raw:
        context = ssl.create_default_context(cafile=str(tmp_path / "avroll.crt"))
        with context.wrap_socket(raw, server_hostname="127.0.0.1") as conn:
            conn.sendall(
                b"POST /api/v1/reports HTTP/1.1\r\nHost: x\r\n"
                b"Content-Type: application/json\r\n"
                b"Content-Length: 24117248\r\n\r\n"
            )
            head = conn.recv(4096).decode("latin-1")
    assert head.startswith("HTTP/1.1 413"), head
