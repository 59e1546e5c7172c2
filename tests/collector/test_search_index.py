"""The search index follows each machine's latest report in the transaction that stores it
(store/search_index.py): exact once the report is acknowledged, without the kept figures,
and written only when a machine's name or addresses change."""

from __future__ import annotations

from collector.store.db import open_db
from collector.store.ingest import store_report
from collector.store.migrations import apply
from tests.builders import make_report

MACHINE = "guid-search-1"
FIRST = {"ip": "10.9.9.9", "mac": "00:1A:2B:3C:4D:5E"}
FOUND = "SELECT rowid FROM machine_search WHERE text LIKE ?"
# FTS5 adds a segment to this table for each transaction that writes the index.
SEGMENTS = "SELECT count(*) FROM machine_search_data"


def report(hostname, addresses, **kwargs):
    return make_report(hostname=hostname, machine_id=MACHINE, addresses=addresses, **kwargs)


def found(db, text):
    return [row[0] for row in db.execute(FOUND, [f"%{text}%"])]


def test_a_report_is_searchable_by_name_id_ip_and_mac_at_once(db):
    store_report(db, report("SXD-1", [FIRST]))
    assert db.execute("SELECT count(*) FROM kept_marks").fetchone()[0]  # not kept yet
    for text in ("SXD-1", MACHINE, "10.9.9", "1A2B3C4D5E"):
        assert found(db, text) == [1], text


def test_an_unchanged_machine_writes_nothing_a_changed_one_is_written_again(db):
    store_report(db, report("SXD-1", [FIRST]))
    written = db.execute(SEGMENTS).fetchone()[0]
    store_report(db, report("SXD-1", [FIRST]))
    assert db.execute(SEGMENTS).fetchone()[0] == written
    store_report(db, report("SXD-1", [{"ip": "10.7.7.7"}]))
    assert db.execute(SEGMENTS).fetchone()[0] > written
    assert (found(db, "10.7.7.7"), found(db, "10.9.9.9"), found(db, "1A2B")) == ([1], [], [])
    store_report(db, report("SXD-9", [{"ip": "10.7.7.7"}]))
    assert (found(db, "SXD-9"), found(db, "SXD-1")) == ([1], [])
    assert db.execute("SELECT count(*) FROM machine_search").fetchone()[0] == 1


def test_a_late_report_leaves_the_newer_addresses(db):
    store_report(db, report("SXD-1", [FIRST]))
    store_report(db, report("SXD-OLD", [{"ip": "10.1.1.1"}], collected_at="2024-01-01T00:00:00Z"))
    assert (found(db, "10.9.9.9"), found(db, "10.1.1.1"), found(db, "SXD-OLD")) == ([1], [], [])


def test_the_migration_indexes_the_machines_stored_before_it(tmp_path):
    db = open_db(tmp_path / "old.db")
    apply(db)
    store_report(db, report("SXD-1", [FIRST]))
    db.execute("DELETE FROM machine_search")
    db.execute("DELETE FROM machine_addresses")
    db.execute("DELETE FROM _sqlite_migrations WHERE name LIKE 'm022%'")
    apply(db)
    assert found(db, "1A2B3C") == [1]
    db.close()
