"""The install-rate figures day by day, for the trend charts: the province's, or a unit's
subtree's, as the overview and the unit page show them on each day.

Each day is a `rollup()` as of that day (at most MAX_POINTS days, spread evenly from the
first report to today) over the figures kept per day (`kept.py`), so the figures follow the
counting rules exactly. The tree sums of a past day are also kept in this process until a
report observed before that day's end arrives late or the units or settings change.
"""

from __future__ import annotations

import hashlib
import json
import threading
from datetime import date, timedelta

from collector.counting.kept import first_report_day, kept_days
from collector.counting.rollup import rollup
from collector.counting.states import UnknownUnit, moment, when_for
from collector.store.units import get_unit

MAX_POINTS = 60
FIGURES = ("allocated", "installed", "connected", "protected", "exempt", "missing")
MAX_KEPT = 1000  # (database, rules, unit) series kept in memory; the oldest go first


class _Kept:
    """Past days' figures per database, rules and unit, with the last report they saw."""

    def __init__(self):
        self.lock = threading.Lock()
        self.series = {}  # key -> {"rowid": last report rowid read, "days": {date: figures}}

    def days_for(self, db, key):
        """The kept days of `key` still true now: those ending before any report stored
        since they were computed was observed."""
        with self.lock:
            series = self.series.get(key)
        if series is None:
            return {}
        earliest_new = db.execute("SELECT min(observed_at) FROM reports WHERE rowid > ?",
                                  [series["rowid"]]).fetchone()[0]
        return {day: figures for day, figures in series["days"].items()
                if earliest_new is None or moment(day).cutoff <= earliest_new}

    def keep(self, key, rowid, days):
        with self.lock:
            self.series.pop(key, None)
            self.series[key] = {"rowid": rowid, "days": days}
            while len(self.series) > MAX_KEPT:
                self.series.pop(next(iter(self.series)))


_kept = _Kept()


def _rules_key(db, unit_code):
    """What past figures depend on besides the reports: the database file, the units and
    the settings (naming pattern, product, thresholds), and the unit asked for."""
    path = db.execute("PRAGMA database_list").fetchone()[2]
    rules = json.dumps([db.execute("SELECT * FROM units ORDER BY code").fetchall(),
                        db.execute("SELECT * FROM settings ORDER BY key").fetchall()],
                       default=str)
    return path, hashlib.sha256(rules.encode()).hexdigest(), unit_code


def _day(value):
    return value if isinstance(value, date) or value is None else date.fromisoformat(value)


def sample_days(start, end, limit=MAX_POINTS):
    """Up to `limit` days from `start` to `end`, both included, evenly spread."""
    span = (end - start).days
    if span < 0:
        return []
    if span + 1 <= limit:
        return [start + timedelta(days=n) for n in range(span + 1)]
    return sorted({start + timedelta(days=round(n * span / (limit - 1))) for n in range(limit)})


def daily_figures(db, unit_code=None, start=None, end=None, end_total=None):
    """The figures of each sampled day from `start` (default: the first report's day) to
    `end` (default: today), oldest first, each a dict with "date" (YYYY-MM-DD) and
    FIGURES: for the province (`unit_code` None) or the unit and the units under it.

    "installed" is what that page's install rate divides by "allocated": for the province
    every installed machine the appendix counts (the misnamed row included), for a unit
    those named per the guideline, as its row in the table above it; "connected" those of
    them whose Network Agent is in touch. `end_total`: the end day's roll-up total, when the
    caller has it (the page showing it), so it is not counted twice. BadAsOf for a date in
    the future; UnknownUnit."""
    return _series(db, unit_code, start, end, end_total, kept_only=False)[0]


def kept_daily_figures(db, unit_code=None, end=None, end_total=None):
    """`daily_figures()` of the days already kept (in the database or this process) only,
    so a page never waits for days to be counted: `(figures, left)`, `left` the sampled
    days not kept yet, which `daily_figures()` counts."""
    return _series(db, unit_code, None, end, end_total, kept_only=True)


def _series(db, unit_code, start, end, end_total, kept_only):
    if unit_code is not None and get_unit(db, unit_code) is None:
        raise UnknownUnit(unit_code)
    # moment() refuses a date in the future or before avroll's earliest.
    end = moment(_day(end) or when_for(db).as_of).as_of
    start = moment(_day(start) or first_report_day(db) or end).as_of
    key = _rules_key(db, unit_code)
    newest = db.execute("SELECT coalesce(max(rowid), 0) FROM reports").fetchone()[0]
    kept = _kept.days_for(db, key)
    stored = set(kept_days(db)) if kept_only else set()
    figures, left = [], 0
    for day in sample_days(start, end):
        if day == end and end_total is not None:
            kept[day] = _from_total(day, end_total, unit_code)
        elif day not in kept:
            if kept_only and day not in stored:
                left += 1
                continue
            kept[day] = _day_figures(db, day, unit_code)
        figures.append(dict(kept[day]))
    today = when_for(db).as_of
    _kept.keep(key, newest, {day: kept[day] for day in kept if day < today})
    return figures, left


def _day_figures(db, day, unit_code):
    return _from_total(day, rollup(db, as_of=day, parent=unit_code, duplicates_limit=1)["total"],
                       unit_code)


def _from_total(day, total, unit_code):
    installed = total["installed_named"] if unit_code else total["installed_official"]
    return {"date": day.isoformat(), "allocated": total["allocated"], "installed": installed,
            "connected": total["connected"], "protected": total["protected"], "exempt": total["exempt"],
            "missing": total["missing"]}
