"""What a unit's page shows: the unit with its contacts and place in the tree, its figures
(the rollup under it totals exactly its row in the table above it), its children, and its
machines in tabs."""

from __future__ import annotations

from collector.counting import machine_states
from collector.counting.rollup import rollup
from collector.counting.states import UnknownUnit
from collector.store.units import get_unit

# The unit page's tabs: every list of machines but "all".
TABS = [tab for tab in machine_states.TABS if tab != "all"]


def ancestors(db, unit):
    """The units above `unit`, the top one first (stops at a loop in bad data)."""
    chain, seen = [], {unit["code"]}
    parent = unit["parent"]
    while parent and parent not in seen:
        above = get_unit(db, parent)
        if above is None:
            break
        chain.append(above)
        seen.add(parent)
        parent = above["parent"]
    return chain[::-1]


def unit_summary(db, code, as_of=None):
    """The unit, the units above it, and the rollup under it (figures, children, checks);
    UnknownUnit when no unit has this code."""
    unit = get_unit(db, code)
    if unit is None:
        raise UnknownUnit(code)
    report = rollup(db, as_of=as_of, parent=unit["code"])
    return {
        "unit": unit,
        "ancestors": ancestors(db, unit),
        "as_of": report["as_of"],
        "figures": report["total"],
        "total": report["total"],
        "sections": report["sections"],
        "parent_own": report["parent_own"],
        "misnamed": report["misnamed"],
        "checks": report["checks"],
    }


def unit_machines(db, code, tab, as_of=None, page=1, query=None, sort=None, descending=False):
    """One page of the unit's (and its descendants') machines in a tab, in an order."""
    return machine_states.list_tab(
        db, tab, as_of=as_of, unit=code, query=query, page=page, sort=sort, descending=descending
    )
