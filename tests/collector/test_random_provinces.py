"""Every reader agrees with `rollup()`, for random provinces: three levels of units, a unit
that moves to another parent on a past date, retirements dated back, conflicts between a
name and a token, assignments, `official_requires_connected` on and off, KSC and AD imports.

For every unit, today and on past dates, the unit page, its row in the table above it, its
tab counts and machine lists (and their export), Biểu mẫu 1 and 2, the reporting status,
the reminder letter, the trend chart, the reconciliation, what the agent is told and what
each unit officer can open are checked against the one roll-up. A reader that restates a
rule instead of reading the door (`counting/figures.py`) disagrees somewhere.
"""

from __future__ import annotations

import tempfile
from datetime import datetime, timedelta, timezone
from pathlib import Path

from hypothesis import HealthCheck, Phase, given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st

from collector.counting import figures, reconcile
from collector.counting.inventory import device_os_counts, unit_reporting
from collector.counting.machine_states import TABS, list_machine_states, tab_counts
from collector.counting.rollup import rollup
from collector.counting.trends import daily_figures
from collector.exports.machine_list import machine_page
from collector.exports.reminder_letter import BadReminder, build_reminder
from collector.formats.formatting import LOCAL_TZ
from collector.store import console_imports, lifecycle, settings
from collector.store.db import open_db
from collector.store.guideline import naming_answer
from collector.store.ingest import store_report
from collector.store.migrations import apply
from collector.store.units import list_units, save_units
from tests.builders import DEFENDER, KES, NETWORK_AGENT, make_report
from tests.console_files import ad_row, ksc_row, write_ad, write_ksc

NOW = datetime.now(timezone.utc).replace(microsecond=0)
DAYS = 6
UNITS = [
    (2, {"code": "SXD", "name": "Sở Xây dựng", "group": "Sở", "allocated": "4"}),
    (3, {"code": "HA", "name": "Huyện A", "group": "Huyện", "allocated": "6"}),
    (4, {"code": "XA1", "name": "Xã A1", "group": "Huyện", "allocated": "3", "parent": "HA"}),
    (5, {"code": "TA1", "name": "Tổ A1", "group": "Huyện", "parent": "XA1"}),
    (6, {"code": "XA2", "name": "Xã A2", "group": "Huyện", "allocated": "2", "parent": "HA"}),
    (7, {"code": "HB", "name": "Huyện B", "group": "Huyện", "allocated": "5"}),
    (8, {"code": "XB1", "name": "Xã B1", "group": "Huyện", "allocated": "2", "parent": "HB"}),
]
CODES = [unit["code"] for _, unit in UNITS]
NAMES = [f"{code}-{{}}" for code in CODES] + ["DESKTOP-{}"]


def day(days_ago):
    return (NOW - timedelta(days=days_ago)).astimezone(LOCAL_TZ).date().isoformat()


def machine_id(number):
    return f"00000000-0000-4000-8000-{number:012d}"


machine = st.fixed_dictionaries(
    {
        "name": st.sampled_from(NAMES),
        "enrolled": st.sampled_from([None, *CODES]),
        "bound": st.booleans(),
        "installed": st.booleans(),
        "enabled": st.booleans(),
        "connected_hours_ago": st.one_of(st.none(), st.integers(0, 400)),
        "days_ago": st.integers(0, DAYS),
        "ram_gb": st.sampled_from([1, 8]),
        "renamed": st.one_of(st.none(), st.sampled_from(NAMES)),
    }
)
province = st.fixed_dictionaries(
    {
        "machines": st.lists(machine, min_size=1, max_size=7),
        "move_days_ago": st.one_of(st.none(), st.integers(1, DAYS)),
        "retire": st.lists(st.tuples(st.integers(0, 6), st.integers(0, DAYS)), max_size=2),
        "assign": st.lists(st.tuples(st.integers(0, 6), st.sampled_from(CODES)), max_size=2),
        "requires_connected": st.one_of(st.none(), st.tuples(st.booleans(), st.integers(0, DAYS))),
        "ksc": st.one_of(st.none(), st.lists(st.integers(0, 6), max_size=7)),
        "directory": st.one_of(st.none(), st.lists(st.integers(0, 6), max_size=7)),
        "kept": st.booleans(),
    }
)


def build(db, folder, plan):
    save_units(db, UNITS)
    names = {}
    for number, each in enumerate(plan["machines"]):
        names[number] = each["name"].format(number)
        connected = each["connected_hours_ago"]
        agent = dict(
            NETWORK_AGENT,
            last_connected_at=None
            if connected is None
            else (NOW - timedelta(days=each["days_ago"], hours=connected)).isoformat(),
        )
        product = dict(KES, enabled=each["enabled"]) if each["installed"] else DEFENDER
        for name, days in (
            (names[number], each["days_ago"]),
            (each["renamed"] and each["renamed"].format(number), 0),
        ):
            if not name:
                continue
            names[number] = name
            store_report(
                db,
                make_report(
                    hostname=name,
                    machine_id=machine_id(number),
                    products=(product,),
                    unit_code=each["enrolled"],
                    ram_gb=each["ram_gb"],
                    management_agent=agent,
                    collected_at=NOW - timedelta(days=days),
                ),
            )
            if each["bound"] and each["enrolled"]:
                db.execute(
                    "UPDATE reports SET unit_bound = 1 WHERE rowid = "
                    "(SELECT max(rowid) FROM reports)"
                )
                db.conn.commit()
    known = len(plan["machines"])
    if plan["move_days_ago"] is not None:  # XA2 goes from HA to HB
        save_units(
            db, [(6, dict(UNITS[4][1], parent="HB"))], effective_from=day(plan["move_days_ago"])
        )
    for number, days in plan["retire"]:
        if number < known:
            lifecycle.retire(db, "tests", machine_id(number), on=day(days))
    for number, unit in plan["assign"]:
        if number < known:
            lifecycle.assign(db, "tests", machine_id(number), unit)
    if plan["requires_connected"] is not None:
        value, days = plan["requires_connected"]
        settings.set_value(
            db,
            "official_requires_connected",
            "yes" if value else "no",
            "tests",
            effective_from=day(days),
        )
    if plan["ksc"] is not None:
        rows = [
            ksc_row(names[n], last=NOW - timedelta(days=n)) for n in set(plan["ksc"]) if n < known
        ] + [ksc_row("KSC-ONLY-1", last=NOW)]
        console_imports.import_file(
            db, "ksc", write_ksc(Path(folder) / "ksc.txt", rows), actor="tests", exported_at=NOW
        )
    if plan["directory"] is not None:
        rows = [ad_row(names[n], last=NOW) for n in set(plan["directory"]) if n < known] + [
            ad_row("AD-ONLY-1", last=NOW)
        ]
        console_imports.import_file(
            db, "directory", write_ad(Path(folder) / "ad.csv", rows), actor="tests"
        )
    if plan["kept"]:  # as a collector whose keeper caught up; else every read counts
        figures.keep(db)
    return names


def rows_of(report):
    return {row["code"]: row for section in report["sections"] for row in section["units"]}


FIGURES = (
    "allocated",
    "installed_official",
    "seen",
    "installed",
    "installed_named",
    "connected",
    "protected",
    "exempt",
    "missing",
    "stale",
    "misnamed",
    "retired",
)


def check_unit(db, code, as_of, tree):
    """Everything shown for one unit as of one day, against `rollup()` under it."""
    total = rollup(db, as_of=as_of, parent=code)["total"]
    # The unit page's figures are its row in the table above it.
    above = tree[code]["parent"]
    row = rows_of(rollup(db, as_of=as_of, parent=above))[code]
    assert {key: row[key] for key in FIGURES} == {key: total[key] for key in FIGURES}
    # Its tabs, their lists and the lists' export.
    counts = tab_counts(db, code, as_of=as_of)
    assert counts["installed"] == total["installed"]
    assert counts["not_connected"] == total["installed"] - total["connected"]
    for tab in ("missing", "exempt", "stale"):
        assert counts[tab] == total[tab], tab
    assert counts["all"] == total["seen"] + total["stale"] + total["retired"]
    for tab in TABS:
        assert machine_page(db, code, tab, as_of=as_of).total == counts[tab], tab
    # Biểu mẫu 1 and 2, and the reporting status (letter 003).
    assert sum(each["machines"] for each in device_os_counts(db, code, as_of)) == total["seen"]
    assert (
        sum(each["machines"] for each in device_os_counts(db, code, as_of, state="missing"))
        == total["missing"]
    )
    assert sum(each["seen"] for each in unit_reporting(db, as_of, parent=code)) == total["seen"]
    # The trend chart's point that day.
    point = daily_figures(db, code, start=as_of, end=as_of)[-1]
    assert (point["installed"], point["connected"], point["missing"]) == (
        total["installed_official"],
        total["connected"],
        total["missing"],
    )
    # Letter 004 under the unit: installed with every name, then those named right.
    report = rollup(db, as_of=as_of, parent=code)
    try:
        letter = build_reminder(db, below="100%", as_of=as_of, parent=code)
    except BadReminder:
        return
    assert letter["named"] == total["official"]
    assert letter["installed"] == total["official"] + report["misnamed"]["installed_official"]


def check_now(db, names, tree):
    """What holds now only: the reconciliation, the agent's answer, each officer's access."""
    province = rollup(db)
    result = reconcile.reconcile(db)
    seen_by_avroll = {machine.avroll["machine_id"] for machine in result.machines if machine.avroll}
    listed = {
        row["machine_id"]
        for row in list_machine_states(db, per_page=500).rows
        if row["state"] not in ("stale", "retired")
    }
    if result.imports["ksc"] or result.imports["directory"]:
        assert seen_by_avroll == listed
        for code in tree:
            counts = reconcile.summary(db, code, result)["counts"]
            total = rollup(db, parent=code)["total"]
            assert counts["not_connected"] == total["installed"] - total["connected"]
    conflicts = 0
    for number, name in names.items():
        row = figures.machine(db, machine_id(number))
        answer = naming_answer(db, name, row["enrolled_code"], counted=row)["advice"]
        if row["conflict"] or (row["follows_guideline"] and not row["seen"]):
            conflicts += row["conflict"]
            assert "không được tính cho đơn vị nào" in answer
        elif row["follows_guideline"]:
            assert f"tính cho đơn vị {row['unit']}" in answer
        # Each unit officer opens what a list of theirs shows: its unit's, or a conflict's.
        shown_under = {code for code in tree if machine_id(number) in listed_under(db, code)}
        assert shown_under == subtree_holders(tree, figures.units_of_machine(row))
    assert province["checks"]["attribution_conflicts"] == conflicts


def listed_under(db, code):
    ids = {row["machine_id"] for row in list_machine_states(db, unit=code, per_page=500).rows}
    return ids | {
        row["machine_id"]
        for row in list_machine_states(db, unit=code, conflict=True, per_page=500).rows
    }


def subtree_holders(tree, codes):
    """The units whose subtree (today's tree) holds one of `codes`."""
    found = set()
    for code in codes:
        at = code
        while at is not None:
            found.add(at)
            at = tree[at]["parent"]
    return found


# Bounded for CI: a dozen provinces, and no shrinking (a failing province is printed whole).
@hypothesis_settings(
    max_examples=12,
    deadline=None,
    phases=[Phase.explicit, Phase.generate],
    suppress_health_check=[HealthCheck.too_slow],
)
@given(province)
def test_every_reader_agrees_with_the_roll_up(plan):
    with tempfile.TemporaryDirectory() as folder:
        db = open_db(Path(folder) / "p.db")
        apply(db)
        names = build(db, folder, plan)
        for as_of in (day(0), day(2), day(DAYS - 1)):
            tree = {unit["code"]: unit for unit in list_units(db, as_of=as_of)}
            for code in tree:
                check_unit(db, code, as_of, tree)
        check_now(db, names, {unit["code"]: unit for unit in list_units(db)})
        db.close()
