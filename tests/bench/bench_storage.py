"""Storage: the database size after a simulated year of 5,000 PCs × 6 reports a day, with
the retention rule applied every night as `avroll serve` does, beside the size without it.

What is simulated: a year day by day, each PC reporting 6 times between 08:00 and 15:30
(Vietnam time) with a realistic ~1.2 KB body (tests/builders.py's shape: KES and a passive
Defender, Network Agent, three addresses) and its two product rows, written by bulk SQL,
then the kept figures caught up (as the ingest writer does); each night at 02:00 the server's own `prune()` runs under the default rule (every report 90
days, then one a day until 365 days, then one a month). To stay a bench (< 3 min) the year
is run for PCS machines (AVROLL_BENCH_PCS, default 100) and the size scaled to 5,000:
every machine's reports are independent rows of the same size, so the size is linear in
the number of machines (50 and 100 PCs gave sizes within 0.5% of each other once scaled; the
year built at 5,000 PCs in its thinned state, without the nights, takes 10.83 GB). The
nightly prune's time scaled the same way underestimates it: measured once at 5,000 PCs (a
10.8 GB file on a 23 GB machine), it took 11 s with nothing to delete and 22–49 s to delete
a day's 25,000 reports, as more or less of the file was in the OS cache; the write lock is
held a batch of 1,000 reports at a time (median 0.3 s).

Goal: after a year, the size with the rule ≤ 1.1 × (the reports it keeps × the bytes a
report takes when nothing is deleted): the pages freed each night are reused, so deleting
leaves no lasting slack and no VACUUM is needed.
"""

from __future__ import annotations

import json
import os
import statistics
import tempfile
import time
from datetime import datetime, timedelta
from pathlib import Path

from collector.cli import retention
from collector.counting import figures
from collector.formats.formatting import LOCAL_TZ
from collector.formats.timefmt import to_stored
from collector.store.db import open_db
from collector.store.migrations import apply
from tests.builders import DEFENDER, KES, make_report

TARGET_PCS = 5000
PCS = int(os.environ.get("AVROLL_BENCH_PCS", "100"))
PER_DAY = 6
DAYS = 365
FIRST_DAY = datetime(2025, 1, 1, tzinfo=LOCAL_TZ)
GB = 1e9

UUID = (
    "lower(hex(randomblob(4)) || '-' || hex(randomblob(2)) || '-4' || "
    "substr(hex(randomblob(2)), 2) || '-8' || substr(hex(randomblob(2)), 2) || '-' || "
    "hex(randomblob(6)))"
)
# A day of reports: PER_DAY a machine, 90 minutes apart from 08:00, in the order they come.
A_DAY = f"""
    WITH RECURSIVE slot(k) AS (SELECT 0 UNION ALL SELECT k + 1 FROM slot WHERE k < :per_day - 1),
    sent AS (SELECT p.machine_id, p.hostname,
                    strftime('%Y-%m-%dT%H:%M:%SZ', :day,
                             '+' || (k * 5400 + (p.n * 7) % 3600) || ' seconds') AS at,
                    {UUID} AS report_id
             FROM slot, temp.pcs p ORDER BY k, p.n)
    INSERT INTO reports (report_id, machine_id, received_at, collected_at, observed_at,
        hostname, agent_version, agent_unit_code, os_family, os_name, os_version, os_server,
        ram_installed_bytes, ram_visible_bytes, device_type, av_status, mgmt_installed,
        mgmt_running, mgmt_server, mgmt_last_connected_at, body, clock_skew_seconds)
    SELECT report_id, machine_id, at, at, at, hostname, '0.1.0', NULL, 'windows',
           'Microsoft Windows 10 Pro', '10.0.19045', 0, 8589934592, 8160437862, 'desktop',
           'detected', 1, 1, 'ksc.dongthap.gov.vn', at,
           replace(replace(replace(replace(:body, '@RID@', report_id), '@MID@', machine_id),
                           '@HOST@', hostname), '@AT@', at), 0
    FROM sent"""  # noqa: S608 (built from the constant UUID above)
PRODUCTS = """
    INSERT INTO report_products (report_id, name, vendor, version, enabled, up_to_date,
                                 signatures_updated_at)
    SELECT report_id, 'Kaspersky Endpoint Security for Windows', 'Kaspersky', '12.3.0.493',
           1, 1, observed_at FROM reports WHERE rowid > :after
    UNION ALL
    SELECT report_id, 'Windows Defender', 'Microsoft', NULL, 0, 0, NULL
    FROM reports WHERE rowid > :after"""
LATEST = """
    INSERT INTO machines (machine_id, hostname, first_seen_at, last_seen_at, latest_report_id)
    SELECT machine_id, hostname, observed_at, observed_at, report_id FROM reports
    WHERE rowid > :after AND observed_at >= :last_slot
    ON CONFLICT (machine_id) DO UPDATE SET last_seen_at = excluded.last_seen_at,
                                           latest_report_id = excluded.latest_report_id"""


def body_template():
    """A report body with placeholders for what differs between reports."""
    report = make_report(
        hostname="@HOST@",
        machine_id="00000000-0000-4000-8000-000000000000",
        report_id="11111111-1111-4111-8111-111111111111",
        collected_at="2025-01-01T00:00:00+00:00",
        products=(
            dict(KES, signatures_updated_at="2025-01-01T00:00:00+00:00"),
            dict(DEFENDER, enabled=False, up_to_date=False),
        ),
        management_agent={
            "name": "Kaspersky Security Center Network Agent",
            "installed": True,
            "running": True,
            "version": "14.2.0.26967",
            "server": "ksc.dongthap.gov.vn",
            "last_connected_at": "2025-01-01T00:00:00+00:00",
        },
        addresses=[
            {"ip": "10.20.30.41", "mac": "00:1A:2B:3C:4D:5E"},
            {"ip": "fe80::1c2b:3d4e:5f60:7182", "mac": "00:1A:2B:3C:4D:5E"},
            {"ip": "192.168.56.1", "mac": "0A:00:27:00:00:0C"},
        ],
    )
    text = json.dumps(report, ensure_ascii=False, separators=(",", ":"))
    return (
        text.replace("00000000-0000-4000-8000-000000000000", "@MID@")
        .replace("11111111-1111-4111-8111-111111111111", "@RID@")
        .replace("2025-01-01T00:00:00+00:00", "@AT@")
    )


def size_of(db, path):
    """Bytes on disk once the write-ahead log is checkpointed into the file."""
    db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    return sum(
        Path(str(path) + suffix).stat().st_size
        for suffix in ("", "-wal")
        if Path(str(path) + suffix).exists()
    )


def count(db):
    return db.execute("SELECT count(*) FROM reports").fetchone()[0]


def what_takes_the_space(db, reports):
    """Bytes per stored report, per table and index (SQLite's dbstat)."""
    rows = db.execute(
        "SELECT name, sum(pgsize) FROM dbstat GROUP BY name "
        "HAVING sum(pgsize) > 4 * 65536 ORDER BY 2 DESC"
    ).fetchall()
    return ", ".join(f"{name} {size / reports:,.0f} B" for name, size in rows)


def main():
    body = body_template()
    scale = TARGET_PCS / PCS
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "year.db"
        db = open_db(path)
        apply(db)
        # Only how fast the bench writes: the bytes on disk are the same.
        db.execute("PRAGMA synchronous = OFF")
        db.execute("PRAGMA cache_size = -200000")
        db.execute("CREATE TEMP TABLE pcs (n INTEGER PRIMARY KEY, machine_id TEXT, hostname TEXT)")
        db.execute(
            f"""WITH RECURSIVE k(n) AS (SELECT 0 UNION ALL SELECT n + 1 FROM k
                                               WHERE n < :pcs - 1)
                       INSERT INTO temp.pcs SELECT n, {UUID},
                           printf('U%03d-PC-%03d', n / 50, n % 50) FROM k""",  # noqa: S608
            {"pcs": PCS},
        )
        db.conn.commit()
        print(
            f"   {PCS} PCs × {PER_DAY} reports a day for {DAYS} days, body "
            f"{len(body.replace('@RID@', '0' * 36).replace('@MID@', '0' * 36)):,} B; "
            f"sizes scaled × {scale:g} to {TARGET_PCS:,} PCs"
        )
        unbounded_per_report, nights, freed = None, [], []
        started = time.perf_counter()
        for number in range(DAYS):
            day = FIRST_DAY + timedelta(days=number)
            after = db.execute("SELECT coalesce(max(rowid), 0) FROM reports").fetchone()[0]
            db.execute("BEGIN")
            db.execute(
                A_DAY,
                {"per_day": PER_DAY, "day": to_stored(day + timedelta(hours=8)), "body": body},
            )
            db.execute(PRODUCTS, {"after": after})
            db.execute(
                LATEST,
                {
                    "after": after,
                    "last_slot": to_stored(day + timedelta(hours=8, seconds=(PER_DAY - 1) * 5400)),
                },
            )
            db.conn.commit()
            figures.keep(db)  # as the ingest writer does: the day's marks become figures
            if unbounded_per_report is None and number == 89:  # nothing thinned yet
                unbounded_per_report = size_of(db, path) / count(db)
                print(
                    f"   bytes a stored report takes: {unbounded_per_report:,.0f} "
                    f"({what_takes_the_space(db, count(db))})"
                )
            night = to_stored(day + timedelta(days=1, hours=2))
            moment = time.perf_counter()
            done = retention.prune(db, "bench", night, keep_figures_before=None)
            nights.append(time.perf_counter() - moment)
            if done.removed:
                freed.append(db.execute("PRAGMA freelist_count").fetchone()[0])
        kept_reports = count(db)
        size = size_of(db, path)
        page = db.execute("PRAGMA page_size").fetchone()[0]
        free_pages = db.execute("PRAGMA freelist_count").fetchone()[0]
        db.close()
    stored = PCS * PER_DAY * DAYS
    unbounded = unbounded_per_report * stored * scale
    ideal = unbounded_per_report * kept_reports * scale
    print(
        f"   simulated in {time.perf_counter() - started:.0f} s; {stored * scale:,.0f} reports "
        f"sent, {kept_reports * scale:,.0f} kept ({kept_reports / stored:.0%})"
    )
    print(f"{'size after a year, no retention':<44} {unbounded / GB:6.2f} GB")
    print(
        f"{'size after a year, retention every night':<44} {size * scale / GB:6.2f} GB  "
        f"(goal ≤ {1.1 * ideal / GB:.2f} GB: 1.1 × kept reports × "
        f"{unbounded_per_report:,.0f} B)"
    )
    print(
        f"   free pages after the last night: {free_pages * page * scale / 1e6:,.0f} MB "
        f"(most after a night: {max(freed, default=0) * page * scale / 1e6:,.0f} MB, "
        f"reused by the next day's reports)"
    )
    print(
        f"   each later year adds one report a day a PC: "
        f"{TARGET_PCS * DAYS * unbounded_per_report / GB:.2f} GB; once months are thinned, "
        f"one a month: {TARGET_PCS * 12 * unbounded_per_report / GB:.2f} GB"
    )
    print(
        f"{'nightly prune (median, at ' + str(PCS) + ' PCs)':<44} "
        f"{statistics.median(nights):6.2f} s  (linear estimate at {TARGET_PCS:,}: "
        f"{statistics.median(nights) * scale:.0f} s, measured there 11–49 s; goal ≤ 60 s)"
    )


if __name__ == "__main__":
    main()
