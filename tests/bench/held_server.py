"""A real `avroll serve` process for the stress benches: made with the real CLI (an admin,
an enrollment token), started and stopped (politely or with kill -9) on 127.0.0.1."""

from __future__ import annotations

import os
import subprocess
import time

import requests

from collector.cli.wait_ready import wait_ready
from tests.e2e.conftest import ADMIN, avroll, command, free_port, logged_in


class Collector:
    def __init__(self, tmp):
        self.db_path = os.path.join(tmp, "stress.db")
        self.env = dict(os.environ, AVROLL_DB=self.db_path)
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        avroll(self.env, "users", "add", ADMIN[0], "--role", "admin", stdin=ADMIN[1] + "\n")
        self.token = avroll(self.env, "tokens", "create", "--note", "stress").strip()
        self.process = None

    def start(self):
        self.process = subprocess.Popen(
            [command("avroll"), "serve", "--host", "127.0.0.1", "--port", str(self.port)],
            env=self.env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        if not wait_ready(self.url, seconds=30):
            self.process.kill()
            raise SystemExit("the collector did not start")

    def kill(self):
        """kill -9: no chance to flush or close anything."""
        self.process.kill()
        self.process.wait(10)

    def stop(self):
        if self.process and self.process.poll() is None:
            self.process.terminate()
            self.process.wait(10)

    def officer(self):
        """A requests session logged in as the admin through the real form."""
        return logged_in(self.url)


def percentile(values, share):
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))] if ordered else float("nan")


def timed(call):
    """(seconds, answer or the exception)."""
    started = time.perf_counter()
    try:
        answer = call()
    except requests.RequestException as exc:
        answer = exc
    return time.perf_counter() - started, answer
