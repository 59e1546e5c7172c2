"""The retention rule for reports, by Vietnam days and months: every report for
`keep_all_reports_days`; then each machine's last report of each day until
`keep_daily_reports_days`; then each machine's last report of each month. Each machine's
latest report is always kept, and so is the last row stored (rowids are never reused, so the
readers that remember "reports after rowid N" miss none).

Figures as of a date read each machine's latest report before the end of that day, so the
last report of each day is all any past figure needs: thinning to days never changes a past
figure. Thinning to months does change the figures of the days before the monthly horizon:
the caller keeps those days' figures first (`collector.counting`), then thins. The horizon
is a Vietnam midnight and the last report before it is kept, so the figures of the horizon's
day and every later day stay as they were (tests/collector/test_retention.py proves both).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from collector.formats.formatting import LOCAL_TZ
from collector.formats.timefmt import now_stored, parse_stored, to_stored
from collector.store.db import write_transaction

# Each report with its machine's next one (by observed time, ties by rowid: the order in
# which a figure picks a machine's latest). A report goes when the next one falls in the same
# Vietnam day, or, both before the monthly horizon, in the same Vietnam month. Reports from a
# day past the all-reports limit cannot share a day with a candidate, so they are not read.
# The window runs over the (machine_id, observed_at) index alone. Before the date functions
# (slow: most of the time at scale), a cheap test that every pair in one Vietnam day (month)
# passes: a report before 17:00 UTC is on its Vietnam day's UTC date, so a later report of
# the same Vietnam day (month) has the same UTC date (month).
DOOMED = """
    INSERT INTO temp.doomed (id)
    SELECT id FROM (
        SELECT rowid AS id, observed_at,
               lead(observed_at) OVER (PARTITION BY machine_id
                                       ORDER BY observed_at, rowid) AS next_at
        FROM reports WHERE observed_at < :scan_before)
    WHERE next_at IS NOT NULL AND observed_at < :all_before
      AND CASE WHEN next_at < :months_before
               THEN (substr(next_at, 1, 7) = substr(observed_at, 1, 7)
                     OR substr(observed_at, 12, 2) >= '17')
                    AND strftime('%Y-%m', next_at, '+7 hours')
                        = strftime('%Y-%m', observed_at, '+7 hours')
               ELSE (substr(next_at, 1, 10) = substr(observed_at, 1, 10)
                     OR substr(observed_at, 12, 2) >= '17')
                    AND date(next_at, '+7 hours') = date(observed_at, '+7 hours') END
      AND id != (SELECT max(rowid) FROM reports)"""
# Deleted a batch at a time (short write transactions: agents keep reporting meanwhile),
# never a machine's latest report (checked again under the write lock). That check is the
# one the foreign key from `machines` would make, without an index: a scan of every machine
# for each report deleted (44 s for 50,000 reports of 5,000 PCs), so the keys are off then.
# A batch of 1,000 holds the lock about 0.3 s at 5,000 PCs (tests/bench/bench_storage.py).
BATCH = 1000
BATCH_END = "SELECT max(id) FROM (SELECT id FROM temp.doomed WHERE id > ? ORDER BY id LIMIT ?)"
IN_BATCH = """
    SELECT r.report_id FROM temp.doomed d JOIN reports r ON r.rowid = d.id
    WHERE d.id > :after AND d.id <= :upto
      AND r.report_id NOT IN (SELECT latest_report_id FROM machines)"""


@dataclass(frozen=True)
class Horizons:
    """Where the rule changes: every report kept from `all_from` (a stored time); one a day
    kept from `daily_from` (a Vietnam day, at its midnight), one a month before it."""

    all_from: str
    daily_from: date

    @property
    def daily_from_stored(self):
        return to_stored(datetime.combine(self.daily_from, time.min, LOCAL_TZ))


def horizons(keep_all_days, keep_daily_days, now=None):
    """The horizons of the rule at `now` (a stored time, default now)."""
    moment = parse_stored(now or now_stored())
    daily_from = moment.astimezone(LOCAL_TZ).date() - timedelta(days=keep_daily_days)
    return Horizons(to_stored(moment - timedelta(days=keep_all_days)), daily_from)


def thin_reports(db, keep_all_days, keep_daily_days=None, now=None):
    """Delete the reports the rule no longer keeps, with their products; how many.

    Without `keep_daily_days`, only the thinning to days (which changes no figure); with it,
    the thinning to months too, so the caller must have kept the figures of every day before
    `horizons(...).daily_from` first."""
    bounds = horizons(keep_all_days, keep_daily_days or 0, now)
    all_before = bounds.all_from
    months_before = min(bounds.daily_from_stored, all_before) if keep_daily_days else ""
    db.execute("CREATE TEMP TABLE IF NOT EXISTS doomed (id INTEGER PRIMARY KEY)")
    db.execute("DELETE FROM temp.doomed")
    db.execute(
        DOOMED,
        {
            "all_before": all_before,
            "months_before": months_before,
            "scan_before": to_stored(parse_stored(all_before) + timedelta(days=1)),
        },
    )
    db.conn.commit()  # the list is in this connection's temp table; no write lock held
    removed, after = 0, 0
    db.execute("PRAGMA foreign_keys = OFF")
    try:
        while True:
            upto = db.execute(BATCH_END, [after, BATCH]).fetchone()[0]
            if upto is None:
                break
            with write_transaction(db):
                doomed = {"after": after, "upto": upto}
                db.execute(
                    f"DELETE FROM report_products WHERE report_id IN ({IN_BATCH})",  # noqa: S608
                    doomed,
                )
                removed += db.execute(
                    f"DELETE FROM reports WHERE report_id IN ({IN_BATCH})",  # noqa: S608
                    doomed,
                ).rowcount
            after = upto
    finally:
        db.execute("PRAGMA foreign_keys = ON")
    db.execute("DELETE FROM temp.doomed")
    db.conn.commit()
    return removed
