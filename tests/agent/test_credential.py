"""The agent enrolls once with a token, keeps its credential safely, and uses it from then on."""

from __future__ import annotations

import os
import stat
import sys

import pytest
import requests

from agent import cli
from agent.config import resolve
from agent.delivery.credential import (
    CredentialError,
    load_credential,
    save_credential,
    send_enrolled,
)
from agent.delivery.transport import NotEnrolled, Unreachable, send_report
from tests.agent.hostile import acknowledgement_of
from tests.builders import make_report


def test_credential_round_trip_is_private(tmp_path):
    state = tmp_path / "state"
    assert load_credential(str(state)) is None
    path = save_credential(str(state), "avrm_" + "1" * 43)
    save_credential(str(state), "avrm_" + "2" * 43)
    assert load_credential(str(state)) == "avrm_" + "2" * 43
    if sys.platform != "win32":
        assert stat.S_IMODE(os.stat(path).st_mode) == 0o600
    assert os.listdir(state) == ["credential"]  # no temporary file left behind


def test_unwritable_state_dir_is_a_named_error(tmp_path):
    blocker = tmp_path / "file"
    blocker.write_text("not a directory")
    with pytest.raises(CredentialError, match="cannot write"):
        save_credential(str(blocker / "state"), "avrm_x")


def test_token_goes_in_the_authorization_header(fake_collector):
    url, answers, _, seen = fake_collector
    answers.append((201, acknowledgement_of))
    send_report(url, make_report(), token="avre_secret")
    assert seen == ["Bearer avre_secret"]


def test_refused_token_is_not_enrolled(fake_collector):
    url, answers, _, _ = fake_collector
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


def test_credential_is_saved_before_enrolling_and_used_from_then_on(fake_collector, tmp_path):
    url, answers, _, seen = fake_collector
    answers += [(401, {"ok": False}), (201, acknowledgement_of), (201, acknowledgement_of)]
    config = resolve({"server": url, "token": "avre_token", "state_dir": str(tmp_path)})
    send_enrolled(config, make_report(), timeout=5)
    saved = load_credential(str(tmp_path))
    assert saved.startswith("avrm_") and len(saved) > 40
    # Unknown at first (401), so the token enrolls it; the next run needs no token.
    assert seen == [f"Bearer {saved}", "Bearer avre_token"]
    send_enrolled(config, make_report(), timeout=5)
    assert seen[-1] == f"Bearer {saved}"


def test_a_credential_issued_by_the_collector_replaces_the_proposal(fake_collector, tmp_path):
    url, answers, _, _ = fake_collector
    issued = "avrm_" + "i" * 43
    answers += [
        (401, {"ok": False}),
        (201, lambda report: acknowledgement_of(report, credential=issued)),
    ]
    config = resolve({"server": url, "token": "avre_token", "state_dir": str(tmp_path)})
    send_enrolled(config, make_report(), timeout=5)
    assert load_credential(str(tmp_path)) == issued


def test_forgotten_credential_enrolls_again_with_the_token(fake_collector, tmp_path):
    url, answers, _, seen = fake_collector
    old = "avrm_" + "o" * 43
    save_credential(str(tmp_path), old)
    answers += [(401, {"ok": False}), (201, acknowledgement_of)]
    config = resolve({"server": url, "token": "avre_token", "state_dir": str(tmp_path)})
    send_enrolled(config, make_report(), timeout=5)
    assert seen == [f"Bearer {old}", "Bearer avre_token"]
    assert load_credential(str(tmp_path)) == old


def test_send_without_enrollment_or_token_says_what_to_do(
    fake_collector, tmp_path, capsys, monkeypatch
):
    url, answers, _, _ = fake_collector
    answers.append((401, {"ok": False, "error": "send an enrollment token"}))
    monkeypatch.delenv("AVROLL_TOKEN", raising=False)
    code = cli.main(["send", "--server", url, "--state-dir", str(tmp_path)])
    assert code == 1
    err = capsys.readouterr().err
    assert "--token" in err and "spooled" in err


@pytest.mark.parametrize(
    "stored",
    [
        "avrm_caf\u00e9" + "a" * 40,
        "avrm_" + "a" * 43 + "\nX-Evil: 1",
        "not a credential",
        "avrm_short",
    ],
)
def test_a_stored_credential_not_in_its_form_is_named_not_sent(
    fake_collector, tmp_path, capsys, stored
):
    url, _, received, _ = fake_collector
    (tmp_path / "credential").write_bytes(stored.encode("utf-8") + b"\n")
    code = cli.main(
        [
            "send",
            "--server",
            url,
            "--state-dir",
            str(tmp_path),
            "--time-limit",
            "5",
            "--timeout",
            "2",
        ]
    )
    assert code == 1
    err = capsys.readouterr().err
    assert "credential" in err and "reset-credential" in err and "spooled" in err
    assert received == []


HELD = {
    "ok": False,
    "held": True,
    "status": 403,
    "error": "machine id guid-1 is enrolled with another credential; this enrollment waits "
    "for an administrator to accept it (`avroll machines held`); the report is kept until then",
}


def test_a_held_enrollment_waits_in_the_spool_without_hammering(
    fake_collector, tmp_path, capsys, monkeypatch
):
    """403 with "held": the reports stay spooled, this run sends no more (one enrollment
    try, no retry, nothing delivered), and one line says why, without a traceback."""
    url, answers, received, seen = fake_collector
    monkeypatch.setenv("AVROLL_TOKEN", "avre_token")
    args = ["send", "--server", url, "--state-dir", str(tmp_path), "--time-limit", "20"]
    for run in (1, 2):
        answers += [(401, {"ok": False, "error": "not enrolled"}), (403, HELD)]
        assert cli.main(args) == 1
        err = capsys.readouterr().err
        assert "waiting for an administrator of the collector" in err
        assert f"spooled ({run} waiting" in err and len(err.splitlines()) == 1
        assert len(received) == 2 * run and answers == []  # the newest, then no more
        log = (tmp_path / "agent.log").read_text(encoding="utf-8")
        assert log.count("waiting for an administrator") == run and "Traceback" not in log
    assert seen[1::2] == ["Bearer avre_token"] * 2
    assert not (tmp_path / "last-delivery.json").exists()
    # Accepted: the next run delivers every report kept.
    answers += [(401, {"ok": False}), (201, acknowledgement_of), (201, acknowledgement_of)]
    answers.append((201, acknowledgement_of))
    assert cli.main(args) == 0
    assert not list((tmp_path / "spool").glob("*.json"))


def test_a_plain_403_is_a_refused_agent_not_a_held_one(fake_collector):
    from agent.delivery.transport import AgentRefused, WaitingForAdmin

    url, answers, _, _ = fake_collector
    answers += [(403, {"ok": False, "error": "refused"}), (403, HELD)]
    with pytest.raises(AgentRefused) as refused:
        send_report(url, make_report(), token="avre_token")
    assert not isinstance(refused.value, WaitingForAdmin)
    with pytest.raises(WaitingForAdmin) as held:
        send_report(url, make_report(), token="avre_token")
    assert held.value.retry is False and "`avroll machines held`" in str(held.value)
