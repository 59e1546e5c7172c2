"""The counting rules: each machine's state as of a date, and what it adds to its unit's
counts. Every number avroll reports comes from these rules, whether counted from the
reports at once (`state_query`) or kept up to date at ingest (`kept.py`), and every reader
reads them through one door (`figures.py`), each rule a column of a machine's row.

The rules (also in the README):
- A machine counts once, by `machine_id`; its latest report observed before the end of the
  as-of date (Vietnam time) decides its state. Not seen for `stale_after_days` before then:
  *stale*, listed but not counted.
- *installed*: a product of the mandated families is reported (`required_product`, matched
  by `products.is_mandated`); *protected*:
  such a product is enabled and up to date; *exempt*: not installed and RAM (installed, else
  visible) below `ram_exempt_below_mb`; *missing*: neither.
- A name that follows `naming_pattern` with a known unit code attributes the machine to that
  unit. A *misnamed* machine belongs to the unit its agent was enrolled for (if known); the
  official table counts it in the misnamed row, not in that unit's row. That row is the last
  row of the first section, whose total includes it (as letter 002 prints it).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date, datetime, timedelta, timezone

from collector.counting.products import mandated_names
from collector.formats.formatting import LOCAL_TZ
from collector.formats.timefmt import parse_stored, to_stored
from collector.store import settings
from collector.store.db import write_transaction
from collector.store.guideline import (
    pending_hostname_units,
    refresh_hostname_units,
    units_of_names,
)

INSTALLED_STATES = ("protected", "unprotected")
STATES = ("protected", "unprotected", "exempt", "missing", "stale", "retired")
COUNTS = (
    "seen",
    "stale",
    "installed",
    "installed_named",
    "connected",
    "official",
    "protected",
    "exempt",
    "missing",
    "misnamed",
    "misnamed_installed",
    "misnamed_official",
    "mismatched",
    "conflicts",
    "retired",
    "misnamed_listed",
    "licence_expiring",
)
# The order of the states in a list sorted by state (SQL over a machine's row).
STATE_RANK = (
    "CASE state "
    + " ".join(f"WHEN '{name}' THEN {rank}" for rank, name in enumerate(STATES))
    + " END"
)
# No report can be older: avroll (and the directive it serves, 2018) came later.
EARLIEST_AS_OF = date(2000, 1, 1)


class BadAsOf(ValueError):
    """An as-of date that is not YYYY-MM-DD, lies in the future, or before EARLIEST_AS_OF."""


class UnknownUnit(LookupError):
    """A unit code that no unit has."""


@dataclass(frozen=True)
class Moment:
    """When figures are computed for: reports observed before `cutoff` count; a machine last
    seen before `stale_before` is stale. `current` when no report can be newer (as of now)."""

    as_of: date
    cutoff: str
    stale_before: str
    current: bool


def moment(as_of=None, stale_after_days=30, now=None):
    """The Moment for an as-of date (`YYYY-MM-DD` text or a date; None for now)."""
    now = now or datetime.now(timezone.utc)
    today = now.astimezone(LOCAL_TZ).date()
    if isinstance(as_of, str):
        try:
            as_of = date.fromisoformat(as_of.strip())
        except ValueError:
            raise BadAsOf(f"as_of '{as_of}' is not a date (YYYY-MM-DD)") from None
    as_of = as_of or today
    if as_of > today:
        raise BadAsOf(f"as_of {as_of.isoformat()} is in the future")
    if as_of < EARLIEST_AS_OF:
        raise BadAsOf(f"as_of {as_of.isoformat()} is before {EARLIEST_AS_OF.isoformat()}")
    end_of_day = datetime.combine(as_of + timedelta(days=1), datetime.min.time(), LOCAL_TZ)
    cutoff = min(end_of_day, now)
    return Moment(
        as_of,
        to_stored(cutoff),
        to_stored(cutoff - timedelta(days=stale_after_days)),
        as_of == today,
    )


def when_for(db, as_of=None):
    """The Moment for an as-of date under the stale_after_days setting in force that day."""
    day = moment(as_of).as_of
    return moment(day, settings.current(db, as_of=day)["stale_after_days"])


REPORT_FIELDS = """r.report_id, r.machine_id, r.hostname, r.observed_at, r.agent_unit_code,
           r.unit_bound, r.ram_installed_bytes, r.ram_visible_bytes, r.mgmt_last_connected_at"""
# Each machine's latest report now: the machines table knows it.
LATEST_NOW = f"""
    SELECT {REPORT_FIELDS}
    FROM machines m JOIN reports r ON r.report_id = m.latest_report_id"""  # noqa: S608
# In the past, each machine's newest report observed before the cutoff (ties: the one
# stored last, as ingest does), found by one index seek per machine, so the time it takes
# does not grow with the history stored. `:excluded` (JSON list of report rowids) leaves
# reports out: the kept figures' view before those reports came.
LATEST_AS_OF = f"""
    SELECT {REPORT_FIELDS}
    FROM machines m JOIN reports r ON r.rowid = (
        SELECT k.rowid FROM reports k
        WHERE k.machine_id = m.machine_id AND k.observed_at < :cutoff
          AND (:excluded IS NULL
               OR k.rowid NOT IN (SELECT value FROM json_each(:excluded)))
        ORDER BY k.observed_at DESC, k.rowid DESC LIMIT 1)"""  # noqa: S608
# Only some machines (`:machines`, a JSON list of ids).
ONLY_MACHINES = " WHERE m.machine_id IN (SELECT value FROM json_each(:machines))"
STATE = """
    facts AS MATERIALIZED (
        SELECT l.report_id, l.machine_id, l.hostname, l.observed_at,
               l.agent_unit_code AS enrolled_code, eu.code AS enrolled_unit,
               hu.unit AS named_unit, ma.unit_code AS assigned_unit, ma.assigned_at,
               mr.retired_on,
               -- Retired by hand from a day on, or not seen for retire_after_days.
               coalesce(mr.retired_on <= :as_of, 0) OR l.observed_at < :retire_before
                   AS retired,
               -- Enrolled with a token bound to a unit, named for a unit outside its subtree:
               -- a conflict, counted for neither until an admin assigns the machine.
               CASE WHEN ma.unit_code IS NULL AND l.unit_bound AND eu.code IS NOT NULL
                         AND hu.unit IS NOT NULL
                    THEN NOT EXISTS (SELECT 1 FROM {lineage} lineage
                                     WHERE lineage.unit = hu.unit
                                       AND lineage.ancestor = eu.code)
                    ELSE 0 END AS conflict,
               l.observed_at < :stale_before AS stale,
               l.mgmt_last_connected_at,
               coalesce(l.mgmt_last_connected_at >= :connected_after, 0) AS in_touch,
               -- One look at the mandated products: NULL none, 0 present, 1 also enabled and
               -- up to date (Security Center says so, or without it, recent signatures).
               (SELECT max(coalesce(p.enabled = 1 AND (p.up_to_date = 1 OR (
                           p.up_to_date IS NULL
                           AND p.signatures_updated_at >= :signatures_after)), 0))
                FROM report_products p
                WHERE p.report_id = l.report_id
                  AND p.name IN (SELECT value FROM json_each(:products))) AS product,
               -- The larger RAM figure: one misread low figure never exempts a machine.
               max(coalesce(l.ram_installed_bytes, l.ram_visible_bytes),
                   coalesce(l.ram_visible_bytes, l.ram_installed_bytes)) < :ram_limit
                   AS low_ram,
               -- The first day a mandated product's licence ends, as the agent read it
               -- from the product (a product that does not tell is left out).
               (SELECT min(substr(json_extract(p.value, '$.licence_expires_at'), 1, 10))
                FROM reports b, json_each(b.body, '$.antivirus.products') p
                WHERE b.report_id = l.report_id
                  AND json_extract(p.value, '$.name') IN (SELECT value FROM json_each(:products)))
                   AS licence_expires_on
        FROM latest l LEFT JOIN units eu ON eu.code = l.agent_unit_code
             LEFT JOIN {hostname_units} hu ON hu.hostname = l.hostname
             LEFT JOIN {retirements} mr ON mr.machine_id = l.machine_id
             LEFT JOIN {assignments} ma ON ma.machine_id = l.machine_id
                                       AND ma.assigned_at <= :cutoff
        -- Under some units: only machines enrolled there, named or assigned to one of them.
        WHERE :scope IS NULL
           OR l.agent_unit_code IN (SELECT value FROM json_each(:scope))
           OR hu.unit IN (SELECT value FROM json_each(:scope))
           OR ma.unit_code IN (SELECT value FROM json_each(:scope))),
    judged AS (
        SELECT *, CASE WHEN retired THEN 'retired'
                       WHEN stale THEN 'stale'
                       WHEN product = 1 THEN 'protected'
                       WHEN product = 0 THEN 'unprotected'
                       WHEN low_ram THEN 'exempt'
                       ELSE 'missing' END AS state
        FROM facts),
    state AS (
        SELECT machine_id, hostname, observed_at, report_id, enrolled_code, named_unit,
               assigned_unit,
               -- Counted for no unit and shown under both it concerns, while it is seen.
               conflict AND state NOT IN ('stale', 'retired') AS conflict,
               CASE WHEN assigned_unit IS NOT NULL THEN assigned_unit
                    WHEN conflict THEN NULL
                    ELSE coalesce(named_unit, enrolled_unit) END AS unit,
               named_unit IS NOT NULL AS follows_guideline,
               mgmt_last_connected_at AS last_connected_at,
               state NOT IN ('stale', 'retired') AS seen,
               state IN ('protected', 'unprotected') AS installed,
               state IN ('protected', 'unprotected') AND in_touch AS connected,
               state IN ('protected', 'unprotected')
                   AND (in_touch OR NOT :require_connected) AS official,
               -- Named for a unit outside the subtree of the one it was enrolled for (a
               -- commune's PC enrolled with its district's token is no mismatch).
               named_unit IS NOT NULL AND enrolled_code IS NOT NULL
                   AND NOT EXISTS (SELECT 1 FROM {lineage} lineage
                                   WHERE lineage.unit = named_unit
                                     AND lineage.ancestor = enrolled_code)
                   AND named_unit != enrolled_code AS mismatch,
               state,
               -- Its licence ends within licence_warning_days of the as-of date.
               coalesce(licence_expires_on <= :licence_before, 0) AS licence_expiring,
               -- Now: the first moment this state may change with time alone (a window
               -- passing, a retirement or an assignment taking effect), NULL when none is
               -- ahead. A past day's states never change with time.
               CASE WHEN :current THEN (SELECT min(moment) FROM (
                    SELECT strftime('%Y-%m-%dT%H:%M:%SZ', observed_at, :stale_span) AS moment
                    UNION ALL
                    SELECT strftime('%Y-%m-%dT%H:%M:%SZ', observed_at, :retire_span)
                    UNION ALL
                    SELECT strftime('%Y-%m-%dT%H:%M:%SZ', mgmt_last_connected_at,
                                    :connected_span)
                    UNION ALL
                    -- The oldest signature date that decides "up to date".
                    SELECT strftime('%Y-%m-%dT%H:%M:%SZ', min(p.signatures_updated_at),
                                    :signatures_span)
                    FROM report_products p
                    WHERE p.report_id = judged.report_id AND p.enabled = 1
                      AND p.up_to_date IS NULL
                      AND p.name IN (SELECT value FROM json_each(:products))
                    UNION ALL
                    SELECT strftime('%Y-%m-%dT%H:%M:%SZ', retired_on, :day_start)
                    UNION ALL
                    SELECT strftime('%Y-%m-%dT%H:%M:%SZ', licence_expires_on,
                                    :licence_span, :day_start)
                    UNION ALL
                    SELECT assigned_at)
                WHERE moment > :cutoff) END AS state_until
        FROM judged)"""
# The columns of `state` that `kept.py` keeps per machine (table machine_now).
STATE_COLUMNS = """machine_id, hostname, observed_at, report_id, enrolled_code, named_unit,
    assigned_unit, conflict, unit, follows_guideline, last_connected_at, seen, installed,
    connected, official, mismatch, state, state_until, licence_expiring"""
# What the machines of `source` (rows of `state`, or kept rows alike) add to each unit they
# belong to (NULL: misnamed and not enrolled for a known unit).
OWN_COUNTS = """
    SELECT unit,
           sum(seen) AS seen,
           sum(state = 'stale') AS stale,
           sum(installed) AS installed,
           sum(installed AND follows_guideline) AS installed_named,
           sum(connected) AS connected,
           sum(official AND follows_guideline) AS official,
           sum(state = 'protected') AS protected,
           sum(state = 'exempt') AS exempt,
           sum(state = 'missing') AS missing,
           sum(seen AND NOT follows_guideline) AS misnamed,
           sum(installed AND NOT follows_guideline) AS misnamed_installed,
           sum(official AND NOT follows_guideline) AS misnamed_official,
           sum(seen AND mismatch) AS mismatched,
           sum(seen AND conflict) AS conflicts,
           sum(state = 'retired') AS retired,
           -- The unit page's tabs "misnamed" (in any state) and "licence expiring".
           sum(NOT follows_guideline) AS misnamed_listed,
           sum(installed AND licence_expiring) AS licence_expiring
    FROM {source} GROUP BY unit"""
# Conflicts counted by the two units they concern (the enrolled one and the named one):
# a unit's subtree sees those that concern it.
CONFLICT_COUNTS = """
    SELECT enrolled_code, named_unit, count(*) AS conflicts
    FROM {source} WHERE conflict AND seen
    GROUP BY enrolled_code, named_unit"""


def unit_ancestors(db):
    """Each unit code with the codes of the unit and every unit above it."""
    parents = dict(db.execute("SELECT code, parent FROM units").fetchall())
    found = {}
    for code in parents:
        chain, at = [], code
        while at in parents and at not in chain:
            chain.append(at)
            at = parents[at]
        found[code] = chain
    return found


def refresh_lineage(db):
    """Bring `unit_lineage` up to the units, when their tag moved since it was written."""
    tag = _lineage_behind(db)
    if tag is None:
        return
    with write_transaction(db):
        db.execute("DELETE FROM unit_lineage")
        db.conn.executemany(
            "INSERT INTO unit_lineage (unit, ancestor) VALUES (?, ?)", _lineage_pairs(db)
        )
        db.execute("INSERT OR REPLACE INTO kept_state (key, value) VALUES ('lineage', ?)", [tag])


def _lineage_behind(db):
    """The units' tag when `unit_lineage` was written for another one, else None."""
    tag = db.execute("SELECT tag FROM units_version").fetchone()[0]
    if db.execute("SELECT 1 FROM kept_state WHERE key = 'lineage' AND value = ?", [tag]).fetchone():
        return None
    return tag


def _lineage_pairs(db):
    return [(code, above) for code, chain in unit_ancestors(db).items() for above in chain]


def _read_only_sources(db, machines=None, names_sql=None):
    """The names' units and the unit lineage a read uses without writing, and the parameters
    they take: the stored tables, or, where the writer has not brought them up to date yet,
    temporary ones (the temp database takes no lock on the main one). With `machines`, the
    units of their names in a parameter, from the rule in force: a temporary table made and
    dropped at each read would have SQLite read the whole schema again after it (at each
    report's answer). `names_sql`: the names those machines' rows are judged under."""
    sources = {"hostname_units": "hostname_units", "lineage": "unit_lineage"}
    if _lineage_behind(db) is not None:
        db.execute("DROP TABLE IF EXISTS temp.lineage_read")
        db.execute(
            "CREATE TEMP TABLE lineage_read (unit TEXT, ancestor TEXT, "
            "PRIMARY KEY (unit, ancestor)) WITHOUT ROWID"
        )
        db.conn.executemany("INSERT INTO temp.lineage_read VALUES (?, ?)", _lineage_pairs(db))
        sources["lineage"] = "temp.lineage_read"
    if machines is not None:
        names = [name for (name,) in db.execute(names_sql, [json.dumps(list(machines))])]
        sources["hostname_units"] = NAMES_GIVEN
        return sources, {"names_read": json.dumps(units_of_names(db, names))}
    whole, names = pending_hostname_units(db)
    if whole or names:
        db.execute("DROP TABLE IF EXISTS temp.names_read")
        db.execute("CREATE TEMP TABLE names_read (hostname TEXT PRIMARY KEY, unit TEXT)")
        db.conn.executemany("INSERT OR IGNORE INTO temp.names_read VALUES (?, ?)", names)
        if not whole:  # the names already stored are stored right
            db.execute(
                "DELETE FROM temp.names_read WHERE EXISTS (SELECT 1 FROM main.hostname_units "
                "stored WHERE stored.hostname = names_read.hostname)"  # a seek per new name
            )
        sources["hostname_units"] = (
            "temp.names_read"
            if whole
            else (
                "(SELECT hostname, unit FROM hostname_units "
                "UNION ALL SELECT hostname, unit FROM temp.names_read)"
            )
        )
    return sources, {}


# The names some machines' rows are judged under: now, their latest reports'; else any of
# their reports'.
LATEST_NAMES = """SELECT DISTINCT r.hostname FROM machines m
    JOIN reports r ON r.report_id = m.latest_report_id
    WHERE m.machine_id IN (SELECT value FROM json_each(?))"""
REPORTED_NAMES = """SELECT DISTINCT hostname FROM reports
    WHERE machine_id IN (SELECT value FROM json_each(?))"""
# The units of some machines' names, given as a parameter: `[[name, unit], ...]`.
NAMES_GIVEN = """(SELECT value ->> 0 AS hostname, value ->> 1 AS unit
                  FROM json_each(:names_read))"""


def _span(days):
    """A SQLite date modifier to the first second a window of `days` is over."""
    return f"+{days * 86400 + 1} seconds"


def state_query(
    db,
    when,
    scope=None,
    machines=None,
    excluded=None,
    kept_lifecycle=False,
    read_only=False,
    latest=None,
):
    """`WITH latest, facts, state` SQL and its parameters for the Moment: one row per
    machine with its state, the unit its name follows (or None) and the unit it belongs to.
    `scope` (unit codes) leaves out machines that cannot belong to them; `machines` (ids)
    keeps only those; `excluded` (report rowids) leaves those reports out and
    `kept_lifecycle` reads retirements and assignments as the kept figures last saw them.
    `read_only`: write nothing (a read's transaction): what the writer has not brought up
    to date yet is made in temporary tables. `latest`: other report rows to judge (SQL)."""
    rules = settings.current(db, as_of=when.as_of)
    if latest is None:
        latest = LATEST_NOW if when.current and excluded is None else LATEST_AS_OF
    given = {}
    if read_only:
        names_sql = LATEST_NAMES if latest is LATEST_NOW else REPORTED_NAMES
        sources, given = _read_only_sources(db, machines, names_sql)
    else:
        refresh_hostname_units(db)
        refresh_lineage(db)
        sources = {"hostname_units": "hostname_units", "lineage": "unit_lineage"}
    if machines is not None:
        latest += ONLY_MACHINES
    sql = f"WITH latest AS ({latest}), " + STATE.format(
        retirements="kept_retirements" if kept_lifecycle else "machine_retirements",
        assignments="kept_assignments" if kept_lifecycle else "machine_assignments",
        **sources,
    )
    cutoff = parse_stored(when.cutoff)
    params = {
        "cutoff": when.cutoff,
        "stale_before": when.stale_before,
        "connected_after": to_stored(cutoff - timedelta(days=rules["connected_days"])),
        "signatures_after": to_stored(cutoff - timedelta(days=rules["signatures_max_age_days"])),
        "require_connected": rules["official_requires_connected"],
        "as_of": when.as_of.isoformat(),
        "retire_before": ""
        if not rules["retire_after_days"]
        else to_stored(cutoff - timedelta(days=rules["retire_after_days"])),
        "stale_span": _span(rules["stale_after_days"]),
        "retire_span": _span(rules["retire_after_days"]) if rules["retire_after_days"] else None,
        "connected_span": _span(rules["connected_days"]),
        "signatures_span": _span(rules["signatures_max_age_days"]),
        # A retirement takes effect at the start of its day in Vietnam.
        "day_start": f"{-LOCAL_TZ.utcoffset(None).total_seconds():+.0f} seconds",
        "products": json.dumps(mandated_names(db, rules["required_product"])),
        "licence_before": (when.as_of + timedelta(days=rules["licence_warning_days"])).isoformat(),
        "licence_span": f"-{rules['licence_warning_days']} days",
        "ram_limit": rules["ram_exempt_below_mb"] * 2**20,
        "current": when.current,
        "scope": None if scope is None else json.dumps(scope),
        "machines": None if machines is None else json.dumps(list(machines)),
        "excluded": None if excluded is None else json.dumps(list(excluded)),
        **given,
    }
    return sql, params
