"""Durability: kill -9 the loaded collector again and again; no acknowledged report is lost.

Agents (threads) post reports of distinct machines and note every report the collector
acknowledged (201, or 200 "already stored"). Every second or so the server is killed with
SIGKILL mid-load and started again; between kills an administrator changes a counting
setting, so recounts in steps are cut short too. At the end every acknowledged report id must
be in the database: the collector answers only after its writer's COMMIT (store/writer.py:
WAL, synchronous=FULL, so a power cut would not lose them either; kill -9 tests the process
only), and `avroll figures rebuild` must find every kept figure as counted from the reports.
"""

from __future__ import annotations

import json
import sqlite3
import subprocess
import tempfile
import threading
import time

import requests

from tests.bench.held_server import Collector
from tests.builders import make_report
from tests.e2e.conftest import avroll, command

KILLS = 10
AGENTS = 8


def agent(url, token, worker, stop, acknowledged):
    session = requests.Session()
    headers = {"Authorization": f"Bearer {token}", "Content-Type": "application/json"}
    number = 0
    while not stop.is_set():
        report = make_report(
            hostname=f"D{worker}-{number:05}", machine_id=f"durable-{worker}-{number:06}"
        )
        try:
            answer = session.post(
                url + "/api/v1/reports", data=json.dumps(report), headers=headers, timeout=10
            )
        except requests.RequestException:
            time.sleep(0.05)  # the server is down: this report was not acknowledged
            continue
        if answer.status_code in (200, 201):
            acknowledged.append(answer.json()["report_id"])
        number += 1


def main():
    with tempfile.TemporaryDirectory() as tmp:
        collector = Collector(tmp)
        collector.start()
        stop, acknowledged = threading.Event(), []
        agents = [
            threading.Thread(
                target=agent, args=(collector.url, collector.token, n, stop, acknowledged)
            )
            for n in range(AGENTS)
        ]
        for thread in agents:
            thread.start()
        try:
            for kill in range(KILLS):
                time.sleep(0.5)
                avroll(collector.env, "settings", "set", "stale_after_days", str(30 + kill % 3))
                time.sleep(0.5)
                collector.kill()
                collector.start()
            time.sleep(1.0)
        finally:
            stop.set()
            for thread in agents:
                thread.join(30)
            collector.stop()
        stored = {
            row[0]
            for row in sqlite3.connect(collector.db_path).execute("SELECT report_id FROM reports")
        }
        lost = [rid for rid in acknowledged if rid not in stored]
        print(
            f"   {KILLS} kill -9 under load ({AGENTS} agents): {len(acknowledged):,} reports "
            f"acknowledged, {len(lost)} lost (goal 0)"
        )
        rebuilt = subprocess.run(
            [command("avroll"), "figures", "rebuild"],
            env=collector.env,
            capture_output=True,
            text=True,
            timeout=600,
        )
        print(
            f"   avroll figures rebuild after it: exit {rebuilt.returncode} "
            f"{rebuilt.stdout.strip()[-200:]}"
        )
    return [
        (
            "acknowledged reports stored / `figures rebuild` differences, kill -9 under load",
            f"{len(acknowledged) - len(lost):,} of {len(acknowledged):,} / "
            f"{'0' if rebuilt.returncode == 0 else 'some (exit 1)'}",
            "all / 0",
            not lost and rebuilt.returncode == 0,
        )
    ]


if __name__ == "__main__":
    main()
