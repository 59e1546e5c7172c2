"""Reports while the figures are recounted: how long a report waits during each kind of
change at 300,000 machines, and the first overview view after a fresh start.

A province (tests/bench/fleet.py: 1,000 units, SIZE machines, ten days of reports), its
figures kept and its past days kept as the nightly run leaves them, is served by the real
app (tests/bench/serve_bench.py). wrk, in its own process, posts new machines' reports at
CONNECTIONS connections throughout; meanwhile, as an administrator would (another
connection, as the command line does):
- a counting setting changes (every machine counted again now);
- the naming rule changes (every name's unit, then every machine, counted again);
- a unit's parent changes (every machine now and every kept day counted again);
- the nightly run keeps the chart days that change forgot;
- the server restarts after another change of parent, and an officer opens the overview.
Each line gives the reports' p99 and longest wait during the change, and how long the change
took to be counted. Goals (issue 25): no report waits over 1 s; the first overview view
≤ 1 s, what is not yet counted shown as such. `AVROLL_BENCH_SCALE=small`: 30,000 machines.
`AVROLL_BENCH_RECOUNT_DB=PATH`: the province is built once at PATH (minutes at 300k) and
copied from there by the next runs.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from collector.cli.wait_ready import wait_ready
from collector.counting import kept
from collector.store import enrollment, settings, units, users
from collector.store.db import open_db
from collector.store.lifecycle import today
from tests.bench import fleet
from tests.bench.bench_ingest import SCRIPT, body_template
from tests.bench.scale import pick
from tests.e2e.conftest import ADMIN, free_port, logged_in

SIZE = pick("AVROLL_BENCH_RECOUNT_MACHINES", 300_000, 30_000)
BUILT = os.environ.get("AVROLL_BENCH_RECOUNT_DB")  # a province built once, copied each run
CONNECTIONS = 8
SETTLE = 2.0  # seconds of load before and after each change
GOAL_WAIT_MS = 1000
GOAL_FIRST_VIEW = 1.0


class Server:
    """The bench server on the database, started and stopped."""

    def __init__(self, db_path):
        self.db_path, self.port, self.process = db_path, free_port(), None
        self.url = f"http://127.0.0.1:{self.port}"

    def start(self):
        self.process = subprocess.Popen(
            [sys.executable, "-m", "tests.bench.serve_bench", self.db_path, str(self.port)],
            stderr=subprocess.DEVNULL,
        )
        if not wait_ready(self.url, seconds=600):
            raise SystemExit("bench server did not start")

    def stop(self):
        self.process.terminate()
        self.process.wait(timeout=600)


def prepare(path):
    """The province with its figures and past days kept; an enrollment token."""
    db = fleet.build(path, SIZE)
    users.add_user(db, "bench", *ADMIN, "admin")
    token = enrollment.create_token(db, "bench", note="bench")[1]
    kept.catch_up(db)
    kept.keep_days_before(db, today())
    db.close()
    return token


def province(path):
    """`prepare()` at `path`, or a copy of the province built at BUILT (built there first);
    the enrollment token."""
    if BUILT is None:
        return prepare(path)
    token_file = Path(BUILT + ".token")
    if not token_file.exists():
        token_file.write_text(prepare(BUILT), encoding="utf-8")
    shutil.copyfile(BUILT, path)
    return token_file.read_text(encoding="utf-8")


def all_counted(db):
    """The change is counted: no recount of every machine is due or under way (the
    reports' own marks come and go with the load)."""
    return not kept.recounting(db)


def under_load(server, template, token, run, change):
    """wrk posting reports from SETTLE before `change()` until SETTLE after it returns;
    (wrk's figures, the seconds `change()` took)."""
    load = subprocess.Popen(
        [
            "wrk",
            "-t2",
            f"-c{CONNECTIONS}",
            "-d3600s",
            "--timeout",
            "120s",
            "-s",
            str(SCRIPT),
            server.url + "/api/v1/reports",
            "--",
            str(template),
            str(run),
            "new",
            token,
        ],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        time.sleep(SETTLE)
        started = time.perf_counter()
        change()
        seconds = time.perf_counter() - started
        time.sleep(SETTLE)
    finally:
        load.send_signal(signal.SIGINT)  # wrk stops and prints its figures
        output = load.communicate(timeout=300)[0]
    return json.loads(output.strip().splitlines()[-1]), seconds


def counted_after(db_path, make_change):
    """A change made through another connection, waited for until the server counted it."""

    def change():
        db = open_db(db_path)
        try:
            make_change(db)
            while not all_counted(db):
                time.sleep(0.1)
        finally:
            db.close()

    return change


def move_unit(code, parent):
    def change(db):
        unit = units.get_unit(db, code)
        units.save_units(
            db,
            [
                (
                    2,
                    {
                        "code": code,
                        "name": unit["name"],
                        "parent": parent,
                        "allocated": str(unit["allocated"]),
                    },
                )
            ],
            actor="bench",
        )

    return change


def nightly(db_path):
    def change():
        db = open_db(db_path)
        try:
            kept.keep_days_before(db, today())
        finally:
            db.close()

    return change


def first_view(server):
    """An officer's first look at the overview (the server just restarted), timed."""
    browser = logged_in(server.url)

    def change():
        started = time.perf_counter()
        answer = browser.get(server.url + "/", timeout=600)
        assert answer.status_code == 200, answer.status_code
        change.seconds = time.perf_counter() - started

    return change


def row(what, figures, seconds):
    waited = figures["max_ms"]
    errors = f", {figures['errors']} errors" if figures["errors"] else ""
    print(
        f"   {what:<52} reports p99 {figures['p99_ms']:7.0f} ms, longest "
        f"{waited:7.0f} ms ({figures['requests']:,} reports{errors}); change {seconds:5.1f} s",
        flush=True,
    )
    return (
        f"{what} at {SIZE // 1000}k: reports' p99 / longest wait",
        f"{figures['p99_ms']:,.0f} / {waited:,.0f} ms (counted in {seconds:.1f} s)",
        f"none over {GOAL_WAIT_MS:,} ms",
        waited <= GOAL_WAIT_MS and not figures["errors"],
    )


def main():
    rows = []
    with tempfile.TemporaryDirectory() as folder:
        db_path = str(Path(folder) / "recounts.db")
        started = time.perf_counter()
        token = province(db_path)
        print(
            f"   {SIZE:,} machines, figures and past days kept, in "
            f"{time.perf_counter() - started:.0f} s",
            flush=True,
        )
        template = body_template(folder)
        server = Server(db_path)
        server.start()
        try:
            changes = [
                (
                    "a counting setting changed",
                    counted_after(
                        db_path,
                        lambda db: settings.set_value(db, "stale_after_days", "31", "bench"),
                    ),
                ),
                (
                    "the naming rule changed",
                    counted_after(
                        db_path,
                        lambda db: settings.set_value(db, "naming_pattern", "{unit}-M{n}", "bench"),
                    ),
                ),
                ("a unit's parent changed", counted_after(db_path, move_unit("U150", "U051"))),
                ("the nightly keeping of the chart days", nightly(db_path)),
            ]
            for run, (what, change) in enumerate(changes, start=1):
                rows.append(row(what, *under_load(server, template, token, run, change)))
            under_load(
                server,
                template,
                token,
                len(changes) + 1,  # the keeper runs with reports
                counted_after(db_path, move_unit("U150", "U050")),
            )
            server.stop()
            server.start()
            view = first_view(server)
            figures, _ = under_load(server, template, token, len(changes) + 2, view)
            rows.append(row("first overview view after a fresh start", figures, view.seconds))
            rows.append(
                (
                    f"first overview view after a fresh start, {SIZE // 1000}k",
                    f"{view.seconds:.1f} s",
                    f"≤ {GOAL_FIRST_VIEW:g} s",
                    view.seconds <= GOAL_FIRST_VIEW,
                )
            )
        finally:
            server.stop()
    return rows


if __name__ == "__main__":
    main()
