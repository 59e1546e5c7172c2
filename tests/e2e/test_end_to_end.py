"""The whole slice: the real agent reports this machine to a real collector process."""

from __future__ import annotations

import json
import subprocess

import requests

from tests.e2e.conftest import command


def test_agent_report_reaches_the_api_and_the_page(collector):
    url, _db_path = collector
    sent = subprocess.run([command("avroll-agent"), "send", "--server", url, "--unit", "STTTT"],
                          capture_output=True, text=True, timeout=60)
    assert sent.returncode == 0, sent.stderr
    assert "delivered" in sent.stdout

    local = subprocess.run([command("avroll-agent"), "collect"], capture_output=True,
                           text=True, timeout=60, check=True)
    machine_id = json.loads(local.stdout)["machine"]["machine_id"]

    listing = requests.get(url + "/api/v1/machines", timeout=10).json()
    assert [m["machine_id"] for m in listing["machines"]] == [machine_id.lower()]
    assert listing["machines"][0]["agent_unit_code"] == "STTTT"

    page = requests.get(url + "/machines", timeout=10)
    assert page.status_code == 200
    assert listing["machines"][0]["hostname"] in page.text
    detail = requests.get(f"{url}/machines/{machine_id}", timeout=10)
    assert detail.status_code == 200 and machine_id.lower() in detail.text


def test_agent_exits_non_zero_with_a_reason_when_collector_is_down():
    sent = subprocess.run(
        [command("avroll-agent"), "send", "--server", "http://127.0.0.1:9", "--timeout", "3",
         "--time-limit", "3"],
        capture_output=True, text=True, timeout=60)
    assert sent.returncode == 1
    assert sent.stderr.strip().startswith("avroll-agent: report not delivered: cannot reach")
    assert "spooled (1 waiting" in sent.stderr
    assert len(sent.stderr.strip().splitlines()) == 1
