"""A province's collector database at any size, written in bulk (not through HTTP): units
in a tree, machines of every state, a few reports each over recent days. Shared by the
rollup and page benches."""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta, timezone

from collector.store import migrations
from collector.store.db import open_db
from collector.store.ingest import INSERT_PRODUCT, INSERT_REPORT, REPORT_COLUMNS
from tests.builders import KES

UNITS = 1_000
REPORTS_PER_MACHINE = 3
HISTORY_DAYS = 10
NOW = datetime.now(timezone.utc).replace(microsecond=0)


def stored(moment):
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")


def units(db):
    """1,000 units: 100 at the top (departments and districts), 900 communes under them."""
    db["units"].insert_all(
        {
            "code": f"U{number:03d}",
            "name": f"Đơn vị {number}",
            "group": "Sở, ban, ngành" if number < 30 else "UBND cấp huyện",
            "parent": None if number < 100 else f"U{number % 100:03d}",
            "allocated": 100,
            "position": number,
        }
        for number in range(UNITS)
    )


def machines(db, count):
    """`count` machines, each with REPORTS_PER_MACHINE reports over HISTORY_DAYS days: most
    protected and connected, some without the product, some exempt, misnamed, stale."""
    rows, products, latest = [], [], []
    for number in range(count):
        machine_id = str(uuid.UUID(int=number + 1))
        unit = f"U{number % UNITS:03d}"
        hostname = f"{unit}-M{number:06d}" if number % 20 else f"PC{number}"
        stale = number % 97 == 0
        for report in range(REPORTS_PER_MACHINE):
            days_ago = HISTORY_DAYS - report * (HISTORY_DAYS // REPORTS_PER_MACHINE)
            observed = NOW - timedelta(days=days_ago + (40 if stale else 0), hours=number % 7)
            report_id = str(uuid.UUID(int=(number + 1) << 8 | report))
            values = dict.fromkeys(REPORT_COLUMNS)
            values.update(
                report_id=report_id,
                machine_id=machine_id,
                received_at=stored(observed),
                collected_at=stored(observed),
                observed_at=stored(observed),
                hostname=hostname,
                agent_version="0.1.0",
                agent_unit_code=unit,
                os_family="windows",
                os_name="Microsoft Windows 10 Pro",
                os_version="10",
                os_server=0,
                ram_installed_bytes=(1 if number % 50 == 0 else 8) * 2**30,
                ram_visible_bytes=2**32,
                device_type="desktop",
                av_status="detected",
                mgmt_installed=1,
                mgmt_running=1,
                unit_bound=0,
                body="{}",
                mgmt_last_connected_at=stored(
                    observed - timedelta(days=10 if number % 13 == 0 else 0)
                ),
            )
            rows.append([values[column] for column in REPORT_COLUMNS])
            if number % 10:
                products.append(
                    (report_id, KES["name"], "Kaspersky", "12", 1, int(number % 7 != 0), None)
                )
        latest.append((machine_id, hostname, stored(observed), stored(observed), report_id))
        if len(rows) > 50_000:
            _write(db, rows, products, latest)
            rows, products, latest = [], [], []
    _write(db, rows, products, latest)
    # As a database migrated from before the kept figures: nothing marked, nothing kept.
    db.execute("DELETE FROM kept_marks")
    db.conn.commit()


def _write(db, rows, products, latest):
    with db.conn:
        db.conn.executemany(INSERT_REPORT, rows)
        db.conn.executemany(INSERT_PRODUCT, products)
        db.conn.executemany("INSERT INTO machines VALUES (?, ?, ?, ?, ?)", latest)


def build(path, count):
    """A database at `path` with the units and `count` machines; returns it open."""
    db = open_db(path)
    migrations.apply(db)
    units(db)
    machines(db, count)
    return db
