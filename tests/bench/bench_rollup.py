"""Rollup speed: 100,000 machines in 1,000 units, as of now and as of a past date.

    rollup: 100,000 machines, 1,000 units, 200,000 reports
    first rollup (fills the name cache): 2.17 s
    rollup as of now:          1.05 s (installed 90,000)
    rollup as of a past date:  1.14 s (installed 90,000)
    machine states, one page of one unit subtree:  0.26 s (1,000 machines)
"""

from __future__ import annotations

import json
import tempfile
import time
import uuid
from datetime import datetime, timedelta, timezone
from pathlib import Path

from collector.counting.machine_states import list_machine_states
from collector.counting.rollup import rollup
from collector.store import migrations
from collector.store.db import open_db
from collector.store.ingest import REPORT_COLUMNS
from tests.builders import KES, make_report

MACHINES = 100_000
UNITS = 1_000
REPORTS_PER_MACHINE = 2
NOW = datetime.now(timezone.utc)


def _units(db):
    rows = [{"code": f"U{number:03d}", "name": f"Đơn vị {number}", "group": "Nhóm",
             "parent": None if number < 100 else f"U{number % 100:03d}",
             "allocated": 100, "position": number} for number in range(UNITS)]
    db["units"].insert_all(rows)


def _reports(db):
    """Rows written straight to the tables, as ingest would, but in bulk."""
    reports, products, machines = [], [], []
    for number in range(MACHINES):
        machine_id = str(uuid.UUID(int=number))
        hostname = f"U{number % UNITS:03d}-M{number:05d}" if number % 20 else f"PC{number}"
        for day in range(REPORTS_PER_MACHINE):
            report_id = str(uuid.UUID(int=number * 10 + day + 1))
            observed = (NOW - timedelta(days=10 - day * 5)).strftime("%Y-%m-%dT%H:%M:%SZ")
            reports.append((report_id, machine_id, observed, observed, observed, hostname,
                            "0.1.0", f"U{number % UNITS:03d}", "windows", "Windows 10", "10",
                            0, (1 if number % 50 == 0 else 8) * 2**30, 2**32, "desktop",
                            "detected", 1, 1, "{}", observed))
            if number % 10:
                products.append((report_id, KES["name"], "Kaspersky", "12", 1,
                                 int(number % 7 != 0)))
        machines.append((machine_id, hostname, reports[-2][4], observed, report_id))
    with db.conn:
        columns = [c for c in REPORT_COLUMNS if c not in ("mgmt_server", "mgmt_last_connected_at")]
        db.conn.executemany(
            f"INSERT INTO reports ({', '.join(columns)}, mgmt_last_connected_at) "  # noqa: S608
            f"VALUES ({', '.join('?' * (len(columns) + 1))})", reports)
        db.conn.executemany("INSERT INTO report_products (report_id, name, vendor, version, "
                            "enabled, up_to_date) VALUES (?, ?, ?, ?, ?, ?)", products)
        db.conn.executemany("INSERT INTO machines VALUES (?, ?, ?, ?, ?)", machines)
    return len(reports)


def _timed(function):
    start = time.perf_counter()
    result = function()
    return time.perf_counter() - start, result


def main():
    with tempfile.TemporaryDirectory() as folder:
        db = open_db(Path(folder) / "bench.db")
        migrations.apply(db)
        _units(db)
        stored = _reports(db)
        assert json.loads(json.dumps(make_report()))  # the builder's shape is the schema's
        print(f"rollup: {MACHINES:,} machines, {UNITS:,} units, {stored:,} reports")
        # The first rollup after a bulk load reads every name into the hostname-unit cache,
        # as after a change of the naming pattern or of the units; later ones read new names.
        seconds, now = _timed(lambda: rollup(db))
        print(f"first rollup (fills the name cache): {seconds:.2f} s")
        seconds, now = _timed(lambda: rollup(db))
        print(f"rollup as of now:          {seconds:.2f} s "
              f"(installed {now['total']['installed']:,})")
        seconds, past = _timed(lambda: rollup(db, as_of=(NOW - timedelta(days=7)).date()))
        print(f"rollup as of a past date:  {seconds:.2f} s "
              f"(installed {past['total']['installed']:,})")
        seconds, page = _timed(lambda: list_machine_states(db, unit="U001", state="installed"))
        print(f"machine states, one page of one unit subtree:  {seconds:.2f} s "
              f"({page.total:,} machines)")
        db.close()


if __name__ == "__main__":
    main()
