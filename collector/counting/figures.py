"""The door to the figures: every page, list, letter, export, chart and check reads the
counting through this module, and no reader restates a rule.

- It is the only reader of the kept tables (`kept.py` writes them), the only caller of
  `kept.catch_up`, and the only holder of a figure cache.
- The rows it hands out are each machine's state with every rule as a column (`seen`,
  `installed`, `official`, `connected`, `unit`, `conflict`, `mismatch`, ...: the columns
  of `states.STATE`), now or as of a date, so readers filter on columns, never on states.
- Reads never take the write lock. A read that finds the kept figures behind (marks left
  by a change, a state whose moment has passed, a past day not kept yet) answers exactly
  all the same, counting what is behind from the reports in its own read transaction
  (temporary tables only), and leaves the keeping to the keeper (`keep_with()`: the
  server's writer thread) or to the next writer.
- Every cache keys on the figures version (table `figures_version`), which every change
  that can move a figure moves in the database, whichever process makes it.

The rules themselves are in `states.py` (README, "How avroll counts").
"""

from __future__ import annotations

import contextlib
import contextvars
import json
import os
import threading
from collections import OrderedDict
from collections.abc import Callable, Iterator
from datetime import date
from typing import Any

from collector.counting import kept
from collector.counting.states import (
    COUNTS,
    OWN_COUNTS,
    STATE_COLUMNS,
    Moment,
    state_query,
    when_for,
)
from collector.store.lifecycle import today

COLUMNS = ", ".join(COUNTS)
Counts = dict[str, int]

# Keeping: the writer side, through the door.
first_day = kept.first_day
first_report_day = kept.first_report_day
kept_for_good_before = kept.kept_for_good_before
keep_days_before = kept.keep_days_before
keep_day = kept.keep_day
kept_days = kept.kept_days
rebuild = kept.rebuild


def keep_step(db) -> bool:
    """One step of keeping, each in its own transaction (the writer's keeper, between
    batches): the marks and recounts of `kept.keep_step`, then the past days reads asked
    for. True while more is left."""
    path = _path(db)
    more = False
    try:
        more = kept.keep_step(db) or _begin_wanted_day(db, path)
    finally:
        if not more:
            with _lock:
                _woken.discard(path)
    return more


def _begin_wanted_day(db, path) -> bool:
    """Begin keeping a past day a read asked for (its steps follow); False when none."""
    while True:
        with _lock:
            wanted = _days_wanted.get(path)
            if not wanted:
                return False
            day = min(wanted)
            wanted.discard(day)
        if day < today() and not kept.day_kept(db, day):
            kept.begin_day(db, day)
            return True


def keep(db) -> None:
    """Keep everything now, step after step (the commands, the nightly run, tests)."""
    while keep_step(db):
        pass


# The keeper of each database file (by path): a callable taking a job `f(db)` to run in
# the writer's thread, not waiting for it (the writer runs `keep_step` after any job). Reads
# wake it with the work they found: at most once until it has kept.
_keepers: dict[str, Callable[[Callable[[Any], Any]], Any]] = {}
_woken: set[str] = set()
_days_wanted: dict[str, set[date]] = {}
_lock = threading.Lock()


def _path(db) -> str:
    """The database file's real path, found once per handle (each report's answer asks)."""
    path = getattr(db, "_figures_path", None)
    if path is None:
        path = os.path.realpath(db.execute("PRAGMA database_list").fetchone()[2] or ":memory:")
        db._figures_path = path
    return path


def keep_with(path, submit) -> None:
    """Leave the keeping of the database at `path` to the writer whose `submit(job)` queues
    a job (None: to no one)."""
    key = os.path.realpath(str(path))
    with _lock:
        if submit is None:
            _keepers.pop(key, None)
        else:
            _keepers[key] = submit


def _nothing(_db) -> None:
    """A job that stores nothing: the writer keeps after it."""


def _leave_to_keeper(db, day: date | None = None) -> None:
    """Wake the keeper, if any, to catch up (and to keep `day`)."""
    path = _path(db)
    with _lock:
        submit = _keepers.get(path)
        if submit is None:
            return
        if day is not None:
            _days_wanted.setdefault(path, set()).add(day)
        if path in _woken:
            return
        _woken.add(path)
    try:
        submit(_nothing)
    except Exception:  # noqa: BLE001 - a writer that stopped: the next read asks again
        with _lock:
            _woken.discard(path)


@contextlib.contextmanager
def reading(db) -> Iterator[Any]:
    """One read transaction for everything read inside (one snapshot of the database), that
    writes nothing but temporary tables, so it never takes the write lock. Inside an open
    transaction, that one."""
    if db.conn.in_transaction:
        yield db
        return
    db.execute("BEGIN DEFERRED")
    memo = getattr(db, "_figures_memo", None)
    db._figures_memo = {}
    try:
        yield db
    finally:
        db._figures_memo = memo
        if db.conn.in_transaction:
            db.conn.rollback()  # nothing to keep: temporary tables go with it


def _memo(db) -> dict:
    memo = getattr(db, "_figures_memo", None)
    return memo if memo is not None else {}


def version(db) -> int:
    """The figures version: it moves with every change that can move a figure."""
    return db.execute("SELECT version FROM figures_version").fetchone()[0]


# ---- Machines now: the kept rows, with those the writer has not caught up with counted
# again from the reports.

ALL = "all"


def _behind_now(db, when: Moment):
    """What the kept rows now lack: None when nothing, ALL when every machine must be
    counted again, else the ids of the machines to count again."""
    if kept.recounting(db):  # every machine to count again, or being counted again
        return ALL
    ids = {
        machine
        for (machine,) in db.execute(
            "SELECT machine_id FROM kept_marks WHERE machine_id IS NOT NULL UNION "
            "SELECT machine_id FROM machine_now WHERE state_until <= ?",
            [when.cutoff],
        )
    }
    return sorted(ids) or None


class View:
    """Where a read finds each machine's row as of a Moment: `prefix` (a WITH clause, or
    empty) and `source` (a FROM item aliased `state`), with their parameters; `clean` when
    the kept rows answer alone."""

    def __init__(self, prefix: str, source: str, params: dict, clean: bool, kept_now: bool):
        self.prefix, self.source, self.params = prefix, source, params
        self.clean, self.kept_now = clean, kept_now

    def sql(self, select: str) -> str:
        """`select` (with `{source}` where the rows are read) after the WITH clause."""
        return f"{self.prefix} {select.replace('{source}', self.source)}"

    def indexed(self, index: str | None) -> str:
        """The source read through one index of the kept rows, when they answer alone."""
        if index and self.clean and self.kept_now:
            return f"machine_now AS state INDEXED BY machine_now_{index}"
        return self.source


def view(db, when: Moment, scope=None) -> View:
    """The rows of every machine (or of those that may belong to `scope`, unit codes) as of
    the Moment. Call inside `reading()`: temporary tables may hold part of them."""
    memo = _memo(db)
    key = ("view", when, None if scope is None else tuple(scope))
    if key in memo:
        return memo[key]
    if not when.current:
        sql, params = state_query(db, when, scope=scope, read_only=True)
        found = View(sql, "state", params, clean=False, kept_now=False)
    else:
        behind = _behind_now(db, when)
        if behind is None:
            found = View("", "machine_now AS state", {}, clean=True, kept_now=True)
        elif behind == ALL and _before_change.get() and _counted_before(db):
            _leave_to_keeper(db)  # pages: the figures of before, marked (recounting())
            found = View("", "machine_now AS state", {}, clean=True, kept_now=True)
        elif behind == ALL:
            _leave_to_keeper(db)
            sql, params = state_query(db, when, scope=scope, read_only=True)
            found = View(sql, "state", params, clean=False, kept_now=False)
        else:
            _leave_to_keeper(db)
            _fresh_rows(db, when, behind)
            params = {"behind": json.dumps(behind), "touched": _touched_names(db, behind)}
            found = View("", KEPT_AND_FRESH, params, clean=False, kept_now=True)
    memo[key] = found
    return found


# Pages may show the figures of before a change while every machine is counted again
# (marked "đang tính lại"); every other reader (exports, letters, the API, checks) counts.
_before_change: contextvars.ContextVar[bool] = contextvars.ContextVar(
    "figures_before_change", default=False
)


def show_figures_of_before(allowed: bool = True) -> contextvars.Token:
    """From now on in this context (a page's request), a recount under way shows the
    figures of before it instead of counting every machine; returns the token to reset."""
    return _before_change.set(allowed)


def stop_showing_figures_of_before(token: contextvars.Token) -> None:
    _before_change.reset(token)


def recounting(db) -> bool:
    """Every machine is being counted again (a change of units, naming or a counting
    setting): pages that show the figures of before say so."""
    with reading(db):
        return kept.recounting(db) and _counted_before(db)


def _counted_before(db) -> bool:
    return db.execute("SELECT 1 FROM kept_state WHERE key = 'now'").fetchone() is not None


# The kept rows of the machines behind (those `unit_now` counts as they were kept).
BEHIND_KEPT = (
    "(SELECT * FROM machine_now WHERE machine_id IN (SELECT value FROM json_each(:behind)))"
)
# The kept rows of the machines caught up with, and those counted again of the others.
KEPT_AND_FRESH = f"""(SELECT {STATE_COLUMNS} FROM machine_now
    WHERE machine_id NOT IN (SELECT value FROM json_each(:behind))
    UNION ALL SELECT {STATE_COLUMNS} FROM temp.fresh_now) AS state"""  # noqa: S608


def _fresh_rows(db, when: Moment, machines: list[str]) -> None:
    """The rows now of `machines`, counted from the reports, in `temp.fresh_now`."""
    sql, params = state_query(db, when, machines=machines, read_only=True)
    db.execute("DROP TABLE IF EXISTS temp.fresh_now")
    db.execute(
        f"CREATE TEMP TABLE fresh_now AS {sql} "  # noqa: S608
        f"SELECT {STATE_COLUMNS} FROM state",
        params,
    )


def _touched_names(db, behind: list[str]) -> str:
    """The names (upper case, JSON) of the machines behind, kept and counted again: only
    those names may be shared otherwise than the kept `shared_now` says."""
    return json.dumps(
        [
            name
            for (name,) in db.execute(
                "SELECT upper(hostname) FROM machine_now "
                "WHERE machine_id IN (SELECT value FROM json_each(?)) "
                "UNION SELECT upper(hostname) FROM temp.fresh_now",
                [json.dumps(behind)],
            )
        ]
    )


# The rows, kept and counted again, of the machines with a touched name (`:touched`).
TOUCHED_ROWS = """(SELECT machine_id, hostname, unit, enrolled_code FROM machine_now
    WHERE hostname COLLATE NOCASE IN (SELECT value FROM json_each(:touched))
      AND machine_id NOT IN (SELECT value FROM json_each(:behind))
    UNION ALL SELECT machine_id, hostname, unit, enrolled_code FROM temp.fresh_now)"""


# The names shared now: those kept but the touched ones, and which touched ones are.
SHARED_KEPT_AND_TOUCHED = f"""SELECT hostname, machines FROM shared_now
    WHERE hostname NOT IN (SELECT value FROM json_each(:touched))
    UNION ALL {kept.SHARED.format(source=TOUCHED_ROWS)} ORDER BY 1"""  # noqa: S608


def rows(db, when: Moment, select: str, params: dict | None = None, scope=None):
    """The rows of `select` (SQL over `{source}`, each machine's row aliased `state`) as of
    the Moment, as dicts."""
    with reading(db):
        found = view(db, when, scope)
        return list(db.query(found.sql(select), dict(found.params, **(params or {}))))


def unit_counts(db, when: Moment) -> dict[str | None, Counts]:
    """`{unit code or None: counts}` as of the Moment: each unit's own machines (not its
    descendants'), None for machines that belong to no unit."""
    with reading(db):
        if not when.current and _day_is_kept(db, when.as_of):
            counted = db.execute(
                f"SELECT unit, {COLUMNS} FROM unit_days "  # noqa: S608
                "WHERE day = ?",
                [when.as_of.isoformat()],
            ).fetchall()
            return {row[0] or None: dict(zip(COUNTS, row[1:], strict=True)) for row in counted}
        found = view(db, when)
        if found.kept_now:
            counted = db.execute(f"SELECT unit, {COLUMNS} FROM unit_now").fetchall()  # noqa: S608
            result = {row[0] or None: dict(zip(COUNTS, row[1:], strict=True)) for row in counted}
            if not found.clean:  # the machines behind: their kept rows out, fresh ones in
                for sign, source in ((-1, BEHIND_KEPT), (1, "temp.fresh_now")):
                    for row in db.query(OWN_COUNTS.format(source=source), found.params):
                        counts = result.setdefault(
                            row.pop("unit") or None, dict.fromkeys(COUNTS, 0)
                        )
                        for name in COUNTS:
                            counts[name] += sign * (row[name] or 0)
            return result
        result = {}
        for row in db.query(found.sql(OWN_COUNTS.format(source="{source}")), found.params):
            unit = row.pop("unit") or None
            result[unit] = {name: row[name] or 0 for name in COUNTS}
        return result


def shared_machines(db, when: Moment, units) -> int:
    """How many machines of `units` (codes) share their name with another machine as of
    the Moment (the tab "duplicates"): now, from each unit's kept number, the machines the
    keeping has not reached and their namesakes counted again."""
    codes = json.dumps(list(units))
    with reading(db):
        found = view(db, when)
        if not found.kept_now:  # counted here in full
            return db.execute(
                found.sql(
                    "SELECT count(*) FROM {source} WHERE unit IN "  # noqa: S608
                    f"(SELECT value FROM json_each(:units)) AND {shared_condition(found)}"
                ),
                dict(found.params, units=codes),
            ).fetchone()[0]
        params = dict(found.params, units=codes)
        shared = db.execute(
            "SELECT coalesce(sum(machines), 0) FROM unit_shared_now "
            "WHERE unit IN (SELECT value FROM json_each(:units))",
            params,
        ).fetchone()[0]
        if found.clean:
            return shared
        # Kept but for the machines behind: those of the names they touch counted again.
        kept_touched, now_touched = db.execute(
            f"""WITH touched AS {TOUCHED_ROWS}
            SELECT (SELECT count(*) FROM machine_now
                    WHERE hostname COLLATE NOCASE IN (SELECT value FROM json_each(:touched))
                      AND unit IN (SELECT value FROM json_each(:units))
                      AND upper(hostname) IN (SELECT hostname FROM shared_now)),
                   (SELECT count(*) FROM touched t
                    WHERE unit IN (SELECT value FROM json_each(:units))
                      AND (SELECT count(*) FROM touched o
                           WHERE upper(o.hostname) = upper(t.hostname)) > 1)""",  # noqa: S608
            params,
        ).fetchone()
        return shared - kept_touched + now_touched


def day_is_kept(db, day: date) -> bool:
    """A past day's figures are read from what is kept (cheap at any size); when not, the
    keeper is asked to keep it."""
    with reading(db):
        return _day_is_kept(db, day)


def _day_is_kept(db, day: date) -> bool:
    """The day's kept figures hold: kept, and no change left unkept touches that day (the
    days kept for good never move). When not, the keeper is asked to keep it."""
    if not db.execute("SELECT 1 FROM kept_days WHERE day = ?", [day.isoformat()]).fetchone():
        _leave_to_keeper(db, day)
        return False
    if day < kept_for_good_before(db):
        return True
    days, moments = db.execute(
        "SELECT min(CASE WHEN length(since) <= 10 THEN since END), "
        "min(CASE WHEN length(since) > 10 THEN since END) FROM kept_marks"
    ).fetchone()
    touched = [first_day(since) for since in (days, moments) if since is not None]
    if touched and min(touched) <= day:
        _leave_to_keeper(db, day)
        return False
    return True


def conflicts(db, when: Moment, scope=None) -> int:
    """Machines counted for no unit because their name and their token disagree, as of the
    Moment; with `scope` (unit codes), those whose token's or name's unit is one of them."""
    units = None if scope is None else json.dumps(list(scope))
    with reading(db):
        if not when.current and _day_is_kept(db, when.as_of):
            return db.execute(
                "SELECT coalesce(sum(conflicts), 0) FROM conflict_days WHERE day = :day "
                "AND (:units IS NULL OR enrolled_code IN (SELECT value FROM json_each(:units)) "
                "OR named_unit IN (SELECT value FROM json_each(:units)))",
                {"day": when.as_of.isoformat(), "units": units},
            ).fetchone()[0]
        found = view(db, when)
        return db.execute(
            found.sql(
                "SELECT count(*) FROM {source} WHERE conflict AND seen AND (:units IS NULL "
                "OR enrolled_code IN (SELECT value FROM json_each(:units)) "
                "OR named_unit IN (SELECT value FROM json_each(:units)))"
            ),
            dict(found.params, units=units),
        ).fetchone()[0]


def shared_names(db, when: Moment) -> list[dict]:
    """Names shared by several machines as of the Moment: `[{hostname, machines}]` by name,
    each machine as `[machine_id, enrolled unit]`."""
    with reading(db):
        if not when.current and _day_is_kept(db, when.as_of):
            return list(
                db.query(
                    "SELECT hostname, machines FROM day_duplicates WHERE day = ? ORDER BY hostname",
                    [when.as_of.isoformat()],
                )
            )
        found = view(db, when)
        if found.clean:
            return list(db.query("SELECT hostname, machines FROM shared_now ORDER BY hostname"))
        if found.kept_now:  # the kept names but those the machines behind touch, again
            return list(db.query(SHARED_KEPT_AND_TOUCHED, found.params))
        return list(
            db.query(found.sql(kept.SHARED.format(source="{source}") + " ORDER BY 1"), found.params)
        )


def shared_condition(found: View) -> str:
    """SQL over a machine's row (`state`): another machine of the view has its name."""
    if found.clean and found.kept_now:
        return "upper(state.hostname) IN (SELECT hostname FROM shared_now)"
    if not found.kept_now:  # every machine's latest report is the CTE `latest`
        return (
            "upper(state.hostname) IN (SELECT upper(hostname) FROM latest "
            "GROUP BY upper(hostname) HAVING count(*) > 1)"
        )
    # Kept but for the machines behind: the kept shared names but those they touch, and
    # which of these the rows kept and counted again share.
    return (
        "(upper(state.hostname) IN (SELECT hostname FROM shared_now WHERE hostname "  # noqa: S608
        "NOT IN (SELECT value FROM json_each(:touched))) "
        "OR upper(state.hostname) IN (SELECT upper(hostname) FROM "
        f"{TOUCHED_ROWS} GROUP BY upper(hostname) HAVING count(*) > 1))"
    )


def machine(db, machine_id: str) -> dict | None:
    """One machine's row now (every rule a column), or None.

    A machine's row depends on no other machine's, so only this one is counted again when
    the keeping has not reached it: an answer to each report costs the same however many
    reports the keeper has still to keep."""
    with reading(db):
        when = when_for(db)
        if _count_again(db, when, machine_id):
            _leave_to_keeper(db)
            sql, params = state_query(db, when, machines=[machine_id], read_only=True)
            found = db.execute(f"{sql} SELECT {STATE_COLUMNS} FROM state", params)  # noqa: S608
        else:
            found = db.execute(
                f"SELECT {STATE_COLUMNS} FROM machine_now WHERE machine_id = ?",  # noqa: S608
                [machine_id],
            )
        # execute(), not query(): no savepoint around one read (two statements more).
        row = found.fetchone()
        return (
            None if row is None else dict(zip([d[0] for d in found.description], row, strict=True))
        )


def _count_again(db, when: Moment, machine_id: str) -> bool:
    """Whether this machine's row must be counted from its reports: its kept row lacks
    something (`_behind_now`, for one machine), unless a page shows the figures of before a
    recount."""
    if kept.recounting(db):
        _leave_to_keeper(db)
        return not (_before_change.get() and _counted_before(db))
    return (
        db.execute(
            "SELECT 1 FROM kept_marks WHERE machine_id = :machine UNION ALL "
            "SELECT 1 FROM machine_now WHERE machine_id = :machine AND state_until <= :cutoff",
            {"machine": machine_id, "cutoff": when.cutoff},
        ).fetchone()
        is not None
    )


def units_of_machine(row: dict | None) -> set[str]:
    """The units a machine is shown under (its lists, its page): the unit it counts for; a
    conflict, counted for none, under both units it concerns (token's and name's)."""
    if row is None:
        return set()
    if row["conflict"]:
        return {code for code in (row["enrolled_code"], row["named_unit"]) if code}
    return {row["unit"]} if row["unit"] else set()


def machines_of_units(db, unit_codes) -> list[str]:
    """The ids of the machines shown under any of `unit_codes` now (`units_of_machine`)."""
    return [
        row["machine_id"]
        for row in rows(
            db,
            when_for(db),
            """
        SELECT machine_id FROM {source} WHERE unit IN (SELECT value FROM json_each(:units))
           OR (conflict AND (enrolled_code IN (SELECT value FROM json_each(:units))
                             OR named_unit IN (SELECT value FROM json_each(:units))))""",
            {"units": json.dumps(sorted(unit_codes))},
        )
    ]


def seen_machines(db) -> list[dict]:
    """Every machine seen now (not stale, not retired) with its unit, whether it is
    installed and connected, and its latest report's IP addresses (a set)."""
    with reading(db):
        found = view(db, when_for(db))
        addresses = "(SELECT a.ips FROM machine_addresses a WHERE a.machine_id = state.machine_id)"
        result = []
        for row in db.query(
            found.sql(
                "SELECT machine_id, hostname, unit, state, installed, connected, observed_at, "  # noqa: S608
                f"{addresses} AS ips FROM {{source}} WHERE seen"
            ),
            found.params,
        ):
            row["ips"] = {ip for ip in (row["ips"] or "").split("\n") if ip}
            result.append(row)
        return result


# ---- The figure cache: past days' figures, keyed on the figures version.

MAX_CACHED = 5000
_cache: OrderedDict[tuple, Any] = OrderedDict()


def is_cached(db, key: tuple) -> bool:
    """Whether `cached()` holds `key` under the database's figures version now."""
    with reading(db):
        full = (_path(db), version(db), *key)
    with _lock:
        return full in _cache


def cached(db, key: tuple, compute: Callable[[], Any]) -> Any:
    """`compute()` kept in memory under `key` and the database's figures version: a change
    made by any process (a command line, a page, a report) moves the version."""
    with reading(db):
        full = (_path(db), version(db), *key)
        with _lock:
            if full in _cache:
                _cache.move_to_end(full)
                return _cache[full]
        value = compute()
    with _lock:
        _cache[full] = value
        while len(_cache) > MAX_CACHED:
            _cache.popitem(last=False)
    return value
