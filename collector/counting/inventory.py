"""Queries behind the exports that the rollup does not answer: the products of listed
machines, devices by type and operating system, and each unit's own reporting machines.

They count with the rules of `rollup.py` (its state query), so an export never disagrees with
the appendix.
"""

from __future__ import annotations

import json

from collector.counting.rollup import Tree, subtree_codes
from collector.counting.states import OWN_COUNTS, UnknownUnit, state_query, when_for
from collector.store.units import get_unit, list_units, unit_parents

# Appended to the state query: machines in `:units`, not stale (or only those in
# `:state`), by device and system.
DEVICE_COUNTS = """
    SELECT r.device_type, r.os_family, r.os_name, r.os_server, count(*) AS machines
    FROM state s JOIN reports r ON r.report_id = s.report_id
    WHERE s.state != 'stale' AND (:state IS NULL OR s.state = :state)
      AND s.unit IN (SELECT value FROM json_each(:units))
    GROUP BY 1, 2, 3, 4 ORDER BY 5 DESC, 3"""


def products_by_report(db, report_ids):
    """The antivirus product names of each report, `{report_id: [name, ...]}`."""
    found = {report_id: [] for report_id in report_ids}
    for row in db.query(
            "SELECT report_id, name FROM report_products "
            "WHERE report_id IN (SELECT value FROM json_each(?)) ORDER BY report_id, rowid",
            [json.dumps(list(found))]):
        found[row["report_id"]].append(row["name"])
    return found


def _subtree(db, unit):
    if get_unit(db, unit) is None:
        raise UnknownUnit(unit)
    return subtree_codes(unit_parents(db), unit.upper())


def device_os_counts(db, unit, as_of=None, state=None):
    """Machines of a unit and its descendants reporting as of a date (stale ones left out;
    `state`, e.g. "missing", keeps only those), counted by device type, OS family, OS name
    and server edition."""
    scope = _subtree(db, unit)
    sql, params = state_query(db, when_for(db, as_of), scope=scope)
    params.update(units=json.dumps(scope), state=state)
    return list(db.query(sql + DEVICE_COUNTS, params))


def unit_reporting(db, as_of=None, parent=None):
    """Every unit (under `parent`, itself included, when given) in import order with its
    own machines reporting, installed and missing (descendants' not included) and its
    contacts."""
    units = list_units(db)
    scope = _subtree(db, parent) if parent else [unit["code"] for unit in units]
    sql, params = state_query(db, when_for(db, as_of), scope=scope if parent else None)
    own = {row.pop("unit"): row for row in db.query(sql + OWN_COUNTS.format(source="state"), params)}
    tree = Tree(units, own)
    wanted = set(scope)
    return [dict(unit, **{key: tree.own[unit["code"]][key]
                          for key in ("seen", "installed", "missing")})
            for unit in units if unit["code"] in wanted]
