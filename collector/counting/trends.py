"""The install-rate figures day by day, for the trend charts: the province's, or a unit's
subtree's, as the overview and the unit page show them on each day.

Each day is a `rollup()` as of that day (at most MAX_POINTS days, spread evenly from the
first report to today) read through the door (`figures.py`), so each point is that day's
figure exactly; a past day's point is kept in the door's cache, under the figures version
a change from any process moves.
"""

from __future__ import annotations

from datetime import date, timedelta
from functools import partial

from collector.counting import figures
from collector.counting.rollup import rollup
from collector.counting.states import UnknownUnit, moment, when_for
from collector.store.units import get_unit

MAX_POINTS = 60
FIGURES = ("allocated", "installed", "connected", "protected", "exempt", "missing")


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

    "installed" is what that page's install rate divides by "allocated": the licences
    installed of the appendix (for the province the misnamed row included, for a unit its
    row in the table above it); "connected" the installed machines whose Network Agent is in
    touch. `end_total`: the end day's roll-up total, when the
    caller has it (the page showing it), so it is not counted twice. BadAsOf for a date in
    the future; UnknownUnit."""
    return _series(db, unit_code, start, end, end_total, kept_only=False)[0]


def kept_daily_figures(db, unit_code=None, end=None, end_total=None):
    """`daily_figures()` of the days already kept (in the database or the door's cache)
    only, so a page never waits for days to be counted: `(figures, left)`, `left` the
    sampled days not kept yet, which `daily_figures()` counts."""
    return _series(db, unit_code, None, end, end_total, kept_only=True)


def _series(db, unit_code, start, end, end_total, kept_only):
    if unit_code is not None and get_unit(db, unit_code) is None:
        raise UnknownUnit(unit_code)
    with figures.reading(db):
        # moment() refuses a date in the future or before avroll's earliest.
        end = moment(_day(end) or when_for(db).as_of).as_of
        start = moment(_day(start) or figures.first_report_day(db) or end).as_of
        today = when_for(db).as_of
        stored = set(figures.kept_days(db)) if kept_only else set()
        points, left = [], 0
        for day in sample_days(start, end):
            key = ("trend", unit_code, day)
            if day == end and end_total is not None:
                points.append(_from_total(day, end_total))
            elif day >= today:
                points.append(_day_figures(db, day, unit_code))
            elif kept_only and day not in stored and not figures.is_cached(db, key):
                left += 1
            else:
                points.append(figures.cached(db, key, partial(_day_figures, db, day, unit_code)))
    return [dict(point) for point in points], left


def _day_figures(db, day, unit_code):
    return _from_total(day, rollup(db, as_of=day, parent=unit_code, duplicates_limit=1)["total"])


def _from_total(day, total):
    """A chart's point: the figures of the page's total that day; "installed" is the
    install rate's numerator (the appendix's licences installed), whatever the scope."""
    return {
        "date": day.isoformat(),
        "allocated": total["allocated"],
        "installed": total["installed_official"],
        "connected": total["connected"],
        "protected": total["protected"],
        "exempt": total["exempt"],
        "missing": total["missing"],
    }
