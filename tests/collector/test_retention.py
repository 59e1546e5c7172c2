"""The retention rule: for random report streams (late spool deliveries, renames,
retirements, allocation changes), thinning to days leaves every figure of every date as it
was, and thinning to months leaves every figure from the monthly horizon on as it was; what
stays and what goes at the boundaries of Vietnam days and months (not UTC ones)."""

from __future__ import annotations

import tempfile
from datetime import datetime, timedelta, timezone
from pathlib import Path

from hypothesis import HealthCheck, given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st

from collector.counting.rollup import rollup
from collector.store import lifecycle
from collector.store.db import open_db
from collector.store.ingest import store_report
from collector.store.migrations import apply
from collector.store.retention import horizons, thin_reports
from collector.store.units import save_units
from tests.builders import DEFENDER, KES, make_report

NOW = datetime.now(timezone.utc).replace(microsecond=0)
LOCAL = timezone(timedelta(hours=7))
DAYS = 8
NAMES = ("SXD-{}", "XA-{}", "DESKTOP-{}")


def reports_over(days, max_reports):
    """Streams of reports over `days` days, delivered in any order (a spool sends old
    reports after newer ones), with retirements and allocation changes."""
    report = st.fixed_dictionaries(
        {
            "machine": st.integers(0, 4),
            "hours_ago": st.integers(0, days * 24),
            "name": st.sampled_from(NAMES),
            "installed": st.booleans(),
            "unit_code": st.sampled_from([None, "SXD", "XA"]),
        }
    )
    return st.fixed_dictionaries(
        {
            "reports": st.lists(report, min_size=1, max_size=max_reports),
            "order": st.randoms(use_true_random=False),
            "retire": st.lists(st.tuples(st.integers(0, 4), st.integers(0, DAYS)), max_size=2),
            "allocations": st.lists(st.integers(1, 20), max_size=3),
        }
    )


stream = reports_over(DAYS, 25)


def day(days_ago):
    return (NOW - timedelta(days=days_ago)).astimezone(LOCAL).date().isoformat()


def machine_id(number):
    return f"00000000-0000-4000-8000-00000000000{number}"


def play(db, events):
    save_units(
        db,
        [
            (2, {"code": "SXD", "name": "Sở Xây dựng", "allocated": "10"}),
            (3, {"code": "XA", "name": "Xã A", "allocated": "5"}),
        ],
    )
    reports = list(events["reports"])
    events["order"].shuffle(reports)
    for each in reports:
        store_report(
            db,
            make_report(
                hostname=each["name"].format(each["machine"]),
                machine_id=machine_id(each["machine"]),
                products=(KES,) if each["installed"] else (DEFENDER,),
                unit_code=each["unit_code"],
                collected_at=NOW - timedelta(hours=each["hours_ago"]),
            ),
        )
    for number, (allocated) in enumerate(events["allocations"]):
        save_units(
            db,
            [(2, {"code": "SXD", "name": "Sở Xây dựng", "allocated": str(allocated)})],
            effective_from=day(DAYS - 2 * number),
        )
    for number, days_ago in events["retire"]:
        if db.execute(
            "SELECT 1 FROM machines WHERE machine_id = ?", [machine_id(number)]
        ).fetchone():
            lifecycle.retire(db, "tests", machine_id(number), on=day(days_ago))


def every_figure(db):
    return [rollup(db, as_of=day(days_ago)) for days_ago in range(DAYS + 1, -1, -1)] + [
        rollup(db, as_of=day(days_ago), parent="SXD") for days_ago in (0, 3, DAYS)
    ]


@hypothesis_settings(max_examples=20, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(stream)
def test_thinning_reports_leaves_every_past_figure_unchanged(events):
    with tempfile.TemporaryDirectory() as folder:
        db = open_db(Path(folder) / "r.db")
        apply(db)
        play(db, events)
        before = every_figure(db)
        stored = db.execute("SELECT count(*) FROM reports").fetchone()[0]
        removed = thin_reports(db, keep_all_days=0)
        assert every_figure(db) == before
        kept = db.execute("SELECT count(*) FROM reports").fetchone()[0]
        assert kept == stored - removed
        # What is left is at most one report per machine and day, plus each one's latest.
        per_day = db.execute(
            "SELECT max(n) FROM (SELECT count(*) AS n FROM reports GROUP BY "
            "machine_id, date(observed_at, '+7 hours'))"
        ).fetchone()[0]
        assert per_day <= 2
        db.close()


# Over two months and more, so that a Vietnam month ends inside the stream.
MONTHS_DAYS = 75
KEEP_DAILY = 20
long_stream = reports_over(MONTHS_DAYS, 40)


@hypothesis_settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(long_stream)
def test_thinning_to_months_leaves_every_figure_from_the_horizon_unchanged(events):
    with tempfile.TemporaryDirectory() as folder:
        db = open_db(Path(folder) / "r.db")
        apply(db)
        play(db, events)
        horizon = horizons(0, KEEP_DAILY).daily_from
        assert horizon.isoformat() == day(KEEP_DAILY)
        kept_days = range(KEEP_DAILY, -1, -1)
        before = [rollup(db, as_of=day(ago)) for ago in kept_days]
        thin_reports(db, keep_all_days=0, keep_daily_days=KEEP_DAILY)
        assert [rollup(db, as_of=day(ago)) for ago in kept_days] == before
        # Before the horizon: at most one report per machine and Vietnam month, plus each
        # one's latest and the last row stored.
        per_month = db.execute(
            "SELECT max(n) FROM (SELECT count(*) AS n FROM reports WHERE "
            "date(observed_at, '+7 hours') < ? GROUP BY machine_id, "
            "strftime('%Y-%m', observed_at, '+7 hours'))",
            [horizon.isoformat()],
        ).fetchone()[0]
        assert per_month is None or per_month <= 3
        db.close()


def stored_at(db, *moments, hostname="SXD-1"):
    """Store one report per moment (UTC text), in that order; their ids."""
    ids = []
    for moment in moments:
        ids.append(
            store_report(
                db, make_report(hostname=hostname, collected_at=datetime.fromisoformat(moment))
            ).report_id
        )
    return ids


def kept_ids(db):
    return {row[0] for row in db.execute("SELECT report_id FROM reports")}


# 10:00 in Vietnam on 30/11/2026: every report since 01/09/2026 10:00 (90 days), one a day
# from the Vietnam midnight of 30/11/2025 (365 days) = 29/11/2025 17:00 UTC.
NOW_STORED = "2026-11-30T03:00:00Z"


def test_the_horizons_are_vietnam_days():
    bounds = horizons(90, 365, NOW_STORED)
    assert bounds.all_from == "2026-09-01T03:00:00Z"
    assert bounds.daily_from.isoformat() == "2025-11-30"
    assert bounds.daily_from_stored == "2025-11-29T17:00:00Z"


def test_thinning_to_months_follows_vietnam_months(db):
    ids = stored_at(
        db,
        "2025-10-31T10:00:00+00:00",  # 17:00 on 31/10 in Vietnam: not the month's last
        "2025-10-31T16:30:00+00:00",  # 23:30 on 31/10: October's last, though UTC says so too
        "2025-10-31T17:30:00+00:00",  # 00:30 on 01/11 in Vietnam (31/10 in UTC): November
        "2025-11-15T00:00:00+00:00",  # November, not its last before the horizon
        "2025-11-29T16:59:00+00:00",  # 23:59 on 29/11: the last before the horizon
        "2025-11-29T17:00:00+00:00",  # 00:00 on 30/11: one a day from here, not the last
        "2025-11-29T20:00:00+00:00",  # 03:00 on 30/11: that day's last
        "2025-12-01T16:30:00+00:00",  # 23:30 on 01/12 in Vietnam
        "2025-12-01T17:30:00+00:00",  # 00:30 on 02/12 in Vietnam (01/12 in UTC): another day
        "2026-11-30T01:00:00+00:00",  # today: every report kept
        "2026-11-30T02:00:00+00:00",
    )  # the latest
    removed = thin_reports(db, 90, 365, NOW_STORED)
    assert db.execute("PRAGMA foreign_keys").fetchone()[0] == 1  # on again
    gone = {ids[0], ids[2], ids[3], ids[5]}
    assert removed == len(gone)
    assert kept_ids(db) == set(ids) - gone
    assert db.execute("SELECT count(*) FROM report_products").fetchone()[0] == len(ids) - 4


def test_without_the_daily_limit_only_days_are_thinned(db):
    ids = stored_at(
        db,
        "2025-10-31T10:00:00+00:00",
        "2025-10-31T16:30:00+00:00",
        "2025-11-15T00:00:00+00:00",
        "2026-11-30T02:00:00+00:00",
    )
    assert thin_reports(db, 90, now=NOW_STORED) == 1
    assert kept_ids(db) == set(ids) - {ids[0]}


def test_thinning_to_days_follows_vietnam_days(db):
    ids = stored_at(
        db,
        "2026-05-10T16:30:00+00:00",  # 23:30 on 10/05 in Vietnam
        "2026-05-10T17:30:00+00:00",  # 00:30 on 11/05 (10/05 in UTC)
        "2026-05-11T09:00:00+00:00",  # 16:00 on 11/05: that day's last
        "2026-11-30T02:00:00+00:00",
    )
    assert thin_reports(db, 90, 365, NOW_STORED) == 1
    assert kept_ids(db) == set(ids) - {ids[1]}


def test_reports_within_the_kept_days_stay_whole(db):
    save_units(db, [(2, {"code": "SXD", "name": "Sở Xây dựng", "allocated": "10"})])
    for hours in (24 * 100 + 1, 24 * 100, 3, 2, 1):
        store_report(db, make_report(hostname="SXD-1", collected_at=NOW - timedelta(hours=hours)))
    assert thin_reports(db, keep_all_days=90) == 1  # one of the two reports of 100 days ago
    assert db.execute("SELECT count(*) FROM reports").fetchone()[0] == 4
    assert db.execute("SELECT count(*) FROM report_products").fetchone()[0] == 4


def test_a_machines_latest_report_and_the_last_row_stored_stay(db):
    # A machine that stopped reporting long ago keeps its latest report; the last row
    # stored (here a late delivery from the spool, not its day's nor month's last) stays
    # too, so the next report gets a new rowid, never one used before.
    (latest,) = stored_at(db, "2024-03-10T05:00:00+00:00", hostname="SXD-OLD")
    ids = stored_at(
        db,
        "2025-02-01T01:00:00+00:00",
        "2025-02-20T01:00:00+00:00",
        "2026-11-30T02:00:00+00:00",
        "2025-02-10T01:00:00+00:00",
    )
    last_rowid = db.execute("SELECT max(rowid) FROM reports").fetchone()[0]
    assert thin_reports(db, 90, 365, NOW_STORED) == 1
    assert kept_ids(db) == {latest, *ids} - {ids[0]}
    stored_at(db, "2026-11-30T02:30:00+00:00")
    assert db.execute("SELECT max(rowid) FROM reports").fetchone()[0] == last_rowid + 1
