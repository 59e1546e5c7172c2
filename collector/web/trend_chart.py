"""The trend chart's geometry: the install rate of each day (from `daily_figures()`) as
points of an SVG line drawn by `_trend.html`, with its axes; nothing is drawn in the
browser."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from collector.formats.formatting import day
from collector.store.issued_reports import issued_reports

WIDTH, HEIGHT = 640, 230
LEFT, RIGHT, TOP, BOTTOM = 60, 16, 12, 34  # room for the axis labels


@dataclass(frozen=True)
class Point:
    """One day on the chart: where it is drawn and what it says."""

    x: float
    y: float
    day: str
    rate: float
    installed: int
    allocated: int


@dataclass(frozen=True)
class Tick:
    """An axis label and where it goes."""

    at: float
    value: object


# About how wide a character of the chart's 13 px labels is, in the chart's units.
CHARACTER_WIDTH = 7


@dataclass(frozen=True)
class Mark:
    """A vertical line at a date with its label, written on the side where it fits."""

    at: float
    value: str
    anchor: str  # "start": the label right of the line, "end": left of it


def _mark(at, label):
    fits_right = at + 3 + len(label) * CHARACTER_WIDTH <= WIDTH
    return Mark(at, label, "start" if fits_right else "end")


def _rate(figure, key):
    allocated = figure["allocated"]
    value = figure[key]
    return None if not allocated or value is None else value / allocated


def trend_chart(figures, marks=()):
    """Points, axis ticks and marks for the install-rate line (and the connected line,
    once counted) over the days of `figures`; None when no day has an allocation.
    `marks`: (YYYY-MM-DD, label) pairs, e.g. reports issued, drawn as vertical lines."""
    rated = [figure for figure in figures if _rate(figure, "installed") is not None]
    if not rated:
        return None
    first = date.fromisoformat(figures[0]["date"])
    days = max(1, (date.fromisoformat(figures[-1]["date"]) - first).days)
    top_rate = max(1.0, max(_rate(figure, "installed") for figure in rated))
    plot_w, plot_h = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM

    def x(day):
        return LEFT + plot_w * (date.fromisoformat(day) - first).days / days

    def y(rate):
        return TOP + plot_h * (1 - rate / top_rate)

    def line(key):
        return [
            Point(
                round(x(f["date"]), 1),
                round(y(_rate(f, key)), 1),
                f["date"],
                _rate(f, key),
                f[key],
                f["allocated"],
            )
            for f in figures
            if _rate(f, key) is not None
        ]

    steps = [step / 4 for step in range(int(top_rate * 4) + 1)]
    shown_days = sorted(
        {figures[0]["date"], figures[len(figures) // 2]["date"], figures[-1]["date"]}
    )
    return {
        "width": WIDTH,
        "height": HEIGHT,
        "left": LEFT,
        "right": WIDTH - RIGHT,
        "top": TOP,
        "bottom": HEIGHT - BOTTOM,
        "installed": line("installed"),
        "connected": line("connected"),
        "y_ticks": [Tick(round(y(rate), 1), rate) for rate in steps],
        "x_ticks": [Tick(round(x(day), 1), day) for day in shown_days],
        "marks": [
            _mark(round(x(day), 1), label)
            for day, label in marks
            if figures[0]["date"] <= day <= figures[-1]["date"]
        ],
        "latest": rated[-1],
    }


def issued_marks(db, parent, lang="vi"):
    """The reports issued for the province (`parent` None) or a unit, as chart marks at the
    date their figures are as of: `[(YYYY-MM-DD, "số … ngày …"), ...]`."""
    words = "số {} ngày {}" if lang == "vi" else "no. {} of {}"
    return [
        (report["as_of"], words.format(report["number"], day(report["issued_on"], lang)))
        for report in issued_reports(db, "report")
        if (report["parent"] or None) == parent
    ]
