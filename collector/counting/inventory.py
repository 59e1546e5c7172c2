"""Queries behind the exports that the rollup does not answer: the products of listed
machines, devices by type and operating system, and each unit's own reporting machines.

They read each machine's row through the door (`figures.py`), with the unit tree in force
that day, so an export never disagrees with the appendix.
"""

from __future__ import annotations

import json

from collector.counting import figures
from collector.counting.rollup import Tree, subtree_codes
from collector.counting.states import UnknownUnit, when_for
from collector.store.units import get_unit, list_units

# Machines in `:units`, seen (or only those in `:state`), by device and system.
DEVICE_COUNTS = """
    SELECT r.device_type, r.os_family, r.os_name, r.os_server, count(*) AS machines
    FROM {source} JOIN reports r ON r.report_id = state.report_id
    WHERE state.seen AND (:state IS NULL OR state.state = :state)
      AND state.unit IN (SELECT value FROM json_each(:units))
    GROUP BY 1, 2, 3, 4 ORDER BY 5 DESC, 3"""


def products_by_report(db, report_ids):
    """The antivirus product names of each report, `{report_id: [name, ...]}`."""
    found: dict[str, list] = {report_id: [] for report_id in report_ids}
    for row in db.query(
        "SELECT report_id, name FROM report_products "
        "WHERE report_id IN (SELECT value FROM json_each(?)) ORDER BY report_id, rowid",
        [json.dumps(list(found))],
    ):
        found[row["report_id"]].append(row["name"])
    return found


def _subtree(db, unit, when):
    """The unit and those under it in the tree in force on the Moment's day."""
    if get_unit(db, unit) is None:
        raise UnknownUnit(unit)
    units = list_units(db, as_of=None if when.current else when.as_of)
    if unit.upper() not in {each["code"] for each in units}:
        raise UnknownUnit(unit)
    return subtree_codes(units, unit.upper())


def device_os_counts(db, unit, as_of=None, state=None):
    """Machines of a unit and its descendants seen as of a date (stale and retired ones left
    out; `state`, e.g. "missing", keeps only those), counted by device type, OS family, OS
    name and server edition."""
    with figures.reading(db):
        when = when_for(db, as_of)
        scope = _subtree(db, unit, when)
        return figures.rows(
            db, when, DEVICE_COUNTS, {"units": json.dumps(scope), "state": state}, scope=scope
        )


def unit_reporting(db, as_of=None, parent=None):
    """Every unit (under `parent`, itself included, when given) in the tree in force that
    day, in import order, with its own machines reporting, installed and missing
    (descendants' not included) and its contacts."""
    with figures.reading(db):
        when = when_for(db, as_of)
        units = list_units(db, as_of=None if when.current else when.as_of)
        scope = _subtree(db, parent, when) if parent else [unit["code"] for unit in units]
        tree = Tree(units, figures.unit_counts(db, when))
    wanted = set(scope)
    return [
        dict(unit, **{key: tree.own[unit["code"]][key] for key in ("seen", "installed", "missing")})
        for unit in units
        if unit["code"] in wanted
    ]
