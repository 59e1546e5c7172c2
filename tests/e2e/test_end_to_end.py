"""The whole slice: the real agent enrolls and reports this machine to a real collector process."""

from __future__ import annotations

import json
import os
import sqlite3
import subprocess

import requests

from shared.report import canonical_machine_id
from tests.e2e.conftest import command, logged_in


def agent(*args, state_dir, token=None):
    env = {k: v for k, v in os.environ.items() if k not in ("AVROLL_TOKEN", "AVROLL_SERVER")}
    env["AVROLL_STATE_DIR"] = str(state_dir)
    if token:
        env["AVROLL_TOKEN"] = token
    return subprocess.run(
        [command("avroll-agent"), *args], env=env, capture_output=True, text=True, timeout=60
    )


def test_agent_report_reaches_the_api_and_the_page(collector, tmp_path):
    url, _db_path, token = collector
    state = tmp_path / "agent-state"
    sent = agent("send", "--server", url, "--unit", "STTTT", state_dir=state, token=token)
    assert sent.returncode == 0, sent.stderr
    assert "delivered" in sent.stdout
    credential = (state / "credential").read_text().strip()
    assert credential.startswith("avrm_")
    assert (state / "credential").stat().st_mode & 0o777 == 0o600

    # From now on the credential alone is enough.
    again = agent("send", "--server", url, state_dir=state)
    assert again.returncode == 0, again.stderr

    local = subprocess.run(
        [command("avroll-agent"), "collect"], capture_output=True, text=True, timeout=60, check=True
    )
    machine_id = json.loads(local.stdout)["machine"]["machine_id"]

    assert requests.get(url + "/api/v1/machines", timeout=10).status_code == 401
    browser = logged_in(url)
    listing = browser.get(url + "/api/v1/machines", timeout=10).json()
    # The collector keeps one form: Linux's bare 32 hex digits as a hyphenated UUID.
    assert [m["machine_id"] for m in listing["machines"]] == [canonical_machine_id(machine_id)]
    assert listing["machines"][0]["agent_unit_code"] is None  # the second report had no unit

    page = browser.get(url + "/machines", timeout=10)
    assert page.status_code == 200
    assert listing["machines"][0]["hostname"] in page.text
    detail = browser.get(f"{url}/machines/{machine_id}", timeout=10)
    assert detail.status_code == 200 and canonical_machine_id(machine_id) in detail.text


def test_another_agent_cannot_report_for_an_enrolled_machine(collector, tmp_path):
    url, _db_path, token = collector
    assert agent("send", "--server", url, state_dir=tmp_path / "a", token=token).returncode == 0
    # Same machine id (same PC), but without the credential: the token does not suffice.
    spoof = agent("send", "--server", url, state_dir=tmp_path / "b", token=token)
    assert spoof.returncode == 1
    assert "403" in spoof.stderr


def test_agent_without_a_valid_token_is_refused(collector, tmp_path):
    url, db_path, _token = collector
    refused = agent("send", "--server", url, state_dir=tmp_path, token="avre_not-a-token")
    assert refused.returncode == 1
    assert "401" in refused.stderr
    with sqlite3.connect(db_path) as db:  # nothing stored, nobody enrolled
        assert db.execute("SELECT count(*) FROM reports").fetchone()[0] == 0
        assert db.execute("SELECT count(*) FROM machine_credentials").fetchone()[0] == 0
    no_token = agent("send", "--server", url, state_dir=tmp_path)
    assert no_token.returncode == 1 and "--token" in no_token.stderr


def test_agent_exits_non_zero_with_a_reason_when_collector_is_down(tmp_path):
    sent = agent(
        "send",
        "--server",
        "http://127.0.0.1:9",
        "--timeout",
        "3",
        "--time-limit",
        "3",
        state_dir=tmp_path,
        token="avre_any",
    )
    assert sent.returncode == 1
    assert sent.stderr.strip().startswith("avroll-agent: report not delivered: cannot reach")
    assert "spooled (1 waiting" in sent.stderr
    assert len(sent.stderr.strip().splitlines()) == 1
