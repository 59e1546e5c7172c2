"""The install-rate figures per unit, subtree, section and province, as of a date: each
unit's counts read through the door (`figures.py`: the rules of `states.py`) summed over the
unit tree in force that day.
"""

from __future__ import annotations

import json
import unicodedata
from fractions import Fraction

from collector.counting import figures
from collector.counting.states import (
    COUNTS,
    UnknownUnit,
    when_for,
)
from collector.store.guideline import naming_rule
from collector.store.units import get_unit, list_units


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


def subtree_codes(units, code):
    """The unit `code` and every unit under it, among `units` (rows with code and parent)."""
    children: dict[str | None, list[str]] = {}
    for unit in units:
        children.setdefault(unit["parent"], []).append(unit["code"])
    found = [code]
    for each in found:  # grows while iterating: breadth-first
        found.extend(children.get(each, ()))
    return found


class Tree:
    """Units as a tree with each unit's own machine counts and its subtree's."""

    def __init__(self, units, own):
        self.units = {unit["code"]: unit for unit in units}
        self.children: dict[str, list[str]] = {code: [] for code in self.units}
        for unit in units:
            if unit["parent"] in self.children:
                self.children[unit["parent"]].append(unit["code"])
        self.own = {code: dict(own.get(code) or _zero()) for code in self.units}
        self.subtree: dict[str, dict] = {}
        self.allocated: dict[str, int | None] = {}
        self.children_allocated: dict[str, int | None] = {}
        for code in reversed(self._top_down()):
            total = dict(self.own[code])
            child_allocations: list[int] = []
            for child in self.children[code]:
                _add(total, self.subtree[child])
                allocated = self.allocated[child]
                if allocated is not None:
                    child_allocations.append(allocated)
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

    def row(self, code):
        """Every figure of one unit, its subtree included; `own` without descendants."""
        unit, counts = self.units[code], self.subtree[code]
        allocated = self.allocated[code]
        row = {key: unit[key] for key in ("code", "name", "group", "parent")}
        row.update(_figures(counts, allocated, counts["official"]))
        row["children"] = len(self.children[code])
        row["children_allocated"] = self.children_allocated[code]
        row["children_over_allocated"] = self.children_over_allocated(code)
        row["own"] = self.own[code]
        return row

    def children_over_allocated(self, code):
        """The unit's children were allocated more licences than the unit itself."""
        allocated, shared_out = self.units[code]["allocated"], self.children_allocated[code]
        return allocated is not None and shared_out is not None and shared_out > allocated


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
    letters: list[str] = []
    tones: list[tuple[int, int]] = []
    for char in unicodedata.normalize("NFD", name.casefold()):
        if char in TONE_MARKS:
            tones.append((len(letters), TONE_MARKS.index(char)))
        elif char in LETTER_MARKS and letters:
            letters[-1] = unicodedata.normalize("NFC", letters[-1] + char)
        else:
            letters.append(char)
    return (
        [
            VIETNAMESE_LETTERS.index(c) if c in VIETNAMESE_LETTERS else ord(c) - 0x110000
            for c in letters
        ],
        tones,
    )


def _sections(rows, misnamed_installed):
    """Units grouped by section in rate order. The misnamed row is the last row of the first
    section, as letter 002 prints it under the provincial departments (whose office collects
    the machines no unit can claim): that section's total, like the grand total, includes it,
    so the letter's sentence figures can be read off the table."""
    sections: dict[str, list] = {}
    for row in rows:
        sections.setdefault(row["group"], []).append(row)
    return [
        {
            "group": group,
            "units": sorted(members, key=rate_order),
            "misnamed": index == 0,
            "total": _total(members, extra_official=misnamed_installed if index == 0 else 0),
        }
        for index, (group, members) in enumerate(sections.items())
    ]


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
    for row in figures.shared_names(db, when):
        machines = json.loads(row["machines"])
        named = rule.unit_of(row["hostname"])
        if scope is not None and named not in scope:
            # A misnamed name belongs machine by machine to the enrolled unit: show only
            # the machines of the units in scope (never another unit's machine ids).
            machines = [machine for machine in machines if machine[1] in scope]
        if machines:
            found.append(
                {
                    "hostname": row["hostname"],
                    "machine_ids": sorted(machine_id for machine_id, _ in machines),
                }
            )
        if len(found) == limit:
            break
    return found


def rollup(db, as_of=None, parent=None, duplicates_limit=100):
    """The install-rate report as of a date, for the whole province or under one unit:
    sections of units in rate order, the misnamed row, totals and what needs checking."""
    with figures.reading(db):
        return _rollup(db, as_of, parent, duplicates_limit)


def _rollup(db, as_of, parent, duplicates_limit):
    when = when_for(db, as_of)
    if parent is not None and get_unit(db, parent) is None:
        raise UnknownUnit(parent)
    parent = parent.upper() if parent else None
    # The unit tree and allocations in force that day (today's: the units table itself).
    units = list_units(db, as_of=None if when.current else when.as_of)
    if parent is not None and parent not in {unit["code"] for unit in units}:
        raise UnknownUnit(parent)  # the unit did not exist yet on that day
    scope = subtree_codes(units, parent) if parent else [unit["code"] for unit in units]
    own = figures.unit_counts(db, when)
    duplicates = duplicate_hostnames(db, when, scope if parent else None, duplicates_limit)
    tree = Tree(units, own)
    shown = (
        tree.children[parent]
        if parent
        else [code for code, unit in tree.units.items() if unit["parent"] not in tree.units]
    )
    rows = [tree.row(code) for code in shown]
    unattributed = own.get(None) if parent is None else None
    misnamed_installed = sum(tree.own[code]["misnamed_official"] for code in scope) + (
        unattributed["misnamed_official"] if unattributed else 0
    )
    misnamed_seen = sum(tree.own[code]["misnamed"] for code in scope) + (
        unattributed["misnamed"] if unattributed else 0
    )
    parent_own = None
    if parent and (tree.own[parent]["seen"] or tree.own[parent]["stale"]):
        counts = tree.own[parent]
        parent_own = dict(
            code=parent,
            name=tree.units[parent]["name"],
            **_figures(counts, None, counts["official"]),
        )
    # Under a unit its misnamed machines are listed, not added: they count in the province's
    # misnamed row, so the unit's total stays its row in the table above it.
    sections = _sections(rows, 0 if parent else misnamed_installed)
    if parent:
        grand = _figures(
            tree.subtree[parent], tree.allocated[parent], tree.subtree[parent]["official"]
        )
    else:
        grand = _total(rows, extra_official=misnamed_installed, extra_counts=unattributed)
    return {
        "as_of": when.as_of.isoformat(),
        "parent": parent,
        "sections": sections,
        "parent_own": parent_own,
        "misnamed": {
            "installed_official": misnamed_installed,
            "seen": misnamed_seen,
            "allocated": None,
            "install_rate": None,
            "section": 1 if sections else None,
        },
        "total": grand,
        "checks": {
            "units_without_reports": [
                {"code": code, "name": tree.units[code]["name"]}
                for code in scope
                if not tree.subtree[code]["seen"]
            ],
            "children_over_allocated": [
                {
                    "code": code,
                    "name": tree.units[code]["name"],
                    "allocated": tree.units[code]["allocated"],
                    "children_allocated": tree.children_allocated[code],
                }
                for code in scope
                if tree.children_over_allocated(code)
            ],
            "duplicate_hostnames": duplicates,
            "name_unit_mismatches": sum(tree.own[code]["mismatched"] for code in scope),
            # Named outside the subtree of the token that enrolled them: counted for none.
            "attribution_conflicts": figures.conflicts(db, when, scope if parent else None),
        },
    }
