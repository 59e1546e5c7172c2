"""The units table as the official appendix lays it out (sections, STT, name, allocated,
installed, rate, note) with every other rollup figure, filtered and sorted for the page."""

from __future__ import annotations

from collector.counting.rollup import name_key, rollup
from collector.store.units import list_units

# Column (as the page's `sort` parameter names it) and the rollup figure it orders by.
SORT_KEYS = {
    "name": "name",
    "allocated": "allocated",
    "installed": "installed_official",
    "rate": "install_rate",
    "seen": "seen",
    "connected": "connected",
    "protected": "protected",
    "exempt": "exempt",
    "missing": "missing",
    "stale": "stale",
    "misnamed": "misnamed",
    "coverage": "coverage",
}
FLAGS = ("over_quota", "no_reports")


class BadSort(ValueError):
    """A sort column or filter the units table does not have."""


def notes(row):
    """What the appendix's "Ghi chú" column says about a row (English keys, translated on
    the page)."""
    found = []
    if row["allocated"] is None:
        found.append("No licence allocated")
    if row["over_quota"]:
        found.append("Over quota")
    if not row["seen"]:
        found.append("No machine reporting")
    if row.get("children_over_allocated"):
        found.append("Children allocated more than the unit")
    return found


def _sorted(rows, column, descending):
    """Rows by `column`, ties by name; units without that figure (no allocation) last
    either way."""
    figure = SORT_KEYS[column]
    by_name = sorted(rows, key=lambda row: name_key(row["name"]))
    if figure == "name":
        return by_name[::-1] if descending else by_name
    known = [row for row in by_name if row[figure] is not None]
    known.sort(key=lambda row: row[figure], reverse=descending)  # stable: ties stay by name
    return known + [row for row in by_name if row[figure] is None]


def _flagged(row, flag):
    return row["over_quota"] if flag == "over_quota" else not row["seen"]


def units_table(db, as_of=None, parent=None, group=None, sort=None, descending=False, flag=None):
    """The rollup's sections, each row with its notes; `group` keeps one section, `flag`
    (over_quota, no_reports) only such units, `sort` a column of SORT_KEYS instead of the
    appendix's rate order. Section and grand totals stay those of the whole table."""
    if sort is not None and sort not in SORT_KEYS:
        raise BadSort(f"sort '{sort}' is not one of {', '.join(SORT_KEYS)}")
    if flag is not None and flag not in FLAGS:
        raise BadSort(f"flag '{flag}' is not one of {', '.join(FLAGS)}")
    report = rollup(db, as_of=as_of, parent=parent)
    report["groups"] = [section["group"] for section in report["sections"]]
    sections = []
    for section in report["sections"]:
        if group is not None and section["group"] != group:
            continue
        rows = [
            dict(row, notes=notes(row))
            for row in section["units"]
            if flag is None or _flagged(row, flag)
        ]
        if sort is not None:
            rows = _sorted(rows, sort, descending)
        sections.append(dict(section, units=rows))
    report["sections"] = sections
    return report


def parent_units(db):
    """Units that have units under them (what the parent filter offers), in import order."""
    units = list_units(db)
    parents = {unit["parent"] for unit in units if unit["parent"]}
    return [unit for unit in units if unit["code"] in parents]
