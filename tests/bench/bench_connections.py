"""Held connections: 500 idle or half-sent connections while agents post and officers read.

A separate `avroll serve` process; this process opens 500 connections (half idle, half
with a request line sent and never finished), reopening any the server closes, and
meanwhile posts reports and loads pages. Latencies are printed beside their goal.
"""

from __future__ import annotations

import json
import socket
import tempfile
import threading
import time

import requests

from tests.bench.held_server import Collector, percentile, timed
from tests.builders import make_report

HELD = 500
SECONDS = 15.0
GOAL_P95 = 1.0  # seconds, for a report POST and for a page


def hold(port, count, stop, opened):
    """Keep `count` connections open until `stop`; half of them half-sent (slowloris)."""
    held = []
    while not stop.is_set():
        while len(held) < count:
            try:
                # From 50 addresses: the collector holds one address to 64 connections.
                conn = socket.create_connection(
                    ("127.0.0.1", port),
                    timeout=5,
                    source_address=(f"127.3.0.{1 + len(held) % 50}", 0),
                )
            except OSError:
                break
            if len(held) % 2:
                conn.sendall(b"GET /api/v1/health HTTP/1.1\r\nHost: x\r\n")
            held.append(conn)
            opened[0] += 1
        alive = []
        for conn in held:
            conn.setblocking(False)
            try:
                closed = conn.recv(1) == b""
            except BlockingIOError:
                closed = False
            except OSError:
                closed = True
            (conn.close() if closed else alive.append(conn))
        held = alive
        stop.wait(1.0)
    for conn in held:
        conn.close()


def agent(url, token, worker, stop, latencies, errors):
    session = requests.Session()
    headers = {"Authorization": f"Bearer {token}", "Content-Type": "application/json"}
    number = 0
    while not stop.is_set():
        body = json.dumps(
            make_report(
                hostname=f"S{worker}-{number:05}", machine_id=f"stress-{worker}-{number:06}"
            )
        )
        spent, answer = timed(
            lambda b=body: session.post(
                url + "/api/v1/reports", headers=headers, data=b, timeout=30
            )
        )
        ok = not isinstance(answer, Exception) and answer.status_code == 201
        (latencies if ok else errors).append(spent)
        number += 1


def officer(collector, url, stop, latencies, errors):
    browser = collector.officer()
    while not stop.is_set():
        for path in ("/machines", "/", "/api/v1/health"):
            spent, answer = timed(lambda p=path: browser.get(url + p, timeout=30))
            ok = not isinstance(answer, Exception) and answer.status_code == 200
            (latencies if ok else errors).append(spent)


def line(name, latencies, errors):
    print(
        f"   {name:<8} {len(latencies):>5} answered, {len(errors)} failed; "
        f"p50 {percentile(latencies, 0.5) * 1000:.0f} ms, "
        f"p95 {percentile(latencies, 0.95) * 1000:.0f} ms "
        f"(goal < {GOAL_P95 * 1000:.0f} ms), max {max(latencies or [0]) * 1000:.0f} ms"
    )


def main():
    with tempfile.TemporaryDirectory() as tmp:
        collector = Collector(tmp)
        collector.start()
        try:
            stop, opened = threading.Event(), [0]
            holder = threading.Thread(target=hold, args=(collector.port, HELD, stop, opened))
            holder.start()
            time.sleep(2.0)  # let them all be open before measuring
            posted, post_errors, pages, page_errors = [], [], [], []
            workers = [
                threading.Thread(
                    target=agent,
                    args=(collector.url, collector.token, n, stop, posted, post_errors),
                )
                for n in range(4)
            ]
            workers.append(
                threading.Thread(
                    target=officer, args=(collector, collector.url, stop, pages, page_errors)
                )
            )
            for worker in workers:
                worker.start()
            time.sleep(SECONDS)
            stop.set()
            for worker in (*workers, holder):
                worker.join(60)
            print(
                f"   held {HELD} connections ({opened[0]} opened in {SECONDS:.0f} s, "
                "half idle, half a request never finished)"
            )
            line("reports", posted, post_errors)
            line("pages", pages, page_errors)
        finally:
            collector.stop()


if __name__ == "__main__":
    main()
