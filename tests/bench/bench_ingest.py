"""Collector ingest: reports/s, p50 and p99 at c=16 and c=64, against parse-only.

A database holding 1,000 units and 100,000 enrolled machines (seeded in bulk SQL, not through
HTTP) is served by a real waitress server (tests/bench/serve_bench.py). wrk, a separate
process, posts reports of distinct machines, each request a new report id
(tests/bench/ingest.lua), to `POST /api/v1/reports`:
- "enrolled": the seeded machines, each with its own credential (the daily case);
- "enroll": each request a new machine enrolling with a token (its first report: a
  credential is made and stored too);
and the same bodies to `/bench/parse` (the same app parsing and checking the report, storing
nothing). Reports are acknowledged only once committed; the ratio shows what storage costs.
The machine is shared, so ingest and parse-only run side by side in ROUNDS paired rounds
(ingest, then parse-only, a few seconds each): the figure is the median of the rounds'
ratios, with their range, and the server's CPU per request beside it. Sample output (full
scale, 2 cores shared with other work, load 9-12):
    seeded 1,000 units and 100,000 machines in 30.6 s (writer synchronous=FULL)
    c=16  ingest enrolled   332 reports/s   p50 42.6 ms  p99 166.0 ms  server CPU 2.56 ms a request
    c=16  parse-only      1,259 requests/s  p50 11.7 ms  p99  38.3 ms  server CPU 0.71 ms a request
    c=16  ingest ÷ parse-only: 0.26 (0.21–0.32); p50 43 ms, p99 166 ms, median of 10 rounds
    ...
`AVROLL_BENCH_SYNCHRONOUS=NORMAL` runs the writer with NORMAL, `AVROLL_BENCH_THREADS` the
server with that many threads, to compare; `AVROLL_BENCH_SCALE=small` (tests/bench/scale.py)
runs 10,000 machines and 3 short rounds.
"""

from __future__ import annotations

import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from urllib.parse import urlsplit

from collector.cli.wait_ready import wait_ready
from collector.counting import figures
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
from collector.store.writer import SYNCHRONOUS
from collector.web.app import create_app
from tests.bench.scale import pick
from tests.builders import make_report
from tests.e2e.conftest import free_port

MACHINES = pick("AVROLL_BENCH_MACHINES", 100_000, 10_000)
UNITS = 1000
SECONDS = pick("AVROLL_BENCH_SECONDS", 5, 2)
ROUNDS = pick("AVROLL_BENCH_ROUNDS", 10, 3)
CONNECTIONS = (16, 64)
GOAL = 0.6
SCRIPT = Path(__file__).with_name("ingest.lua")


def unit_code(n):
    return f"U{n % UNITS + 1:04}"


def credential(n):
    """Seeded machine n's credential, as ingest.lua builds it."""
    return f"avrm_bench{n:033d}"


def seed(db_path, count):
    """UNITS units and `count` enrolled machines with one report each, in bulk; returns an
    enrollment token for new machines."""
    create_app({"DATABASE": db_path})  # applies the migrations
    db = open_db(db_path)
    token = enrollment.create_token(db, "bench", note="bench")[1]
    received = now_stored()
    with write_transaction(db):
        db.conn.executemany(
            "INSERT INTO units (code, name, position) VALUES (?, ?, ?)",
            [(unit_code(n), f"Đơn vị {n}", n) for n in range(UNITS)],
        )
        for start in range(0, count, 5000):
            numbers = range(start, min(count, start + 5000))
            rows = [
                report_row(
                    make_report(hostname=f"{unit_code(n)}-S{n:06}", machine_id=f"seed-{n:08}"),
                    received,
                )
                for n in numbers
            ]
            db.conn.executemany(INSERT_REPORT, [[r[c] for c in REPORT_COLUMNS] for r in rows])
            db.conn.executemany(
                INSERT_PRODUCT,
                [
                    (
                        r["report_id"],
                        "Kaspersky Endpoint Security for Windows",
                        "Kaspersky",
                        "12.3",
                        1,
                        1,
                        None,
                    )
                    for r in rows
                ],
            )
            db.conn.executemany(UPSERT_MACHINE, rows)
            db.conn.executemany(
                "INSERT INTO machine_credentials (machine_id, credential_hash, token_id, "
                "enrolled_at) VALUES (?, ?, 1, ?)",
                [
                    (f"seed-{n:08}", enrollment.secret_hash(credential(n)), received)
                    for n in numbers
                ],
            )
        db.execute("DELETE FROM kept_marks")  # counted below at once, not mark by mark
    figures.keep(db)  # the figures kept now, as on a collector that has been running
    db.close()
    return token


def body_template(folder):
    """A real report's JSON with @RID@, @MID@ and @HOST@ for wrk to fill."""
    path = Path(folder) / "report.json"
    path.write_text(
        json.dumps(make_report(hostname="@HOST@", machine_id="@MID@", report_id="@RID@")),
        encoding="utf-8",
    )
    return path


def wrk(url, connections, template, run, who, seconds=SECONDS):
    """wrk's figures for one run (requests, seconds, errors, p50_ms, p99_ms); `who`: the
    script's arguments after the run number (`new TOKEN` or `enrolled FIRST COUNT`)."""
    settle(urlsplit(url).port)
    output = subprocess.run(
        [
            "wrk",
            "-t2",
            f"-c{connections}",
            f"-d{seconds}s",
            "--timeout",
            "30s",
            "-s",
            str(SCRIPT),
            url,
            "--",
            str(template),
            str(run),
            *who,
        ],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    return json.loads(output.strip().splitlines()[-1])


def server_connections(port):
    """The connections the server on `port` still holds, however far closed (Linux's socket
    table: every local socket on the port but the listener and those in TIME_WAIT)."""
    held = 0
    with open("/proc/net/tcp", encoding="ascii") as table:
        next(table)
        for line in table:
            local, state = line.split()[1], line.split()[3]
            if int(local.rsplit(":", 1)[1], 16) == port and state not in ("0A", "06"):
                held += 1
    return held


def settle(port, seconds=15):
    """Wait until the server has let go of the last run's connections. The connection guard
    lets one address hold 64 (collector/web/connection_guard.py): at c=64, a run begun while
    the server still answered the last run's final requests saw some of its connections
    refused (the read errors wrk counted)."""
    deadline = time.monotonic() + seconds
    while server_connections(port) and time.monotonic() < deadline:
        time.sleep(0.05)


def rate(figures):
    return figures["requests"] / figures["seconds"]


def server_cpu_seconds(pid):
    """The CPU time the server process has used so far, user and system (Linux: /proc)."""
    fields = Path(f"/proc/{pid}/stat").read_text(encoding="ascii").rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def with_cpu(pid, run):
    """`run()`'s wrk figures, with the server's CPU milliseconds per request (`cpu_ms`):
    what a stored report costs beside a parsed one, on cores the machine shares."""
    before = server_cpu_seconds(pid)
    figures = run()
    used = server_cpu_seconds(pid) - before
    return dict(figures, cpu_ms=1000 * used / max(figures["requests"], 1))


def paired_rounds(base, connections, template, token, first_run, pid):
    """ROUNDS of (ingest by enrolled machines, parse-only), side by side; their figures."""
    rounds = []
    for number in range(ROUNDS):
        run = first_run + number
        ingest = with_cpu(
            pid,
            lambda run=run: wrk(
                base + "/api/v1/reports",
                connections,
                template,
                run,
                ["enrolled", str((run * 40_000) % MACHINES), str(MACHINES)],
            ),
        )
        parse = with_cpu(
            pid,
            lambda run=run: wrk(base + "/bench/parse", connections, template, run, ["new", token]),
        )
        rounds.append((ingest, parse, rate(ingest) / rate(parse)))
    return rounds


def median(values):
    return statistics.median(values)


def summary(connections, rounds):
    """Print the rounds' medians; return the table's row for this concurrency."""
    ratios = [ratio for _, _, ratio in rounds]
    ingest = [figures for figures, _, _ in rounds]
    parse = [figures for _, figures, _ in rounds]
    errors = sum(figures["errors"] for figures in ingest)
    for label, runs, unit in (
        ("ingest enrolled", ingest, "reports/s"),
        ("parse-only", parse, "requests/s"),
    ):
        print(
            f"   c={connections:<3} {label:<16} {median([rate(f) for f in runs]):>6,.0f} "
            f"{unit:<11} p50 {median([f['p50_ms'] for f in runs]):6.1f} ms  "
            f"p99 {median([f['p99_ms'] for f in runs]):6.1f} ms  "
            f"server CPU {median([f['cpu_ms'] for f in runs]):4.2f} ms a request",
            flush=True,
        )
    measured = (
        f"{median(ratios):.2f} ({min(ratios):.2f}–{max(ratios):.2f}); p50 "
        f"{median([f['p50_ms'] for f in ingest]):.0f} ms, p99 "
        f"{median([f['p99_ms'] for f in ingest]):.0f} ms" + (f", {errors} errors" if errors else "")
    )
    print(
        f"   c={connections:<3} ingest ÷ parse-only: {measured}, median of {len(rounds)} "
        f"rounds (goal ≥ {GOAL})",
        flush=True,
    )
    return (
        f"ingest ÷ parse-only, c={connections} ({MACHINES:,} enrolled, {len(rounds)} rounds)",
        measured,
        f"≥ {GOAL}",
        median(ratios) >= GOAL and not errors,
    )


def main():
    if shutil.which("wrk") is None:
        print("   wrk is not installed (Debian: apt-get install -y wrk): skipped")
        return []
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        db_path = str(Path(tmp) / "bench.db")
        started = time.perf_counter()
        token = seed(db_path, MACHINES)
        print(
            f"   seeded {UNITS:,} units and {MACHINES:,} machines in "
            f"{time.perf_counter() - started:.1f} s (writer synchronous="
            f"{os.environ.get('AVROLL_BENCH_SYNCHRONOUS', SYNCHRONOUS)})"
        )
        template = body_template(tmp)
        port = free_port()
        server = subprocess.Popen(
            [sys.executable, "-m", "tests.bench.serve_bench", db_path, str(port)],
            stderr=subprocess.DEVNULL,
        )
        try:
            base = f"http://127.0.0.1:{port}"
            if not wait_ready(base):
                raise SystemExit("bench server did not start")
            wrk(base + "/bench/parse", 16, template, 0, ["new", token], seconds=2)  # warm up
            for step, connections in enumerate(CONNECTIONS):
                rounds = paired_rounds(
                    base, connections, template, token, 1 + step * ROUNDS, server.pid
                )
                rows.append(summary(connections, rounds))
                enroll = wrk(
                    base + "/api/v1/reports", connections, template, 100 + step, ["new", token]
                )
                print(
                    f"   c={connections:<3} ingest enroll    {rate(enroll):>6,.0f} reports/s  "
                    f"p50 {enroll['p50_ms']:6.1f} ms  p99 {enroll['p99_ms']:6.1f} ms "
                    "(new machines with a token, one run)",
                    flush=True,
                )
        finally:
            server.terminate()
            server.wait(timeout=30)
    return rows


if __name__ == "__main__":
    main()
