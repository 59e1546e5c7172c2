"""Machines with their state as of a date (the rules of `rollup.py`), filtered and one page
at a time: the lists behind unit pages (installed, missing, exempt, misnamed, stale,
duplicates) and their exports."""

from __future__ import annotations

import json
from datetime import timedelta

from collector.counting import kept
from collector.counting.products import mandated_names
from collector.counting.rollup import subtree_codes
from collector.counting.states import STATES, UnknownUnit, state_query, when_for
from collector.store import lifecycle, settings
from collector.store.machines import (
    search_now_params,
    search_now_sql,
    search_params,
    search_sql,
)
from collector.store.paging import MAX_PAGE, PER_PAGE_DEFAULT, PER_PAGE_MAX, Page
from collector.store.units import get_unit, unit_parents

STATE_FILTERS = (*STATES, "installed", "not_connected")
COLUMNS = """s.machine_id, s.hostname, s.observed_at AS last_seen_at, s.state,
    s.follows_guideline, s.named_unit, s.enrolled_code, s.unit, s.mismatch, s.conflict,
    s.assigned_unit, s.connected, s.last_connected_at, r.os_name,
    r.ram_installed_bytes, r.ram_visible_bytes, r.device_type, r.av_status, r.mgmt_installed,
    s.report_id"""
BOOLEANS = ("follows_guideline", "mismatch", "conflict", "connected", "mgmt_installed")


# The orders a list can take, each an expression over the `state` rows (ties: by name).
_REPORT = "(SELECT {} FROM reports x WHERE x.report_id = state.report_id)"
SORTS = {
    "hostname": "hostname COLLATE NOCASE",
    "unit": "unit",
    "state": "CASE state " + " ".join(f"WHEN '{name}' THEN {rank}"
                                      for rank, name in enumerate(STATES)) + " END",
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
TABS = {
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


# A name shared with another machine: among every machine's latest report, or now among
# the kept states (by the index on names).
SHARED_AS_OF = ("upper(hostname) IN (SELECT upper(hostname) FROM latest "
                "GROUP BY upper(hostname) HAVING count(*) > 1)")
SHARED_NOW = ("EXISTS (SELECT 1 FROM machine_now other WHERE other.hostname = "
              "state.hostname COLLATE NOCASE AND other.machine_id != state.machine_id)")


def _subtree(db, unit):
    if get_unit(db, unit) is None:
        raise UnknownUnit(unit)
    return subtree_codes(unit_parents(db), unit.upper())


# The mandated product's licence ends within `licence_warning_days` of the as-of date (the
# day the agent read from the product; a product that does not tell is left out).
LICENCE_EXPIRING = """EXISTS (SELECT 1 FROM reports b, json_each(b.body, '$.antivirus.products') p
    WHERE b.report_id = state.report_id
      AND json_extract(p.value, '$.name') IN (SELECT value FROM json_each(:mandated))
      AND substr(json_extract(p.value, '$.licence_expires_at'), 1, 10) <= :licence_before)"""


def licence_params(db, as_of_day):
    """The parameters of LICENCE_EXPIRING for the settings in force on `as_of_day`."""
    values = settings.current(db, as_of=as_of_day)
    before = as_of_day + timedelta(days=values["licence_warning_days"])
    return {"mandated": json.dumps(mandated_names(db, values["required_product"])),
            "licence_before": before.isoformat()}


def _conditions(db, unit=None, state=None, follows_guideline=None, mismatch=None,
                duplicates=False, query=None, conflict=None, now=False, units=None,
                licence_expiring=None, as_of_day=None):
    # Filter values are written into the SQL only after being checked against fixed lists
    # (or made booleans), so the conditions of several tabs can share one query.
    conditions, params = [], {}
    if unit is not None:
        conditions.append("unit IN (SELECT value FROM json_each(:units))")
        params["units"] = units or _subtree(db, unit)
    if state is not None:
        if state not in STATE_FILTERS:
            raise BadFilter(f"state '{state}' is not one of {', '.join(STATE_FILTERS)}")
        conditions.append({"installed": "state IN ('protected', 'unprotected')",
                           "not_connected": "state IN ('protected', 'unprotected') "
                                            "AND NOT connected"}.get(state, f"state = '{state}'"))
    if follows_guideline is not None:
        conditions.append(f"follows_guideline = {int(bool(follows_guideline))}")
    if mismatch is not None:
        conditions.append(f"mismatch = {int(bool(mismatch))}")
    if conflict is not None:
        conditions.append(f"conflict = {int(bool(conflict))}")
    if duplicates:
        # Shared with any machine, in the list's units or not (`latest` is every machine).
        conditions.append(SHARED_NOW if now else SHARED_AS_OF)
    if licence_expiring:
        conditions.append(LICENCE_EXPIRING)
        params.update(licence_params(db, as_of_day or lifecycle.today()))
    indexed = query and now and search_now_params(query)
    if indexed:
        conditions.append(search_now_sql("state.machine_id", indexed["mac"]))
        params.update(indexed)
    elif query:
        conditions.append(search_sql("hostname", "machine_id", "(SELECT b.body FROM "
                                     "reports b WHERE b.report_id = state.report_id)"))
        params.update(search_params(query))
    return " AND ".join(conditions) or "1 = 1", params


def tab_counts(db, unit, as_of=None):
    """How many machines each tab of TABS lists for the unit (and its descendants), in
    one pass over their states: `{tab: count}`."""
    when = when_for(db, as_of)
    subtree = _subtree(db, unit)
    sums, params = [], {}
    for tab, filters in TABS.items():
        condition, tab_params = _conditions(db, unit, now=when.current, units=subtree,
                                            as_of_day=when.as_of, **filters)
        params.update(tab_params)
        sums.append(f"coalesce(sum({condition}), 0) AS \"{tab}\"")
    params["units"] = json.dumps(subtree)
    if when.current:
        kept.catch_up(db)
        return next(db.query(f"SELECT {', '.join(sums)} FROM machine_now AS state "  # noqa: S608
                             "WHERE unit IN (SELECT value FROM json_each(:units))", params))
    sql, state_params = state_query(db, when, scope=subtree)
    params.update(state_params)
    return next(db.query(f"{sql} SELECT {', '.join(sums)} FROM state", params))  # noqa: S608


def list_machine_states(db, as_of=None, unit=None, state=None, follows_guideline=None,
                        mismatch=None, duplicates=False, query=None, page=1,
                        per_page=PER_PAGE_DEFAULT, sort=None, descending=False, conflict=None,
                        licence_expiring=None):
    """Machines as of a date with their computed state, ordered by hostname, one page.

    `unit`: that unit and its descendants (by name, or by enrolment when misnamed);
    `state`: one of STATES or "installed"; `follows_guideline`, `mismatch` (name says one
    unit, agent enrolled for another): True/False; `duplicates`: hostnames shared by
    several machines; `conflict`: named outside the subtree of the unit its enrollment
    token is bound to (counted for no unit); `licence_expiring`: the mandated product's
    licence ends within licence_warning_days; `sort`: one of SORTS
    (default hostname), `descending` to reverse."""
    if sort is not None and sort not in SORTS:
        raise BadFilter(f"sort '{sort}' is not one of {', '.join(SORTS)}")
    order = (f"{SORTS[sort or 'hostname']} {'DESC' if descending else 'ASC'}, "
             "hostname COLLATE NOCASE, machine_id")
    per_page = min(max(1, per_page), PER_PAGE_MAX)
    page = min(max(1, page), MAX_PAGE)
    when = when_for(db, as_of)
    condition, params = _conditions(db, unit, state, follows_guideline, mismatch,
                                    duplicates, query, conflict, now=when.current,
                                    licence_expiring=licence_expiring, as_of_day=when.as_of)
    if when.current:
        # Read the few rows a unit or a state has, then sort them, rather than walk every
        # machine in name order until a page is found.
        index = "machine_now_unit" if unit else "machine_now_state" if state else None
        only_unit_and_state = not (follows_guideline is not None or mismatch is not None
                                   or duplicates or query or conflict is not None
                                   or licence_expiring)
        total = kept_total(db, params.get("units"), state) if only_unit_and_state else None
        return _page_now(db, condition, params, order, page, per_page, index, total)
    sql, state_params = state_query(db, when, scope=params.get("units"))
    if "units" in params:
        params["units"] = json.dumps(params["units"])
    params.update(state_params, limit=per_page, offset=(page - 1) * per_page)
    # The total rides along with each row, so the states are computed once per page.
    rows = list(db.query(
        f"{sql}, chosen AS (SELECT *, count(*) OVER () AS total, "  # noqa: S608
        f"row_number() OVER (ORDER BY {order}) AS position FROM state "
        f"WHERE {condition} ORDER BY {order} LIMIT :limit OFFSET :offset) "
        f"SELECT {COLUMNS}, s.total FROM chosen s JOIN reports r ON r.report_id = s.report_id "
        "ORDER BY s.position", params))
    if rows:
        total = rows[0]["total"]
    else:
        total = db.execute(f"{sql} SELECT count(*) FROM state WHERE {condition}",  # noqa: S608
                           params).fetchone()[0]
    for row in rows:
        del row["total"]
        for key in BOOLEANS:
            if row[key] is not None:
                row[key] = bool(row[key])
    return Page(rows, total, page, per_page)


# How many machines now a state filter lists, from the kept counts of their units.
KEPT_TOTALS = {None: "seen + stale + retired", "installed": "installed",
               "not_connected": "installed - connected", "protected": "protected",
               "unprotected": "installed - protected", "exempt": "exempt",
               "missing": "missing", "stale": "stale", "retired": "retired"}


def kept_total(db, units, state):
    """How many machines now are in `state` (None: any) among `units` (None: every unit and
    none), summed from each unit's kept counts rather than counted one by one."""
    kept.catch_up(db)
    return db.execute(f"SELECT coalesce(sum({KEPT_TOTALS[state]}), 0) FROM unit_now "  # noqa: S608
                      "WHERE :units IS NULL OR unit IN (SELECT value FROM json_each(:units))",
                      {"units": None if units is None else json.dumps(units)}).fetchone()[0]


def _page_now(db, condition, params, order, page, per_page, index, total=None):
    """One page of the machines' kept states now: counted (unless `total` is known) and
    chosen by the indexes of `machine_now` (`index` when given), then the report columns of
    that page only."""
    kept.catch_up(db)
    indexed = f"INDEXED BY {index}" if index else ""
    if "units" in params:
        params["units"] = json.dumps(params["units"])
    if total is None:
        total = db.execute(f"SELECT count(*) FROM machine_now AS state {indexed} "  # noqa: S608
                           f"WHERE {condition}", params).fetchone()[0]
    chosen = db.execute(f"SELECT machine_id FROM machine_now AS state {indexed} "  # noqa: S608
                        f"WHERE {condition} ORDER BY {order} LIMIT :limit OFFSET :offset",
                        dict(params, limit=per_page, offset=(page - 1) * per_page)).fetchall()
    found = {row["machine_id"]: row for row in db.query(
        f"SELECT {COLUMNS} FROM machine_now s JOIN reports r "  # noqa: S608
        "ON r.report_id = s.report_id "
        "WHERE s.machine_id IN (SELECT value FROM json_each(?))",
        [json.dumps([machine_id for (machine_id,) in chosen])])}
    rows = [found[machine_id] for (machine_id,) in chosen]
    for row in rows:
        for key in BOOLEANS:
            if row[key] is not None:
                row[key] = bool(row[key])
    return Page(rows, total, page, per_page)


def machine_state(db, machine_id):
    """One machine's state now (a `list_machine_states()` row without the report columns),
    or None."""
    kept.catch_up(db)
    rows = list(db.query("SELECT * FROM machine_now WHERE machine_id = ?", [machine_id]))
    if not rows:
        return None
    row = rows[0]
    for key in ("follows_guideline", "mismatch", "conflict", "connected"):
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
    if state["state"] in ("stale", "retired"):
        return {"row": state["state"], "unit": state["unit"]}
    if state["conflict"]:
        return {"row": "conflict", "unit": None}
    if state["unit"] is None:
        return {"row": "none", "unit": None}
    return {"row": "unit" if state["follows_guideline"] else "misnamed", "unit": state["unit"]}
