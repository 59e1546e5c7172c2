"""Floods: 5,000 trickling sockets from many addresses and 100 anonymous 23 MB bodies.

A separate `avroll serve` process on 127.0.0.1. This process holds 5,000 sockets from 125
addresses 127.1.x.y, each sending one header line every 15 s and never finishing (reopened
when the collector closes it), and 100 anonymous `POST /api/v1/reports` announcing 23 MB
and trickling the rest; meanwhile agents post reports, an officer loads pages, the health
check is probed on fresh connections, and an administrator imports a 20 MB KSC export.
Printed beside their goals: the p95 of health, pages and agents, the sockets the collector
held, its memory and the temp space it held (files deleted but open included).
"""

from __future__ import annotations

import os
import resource
import socket
import tempfile
import threading
import time
from datetime import datetime, timedelta, timezone
from pathlib import Path

import psutil
import requests

from tests.bench.bench_connections import agent, officer
from tests.bench.held_server import Collector, percentile, timed
from tests.console_files import ksc_row, write_ksc

SOCKETS = 5000
ADDRESSES = 125  # 40 sockets each, under the collector's 64 an address
TRICKLERS = 100
ANNOUNCED = 24117248  # 23 MiB
SECONDS = float(os.environ.get("BENCH_FLOOD_SECONDS", 40))
GOAL_P95 = 1.0
GOAL_TEMP_MB = 100  # the bodies in flight: 32 MiB everyone's, 64 MiB administrators'
GOAL_RSS_MB = 512
KSC_BYTES = 20 * 1000 * 1000


def raise_open_files():
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    wanted = SOCKETS + TRICKLERS + 1000
    if soft < wanted:
        resource.setrlimit(resource.RLIMIT_NOFILE, (min(wanted, hard), hard))
    return resource.getrlimit(resource.RLIMIT_NOFILE)[0]


def closed(conn):
    try:
        return conn.recv(4096) == b""
    except BlockingIOError:
        return False
    except OSError:
        return True


def slowloris(port, stop, held, counts):
    """Keep SOCKETS sockets open, each sending a header line every 15 s."""
    sockets = {}  # slot -> (socket, next send)
    while not stop.is_set():
        now = time.monotonic()
        opened = 0
        for slot in range(SOCKETS):
            if slot in sockets or opened >= 500:  # at most 500 new a second
                continue
            address = f"127.1.{1 + slot % ADDRESSES // 250}.{1 + slot % ADDRESSES % 250}"
            try:
                conn = socket.create_connection(
                    ("127.0.0.1", port), timeout=2, source_address=(address, 0)
                )
                conn.setblocking(False)
                conn.send(b"GET / HTTP/1.1\r\nHost: x\r\n")
            except OSError:
                counts["refused"] += 1
                continue
            sockets[slot] = (conn, now + 15)
            counts["opened"] += 1
            opened += 1
        for slot, (conn, due) in list(sockets.items()):
            if closed(conn):
                conn.close()
                del sockets[slot]
                counts["closed by the collector"] += 1
            elif due <= now:
                try:
                    conn.send(b"X-Slow: 1\r\n")
                    sockets[slot] = (conn, now + 15)
                except OSError:
                    conn.close()
                    del sockets[slot]
        held[0] = len(sockets)
        stop.wait(1.0)
    for conn, _due in sockets.values():
        conn.close()


def tricklers(port, stop, counts):
    """TRICKLERS anonymous 23 MB bodies: all but 100 bytes announced, a byte every 20 s."""
    bodies = {}
    head = (
        f"POST /api/v1/reports HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
        f"Content-Length: {ANNOUNCED}\r\n\r\n"
    ).encode() + b"{" * 100
    while not stop.is_set():
        now = time.monotonic()
        for slot in range(TRICKLERS):
            if slot in bodies:
                continue
            try:
                conn = socket.create_connection(
                    ("127.0.0.1", port), timeout=2, source_address=(f"127.2.0.{1 + slot}", 0)
                )
                conn.setblocking(False)
                conn.send(head)
            except OSError:
                continue
            bodies[slot] = (conn, now + 20)
            counts["bodies sent"] += 1
        for slot, (conn, due) in list(bodies.items()):
            try:
                answer = conn.recv(64)
            except BlockingIOError:
                answer = None
            except OSError:
                answer = b""
            if answer is not None:
                counts[
                    "bodies refused (413)"
                    if answer.startswith(b"HTTP/1.1 413")
                    else "bodies closed otherwise"
                ] += 1
                conn.close()
                del bodies[slot]
            elif due <= now:
                try:
                    conn.send(b"{")
                    bodies[slot] = (conn, now + 20)
                except OSError:
                    conn.close()
                    del bodies[slot]
        stop.wait(1.0)
    for conn, _due in bodies.values():
        conn.close()


def health(url, stop, latencies, errors):
    """A fresh connection each time: what a monitoring probe or a new agent meets."""
    while not stop.is_set():
        spent, answer = timed(lambda: requests.get(url + "/api/v1/health", timeout=30))
        ok = not isinstance(answer, Exception) and answer.status_code == 200
        (latencies if ok else errors).append(spent)
        stop.wait(0.2)


def ksc_export(folder):
    """A KSC device list of about KSC_BYTES (UTF-16, as the console writes it)."""
    last = datetime.now(timezone.utc) - timedelta(days=1)
    rows, size = [], 0
    while size < KSC_BYTES - 1000:
        name = f"SXD-KT{len(rows):06}"
        row = ksc_row(
            name,
            ip=f"10.{len(rows) // 65536 % 256}.{len(rows) // 256 % 256}.{len(rows) % 256}",
            last=last,
        )
        size += 2 * (len("\t".join(row)) + 2)
        rows.append(row)
    return write_ksc(Path(folder) / "devices.txt", rows)


def admin_import(collector, path, result):
    browser = collector.officer()
    page = browser.get(collector.url + "/admin/imports", timeout=30).text
    token = page.split('name="csrf_token" value="', 1)[1].split('"', 1)[0]
    with path.open("rb") as upload:
        spent, answer = timed(
            lambda: browser.post(
                collector.url + "/admin/imports",
                timeout=600,
                data={"source": "ksc", "csrf_token": token},
                files={"file": ("devices.txt", upload)},
            )
        )
    result["seconds"] = spent
    result["status"] = getattr(answer, "status_code", repr(answer))
    result["bytes"] = path.stat().st_size


def temp_held(pid, folder):
    """Bytes of the collector's temporary files: in its TMPDIR, or deleted but open."""
    total = 0
    for fd in os.listdir(f"/proc/{pid}/fd"):
        try:
            target = os.readlink(f"/proc/{pid}/fd/{fd}")
            if target.startswith(str(folder)) or target.endswith("(deleted)"):
                total += os.stat(f"/proc/{pid}/fd/{fd}").st_size
        except OSError:
            continue
    return total


def watch(pid, folder, stop, peaks):
    process = psutil.Process(pid)
    while not stop.is_set():
        try:
            peaks["rss"] = max(peaks["rss"], process.memory_info().rss)
            peaks["temp"] = max(peaks["temp"], temp_held(pid, folder))
        except (psutil.Error, OSError):
            pass
        stop.wait(0.5)


def line(name, latencies, errors):
    print(
        f"   {name:<8} {len(latencies):>5} answered, {len(errors)} failed; "
        f"p50 {percentile(latencies, 0.5) * 1000:.0f} ms, "
        f"p95 {percentile(latencies, 0.95) * 1000:.0f} ms (goal < {GOAL_P95 * 1000:.0f} ms)"
    )


def main():
    limit = raise_open_files()
    with tempfile.TemporaryDirectory() as tmp:
        serve_tmp = Path(tmp) / "serve-tmp"
        serve_tmp.mkdir()
        collector = Collector(tmp)
        collector.env["TMPDIR"] = str(serve_tmp)
        ksc = ksc_export(tmp)
        collector.start()
        try:
            stop, held = threading.Event(), [0]
            counts = {
                "opened": 0,
                "refused": 0,
                "closed by the collector": 0,
                "bodies sent": 0,
                "bodies refused (413)": 0,
                "bodies closed otherwise": 0,
            }
            peaks = {"rss": 0, "temp": 0}
            floods = [
                threading.Thread(target=slowloris, args=(collector.port, stop, held, counts)),
                threading.Thread(target=tricklers, args=(collector.port, stop, counts)),
                threading.Thread(
                    target=watch, args=(collector.process.pid, serve_tmp, stop, peaks)
                ),
            ]
            for flood in floods:
                flood.start()
            time.sleep(10.0)  # the sockets opened before anything is measured
            posted, post_errors, pages, page_errors, probes, probe_errors = ([] for _ in range(6))
            imported = {}
            workers = [
                threading.Thread(
                    target=agent,
                    args=(collector.url, collector.token, worker, stop, posted, post_errors),
                )
                for worker in range(4)
            ]
            workers += [
                threading.Thread(
                    target=officer, args=(collector, collector.url, stop, pages, page_errors)
                ),
                threading.Thread(target=health, args=(collector.url, stop, probes, probe_errors)),
            ]
            importer = threading.Thread(target=admin_import, args=(collector, ksc, imported))
            for worker in (*workers, importer):
                worker.start()
            time.sleep(SECONDS)
            held_at_end = held[0]
            importer.join(600)
            stop.set()
            for worker in (*workers, *floods):
                worker.join(120)
            print(
                f"   open-file limit here {limit:,}; {SOCKETS:,} sockets from {ADDRESSES} "
                f"addresses, {TRICKLERS} bodies of {ANNOUNCED:,} bytes announced; "
                f"{SECONDS:.0f} s measured"
            )
            print(
                f"   sockets held at the end {held_at_end:,} of {SOCKETS:,} (goal: the "
                f"collector sheds the slow, so what follows stays fast); "
                + ", ".join(f"{name} {count:,}" for name, count in counts.items())
            )
            line("health", probes, probe_errors)
            line("pages", pages, page_errors)
            line("agents", posted, post_errors)
            print(
                f"   KSC import by an admin ({imported.get('bytes', 0) / 1e6:.1f} MB): "
                f"status {imported.get('status')} in {imported.get('seconds', 0):.1f} s "
                "(goal: 200, stored)"
            )
            print(
                f"   collector memory peak {peaks['rss'] / 2**20:.0f} MB (goal < "
                f"{GOAL_RSS_MB} MB); temp space held peak {peaks['temp'] / 2**20:.1f} MB "
                f"(goal < {GOAL_TEMP_MB} MB)"
            )
        finally:
            collector.stop()


if __name__ == "__main__":
    main()
