"""The agent enrolls once with a token, keeps its credential safely, and uses it from then on."""

from __future__ import annotations

import json
import os
import stat
import sys
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
import requests

from agent import cli
from agent.credential import CredentialError, load_credential, save_credential
from agent.transport import NotEnrolled, Unreachable, send_report
from tests.builders import make_report


@pytest.fixture
def collector_stub():
    """A local server answering each POST with the next (status, body); records headers."""
    answers, seen = [], []

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self):
            self.rfile.read(int(self.headers["Content-Length"]))
            seen.append(self.headers.get("Authorization"))
            status, body = answers.pop(0)
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
    yield f"http://127.0.0.1:{server.server_port}", answers, seen
    server.shutdown()


def test_credential_round_trip_is_private(tmp_path):
    state = tmp_path / "state"
    assert load_credential(str(state)) is None
    path = save_credential(str(state), "avrm_first")
    save_credential(str(state), "avrm_second")
    assert load_credential(str(state)) == "avrm_second"
    if sys.platform != "win32":
        assert stat.S_IMODE(os.stat(path).st_mode) == 0o600
    assert os.listdir(state) == ["credential"]  # no temporary file left behind


def test_unwritable_state_dir_is_a_named_error(tmp_path):
    blocker = tmp_path / "file"
    blocker.write_text("not a directory")
    with pytest.raises(CredentialError, match="cannot write"):
        save_credential(str(blocker / "state"), "avrm_x")


def test_token_goes_in_the_authorization_header(collector_stub):
    url, answers, seen = collector_stub
    answers.append((201, {"ok": True}))
    send_report(url, make_report(), token="avre_secret")
    assert seen == ["Bearer avre_secret"]


def test_refused_token_is_not_enrolled(collector_stub):
    url, answers, _ = collector_stub
    answers.append((401, {"ok": False, "error": "send an enrollment token"}))
    with pytest.raises(NotEnrolled, match="401") as caught:
        send_report(url, make_report(), token="avre_wrong")
    assert caught.value.retry is False


def test_tls_is_verified_against_the_given_bundle(tmp_path):
    bundle = tmp_path / "ca.pem"
    bundle.write_text("not a certificate\n")
    calls = []

    class Recorder:
        def post(self, url, **options):
            calls.append(options["verify"])
            raise requests.exceptions.SSLError("bad certificate")

    with pytest.raises(Unreachable, match="TLS certificate not trusted"):
        send_report("https://127.0.0.1:9", make_report(), session=Recorder(), verify=str(bundle))
    assert calls == [str(bundle)]


def test_enroll_once_then_use_the_credential(collector_stub, tmp_path):
    url, answers, seen = collector_stub
    answers += [(201, {"ok": True, "credential": "avrm_mine"}), (201, {"ok": True})]
    cli.deliver(url, make_report(), str(tmp_path), "avre_token", timeout=5)
    cli.deliver(url, make_report(), str(tmp_path), "avre_token", timeout=5)
    assert seen == ["Bearer avre_token", "Bearer avrm_mine"]
    assert load_credential(str(tmp_path)) == "avrm_mine"


def test_forgotten_credential_enrolls_again_with_the_token(collector_stub, tmp_path):
    url, answers, seen = collector_stub
    save_credential(str(tmp_path), "avrm_old")
    answers += [(401, {"ok": False}), (201, {"ok": True, "credential": "avrm_new"})]
    cli.deliver(url, make_report(), str(tmp_path), "avre_token", timeout=5)
    assert seen == ["Bearer avrm_old", "Bearer avre_token"]
    assert load_credential(str(tmp_path)) == "avrm_new"


def test_send_without_credential_or_token_says_what_to_do(tmp_path, capsys, monkeypatch):
    monkeypatch.delenv("AVROLL_TOKEN", raising=False)
    code = cli.main(["send", "--server", "http://127.0.0.1:9", "--state-dir", str(tmp_path)])
    assert code == 2
    assert "--token" in capsys.readouterr().err
