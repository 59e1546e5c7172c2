"""The counting rules: each machine's state as of a date, and the install-rate figures per
unit, subtree, section and province. Every number avroll reports comes from here.

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
import unicodedata
from dataclasses import dataclass
from datetime import date, datetime, timedelta, timezone
from fractions import Fraction

from collector.counting.products import mandated_names
from collector.formats.formatting import LOCAL_TZ
from collector.formats.timefmt import parse_stored, to_stored
from collector.store import settings
from collector.store.guideline import naming_rule, refresh_hostname_units
from collector.store.units import get_unit, list_units

INSTALLED_STATES = ("protected", "unprotected")
STATES = ("protected", "unprotected", "exempt", "missing", "stale", "retired")
COUNTS = ("seen", "stale", "installed", "installed_named", "connected", "official",
          "protected", "exempt", "missing", "misnamed", "misnamed_installed",
          "misnamed_official", "mismatched", "conflicts", "retired")
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
    return Moment(as_of, to_stored(cutoff),
                  to_stored(cutoff - timedelta(days=stale_after_days)), as_of == today)


# Each machine's latest report as of the cutoff. Now, the machines table already knows it;
# in the past, the newest report before the cutoff (ties: the one stored last, as ingest does).
LATEST_NOW = """
    SELECT r.report_id, r.machine_id, r.hostname, r.observed_at, r.agent_unit_code,
           r.ram_installed_bytes, r.ram_visible_bytes, r.mgmt_last_connected_at
    FROM machines m JOIN reports r ON r.report_id = m.latest_report_id"""
LATEST_AS_OF = """
    SELECT r.report_id, r.machine_id, r.hostname, r.observed_at, r.agent_unit_code,
           r.ram_installed_bytes, r.ram_visible_bytes, r.mgmt_last_connected_at
    FROM (SELECT CAST(substr(max(observed_at || printf('%015d', rowid)), 21) AS INTEGER)
                     AS newest
          FROM reports WHERE observed_at < :cutoff GROUP BY machine_id) x
    JOIN reports r ON r.rowid = x.newest"""
STATE = """
    -- Each unit with itself and every unit above it (see `unit_ancestors`).
    lineage AS MATERIALIZED (
        SELECT unit.key AS unit, above.value AS ancestor
        FROM json_each(:ancestors) unit, json_each(unit.value) above),
    facts AS MATERIALIZED (
        SELECT l.report_id, l.machine_id, l.hostname, l.observed_at,
               l.agent_unit_code AS enrolled_code, eu.code AS enrolled_unit,
               hu.unit AS named_unit, ma.unit_code AS assigned_unit,
               -- Retired by hand from a day on, or not seen for retire_after_days.
               coalesce(mr.retired_on <= :as_of, 0) OR l.observed_at < :retire_before
                   AS retired,
               -- Enrolled with a token bound to a unit, named for a unit outside its subtree:
               -- a conflict, counted for neither until an admin assigns the machine.
               CASE WHEN ma.unit_code IS NULL AND bu.code IS NOT NULL AND hu.unit IS NOT NULL
                    THEN NOT EXISTS (SELECT 1 FROM lineage
                                     WHERE lineage.unit = hu.unit
                                       AND lineage.ancestor = bu.code)
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
                   AS low_ram
        FROM latest l LEFT JOIN units eu ON eu.code = l.agent_unit_code
             LEFT JOIN hostname_units hu ON hu.hostname = l.hostname
             LEFT JOIN machine_retirements mr ON mr.machine_id = l.machine_id
             LEFT JOIN machine_assignments ma ON ma.machine_id = l.machine_id
                                              AND ma.assigned_at <= :cutoff
             LEFT JOIN machine_credentials mc ON mc.machine_id = l.machine_id
             LEFT JOIN units bu ON bu.code = mc.unit_code
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
               assigned_unit, conflict AND state != 'retired' AS conflict,
               CASE WHEN assigned_unit IS NOT NULL THEN assigned_unit
                    WHEN conflict THEN NULL
                    ELSE coalesce(named_unit, enrolled_unit) END AS unit,
               named_unit IS NOT NULL AS follows_guideline,
               mgmt_last_connected_at AS last_connected_at,
               state IN ('protected', 'unprotected') AND in_touch AS connected,
               state IN ('protected', 'unprotected')
                   AND (in_touch OR NOT :require_connected) AS counts_official,
               named_unit IS NOT NULL AND enrolled_code IS NOT NULL
                   AND named_unit != enrolled_code AS mismatch,
               state
        FROM judged)"""
# Counted per unit the machine belongs to (NULL: misnamed and not enrolled for a known unit).
OWN_COUNTS = """
    SELECT unit,
           sum(state NOT IN ('stale', 'retired')) AS seen,
           sum(state = 'stale') AS stale,
           sum(state IN ('protected', 'unprotected')) AS installed,
           sum(state IN ('protected', 'unprotected') AND follows_guideline) AS installed_named,
           sum(connected) AS connected,
           sum(counts_official AND follows_guideline) AS official,
           sum(state = 'protected') AS protected,
           sum(state = 'exempt') AS exempt,
           sum(state = 'missing') AS missing,
           sum(state NOT IN ('stale', 'retired') AND NOT follows_guideline) AS misnamed,
           sum(state IN ('protected', 'unprotected') AND NOT follows_guideline)
               AS misnamed_installed,
           sum(counts_official AND NOT follows_guideline) AS misnamed_official,
           sum(state NOT IN ('stale', 'retired') AND mismatch) AS mismatched,
           sum(state NOT IN ('stale', 'retired') AND conflict) AS conflicts,
           sum(state = 'retired') AS retired
    FROM state GROUP BY unit"""
# Names shared by several machines (a reinstalled PC gets a new machine_id), stale ones too.
DUPLICATES = """
    SELECT upper(hostname) AS hostname,
           json_group_array(json_array(machine_id, agent_unit_code)) AS machines
    FROM latest GROUP BY upper(hostname) HAVING count(*) > 1 ORDER BY 1"""
# The same now, found through the machines table's index on the name (no case).
DUPLICATES_NOW = """
    WITH shared AS (SELECT hostname FROM machines
                    GROUP BY hostname COLLATE NOCASE HAVING count(*) > 1)
    SELECT upper(s.hostname) AS hostname,
           json_group_array(json_array(m.machine_id, r.agent_unit_code)) AS machines
    FROM shared s JOIN machines m ON m.hostname = s.hostname COLLATE NOCASE
         JOIN reports r ON r.report_id = m.latest_report_id
    GROUP BY upper(s.hostname) ORDER BY 1"""


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


def state_query(db, when, scope=None):
    """`WITH latest, facts, state` SQL and its parameters for the Moment: one row per
    machine with its state, the unit its name follows (or None) and the unit it belongs to;
    `scope` (unit codes) leaves out machines that cannot belong to them."""
    rules = settings.current(db, as_of=when.as_of)
    refresh_hostname_units(db)
    sql = f"WITH latest AS ({LATEST_NOW if when.current else LATEST_AS_OF}), {STATE}"
    cutoff = parse_stored(when.cutoff)
    params = {"cutoff": when.cutoff, "stale_before": when.stale_before,
              "connected_after": to_stored(
                  cutoff - timedelta(days=rules["connected_days"])),
              "signatures_after": to_stored(
                  cutoff - timedelta(days=rules["signatures_max_age_days"])),
              "require_connected": rules["official_requires_connected"],
              "as_of": when.as_of.isoformat(),
              "retire_before": "" if not rules["retire_after_days"] else to_stored(
                  cutoff - timedelta(days=rules["retire_after_days"])),
              "ancestors": json.dumps(unit_ancestors(db)),
              "products": json.dumps(mandated_names(db, rules["required_product"])),
              "ram_limit": rules["ram_exempt_below_mb"] * 2**20,
              "scope": None if scope is None else json.dumps(scope)}
    return sql, params


def when_for(db, as_of=None):
    """The Moment for an as-of date under the stale_after_days setting in force that day."""
    day = moment(as_of).as_of
    return moment(day, settings.current(db, as_of=day)["stale_after_days"])


def _ratio(numerator, denominator):
    return None if not denominator else Fraction(numerator, denominator)


def _figures(counts, allocated, official):
    """The derived figures of a row: rates, coverage, over quota."""
    row = dict(allocated=allocated, installed_official=official, **counts)
    rate = _ratio(official, allocated)
    coverage = _ratio(counts["installed"], counts["seen"] - counts["exempt"])
    row["install_rate"] = None if rate is None else float(rate)
    row["coverage"] = None if coverage is None else float(coverage)
    # Over quota: more licences installed (the official figure) than allocated, strictly.
    row["over_quota"] = allocated is not None and official > allocated
    return row


def _zero():
    return dict.fromkeys(COUNTS, 0)


def _add(total, counts):
    for key in COUNTS:
        total[key] += counts[key]
    return total


class Tree:
    """Units as a tree with each unit's own machine counts and its subtree's."""

    def __init__(self, units, own):
        self.units = {unit["code"]: unit for unit in units}
        self.children = {code: [] for code in self.units}
        for unit in units:
            if unit["parent"] in self.children:
                self.children[unit["parent"]].append(unit["code"])
        self.own = {code: dict(own.get(code) or _zero()) for code in self.units}
        self.subtree, self.allocated, self.children_allocated = {}, {}, {}
        for code in reversed(self._top_down()):
            total = _add(dict(self.own[code]), _zero())
            child_allocations = []
            for child in self.children[code]:
                _add(total, self.subtree[child])
                if self.allocated[child] is not None:
                    child_allocations.append(self.allocated[child])
            self.subtree[code] = total
            summed = sum(child_allocations) if child_allocations else None
            self.children_allocated[code] = summed
            own_allocation = self.units[code]["allocated"]
            # A parent's allocation is shared out among its children, not added to theirs.
            self.allocated[code] = own_allocation if own_allocation is not None else summed

    def _top_down(self):
        order = [code for code, unit in self.units.items() if unit["parent"] not in self.units]
        for code in order:  # grows while iterating: breadth-first
            order.extend(self.children[code])
        return order

    def descendants(self, code):
        """The unit and every unit under it."""
        found = [code]
        for each in found:
            found.extend(self.children[each])
        return found

    def row(self, code):
        """Every figure of one unit, its subtree included; `own` without descendants."""
        unit, counts = self.units[code], self.subtree[code]
        allocated = self.allocated[code]
        row = {key: unit[key] for key in ("code", "name", "group", "parent")}
        row.update(_figures(counts, allocated, counts["official"]))
        row["children"] = len(self.children[code])
        row["children_allocated"] = self.children_allocated[code]
        row["children_over_allocated"] = (
            unit["allocated"] is not None and self.children_allocated[code] is not None
            and self.children_allocated[code] > unit["allocated"])
        row["own"] = self.own[code]
        return row


def rate_order(row):
    """Highest install rate first, ties by name; units with nothing allocated last."""
    rate = _ratio(row["installed_official"], row["allocated"])
    return (rate is None, -(rate or 0), name_key(row["name"]), row["code"])


VIETNAMESE_LETTERS = "aăâbcdđeêfghijklmnoôơpqrstuưvwxyz"
LETTER_MARKS = "\u0306\u0302\u031b"  # breve, circumflex, horn: ă â ê ô ơ ư are letters
TONE_MARKS = "\u0300\u0301\u0309\u0303\u0323"  # huyền, sắc, hỏi, ngã, nặng


def name_key(name):
    """Vietnamese alphabetical order (a ă â … d đ … ư …); tone marks decide only ties;
    spaces, digits and signs before letters."""
    letters, tones = [], []
    for char in unicodedata.normalize("NFD", name.casefold()):
        if char in TONE_MARKS:
            tones.append((len(letters), TONE_MARKS.index(char)))
        elif char in LETTER_MARKS and letters:
            letters[-1] = unicodedata.normalize("NFC", letters[-1] + char)
        else:
            letters.append(char)
    return ([VIETNAMESE_LETTERS.index(c) if c in VIETNAMESE_LETTERS else ord(c) - 0x110000
             for c in letters], tones)


def _sections(rows, misnamed_installed):
    """Units grouped by section in rate order. The misnamed row is the last row of the first
    section, as letter 002 prints it under the provincial departments (whose office collects
    the machines no unit can claim): that section's total, like the grand total, includes it,
    so the letter's sentence figures can be read off the table."""
    sections = {}
    for row in rows:
        sections.setdefault(row["group"], []).append(row)
    return [{"group": group, "units": sorted(members, key=rate_order), "misnamed": index == 0,
             "total": _total(members, extra_official=misnamed_installed if index == 0 else 0)}
            for index, (group, members) in enumerate(sections.items())]


def _total(rows, allocated=None, extra_official=0, extra_counts=None):
    counts = _zero()
    for row in rows:
        _add(counts, row)
    if extra_counts:
        _add(counts, extra_counts)
    if allocated is None:
        given = [row["allocated"] for row in rows if row["allocated"] is not None]
        allocated = sum(given) if given else None
    official = sum(row["installed_official"] for row in rows) + extra_official
    return _figures(counts, allocated, official)


def duplicate_hostnames(db, when, scope=None, limit=100):
    """Hostnames reported by two machines or more as of the Moment; with `scope` (unit
    codes), only those where one of the machines belongs to one of the units."""
    rule = naming_rule(db)
    found = []
    sql = DUPLICATES_NOW if when.current else f"WITH latest AS ({LATEST_AS_OF}) {DUPLICATES}"
    for row in db.query(sql, {"cutoff": when.cutoff}):
        machines = json.loads(row["machines"])
        named = rule.unit_of(row["hostname"])
        if scope is not None and named not in scope:
            # A misnamed name belongs machine by machine to the enrolled unit: show only
            # the machines of the units in scope (never another unit's machine ids).
            machines = [machine for machine in machines if machine[1] in scope]
        if machines:
            found.append({"hostname": row["hostname"],
                          "machine_ids": sorted(machine_id for machine_id, _ in machines)})
        if len(found) == limit:
            break
    return found


def rollup(db, as_of=None, parent=None, duplicates_limit=100):
    """The install-rate report as of a date, for the whole province or under one unit:
    sections of units in rate order, the misnamed row, totals and what needs checking."""
    when = when_for(db, as_of)
    if parent is not None and get_unit(db, parent) is None:
        raise UnknownUnit(parent)
    parent = parent.upper() if parent else None
    # The unit tree and allocations in force that day (today's: the units table itself).
    units = list_units(db, as_of=None if when.current else when.as_of)
    if parent is not None and parent not in {unit["code"] for unit in units}:
        raise UnknownUnit(parent)  # the unit did not exist yet on that day
    scope = Tree(units, {}).descendants(parent) if parent else [unit["code"] for unit in units]
    sql, params = state_query(db, when, scope=scope if parent else None)
    own = {row.pop("unit"): row for row in db.query(sql + OWN_COUNTS, params)}
    duplicates = duplicate_hostnames(db, when, scope if parent else None, duplicates_limit)
    tree = Tree(units, own)
    shown = tree.children[parent] if parent else [
        code for code, unit in tree.units.items() if unit["parent"] not in tree.units]
    rows = [tree.row(code) for code in shown]
    unattributed = own.get(None) if parent is None else None
    misnamed_installed = sum(tree.own[code]["misnamed_official"] for code in scope) + (
        unattributed["misnamed_official"] if unattributed else 0)
    misnamed_seen = sum(tree.own[code]["misnamed"] for code in scope) + (
        unattributed["misnamed"] if unattributed else 0)
    parent_own = None
    if parent and (tree.own[parent]["seen"] or tree.own[parent]["stale"]):
        counts = tree.own[parent]
        parent_own = dict(code=parent, name=tree.units[parent]["name"],
                          **_figures(counts, None, counts["official"]))
    # Under a unit its misnamed machines are listed, not added: they count in the province's
    # misnamed row, so the unit's total stays its row in the table above it.
    sections = _sections(rows, 0 if parent else misnamed_installed)
    if parent:
        grand = _figures(tree.subtree[parent], tree.allocated[parent],
                         tree.subtree[parent]["official"])
    else:
        grand = _total(rows, extra_official=misnamed_installed, extra_counts=unattributed)
    return {
        "as_of": when.as_of.isoformat(),
        "parent": parent,
        "sections": sections,
        "parent_own": parent_own,
        "misnamed": {"installed_official": misnamed_installed, "seen": misnamed_seen,
                     "allocated": None, "install_rate": None,
                     "section": 1 if sections else None},
        "total": grand,
        "checks": {
            "units_without_reports": [
                {"code": code, "name": tree.units[code]["name"]} for code in scope
                if not tree.subtree[code]["seen"]],
            "children_over_allocated": [
                {"code": code, "name": tree.units[code]["name"],
                 "allocated": tree.units[code]["allocated"],
                 "children_allocated": tree.children_allocated[code]}
                for code in scope if tree.row(code)["children_over_allocated"]],
            "duplicate_hostnames": duplicates,
            "name_unit_mismatches": sum(tree.own[code]["mismatched"] for code in scope),
            # Named outside the subtree of the token that enrolled them: counted for none.
            "attribution_conflicts": (own.get(None) or _zero())["conflicts"],
        },
    }
