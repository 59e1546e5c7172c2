"""`avroll-agent send` against collectors that answer wrongly on purpose: real servers on
127.0.0.1 (tests/agent/hostile.py). Whatever answers, the run ends by its time limit, reads
a bounded answer, follows no redirect, stores no malformed credential, and counts a report
delivered only when the collector's acknowledgement names it; else the report stays spooled."""

from __future__ import annotations

import os
import shutil
import subprocess

import pytest

from agent import cli
from agent.delivery.credential import load_credential
from agent.delivery.deliverer import LAST_DELIVERY_FILENAME
from tests.agent import hostile
from tests.builders import make_report

TIME_LIMIT, TIMEOUT = "1.5", "5"  # the run's deadline binds first
MiB = 1024 * 1024


@pytest.fixture
def serve():
    """Start a hostile collector with a behaviour; every one is closed after the test."""
    started = []

    def start(behaviour, tls=None):
        started.append(hostile.HostileCollector(behaviour, tls))
        return started[-1]

    yield start
    for server in started:
        server.close()


@pytest.fixture
def send(tmp_path, capsys, monkeypatch):
    """Run `avroll-agent send` with short limits; return (exit code, its last line). The
    report is a made one: collecting this machine's (WMI under Wine, a cold Windows runner)
    could take the whole time limit before the collector is ever asked."""
    monkeypatch.setattr(cli, "collect_report", lambda unit_code=None: make_report())

    def run(url, token=None, *more):
        args = [
            "send",
            "--server",
            url,
            "--state-dir",
            str(tmp_path),
            "--time-limit",
            TIME_LIMIT,
            "--timeout",
            TIMEOUT,
            *more,
        ]
        code = cli.main(args + (["--token", token] if token else []))
        return code, capsys.readouterr().err

    return run


def spooled(state):
    return os.listdir(state / "spool")


def assert_kept_not_delivered(code, err, state):
    assert code == 1, err
    assert "report not delivered" in err and "spooled" in err
    assert len(spooled(state)) == 1
    assert not (state / LAST_DELIVERY_FILENAME).exists()


def test_a_well_formed_acknowledgement_is_delivered(serve, send, tmp_path):
    collector = serve(hostile.acknowledging())
    code, err = send(collector.url)
    assert code == 0, err
    assert spooled(tmp_path) == []


@pytest.mark.parametrize(
    "behaviour",
    [hostile.dripping_headers(0.2), hostile.dripping_body(0.2)],
    ids=["headers", "body"],
)
def test_an_answer_that_drips_ends_at_the_time_limit(serve, send, tmp_path, behaviour):
    # One byte every 0.2 s: no read waits long, only the run's deadline can stop it (the
    # whole answer would take 20 s or more).
    collector = serve(behaviour)
    code, err = send(collector.url)
    assert_kept_not_delivered(code, err, tmp_path)
    assert f"no answer from {collector.url}/api/v1/reports within" in err


@pytest.mark.parametrize(
    "behaviour, part",
    [
        (hostile.huge_body(64 * MiB), "a body"),
        (hostile.endless_chunks(limit=64 * MiB), "a body"),
        (hostile.huge_headers(), "headers"),
    ],
    ids=["content-length", "chunked", "headers"],
)
def test_an_answer_over_64_kib_is_not_read_to_its_end(serve, send, tmp_path, behaviour, part):
    # Each is a valid acknowledgement, only padded past 64 KiB (JSON whitespace or headers).
    collector = serve(behaviour)
    code, err = send(collector.url)
    assert_kept_not_delivered(code, err, tmp_path)
    assert f"answered with {part} larger than 64 KiB" in err


@pytest.mark.parametrize(
    "status, body, content_type",
    [
        (200, b"<html><body>Welcome to the hotel Wi-Fi</body></html>", "text/html"),
        (201, b"Created", "text/plain"),
        (201, b"OK", "application/json"),
        (201, b"[]", "application/json"),
        (201, b'{"ok": true, "duplicate": false}', "application/json"),
        (201, b'{"ok": false, "report_id": "@"}', "application/json"),
        (200, hostile.acknowledgement("9c4b8f54-58c4-4a59-a3a1-0d3c3a4b1f00"), "application/json"),
        (201, b"@", "text/html"),
        (204, b"", "application/json"),
    ],
    ids=[
        "captive-portal",
        "text",
        "not-json",
        "a-list",
        "no-report-id",
        "not-ok",
        "another-report",
        "ack-as-html",
        "no-content",
    ],
)
def test_only_the_acknowledgement_naming_the_report_counts(
    serve, send, tmp_path, status, body, content_type
):
    def behaviour(request):
        data = body.replace(b"@", request.report_id.encode())
        yield hostile.head(status, len(data), content_type) + data

    collector = serve(behaviour)
    code, err = send(collector.url)
    assert_kept_not_delivered(code, err, tmp_path)
    assert "not the collector's acknowledgement" in err


@pytest.mark.parametrize("status", [301, 302, 303, 307, 308])
def test_a_redirect_is_not_followed(serve, send, tmp_path, status):
    thief = serve(hostile.acknowledging())

    def behaviour(request):  # the credential is unknown; the enrollment is redirected
        if request.headers.get("Authorization") == "Bearer " + hostile.ENROLLMENT_TOKEN:
            yield from hostile.redirecting(status, thief.url + "/api/v1/reports")(request)
        else:
            yield hostile.head(401, 2) + b"{}"

    collector = serve(behaviour)
    code, err = send(collector.url, token=hostile.ENROLLMENT_TOKEN)
    assert_kept_not_delivered(code, err, tmp_path)
    assert f"{status} redirect to {thief.url}/api/v1/reports, not followed" in err
    # The enrollment carried the token and the proposed credential; neither went on.
    assert "X-Avroll-Credential" in collector.requests[-1].headers
    assert thief.requests == []


@pytest.mark.parametrize(
    "credential",
    [
        "avrm_" + "é" * 43,
        {"credential": "avrm_" + "a" * 43},
        ["avrm_" + "a" * 43],
        "avrm_" + "a" * 43 + "\nX-Injected: 1",
        "avrm_short",
        "avrm_" + "a" * 50_000_000,
    ],
    ids=["non-ascii", "a-dict", "a-list", "a-newline", "too-short", "50-mb"],
)
def test_a_credential_not_in_its_documented_form_is_refused(serve, send, tmp_path, credential):
    collector = serve(hostile.issuing_credential(credential))
    code, err = send(collector.url, token=hostile.ENROLLMENT_TOKEN)
    assert_kept_not_delivered(code, err, tmp_path)
    assert "credential" in err or "larger than 64 KiB" in err
    # The one this agent made and proposed stays; nothing of the answer was stored.
    proposed = collector.requests[-1].headers["X-Avroll-Credential"]
    assert load_credential(str(tmp_path)) == proposed


def test_a_credential_in_its_documented_form_is_kept(serve, send, tmp_path):
    issued = "avrm_" + "Z9-_" * 11
    collector = serve(hostile.issuing_credential(issued))
    code, err = send(collector.url, token=hostile.ENROLLMENT_TOKEN)
    assert code == 0, err
    assert load_credential(str(tmp_path)) == issued


@pytest.fixture(scope="module")
def certificate(tmp_path_factory):
    """A self-signed certificate for 127.0.0.1, made by the openssl command for this run."""
    openssl = shutil.which("openssl")
    if openssl is None:
        pytest.skip("the openssl command is not installed")
    folder = tmp_path_factory.mktemp("tls")
    cert, key = str(folder / "cert.pem"), str(folder / "key.pem")
    subprocess.run(
        [
            openssl,
            "req",
            "-x509",
            "-newkey",
            "rsa:2048",
            "-nodes",
            "-days",
            "2",
            "-subj",
            "/CN=127.0.0.1",
            "-addext",
            "subjectAltName=IP:127.0.0.1",
            "-keyout",
            key,
            "-out",
            cert,
        ],
        check=True,
        capture_output=True,
    )
    return cert, key


@pytest.mark.parametrize(
    "behaviour, delivered",
    [(hostile.acknowledging(), True), (hostile.huge_headers(), False)],
    ids=["acknowledged", "headers-over-64-kib"],
)
def test_over_https_the_same_limits_hold(serve, send, tmp_path, certificate, behaviour, delivered):
    collector = serve(behaviour, tls=certificate)
    code, err = send(collector.url, None, "--ca-bundle", certificate[0])
    if delivered:
        assert code == 0, err
    else:
        assert_kept_not_delivered(code, err, tmp_path)
        assert "answered with headers larger than 64 KiB" in err


@pytest.mark.parametrize(
    "behaviour, delivered",
    [(hostile.acknowledging(), True), (hostile.huge_headers(), False)],
    ids=["acknowledged", "headers-over-64-kib"],
)
def test_through_an_http_proxy_the_same_limits_hold(
    serve, send, tmp_path, monkeypatch, behaviour, delivered
):
    proxy = serve(behaviour)  # answers for the collector, as a proxy in the way would
    for name in ("NO_PROXY", "no_proxy", "http_proxy"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("HTTP_PROXY", proxy.url)
    code, err = send("http://avroll.invalid")
    assert proxy.requests[0].path == "http://avroll.invalid/api/v1/reports"
    if delivered:
        assert code == 0, err
    else:
        assert_kept_not_delivered(code, err, tmp_path)
        assert "answered with headers larger than 64 KiB" in err
