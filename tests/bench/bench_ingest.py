"""Collector ingest: reports/s into a database already holding 100k machines, vs parse-only.

Many concurrent posters (processes × threads) send reports of distinct machines to a real
waitress server, each enrolling with the token (the heavier path: a credential is made and
stored per machine); the same load against `/bench/parse` (reads the JSON, stores nothing) shows
how much of the cost is storage. Sample output:
    seeded 100,000 machines in 9.8 s
    ingest  /api/v1/reports: 1,020 reports/s (4 procs x 4 threads, 8 s, 0 errors)
    parse   /bench/parse:    1,650 requests/s
    ingest / parse-only ratio: 0.62
"""

from __future__ import annotations

import json
import multiprocessing
import os
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import requests

from collector.cli.wait_ready import wait_ready
from collector.formats.timefmt import now_stored
from collector.store import enrollment
from collector.store.db import open_db, write_transaction
from collector.store.ingest import (
    INSERT_PRODUCT,
    INSERT_REPORT,
    REPORT_COLUMNS,
    UPSERT_MACHINE,
    report_row,
)
from collector.web.app import create_app
from tests.builders import make_report
from tests.e2e.conftest import free_port

SEEDED = int(os.environ.get("AVROLL_BENCH_MACHINES", 100_000))
PROCESSES, THREADS, SECONDS = 4, 4, 8.0


def seed(db_path, count):
    """`count` machines with one report each, written in bulk (not through HTTP); returns
    an enrollment token for the posters."""
    create_app({"DATABASE": db_path})  # applies the migrations
    db = open_db(db_path)
    token = enrollment.create_token(db, "bench", note="bench")[1]
    received = now_stored()
    with write_transaction(db):
        for start in range(0, count, 5000):
            rows = [report_row(make_report(hostname=f"SEED-{n:06}", machine_id=f"seed-{n:08}"),
                               received) for n in range(start, min(count, start + 5000))]
            db.conn.executemany(INSERT_REPORT, [[r[c] for c in REPORT_COLUMNS] for r in rows])
            db.conn.executemany(INSERT_PRODUCT, [
                (r["report_id"], "Kaspersky Endpoint Security for Windows", "Kaspersky",
                 "12.3", 1, 1) for r in rows])
            db.conn.executemany(UPSERT_MACHINE, rows)
    db.close()
    return token


def poster(url, token, worker, seconds, results):
    """Post distinct machines' reports until time is up; count successes and failures."""
    session = requests.Session()
    headers = {"Content-Type": "application/json", "Authorization": f"Bearer {token}"}
    done = failed = 0
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        report = make_report(hostname=f"B{worker:03}-{done:06}",
                             machine_id=f"bench-{worker:04}-{done:08}")
        answer = session.post(url, data=json.dumps(report), headers=headers, timeout=30)
        if answer.status_code == 201:
            done += 1
        else:
            failed += 1
    results.put((done, failed))


def process_main(url, token, process_index, seconds, results):
    threads = [threading.Thread(target=poster,
                                args=(url, token, process_index * 100 + t, seconds, results))
               for t in range(THREADS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()


def load(url, token, seconds=SECONDS):
    """Requests/s that PROCESSES × THREADS posters achieve against `url`."""
    results = multiprocessing.Queue()
    processes = [multiprocessing.Process(target=process_main,
                                         args=(url, token, p, seconds, results))
                 for p in range(PROCESSES)]
    started = time.perf_counter()
    for process in processes:
        process.start()
    counts = [results.get() for _ in range(PROCESSES * THREADS)]
    for process in processes:
        process.join()
    elapsed = time.perf_counter() - started
    return sum(c[0] for c in counts) / elapsed, sum(c[1] for c in counts)


def main():
    with tempfile.TemporaryDirectory() as tmp:
        db_path = str(Path(tmp) / "bench.db")
        started = time.perf_counter()
        token = seed(db_path, SEEDED)
        print(f"seeded {SEEDED:,} machines in {time.perf_counter() - started:.1f} s")
        port = free_port()
        server = subprocess.Popen([sys.executable, "-m", "tests.bench.serve_bench", db_path,
                                   str(port)])
        try:
            base = f"http://127.0.0.1:{port}"
            if not wait_ready(base):
                raise SystemExit("bench server did not start")
            ingest, failed = load(base + "/api/v1/reports", token)
            print(f"ingest  /api/v1/reports: {ingest:,.0f} reports/s "
                  f"({PROCESSES} procs x {THREADS} threads, {SECONDS:.0f} s, {failed} errors)")
            parse, _ = load(base + "/bench/parse", token)
            print(f"parse   /bench/parse:    {parse:,.0f} requests/s")
            print(f"ingest / parse-only ratio: {ingest / parse:.2f}")
        finally:
            server.terminate()
            server.wait(timeout=10)


if __name__ == "__main__":
    main()
