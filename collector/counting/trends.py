"""The install-rate figures day by day, for the trend charts: the province's, or a unit's
subtree's, as the overview and the unit page show them on each day.

For now each day is a `rollup()` as of that day (at most MAX_POINTS days, spread evenly
from the first report to today), so the figures follow the counting rules exactly; kept
daily figures can later answer the same interface.
"""

from __future__ import annotations

from datetime import date, timedelta

from collector.counting.rollup import UnknownUnit, moment, rollup, when_for
from collector.formats.formatting import LOCAL_TZ
from collector.formats.timefmt import parse_stored
from collector.store.units import get_unit

MAX_POINTS = 60
FIGURES = ("allocated", "installed", "connected", "protected", "exempt", "missing")


def _day(value):
    return value if isinstance(value, date) or value is None else date.fromisoformat(value)


def first_report_day(db):
    """The local date of the first report observed, or None when none came yet."""
    first = db.execute("SELECT min(observed_at) FROM reports").fetchone()[0]
    return None if first is None else parse_stored(first).astimezone(LOCAL_TZ).date()


def sample_days(start, end, limit=MAX_POINTS):
    """Up to `limit` days from `start` to `end`, both included, evenly spread."""
    span = (end - start).days
    if span < 0:
        return []
    if span + 1 <= limit:
        return [start + timedelta(days=n) for n in range(span + 1)]
    return sorted({start + timedelta(days=round(n * span / (limit - 1))) for n in range(limit)})


def daily_figures(db, unit_code=None, start=None, end=None):
    """The figures of each sampled day from `start` (default: the first report's day) to
    `end` (default: today), oldest first, each a dict with "date" (YYYY-MM-DD) and
    FIGURES: for the province (`unit_code` None) or the unit and the units under it.

    "installed" is what that page's install rate divides by "allocated": for the province
    every installed machine the appendix counts (the misnamed row included), for a unit
    those named per the guideline, as its row in the table above it. "connected" is None
    until the counting rules define it. BadAsOf for a date in the future; UnknownUnit."""
    if unit_code is not None and get_unit(db, unit_code) is None:
        raise UnknownUnit(unit_code)
    # moment() refuses a date in the future or before avroll's earliest.
    end = moment(_day(end) or when_for(db).as_of).as_of
    start = moment(_day(start) or first_report_day(db) or end).as_of
    figures = []
    for day in sample_days(start, end):
        total = rollup(db, as_of=day, parent=unit_code, duplicates_limit=1)["total"]
        installed = total["installed_named"] if unit_code else total["installed_official"]
        figures.append({"date": day.isoformat(), "allocated": total["allocated"],
                        "installed": installed, "connected": None,
                        "protected": total["protected"], "exempt": total["exempt"],
                        "missing": total["missing"]})
    return figures
