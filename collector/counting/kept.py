"""The figures kept up to date as reports come, so that every page and every date answer at
once, at national scale: each machine's state now with the moment it may change
(`machine_now`), each unit's counts now (`unit_now`), and each past day's counts per unit
(`unit_days`, with that day's conflicts and shared names), kept forever.

They are the rules of `states.py` applied to what changed, never a second statement of
them. Triggers (store/migrations.py) leave a mark for every change that can move a figure:
a report (its machine, from the moment it was observed), a retirement or an assignment (its
machine, from its day), a counting setting (every machine, from its day), the units or the
naming pattern (every machine, every day). `catch_up()` turns the marks into figures: for
each marked machine, its state before and after the change, on each kept day it touches
and now, and the difference added to the counts, a step at a time (`keep_step()`). The
writer's keeper runs the steps between batches of reports, through the door
(`figures.keep_step`, the only caller): no reader calls them, and no reader reads these
tables but the door (`figures.py`), which counts from the reports what is not kept yet. A
past day not kept yet is kept once a read asks for it, or by the nightly run.

`rebuild()` counts everything again from the reports and says whether the kept figures
differed (`avroll figures rebuild`).
"""

from __future__ import annotations

import contextlib
import json
import time
from datetime import date, timedelta

from collector.counting.states import (
    CONFLICT_COUNTS,
    COUNTS,
    OWN_COUNTS,
    STATE_COLUMNS,
    state_query,
    when_for,
)
from collector.formats.formatting import LOCAL_TZ
from collector.formats.timefmt import now_stored, parse_stored
from collector.store import guideline, settings
from collector.store.db import write_transaction
from collector.store.lifecycle import today
from collector.store.retention import horizons

COLUMNS = ", ".join(COUNTS)
ADD_TO_DAY = f"""INSERT INTO unit_days (day, unit, {COLUMNS})
    VALUES (:day, :unit, {", ".join(":" + name for name in COUNTS)})
    ON CONFLICT (day, unit) DO UPDATE SET
    {", ".join(f"{name} = {name} + excluded.{name}" for name in COUNTS)}"""  # noqa: S608
ADD_TO_UNITS = f"""INSERT INTO {{table}} (unit, {COLUMNS})
    VALUES (:unit, {", ".join(":" + name for name in COUNTS)})
    ON CONFLICT (unit) DO UPDATE SET
    {", ".join(f"{name} = {name} + excluded.{name}" for name in COUNTS)}"""  # noqa: S608
ADD_NOW = ADD_TO_UNITS.format(table="unit_now")
# A recount's counts, summed step by step, switched in for unit_now when it is done.
ADD_NEXT = ADD_TO_UNITS.format(table="unit_next")
RECOUNT_CHUNK = 5000  # at most this many machines counted again per step of a recount
STEP_SECONDS = 0.2  # what a step aims to take: its size follows the time the last took
# A quick step (few rows changed, an idle moment) says little of the next: a step takes at
# most this many times the last one's machines (a slow one shrinks the next at once).
GROWTH = 1.5
# What a step of each kind takes, learned: machines counted ("now", "day") or whose marks
# are kept ("marks"), or reports whose names are renamed ("names").
_step_size = {"now": 500, "day": 500, "marks": 500, "names": 20_000}
RENAME_CHUNK = 200_000  # at most this many reports' names renamed per step
ADD_CONFLICTS = """INSERT INTO conflict_days (day, enrolled_code, named_unit, conflicts)
    VALUES (?, ?, ?, ?) ON CONFLICT (day, enrolled_code, named_unit) DO UPDATE SET
    conflicts = conflicts + excluded.conflicts"""
# Names shared by several machines among states (`source`: kept or temporary rows).
SHARED = """
    SELECT upper(hostname) AS hostname,
           json_group_array(json_array(machine_id, enrolled_code)) AS machines
    FROM (SELECT * FROM {source} ORDER BY machine_id)
    GROUP BY upper(hostname) HAVING count(*) > 1"""
SHARED_NOW = "INSERT INTO shared_now (hostname, machines) " + SHARED.format(
    source="machine_now {where}"
)
KEEP_SHARED = f"""INSERT INTO day_duplicates (day, hostname, machines)
    SELECT ?, hostname, machines FROM ({SHARED.format(source="temp.kept_state_rows")})"""  # noqa: S608
KEEP_DAY_NAMES = f"""INSERT INTO day_duplicates (day, hostname, machines)
    SELECT ?, hostname, machines FROM ({SHARED.format(source="day_names")})"""  # noqa: S608
# Per unit ('' for none), its machines now whose name another machine has (the unit
# page's tab "duplicates"): the kept rows of `shared_now`'s names (`:names`: only those).
SHARED_UNITS = """
    SELECT coalesce(m.unit, '') AS unit, count(*) AS machines
    FROM shared_now s JOIN machine_now m ON m.hostname = s.hostname COLLATE NOCASE
    WHERE :names IS NULL OR s.hostname IN (SELECT value FROM json_each(:names))
    GROUP BY 1"""
ADD_SHARED_UNITS = """INSERT INTO unit_shared_now (unit, machines) VALUES (?, ?)
    ON CONFLICT (unit) DO UPDATE SET machines = machines + excluded.machines"""


def first_day(since):
    """The first local day a mark's change can move: '' is every day; a day or a moment."""
    if not since:
        return date.min
    if len(since) == 10:
        return date.fromisoformat(since)
    return parse_stored(since).astimezone(LOCAL_TZ).date()


def _work_to_do(db):
    if db.execute("SELECT 1 FROM kept_marks LIMIT 1").fetchone():
        return True
    if db.execute("SELECT 1 FROM kept_state WHERE key IN ('recount', 'day count')").fetchone():
        return True
    if db.execute("SELECT 1 FROM kept_state WHERE key = 'now'").fetchone() is None:
        return True
    return (
        db.execute(
            "SELECT 1 FROM machine_now WHERE state_until <= ? LIMIT 1", [now_stored()]
        ).fetchone()
        is not None
    )


def catch_up(db):
    """Bring every kept figure up to date with the marks left since the last time, and
    with time (states whose window has passed): `keep_step()` until nothing is left, each
    step in its own transaction (in the caller's when one is open)."""
    while keep_step(db):
        _let_others_write(db)


# SQLite's busy handler is not fair: a connection that commits and begins again at once
# keeps the lock from another that polls for it (the server's writer, under the nightly run
# or a command's steps). A loop of steps pauses between two as long as the last took (at
# least this long): the server's writer, polling, finds the lock free half the time.
PAUSE_SECONDS = 0.1
_last_took = [0.0]  # seconds the last step took, with its commit (`_timed_transaction`)


def _let_others_write(db):
    if not db.conn.in_transaction:
        time.sleep(max(PAUSE_SECONDS, _last_took[0]))


def keep_step(db):
    """One step of keeping, in its own transaction (taken only when there is work): a step
    of a recount of every machine when one is due (`recounting()`), else the marks of
    single machines and the states whose window passed. True when more is left."""
    if not db.conn.in_transaction and not _work_to_do(db):
        return False
    with _timed_transaction(db):
        if recounting(db):
            return _recount_step(db)
        if _day_in_count(db) is not None:
            return _day_step(db)
        return _catch_up(db, machines_at_most=max(1, min(MARKED_PER_STEP, _step_size["marks"])))


def recounting(db):
    """Whether every machine is to be counted again (a change of the units, the naming
    pattern or a counting setting, or nothing counted yet), or being counted, in steps:
    until it is done, `unit_now` holds the counts of before the change."""
    return (
        db.execute(
            "SELECT 1 FROM kept_state WHERE key = 'recount' UNION ALL "
            "SELECT 1 FROM kept_marks WHERE machine_id IS NULL UNION ALL "
            "SELECT 1 WHERE NOT EXISTS (SELECT 1 FROM kept_state WHERE key = 'now') "
            "LIMIT 1"
        ).fetchone()
        is not None
    )


def _recount_step(db):
    """One step of counting every machine again, in the caller's transaction; True until
    the last, which switches the new counts in at once.

    The first step forgets the kept days the change moves and notes the last mark it
    covers; each next step counts some machines (by id, `_next_machines`) as now, replacing their
    rows in `machine_now` and adding their counts to `unit_next`; the last puts
    `unit_next` in place of `unit_now`. Reports stored meanwhile leave their marks, kept
    after the switch as usual (a machine's row and its share of the counts always agree).
    Single machines' marks wait meanwhile; reads count them from the reports."""
    if _rename_step(db):
        return True
    row = db.execute("SELECT value FROM kept_state WHERE key = 'recount'").fetchone()
    if row is None:
        top, every_from = db.execute(
            "SELECT coalesce(max(id), 0), min(CASE WHEN machine_id IS NULL THEN since END) "
            "FROM kept_marks"
        ).fetchone()
        if every_from is not None:
            _forget_days(db, first_day(every_from))
        first = db.execute("SELECT 1 FROM kept_state WHERE key = 'now'").fetchone() is None
        if first:  # nothing counted yet: no row or count to replace
            db.execute("DELETE FROM machine_now")
            db.execute("DELETE FROM shared_now")
            _remember_lifecycle(db)
        db.execute("DELETE FROM unit_next")
        _save_recount(db, {"top": top, "after": ""})
        return True
    progress = json.loads(row[0])
    chunk = _next_machines(db, progress["after"], "now")
    if chunk:
        _recount_machines(db, chunk)
        _save_recount(db, dict(progress, after=chunk[-1]))
        return True
    db.execute("DELETE FROM unit_now")
    db.execute(
        f"INSERT INTO unit_now (unit, {COLUMNS}) "  # noqa: S608
        f"SELECT unit, {COLUMNS} FROM unit_next"
    )
    db.execute("DELETE FROM unit_next")
    _count_shared_units(db)
    db.execute("DELETE FROM kept_marks WHERE machine_id IS NULL AND id <= ?", [progress["top"]])
    db.execute("DELETE FROM kept_state WHERE key = 'recount'")
    db.execute("INSERT OR REPLACE INTO kept_state (key, value) VALUES ('now', ?)", [now_stored()])
    return False


def _rename_step(db):
    """A step of applying a new naming rule (a new pattern, new unit codes) to the names
    reported, in the caller's transaction, before any machine is counted again (each
    count reads the unit of each name): the names of some reports, by rowid, as many as
    took about STEP_SECONDS the last time. True until every name follows the rule."""
    fingerprint = guideline.rule_changed(db)
    if fingerprint is None:
        return False
    row = db.execute("SELECT value FROM kept_state WHERE key = 'names'").fetchone()
    progress = None if row is None else json.loads(row[0])
    if progress is None or progress["fingerprint"] != fingerprint:  # none, or another rule
        top = db.execute("SELECT coalesce(max(rowid), 0) FROM reports").fetchone()[0]
        progress = {"fingerprint": fingerprint, "after": 0, "top": top}
    size = max(1, min(RENAME_CHUNK, _step_size["names"]))
    upto = min(progress["top"], progress["after"] + size)
    _handed["names"] = upto - progress["after"]
    guideline.rename_reports(db, progress["after"], upto)
    if upto < progress["top"]:
        db.execute(
            "INSERT OR REPLACE INTO kept_state (key, value) VALUES ('names', ?)",
            [json.dumps(dict(progress, after=upto))],
        )
    else:
        guideline.renamed(db, fingerprint, upto)
        db.execute("DELETE FROM kept_state WHERE key = 'names'")
    return True


def _recount_machines(db, chunk):
    """Count `chunk` (machine ids) again now: their rows replaced, their counts gathered.
    Only the rows that differ are written: most changes move few machines, and each row
    written is written again in every index of `machine_now` (and then to the disk). The
    names shared are counted again for the names of the rows whose name or token moved,
    so that the last step need not group every machine by name (seconds at 300k)."""
    sql, params = state_query(db, when_for(db), machines=chunk)
    _states_into(db, "kept_after", sql, params)
    ids = _json(chunk)
    db.execute("DROP TABLE IF EXISTS temp.kept_changed")
    db.execute(
        f"CREATE TEMP TABLE kept_changed AS SELECT {STATE_COLUMNS} FROM temp.kept_after "  # noqa: S608
        f"EXCEPT SELECT {STATE_COLUMNS} FROM machine_now "
        "WHERE machine_id IN (SELECT value FROM json_each(?))",
        [ids],
    )
    names = _json(
        name
        for (name,) in db.execute(
            "SELECT upper(hostname) FROM machine_now WHERE machine_id IN "
            "(SELECT value FROM json_each(:ids)) AND machine_id NOT IN "
            "(SELECT machine_id FROM temp.kept_after) "
            "UNION SELECT upper(n.hostname) FROM temp.kept_changed AS c "
            "JOIN machine_now AS n USING (machine_id) "
            "WHERE n.hostname IS NOT c.hostname OR n.enrolled_code IS NOT c.enrolled_code "
            "UNION SELECT upper(c.hostname) FROM temp.kept_changed AS c "
            "LEFT JOIN machine_now AS n USING (machine_id) WHERE n.machine_id IS NULL "
            "OR n.hostname IS NOT c.hostname OR n.enrolled_code IS NOT c.enrolled_code",
            {"ids": ids},
        )
    )
    db.execute(
        "DELETE FROM machine_now WHERE machine_id IN (SELECT value FROM json_each(?)) "
        "AND machine_id NOT IN (SELECT machine_id FROM temp.kept_after)",
        [ids],
    )
    db.execute(
        f"INSERT OR REPLACE INTO machine_now ({STATE_COLUMNS}) "  # noqa: S608
        f"SELECT {STATE_COLUMNS} FROM temp.kept_changed"
    )
    _share_names_now(db, names)
    db.conn.executemany(
        ADD_NEXT,
        [dict(counts, unit=unit) for unit, counts in _counts(db, "temp.kept_after").items()],
    )


def _count_day_machines(db, day, chunk):
    """Add `chunk`'s (machine ids) counts, conflicts and names to the day being counted."""
    text = day.isoformat()
    excluded = [
        rowid
        for (rowid,) in db.execute(
            "SELECT report_rowid FROM kept_marks WHERE report_rowid IS NOT NULL"
        )
    ]
    sql, params = state_query(
        db, when_for(db, day), machines=chunk, excluded=excluded, kept_lifecycle=True
    )
    _states_into(db, "kept_day_rows", sql, params)
    _add_to_day(db, text, "temp.kept_day_rows")
    db.execute(DAY_NAMES_MAYBE_SHARED)


# The names of a day's rows that another machine ever reported: only those can be shared
# that day. Grouping every machine of the day by name in the last step took seconds at
# 300k; a seek per row here in the reports' name index, and the last step groups these.
DAY_NAMES_MAYBE_SHARED = """INSERT INTO day_names (machine_id, hostname, enrolled_code)
    SELECT machine_id, hostname, enrolled_code FROM temp.kept_day_rows AS k
    WHERE EXISTS (SELECT 1 FROM reports AS r WHERE r.hostname = k.hostname COLLATE NOCASE
                  AND r.machine_id != k.machine_id)"""


def _add_to_day(db, text, source):
    """Add the counts and conflicts of the state rows in `source` to the day `text`."""
    db.conn.executemany(
        ADD_TO_DAY,
        [dict(counts, day=text, unit=unit) for unit, counts in _counts(db, source).items()],
    )
    db.conn.executemany(
        ADD_CONFLICTS,
        [
            [text, enrolled, named, conflicts]
            for (enrolled, named), conflicts in _conflicts(db, source).items()
        ],
    )


def _next_machines(db, after, kind):
    """The ids of the machines a step of `kind` ("now", "day": a past day's is slower)
    counts next (after `after`): as many as took about STEP_SECONDS the last time, at
    most RECOUNT_CHUNK."""
    size = max(1, min(RECOUNT_CHUNK, _step_size[kind]))
    chunk = [
        machine
        for (machine,) in db.execute(
            "SELECT machine_id FROM machines WHERE machine_id > ? ORDER BY machine_id LIMIT ?",
            [after, size],
        )
    ]
    _handed[kind] = len(chunk)
    return chunk


_handed: dict[str, int] = {}  # the machines `_next_machines` handed to the step under way


@contextlib.contextmanager
def _timed_transaction(db):
    """A step's transaction, timed with its commit (writing the disk is a good part of a
    step): the machines the next step of the same kind counts follow the time it took."""
    _handed.clear()
    started = time.perf_counter()
    with write_transaction(db):
        yield
    took = max(time.perf_counter() - started, 1e-3)
    _last_took[0] = took
    for kind, size in _handed.items():
        if size:
            most = {"names": RENAME_CHUNK, "marks": MARKED_PER_STEP}.get(kind, RECOUNT_CHUNK)
            aimed = min(int(size * STEP_SECONDS / took), int(size * GROWTH) + 1)
            _step_size[kind] = max(min(50, most), min(most, aimed))


def _save_recount(db, progress):
    db.execute(
        "INSERT OR REPLACE INTO kept_state (key, value) VALUES ('recount', ?)",
        [json.dumps(progress)],
    )


MARKED_PER_STEP = 2000  # at most this many machines' marks kept per step of `keep_step`


def _catch_up(db, when=None, machines_at_most=None):
    """The marks of single machines and the states whose window passed, in the caller's
    transaction, as of `when` (default: this moment); the marks of every machine are left
    to the recount (`keep_step`). With `machines_at_most`, only the marks of the first
    machines marked (all of each one's marks); True when marks are left."""
    chosen = None
    if machines_at_most is not None:
        picked = [
            machine
            for (machine,) in db.execute(
                "SELECT DISTINCT machine_id FROM (SELECT machine_id FROM kept_marks "
                "WHERE machine_id IS NOT NULL ORDER BY id LIMIT ?)",
                [machines_at_most],
            )
        ]
        _handed["marks"] = len(picked)
        chosen = _json(picked)
    marks = db.execute(
        "SELECT id, machine_id, report_rowid, since FROM kept_marks "
        "WHERE machine_id IS NOT NULL AND (:chosen IS NULL OR machine_id IN "
        "(SELECT value FROM json_each(:chosen))) ORDER BY id",
        {"chosen": chosen},
    ).fetchall()
    machines: dict[str, date] = {}
    excluded: list[int] = []
    lifecycle: set[str] = set()
    for _, machine_id, report_rowid, since in marks:
        day = first_day(since)
        machines[machine_id] = min(machines.get(machine_id, day), day)
        if report_rowid is not None:
            excluded.append(report_rowid)
        else:
            lifecycle.add(machine_id)
    if machines:
        earliest = max(min(machines.values()), kept_for_good_before(db))
        for (text,) in db.execute(
            "SELECT day FROM kept_days WHERE day >= ? ORDER BY day", [earliest.isoformat()]
        ).fetchall():
            day = date.fromisoformat(text)
            touched = [machine for machine, since in machines.items() if since <= day]
            _move_day(db, day, touched, excluded)
    when = when or when_for(db)
    if db.execute("SELECT 1 FROM kept_state WHERE key = 'now'").fetchone() is None:
        _count_now(db, when)
    else:
        due = {
            machine
            for (machine,) in db.execute(
                "SELECT machine_id FROM machine_now WHERE state_until <= ?", [when.cutoff]
            )
        }
        if machines or due:
            _move_now(db, when, sorted(set(machines) | due))
        if lifecycle:
            _remember_lifecycle(db, sorted(lifecycle))
    if marks and chosen is not None:
        db.execute(
            "DELETE FROM kept_marks WHERE machine_id IN (SELECT value FROM json_each(?))", [chosen]
        )
    elif marks:
        db.execute(
            "DELETE FROM kept_marks WHERE id <= ? AND machine_id IS NOT NULL", [marks[-1][0]]
        )
    return (
        db.execute("SELECT 1 FROM kept_marks WHERE machine_id IS NOT NULL LIMIT 1").fetchone()
        is not None
    )


def kept_for_good_before(db):
    """The first day whose figures may still move or be counted again: those of the days
    before it are kept for good, as their reports may have been thinned to one a month
    (`keep_daily_reports_days`, store/retention.py)."""
    rules = settings.current(db)
    return horizons(rules["keep_all_reports_days"], rules["keep_daily_reports_days"]).daily_from


def first_report_day(db):
    """The local date of the first report observed, or None when none came yet (each
    machine keeps its first, whatever retention later thins)."""
    first = db.execute("SELECT min(first_seen_at) FROM machines").fetchone()[0]
    return None if first is None else first_day(first)


def keep_days_before(db, day):
    """Keep the figures of every day from the first report's to the one before `day` (the
    retention rule's step before it thins those days' reports to one a month)."""
    first = first_report_day(db)
    if first is None:
        return
    kept = set(kept_days(db))
    at = first
    while at < min(day, today()):
        if at not in kept:
            keep_day(db, at)
        at += timedelta(days=1)


def _forget_days(db, first):
    """Kept days from `first` on no longer hold (a setting or the units changed); those
    before `kept_for_good_before()` stay. A day being counted from then on starts again."""
    first = max(first, kept_for_good_before(db))
    counting = _day_in_count(db)
    if counting is not None and date.fromisoformat(counting["day"]) >= first:
        _end_day_count(db)
    for table in ("unit_days", "conflict_days", "day_duplicates", "kept_days"):
        db.execute(f"DELETE FROM {table} WHERE day >= ?", [first.isoformat()])  # noqa: S608


def _remember_lifecycle(db, machines=None):
    """Copy retirements and assignments (of `machines`, or all) as now counted."""
    for kept, table, columns in (
        ("kept_retirements", "machine_retirements", "machine_id, retired_on"),
        ("kept_assignments", "machine_assignments", "machine_id, unit_code, assigned_at"),
    ):
        if machines is None:
            db.execute(f"DELETE FROM {kept}")  # noqa: S608
            db.execute(f"INSERT INTO {kept} SELECT {columns} FROM {table}")  # noqa: S608
            continue
        for start in range(0, len(machines), 500):
            chunk = machines[start : start + 500]
            marks = ", ".join("?" * len(chunk))
            db.execute(f"DELETE FROM {kept} WHERE machine_id IN ({marks})", chunk)  # noqa: S608
            db.execute(
                f"INSERT INTO {kept} SELECT {columns} FROM {table} "  # noqa: S608
                f"WHERE machine_id IN ({marks})",
                chunk,
            )


def _states_into(db, table, sql, params):
    """The state rows of a query into a temporary table (replaced)."""
    db.execute(f"DROP TABLE IF EXISTS temp.{table}")
    db.execute(
        f"CREATE TEMP TABLE {table} AS {sql} SELECT {STATE_COLUMNS} FROM state",  # noqa: S608
        params,
    )


def _counts(db, source):
    return {row.pop("unit") or "": row for row in db.query(OWN_COUNTS.format(source=source))}


def _conflicts(db, source):
    return {
        (row["enrolled_code"] or "", row["named_unit"] or ""): row["conflicts"]
        for row in db.query(CONFLICT_COUNTS.format(source=source))
    }


def _differences(before, after):
    """Per key, after minus before, for the keys where they differ."""
    changes: dict = {}
    for key in set(before) | set(after):
        old, new = before.get(key), after.get(key)
        if isinstance(old or new, dict):
            delta = {name: (new or {}).get(name, 0) - (old or {}).get(name, 0) for name in COUNTS}
            if any(delta.values()):
                changes[key] = delta
        elif (new or 0) != (old or 0):
            changes[key] = (new or 0) - (old or 0)
    return changes


def _move_day(db, day, machines, excluded):
    """Add to a kept day what its marked machines' states changed that day."""
    when = when_for(db, day)
    sql, params = state_query(db, when, machines=machines, excluded=excluded, kept_lifecycle=True)
    _states_into(db, "kept_before", sql, params)
    sql, params = state_query(db, when, machines=machines)
    _states_into(db, "kept_after", sql, params)
    db.conn.executemany(
        ADD_TO_DAY,
        [
            dict(delta, day=day.isoformat(), unit=unit)
            for unit, delta in _differences(
                _counts(db, "temp.kept_before"), _counts(db, "temp.kept_after")
            ).items()
        ],
    )
    for (enrolled, named), delta in _differences(
        _conflicts(db, "temp.kept_before"), _conflicts(db, "temp.kept_after")
    ).items():
        db.execute(ADD_CONFLICTS, [day.isoformat(), enrolled, named, delta])
    names: set[str] = set()
    seen: dict[str, list] = {}
    for table in ("kept_before", "kept_after"):
        for machine_id, name, enrolled in db.execute(
            f"SELECT machine_id, upper(hostname), enrolled_code FROM temp.{table}"  # noqa: S608
        ):
            seen.setdefault(machine_id, []).append((name, enrolled))
    for views in seen.values():
        if len(views) == 1 or views[0] != views[1]:
            names.update(name for name, _ in views)
    if names:
        _share_names(db, when, sorted(names))
    db.execute(
        "UPDATE kept_days SET computed_at = ? WHERE day = ?", [now_stored(), day.isoformat()]
    )


def _share_names(db, when, names):
    """Count again, as of a kept day, which of `names` several machines had."""
    day = when.as_of.isoformat()
    candidates = sorted(
        {
            machine
            for name in names
            for (machine,) in db.execute(
                "SELECT DISTINCT machine_id FROM reports WHERE hostname = ? COLLATE NOCASE", [name]
            )
        }
    )
    sql, params = state_query(db, when, machines=candidates)
    _states_into(db, "kept_state_rows", sql, params)
    db.execute(
        "DELETE FROM day_duplicates WHERE day = ? AND hostname IN (SELECT value FROM json_each(?))",
        [day, _json(names)],
    )
    db.execute(
        KEEP_SHARED + " WHERE hostname IN (SELECT value FROM json_each(?))",  # noqa: S608
        [day, _json(names)],
    )


def _json(values):
    return json.dumps(list(values))


def _shared_units(db, names=None):
    """`{unit: machines}` of SHARED_UNITS (for `names`, JSON, or every name)."""
    return dict(db.execute(SHARED_UNITS, {"names": names}).fetchall())


def _count_shared_units(db):
    """Count every unit's machines with a shared name again, from the kept rows."""
    db.execute("DELETE FROM unit_shared_now")
    db.conn.executemany(ADD_SHARED_UNITS, _shared_units(db).items())


def _move_now(db, when, machines):
    """Count the given machines again now: replace their rows, add the differences."""
    for start in range(0, len(machines), 5000):
        chunk = machines[start : start + 5000]
        sql, params = state_query(db, when, machines=chunk)
        _states_into(db, "kept_after", sql, params)
        db.execute("DROP TABLE IF EXISTS temp.kept_before")
        db.execute(
            "CREATE TEMP TABLE kept_before AS SELECT * FROM machine_now "
            "WHERE machine_id IN (SELECT value FROM json_each(?))",
            [_json(chunk)],
        )
        db.conn.executemany(
            ADD_NOW,
            [
                dict(delta, unit=unit)
                for unit, delta in _differences(
                    _counts(db, "temp.kept_before"), _counts(db, "temp.kept_after")
                ).items()
            ],
        )
        names = _json(
            name
            for (name,) in db.execute(
                "SELECT upper(hostname) FROM temp.kept_before UNION "
                "SELECT upper(hostname) FROM temp.kept_after"
            )
        )
        shared_before = _shared_units(db, names)
        db.execute(
            "DELETE FROM machine_now WHERE machine_id IN (SELECT machine_id FROM temp.kept_before)"
        )
        db.execute(
            f"INSERT INTO machine_now ({STATE_COLUMNS}) "  # noqa: S608
            f"SELECT {STATE_COLUMNS} FROM temp.kept_after"
        )
        _share_names_now(db, names)
        db.conn.executemany(
            ADD_SHARED_UNITS,
            _differences(shared_before, _shared_units(db, names)).items(),
        )


def _share_names_now(db, names):
    """Count again which of `names` (upper case, JSON) several machines have now."""
    db.execute("DELETE FROM shared_now WHERE hostname IN (SELECT value FROM json_each(?))", [names])
    db.execute(
        SHARED_NOW.format(
            where="WHERE hostname COLLATE NOCASE IN (SELECT value FROM json_each(?))"
        ),
        [names],
    )


@contextlib.contextmanager
def _roomy_cache(db):
    """Counting every machine writes every index of the kept tables at once: a page cache
    big enough for them (256 MB, given back afterwards) saves most of the time."""
    size = db.execute("PRAGMA cache_size").fetchone()[0]
    db.execute("PRAGMA cache_size = -262144")
    try:
        yield
    finally:
        db.execute(f"PRAGMA cache_size = {int(size)}")


def _count_now(db, when):
    """Count every machine now, from the reports, at once (`figures rebuild`); a recount
    in steps under way starts again (its counts so far are of rows now replaced)."""
    db.execute("DELETE FROM kept_state WHERE key IN ('recount', 'names')")
    db.execute("DELETE FROM unit_next")
    db.execute("DELETE FROM machine_now")
    db.execute("DELETE FROM unit_now")
    sql, params = state_query(db, when)
    with _roomy_cache(db):
        db.execute(
            f"INSERT INTO machine_now ({STATE_COLUMNS}) {sql} "  # noqa: S608
            f"SELECT {STATE_COLUMNS} FROM state",
            params,
        )
    db.conn.executemany(
        ADD_NOW, [dict(counts, unit=unit) for unit, counts in _counts(db, "machine_now").items()]
    )
    db.execute("DELETE FROM shared_now")
    db.execute(SHARED_NOW.format(where=""))
    _count_shared_units(db)
    _remember_lifecycle(db)
    db.execute("INSERT OR REPLACE INTO kept_state (key, value) VALUES ('now', ?)", [now_stored()])


def _count_day(db, day):
    """Count a past day from the reports and keep it."""
    when = when_for(db, day)
    sql, params = state_query(db, when)
    _states_into(db, "kept_state_rows", sql, params)
    text = day.isoformat()
    _add_to_day(db, text, "temp.kept_state_rows")
    db.execute(KEEP_SHARED, [text])
    db.execute("INSERT INTO kept_days (day, computed_at) VALUES (?, ?)", [text, now_stored()])
    db.execute("DROP TABLE temp.kept_state_rows")


def keep_day(db, day):
    """Make sure a past day's figures are kept: counted from the reports when not yet, in
    steps of a few hundred machines, each its own transaction (`_day_step`)."""
    if day >= today():
        raise ValueError(f"{day.isoformat()} is not over yet")
    catch_up(db)  # which finishes a day another connection was counting
    while not _day_kept(db, day):
        with _timed_transaction(db):
            if _day_in_count(db) is None:
                _start_day_count(db, day)
            else:
                _day_step(db)
        _let_others_write(db)


def begin_day(db, day):
    """Begin keeping a past day in steps, unless one is being counted (`keep_step` goes
    on with it)."""
    with write_transaction(db):
        if _day_in_count(db) is None:
            _start_day_count(db, day)


def day_kept(db, day):
    """Whether a past day's figures are kept."""
    return _day_kept(db, day)


def _day_kept(db, day):
    return (
        db.execute("SELECT 1 FROM kept_days WHERE day = ?", [day.isoformat()]).fetchone()
        is not None
    )


def _day_in_count(db):
    row = db.execute("SELECT value FROM kept_state WHERE key = 'day count'").fetchone()
    return None if row is None else json.loads(row[0])


def _start_day_count(db, day):
    """Begin counting a past day (in the caller's transaction), after the marks left;
    during a recount they wait for it (kept now, they would move the counts of before the
    change, which the recount's switch then replaces): the day counts each machine as the
    keeping last saw it, as it does for the marks of its own steps."""
    if not recounting(db):
        _catch_up(db)
    if _day_kept(db, day):
        return
    db.execute("DELETE FROM day_names")
    _save_day_count(db, {"day": day.isoformat(), "after": ""})


def _save_day_count(db, progress):
    db.execute(
        "INSERT OR REPLACE INTO kept_state (key, value) VALUES ('day count', ?)",
        [json.dumps(progress)],
    )


def _end_day_count(db):
    db.execute("DELETE FROM kept_state WHERE key = 'day count'")
    db.execute("DELETE FROM day_names")


def _day_step(db):
    """One step of counting a past day, in the caller's transaction; True until the last.

    Each step adds some machines' counts (`_next_machines`) to the day's rows (not read before the
    day is in `kept_days`). Marks are not kept meanwhile, so each machine is counted as
    the keeping last saw it (its reports still marked left out, retirements and
    assignments as kept): the base those marks move once the day is kept."""
    progress = _day_in_count(db)
    day = date.fromisoformat(progress["day"])
    if _day_kept(db, day):  # kept at once meanwhile (`figures rebuild`)
        _end_day_count(db)
        return False
    chunk = _next_machines(db, progress["after"], "day")
    text = day.isoformat()
    if chunk:
        _count_day_machines(db, day, chunk)
        _save_day_count(db, dict(progress, after=chunk[-1]))
        return True
    db.execute(KEEP_DAY_NAMES, [text])
    db.execute("INSERT INTO kept_days (day, computed_at) VALUES (?, ?)", [text, now_stored()])
    _end_day_count(db)
    return False


def kept_days(db):
    """The past days whose figures are kept, oldest first."""
    return [
        date.fromisoformat(day) for (day,) in db.execute("SELECT day FROM kept_days ORDER BY day")
    ]


def _day_snapshot(db, day):
    """A kept day's figures, to compare before and after counting it again."""
    text = day.isoformat()
    return {
        "days": {
            row.pop("unit"): row
            for row in db.query(
                f"SELECT unit, {COLUMNS} FROM unit_days WHERE day = ?",  # noqa: S608
                [text],
            )
        },
        "conflicts": {
            tuple(row[:2]): row[2]
            for row in db.execute(
                "SELECT enrolled_code, named_unit, conflicts FROM conflict_days WHERE day = ?",
                [text],
            )
        },
        "duplicates": {
            row[0]: row[1]
            for row in db.execute(
                "SELECT hostname, machines FROM day_duplicates WHERE day = ?", [text]
            )
        },
    }


def _now_snapshot(db):
    """The figures kept for now, to compare before and after counting them again."""
    return {
        "now": {row.pop("unit"): row for row in db.query(f"SELECT unit, {COLUMNS} FROM unit_now")},  # noqa: S608
        "machines": {row.pop("machine_id"): row for row in db.query("SELECT * FROM machine_now")},
        "duplicates": {
            row[0]: row[1] for row in db.execute("SELECT hostname, machines FROM shared_now")
        },
        "shared units": dict(db.execute("SELECT unit, machines FROM unit_shared_now")),
    }


def _differ(before, after):
    return any(_zeroless(before[part]) != _zeroless(after[part]) for part in before)


def _zeroless(rows):
    """Count rows without those that are all zero (a unit whose machines all left)."""
    return {
        key: row
        for key, row in rows.items()
        if (any(row.values()) if isinstance(row, dict) else row)
    }


def rebuild(db, first=None):
    """Count every kept day (from `first` on, when given; never before
    `kept_for_good_before()`) and now again from the reports; returns the days (and "now")
    whose figures differed from those kept.

    One write transaction a day, then one for now, each after catching up: a running
    server's reports wait for one day's count, never for the whole rebuild, and each step
    compares figures kept and counted at the same moment (a machine whose window passes
    during the rebuild is no difference)."""
    catch_up(db)
    first = max(first or date.min, kept_for_good_before(db))
    days = [day for day in kept_days(db) if day >= first]
    differed = []
    for day in days:
        with write_transaction(db):
            _catch_up(db)
            before = _day_snapshot(db, day)
            for table in ("unit_days", "conflict_days", "day_duplicates", "kept_days"):
                db.execute(f"DELETE FROM {table} WHERE day = ?", [day.isoformat()])  # noqa: S608
            _count_day(db, day)
            if _differ(before, _day_snapshot(db, day)):
                differed.append(day.isoformat())
    with write_transaction(db):
        when = when_for(db)
        _catch_up(db, when)
        before = _now_snapshot(db)
        _count_now(db, when)
        if _differ(before, _now_snapshot(db)):
            differed.append("now")
    return {"days": len(days), "differed": differed}
