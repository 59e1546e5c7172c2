"""What the overview page shows, built from one `rollup()`: the totals, each unit's install
rate as chart bars, and what needs action now."""

from __future__ import annotations

from dataclasses import dataclass

from collector.counting.rollup import rate_order, rollup

CHART_LIMIT = 40  # more bars than this would not fit a page: the lowest rates are kept


@dataclass(frozen=True)
class Bar:
    """One unit's bar: its install rate, as a share of the chart's scale."""

    code: str
    name: str
    rate: float
    share: float
    over: bool
    lowest: bool


def rate_bars(rows, limit=CHART_LIMIT):
    """Bars for the units that have an allocation, highest rate first; past `limit` units,
    the `limit` lowest (those need attention). Returns the bars and how many units had one."""
    rated = sorted((row for row in rows if row["install_rate"] is not None), key=rate_order)
    if not rated:
        return [], 0, 1.0
    scale = max(1.0, min(2.0, max(row["install_rate"] for row in rated)))
    lowest = min(row["install_rate"] for row in rated)
    shown = rated[-limit:]
    return (
        [
            Bar(
                row["code"],
                row["name"],
                row["install_rate"],
                min(row["install_rate"], scale) / scale,
                row["install_rate"] > 1,
                row["install_rate"] == lowest,
            )
            for row in shown
        ],
        len(rated),
        scale,
    )


def overview(db, as_of=None, parent=None):
    """Totals, bars and action items as of a date, for the province or under `parent`."""
    report = rollup(db, as_of=as_of, parent=parent)
    rows = [row for section in report["sections"] for row in section["units"]]
    total = report["total"]
    bars, rated, scale = rate_bars(rows)
    checks = report["checks"]
    return {
        "as_of": report["as_of"],
        "parent": report["parent"],
        "total": total,
        "units": len(rows),
        "bars": bars,
        "rated_units": rated,
        "scale": scale,
        "units_without_reports": checks["units_without_reports"],
        "over_quota": [row for row in rows if row["over_quota"]],
        "children_over_allocated": checks["children_over_allocated"],
        "misnamed": total["misnamed"],
        "unprotected": total["installed"] - total["protected"],
        "not_connected": total["installed"] - total["connected"],
        "missing": total["missing"],
        "duplicates": len(checks["duplicate_hostnames"]),
        "mismatched": checks["name_unit_mismatches"],
        "conflicts": checks["attribution_conflicts"],
    }
