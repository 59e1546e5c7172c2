"""The naming check's unit codes are held in memory and read again only when the units
changed, by this process or another (a command line), never stale."""

from __future__ import annotations

import sqlite3

from collector.store import migrations
from collector.store.db import open_db
from collector.store.guideline import naming_rule


def another_process(path, *statements):
    """Change the units as `avroll units import` in another process would."""
    connection = sqlite3.connect(path)
    with connection:
        for statement in statements:
            connection.execute(statement)
    connection.close()


def test_units_changed_elsewhere_are_seen_and_unchanged_ones_not_read_again(tmp_path):
    path = str(tmp_path / "avroll.db")
    db = open_db(path)
    migrations.apply(db)
    first = naming_rule(db)
    assert first.unit_of("SXD-KT-01") is None
    assert naming_rule(db) is first  # nothing changed: the rule kept in memory

    another_process(path, "INSERT INTO units (code, name, position) VALUES ('SXD', 'Sở', 1)")
    assert naming_rule(db).unit_of("SXD-KT-01") == "SXD"

    another_process(path, "UPDATE units SET code = 'STC' WHERE code = 'SXD'")
    assert naming_rule(db).unit_of("SXD-KT-01") is None
    assert naming_rule(db).unit_of("STC-KT-01") == "STC"

    kept = naming_rule(db)
    another_process(path, "UPDATE units SET name = 'Sở Tài chính'")  # not a code: kept
    assert naming_rule(db) is kept
    another_process(path, "INSERT INTO units (code, name, position) VALUES ('UB', 'UBND', 2)")
    kept = naming_rule(db)
    another_process(path, "UPDATE units SET parent = 'UB' WHERE code = 'STC'")
    assert naming_rule(db) is not kept  # the tree moved: the tag too

    another_process(path, "DELETE FROM units")
    assert naming_rule(db).unit_of("STC-KT-01") is None
    db.close()


def test_new_enrollments_find_their_credentials_by_index(tmp_path):
    """A report of a new machine asks whether some credential already stores into its id:
    an index lookup, not a scan of every enrolled machine."""
    db = open_db(str(tmp_path / "avroll.db"))
    migrations.apply(db)
    plan = db.execute(
        "EXPLAIN QUERY PLAN SELECT 1 FROM machine_credentials WHERE stored_as = ?", ["x"]
    ).fetchall()
    assert "USING COVERING INDEX machine_credentials_stored_as" in plan[0][3]
    db.close()
