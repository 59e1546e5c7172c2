"""Machines with their state as of a date, read through the door (`figures.py`: the rules
of `states.py` as columns), filtered and one page at a time: the lists behind unit pages
(installed, missing, exempt, misnamed, stale, duplicates) and their exports."""

from __future__ import annotations

import json
from typing import Any

from collector.counting import figures
from collector.counting.rollup import subtree_codes
from collector.counting.states import COUNTS, STATE_RANK, STATES, UnknownUnit, when_for
from collector.store.machines import (
    search_now_params,
    search_now_sql,
    search_params,
    search_sql,
)
from collector.store.paging import MAX_PAGE, PER_PAGE_DEFAULT, PER_PAGE_MAX, Page
from collector.store.units import get_unit, list_units

STATE_FILTERS = (*STATES, "installed", "not_connected")
COLUMNS = """state.machine_id, state.hostname, state.observed_at AS last_seen_at, state.state,
    state.follows_guideline, state.named_unit, state.enrolled_code, state.unit,
    state.mismatch, state.conflict, state.assigned_unit, state.connected,
    state.last_connected_at, r.os_name, r.ram_installed_bytes, r.ram_visible_bytes,
    r.device_type, r.av_status, r.mgmt_installed, state.report_id"""
BOOLEANS = ("follows_guideline", "mismatch", "conflict", "connected", "mgmt_installed")


# The orders a list can take, each an expression over the `state` rows (ties: by name).
_REPORT = "(SELECT {} FROM reports x WHERE x.report_id = state.report_id)"
SORTS = {
    "hostname": "hostname COLLATE NOCASE",
    "unit": "unit",
    "state": STATE_RANK,
    "named": "follows_guideline",
    "product": "(SELECT group_concat(name, '; ') FROM report_products p "
    "WHERE p.report_id = state.report_id)",
    "ip": _REPORT.format("json_extract(x.body, '$.machine.addresses[0].ip')"),
    "os": _REPORT.format("x.os_name"),
    "ram": _REPORT.format("coalesce(x.ram_installed_bytes, x.ram_visible_bytes)"),
    "device": _REPORT.format("x.device_type"),
    "agent": _REPORT.format("x.mgmt_installed"),
    "last_report": "observed_at",
}


class BadFilter(ValueError):
    """A machine list filter with a value it does not know."""


class UnknownTab(BadFilter):
    """A machine list other than those of TABS."""


# The lists a unit's machines are shown in (the unit page's tabs, the machine list export),
# each as the filter of `list_machine_states()` that gives it.
TABS: dict[str, dict[str, Any]] = {
    "all": {},
    "installed": {"state": "installed"},
    "missing": {"state": "missing"},
    "exempt": {"state": "exempt"},
    "misnamed": {"follows_guideline": False},
    "stale": {"state": "stale"},
    "not_connected": {"state": "not_connected"},
    "duplicates": {"duplicates": True},
    "licence_expiring": {"state": "installed", "licence_expiring": True},
}


def list_tab(db, tab, **options):
    """One page of the machines of a tab (see TABS); UnknownTab for another name."""
    if tab not in TABS:
        raise UnknownTab(f"tab '{tab}' is not one of {', '.join(TABS)}")
    return list_machine_states(db, **options, **TABS[tab])


def _subtree(db, unit, when):
    """The unit and the units under it in the tree in force on the Moment's day (the tree
    `rollup()` sums over); UnknownUnit for a unit that does not exist (or did not yet)."""
    if get_unit(db, unit) is None:
        raise UnknownUnit(unit)
    units = list_units(db, as_of=None if when.current else when.as_of)
    if unit.upper() not in {each["code"] for each in units}:
        raise UnknownUnit(unit)
    return subtree_codes(units, unit.upper())


# What a state filter keeps, over a machine's row (its rules are columns).
STATE_CONDITIONS = {"installed": "installed", "not_connected": "installed AND NOT connected"}


def _conditions(
    db,
    found,
    when,
    unit=None,
    state=None,
    follows_guideline=None,
    mismatch=None,
    duplicates=False,
    query=None,
    conflict=None,
    units=None,
    licence_expiring=None,
):
    # Filter values are written into the SQL only after being checked against fixed lists
    # (or made booleans), so the conditions of several tabs can share one query.
    conditions, params = [], {}
    if unit is not None:
        params["units"] = units or _subtree(db, unit, when)
        codes, listed = values_list("unit", params["units"])
        params.update(listed)
        # The codes as parameters, not a subquery: SQLite then reads a unit's rows through
        # its index also inside the rows kept and counted again (a subquery is not pushed
        # down into them: every machine read).
        if conflict:
            # Counted for no unit: shown under both units it concerns.
            conditions.append(f"(enrolled_code IN {codes} OR named_unit IN {codes})")
        else:
            conditions.append(f"unit IN {codes}")
    if state is not None:
        if state not in STATE_FILTERS:
            raise BadFilter(f"state '{state}' is not one of {', '.join(STATE_FILTERS)}")
        if state in STATE_CONDITIONS:
            conditions.append(STATE_CONDITIONS[state])
        else:
            # A parameter per state: the conditions of several tabs share one query.
            conditions.append(f"state = :state_{state}")
            params[f"state_{state}"] = state
    if follows_guideline is not None:
        conditions.append(f"follows_guideline = {int(bool(follows_guideline))}")
    if mismatch is not None:
        conditions.append(f"mismatch = {int(bool(mismatch))}")
    if conflict is not None:
        conditions.append(f"conflict = {int(bool(conflict))}")
    if duplicates:
        # Shared with any machine, in the list's units or not.
        conditions.append(figures.shared_condition(found))
    if licence_expiring:
        conditions.append("licence_expiring")
    # The search index follows each machine's latest report: only now.
    indexed = query and when.current and search_now_params(query)
    if indexed:
        conditions.append(search_now_sql("state.machine_id", indexed["mac"]))
        params.update(indexed)
    elif query:
        conditions.append(
            search_sql(
                "hostname",
                "machine_id",
                "(SELECT b.body FROM reports b WHERE b.report_id = state.report_id)",
            )
        )
        params.update(search_params(query))
    return " AND ".join(conditions) or "1 = 1", params


def values_list(name, values):
    """`(:name_0, :name_1, ...)` and its parameters: a list SQLite can push down into a
    view's arms, which a `json_each` subquery is not."""
    params = {f"{name}_{index}": value for index, value in enumerate(values)}
    return "(" + (", ".join(f":{key}" for key in params) or "NULL") + ")", params


def tab_counts(db, unit, as_of=None):
    """How many machines each tab of TABS lists for the unit (and its descendants):
    `{tab: count}`. Now, from each unit's counts (`TAB_TOTALS`) and its machines with a
    shared name, whatever the number of machines; as of a past date, in one pass over their
    rows."""
    with figures.reading(db):
        when = when_for(db, as_of)
        subtree = _subtree(db, unit, when)
        if when.current:
            counts = figures.unit_counts(db, when)
            summed = {
                name: sum(counts[code][name] for code in subtree if code in counts)
                for name in COUNTS
            }
            shared = figures.shared_machines(db, when, subtree)
            return {tab: TAB_TOTALS[tab](summed, shared) for tab in TABS}
        found = figures.view(db, when, scope=subtree)
        sums, params = [], {}
        for tab, filters in TABS.items():
            condition, more = _conditions(db, found, when, unit, units=subtree, **filters)
            sums.append(f'coalesce(sum({condition}), 0) AS "{tab}"')
            params.update(more)
        params["units"] = json.dumps(subtree)
        return next(
            db.query(
                found.sql(
                    f"SELECT {', '.join(sums)} FROM {{source}} "  # noqa: S608
                    "WHERE unit IN (SELECT value FROM json_each(:units))"
                ),
                dict(found.params, **params),
            )
        )


# How many machines each tab lists, from the sum of its units' counts and the number of
# their machines with a shared name (a test holds each to the list behind its tab).
TAB_TOTALS = {
    "all": lambda c, shared: c["seen"] + c["stale"] + c["retired"],
    "installed": lambda c, shared: c["installed"],
    "missing": lambda c, shared: c["missing"],
    "exempt": lambda c, shared: c["exempt"],
    "misnamed": lambda c, shared: c["misnamed_listed"],
    "stale": lambda c, shared: c["stale"],
    "not_connected": lambda c, shared: c["installed"] - c["connected"],
    "duplicates": lambda c, shared: shared,
    "licence_expiring": lambda c, shared: c["licence_expiring"],
}


def list_machine_states(
    db,
    as_of=None,
    unit=None,
    state=None,
    follows_guideline=None,
    mismatch=None,
    duplicates=False,
    query=None,
    page=1,
    per_page=PER_PAGE_DEFAULT,
    sort=None,
    descending=False,
    conflict=None,
    licence_expiring=None,
):
    """Machines as of a date with their computed state, ordered by hostname, one page.

    `unit`: that unit and its descendants (by name, or by enrolment when misnamed);
    `state`: one of STATES or "installed"; `follows_guideline`, `mismatch` (name says one
    unit, agent enrolled for another): True/False; `duplicates`: hostnames shared by
    several machines; `conflict`: named outside the subtree of the unit its enrollment
    token is bound to (counted for no unit; under `unit`, those its token's or its name's
    unit is in); `licence_expiring`: the mandated product's licence ends within
    licence_warning_days; `sort`: one of SORTS (default hostname), `descending` to
    reverse."""
    if sort is not None and sort not in SORTS:
        raise BadFilter(f"sort '{sort}' is not one of {', '.join(SORTS)}")
    order = (
        f"{SORTS[sort or 'hostname']} {'DESC' if descending else 'ASC'}, "
        "hostname COLLATE NOCASE, machine_id"
    )
    per_page = min(max(1, per_page), PER_PAGE_MAX)
    page = min(max(1, page), MAX_PAGE)
    with figures.reading(db):
        when = when_for(db, as_of)
        scope = _subtree(db, unit, when) if unit is not None else None
        found = figures.view(db, when, scope=None if when.current or conflict else scope)
        condition, params = _conditions(
            db,
            found,
            when,
            unit,
            state,
            follows_guideline,
            mismatch,
            duplicates,
            query,
            conflict,
            units=scope,
            licence_expiring=licence_expiring,
        )
        if "units" in params:
            params["units"] = json.dumps(params["units"])
        only_unit_and_state = not (
            follows_guideline is not None
            or mismatch is not None
            or duplicates
            or query
            or conflict is not None
            or licence_expiring
        )
        total = None
        if only_unit_and_state:
            total = unit_total(db, when, scope, state)
        # Read the few rows a unit or a state has, then sort them, rather than walk every
        # machine in name order until a page is found.
        source = found.indexed("unit" if unit else "state" if state else None)
        params = dict(found.params, **params)
        if total is None:
            total = db.execute(
                found.sql(
                    f"SELECT count(*) FROM {source} "  # noqa: S608
                    f"WHERE {condition}"
                ),
                params,
            ).fetchone()[0]
        chosen = db.execute(
            found.sql(
                f"SELECT machine_id FROM {source} WHERE {condition} "  # noqa: S608
                f"ORDER BY {order} LIMIT :limit OFFSET :offset"
            ),
            dict(params, limit=per_page, offset=(page - 1) * per_page),
        ).fetchall()
        ids = [machine_id for (machine_id,) in chosen]
        chosen_ids, chosen = values_list("chosen", ids)
        found_rows = {
            row["machine_id"]: row
            for row in db.query(
                found.sql(
                    f"SELECT {COLUMNS} FROM {{source}} JOIN reports r "  # noqa: S608
                    f"ON r.report_id = state.report_id WHERE state.machine_id IN {chosen_ids}"
                ),
                dict(found.params, **chosen),
            )
        }
    rows = [found_rows[machine_id] for machine_id in ids]
    for row in rows:
        for key in BOOLEANS:
            if row[key] is not None:
                row[key] = bool(row[key])
    return Page(rows, total, page, per_page)


# How many machines a state filter lists, from each unit's counts.
COUNT_TOTALS = {
    None: lambda c: c["seen"] + c["stale"] + c["retired"],
    "installed": lambda c: c["installed"],
    "not_connected": lambda c: c["installed"] - c["connected"],
    "protected": lambda c: c["protected"],
    "unprotected": lambda c: c["installed"] - c["protected"],
    "exempt": lambda c: c["exempt"],
    "missing": lambda c: c["missing"],
    "stale": lambda c: c["stale"],
    "retired": lambda c: c["retired"],
}


def unit_total(db, when, units, state):
    """How many machines are in `state` (None: any) among `units` (None: every unit and
    none) as of the Moment, summed from each unit's counts rather than counted one by one."""
    counts = figures.unit_counts(db, when)
    return sum(
        COUNT_TOTALS[state](row) for unit, row in counts.items() if units is None or unit in units
    )


def machine_state(db, machine_id):
    """One machine's state now (a `list_machine_states()` row without the report columns),
    or None."""
    row = figures.machine(db, machine_id)
    if row is None:
        return None
    for key in (
        "follows_guideline",
        "mismatch",
        "conflict",
        "connected",
        "seen",
        "installed",
        "official",
    ):
        row[key] = bool(row[key])
    return row


def counted_for(state):
    """Where a machine's state row (of `machine_state()`) is counted, as the rules of
    `states.py` (OWN_COUNTS) count it: `{"row": ..., "unit": code or None}`, the row one of
    "unit" (its unit's row), "misnamed" (the misnamed row; `unit` is the one it was enrolled
    for), "conflict" (named outside its token's unit: no unit), "stale" and "retired" (listed,
    not counted), "none" (misnamed, enrolled for no known unit; or never reported)."""
    if state is None:
        return {"row": "none", "unit": None}
    if not state["seen"]:
        return {"row": state["state"], "unit": state["unit"]}
    if state["conflict"]:
        return {"row": "conflict", "unit": None}
    if state["unit"] is None:
        return {"row": "none", "unit": None}
    return {"row": "unit" if state["follows_guideline"] else "misnamed", "unit": state["unit"]}
