"""Repairs of rows stored before the report contract refused them (run once, by migration).

Before issue 16 the collector accepted times before year 1000 or past 9999 (which broke every
page listing the machine), names with Unicode noncharacters or invisible characters, and ids
spelt several ways (so one report was stored twice). These functions bring such rows to what
the contract accepts today; each is safe to run on a clean database (it changes nothing).
"""

from __future__ import annotations

import json
import re

from shared.report import (
    EARLIEST_TIME,
    LATEST_TIME,
    _has_invalid_unicode,
    _has_invisible,
    canonical_machine_id,
    canonical_report_id,
)

STORED_TIME = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ")
REPLACEMENT = "\ufffd"  # shows where a refused character was


def plausible_stored_time(text):
    return bool(
        isinstance(text, str)
        and STORED_TIME.fullmatch(text)
        and f"{EARLIEST_TIME:%Y-%m-%d}" <= text < f"{LATEST_TIME:%Y-%m-%d}"
    )


def visible_name(name):
    """`name` with each noncharacter, override or invisible character shown as U+FFFD."""
    return "".join(
        REPLACEMENT if _has_invalid_unicode(ch) or _has_invisible(ch) else ch for ch in name
    )


def repair_times(db):
    """A report time outside the plausible range becomes the time it was received."""
    bad = [
        row
        for row in db.execute("SELECT rowid, collected_at, observed_at FROM reports")
        if not (plausible_stored_time(row[1]) and plausible_stored_time(row[2]))
    ]
    db.conn.executemany(
        "UPDATE reports SET collected_at = received_at, observed_at = received_at WHERE rowid = ?",
        [(row[0],) for row in bad],
    )
    return len(bad)


def repair_names(db):
    """Hostnames with characters the contract now refuses keep a visible mark instead."""
    changed = 0
    for (name,) in db.execute("SELECT DISTINCT hostname FROM reports").fetchall():
        fixed = visible_name(name)
        if fixed == name:
            continue
        changed += 1
        for rowid, body in db.execute(
            "SELECT rowid, body FROM reports WHERE hostname = ?", [name]
        ).fetchall():
            report = json.loads(body)
            report["machine"]["hostname"] = fixed
            db.execute(
                "UPDATE reports SET hostname = ?, body = ? WHERE rowid = ?",
                [fixed, json.dumps(report, ensure_ascii=False, separators=(",", ":")), rowid],
            )
        db.execute("UPDATE machines SET hostname = ? WHERE hostname = ?", [fixed, name])
    if changed and db["hostname_units_state"].exists():
        db.execute("DELETE FROM hostname_units_state")  # the names are read again
    return changed


def repair_report_ids(db):
    """Each report id in its canonical form; a second copy of one report is removed."""
    changed = 0
    for (report_id,) in db.execute("SELECT report_id FROM reports").fetchall():
        canonical = canonical_report_id(report_id)
        if canonical == report_id:
            continue
        changed += 1
        if db.execute("SELECT 1 FROM reports WHERE report_id = ?", [canonical]).fetchone():
            machines = {
                row[0]
                for row in db.execute(
                    "SELECT machine_id FROM reports WHERE report_id IN (?, ?)",
                    [report_id, canonical],
                )
            }
            db.execute("DELETE FROM machines WHERE latest_report_id = ?", [report_id])
            db.execute("DELETE FROM report_products WHERE report_id = ?", [report_id])
            db.execute("DELETE FROM reports WHERE report_id = ?", [report_id])
            for machine_id in machines:
                rebuild_machine(db, machine_id)
            continue
        for table, column in (
            ("reports", "report_id"),
            ("report_products", "report_id"),
            ("machines", "latest_report_id"),
        ):
            db.execute(
                f"UPDATE {table} SET {column} = ? WHERE {column} = ?",  # noqa: S608
                [canonical, report_id],
            )
    return changed


def repair_machine_ids(db):
    """Each machine id in its canonical form; two spellings of one machine become one."""
    changed = 0
    for (machine_id,) in db.execute("SELECT DISTINCT machine_id FROM reports").fetchall():
        canonical = canonical_machine_id(machine_id)
        if canonical == machine_id:
            continue
        changed += 1
        db.execute(
            "UPDATE reports SET machine_id = ? WHERE machine_id = ?", [canonical, machine_id]
        )
        db.execute("DELETE FROM machines WHERE machine_id = ?", [machine_id])
        if db.execute(
            "SELECT 1 FROM machine_credentials WHERE machine_id = ?", [canonical]
        ).fetchone():
            db.execute("DELETE FROM machine_credentials WHERE machine_id = ?", [machine_id])
        else:
            db.execute(
                "UPDATE machine_credentials SET machine_id = ? WHERE machine_id = ?",
                [canonical, machine_id],
            )
        if "stored_as" in db["machine_credentials"].columns_dict:
            db.execute(
                "UPDATE machine_credentials SET stored_as = ? WHERE stored_as = ?",
                [canonical, machine_id],
            )
        rebuild_machine(db, canonical)
    return changed


def rebuild_machine(db, machine_id):
    """The machine's row from its reports: first and last seen, its latest report."""
    db.execute("DELETE FROM machines WHERE machine_id = ?", [machine_id])
    db.execute(
        """
        INSERT INTO machines
            (machine_id, hostname, first_seen_at, last_seen_at, latest_report_id)
        SELECT machine_id, hostname,
               (SELECT min(observed_at) FROM reports WHERE machine_id = :m), observed_at,
               report_id
        FROM reports WHERE machine_id = :m ORDER BY observed_at DESC, rowid DESC LIMIT 1""",
        {"m": machine_id},
    )


def repair_all(db):
    """Every repair, then each machine's row rebuilt where its reports' times changed."""
    repair_report_ids(db)
    times = repair_times(db)
    repair_names(db)
    repair_machine_ids(db)
    if times:
        for (machine_id,) in db.execute("SELECT machine_id FROM machines").fetchall():
            rebuild_machine(db, machine_id)
