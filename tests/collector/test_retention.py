"""The retention rule never changes a figure: for random report streams (late spool
deliveries, renames, retirements, allocation changes), every figure as of every date is the
same before and after the reports are thinned to each machine's last of each day."""

from __future__ import annotations

import tempfile
from datetime import datetime, timedelta, timezone
from pathlib import Path

from click.testing import CliRunner
from hypothesis import HealthCheck, given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st

from collector.cli.main import main
from collector.counting.rollup import rollup
from collector.store import lifecycle
from collector.store.db import open_db
from collector.store.ingest import store_report
from collector.store.migrations import apply
from collector.store.retention import thin_reports
from collector.store.units import save_units
from tests.builders import DEFENDER, KES, make_report

NOW = datetime.now(timezone.utc).replace(microsecond=0)
LOCAL = timezone(timedelta(hours=7))
DAYS = 8
NAMES = ("SXD-{}", "XA-{}", "DESKTOP-{}")

report = st.fixed_dictionaries({
    "machine": st.integers(0, 4), "hours_ago": st.integers(0, DAYS * 24),
    "name": st.sampled_from(NAMES), "installed": st.booleans(),
    "unit_code": st.sampled_from([None, "SXD", "XA"])})
stream = st.fixed_dictionaries({
    "reports": st.lists(report, min_size=1, max_size=25),
    # Deliveries in any order: a spool sends old reports after newer ones.
    "order": st.randoms(use_true_random=False),
    "retire": st.lists(st.tuples(st.integers(0, 4), st.integers(0, DAYS)), max_size=2),
    "allocations": st.lists(st.integers(1, 20), max_size=3)})


def day(days_ago):
    return (NOW - timedelta(days=days_ago)).astimezone(LOCAL).date().isoformat()


def machine_id(number):
    return f"00000000-0000-4000-8000-00000000000{number}"


def play(db, events):
    save_units(db, [(2, {"code": "SXD", "name": "Sở Xây dựng", "allocated": "10"}),
                    (3, {"code": "XA", "name": "Xã A", "allocated": "5"})])
    reports = list(events["reports"])
    events["order"].shuffle(reports)
    for each in reports:
        store_report(db, make_report(
            hostname=each["name"].format(each["machine"]), machine_id=machine_id(each["machine"]),
            products=(KES,) if each["installed"] else (DEFENDER,), unit_code=each["unit_code"],
            collected_at=NOW - timedelta(hours=each["hours_ago"])))
    for number, (allocated) in enumerate(events["allocations"]):
        save_units(db, [(2, {"code": "SXD", "name": "Sở Xây dựng", "allocated": str(allocated)})],
                   effective_from=day(DAYS - 2 * number))
    for number, days_ago in events["retire"]:
        if db.execute("SELECT 1 FROM machines WHERE machine_id = ?",
                      [machine_id(number)]).fetchone():
            lifecycle.retire(db, "tests", machine_id(number), on=day(days_ago))


def every_figure(db):
    return [rollup(db, as_of=day(days_ago)) for days_ago in range(DAYS + 1, -1, -1)] + [
        rollup(db, as_of=day(days_ago), parent="SXD") for days_ago in (0, 3, DAYS)]


@hypothesis_settings(max_examples=20, deadline=None,
                     suppress_health_check=[HealthCheck.too_slow])
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
        per_day = db.execute("SELECT max(n) FROM (SELECT count(*) AS n FROM reports GROUP BY "
                             "machine_id, date(observed_at, '+7 hours'))").fetchone()[0]
        assert per_day <= 2
        db.close()


def test_reports_within_the_kept_days_stay_whole(db):
    save_units(db, [(2, {"code": "SXD", "name": "Sở Xây dựng", "allocated": "10"})])
    for hours in (1, 2, 3, 24 * 100, 24 * 100 + 1):
        store_report(db, make_report(hostname="SXD-1", collected_at=NOW - timedelta(hours=hours)))
    assert thin_reports(db, keep_all_days=90) == 1  # one of the two reports of 100 days ago
    assert db.execute("SELECT count(*) FROM reports").fetchone()[0] == 4
    assert db.execute("SELECT count(*) FROM report_products").fetchone()[0] == 4


def test_avroll_reports_prune(tmp_path):
    path = tmp_path / "p.db"
    db = open_db(path)
    apply(db)
    for hours in (24 * 200, 24 * 200 + 1):
        store_report(db, make_report(hostname="SXD-1", collected_at=NOW - timedelta(hours=hours)))
    db.close()
    done = CliRunner().invoke(main, ["reports", "prune", "--db", str(path)])
    assert done.exit_code == 0 and done.output.startswith("1 report(s) older than 90 days")
