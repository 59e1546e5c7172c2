"""The door to the figures (`collector/counting/figures.py`): reads never take the write
lock, and a read that finds the kept figures behind still answers exactly."""

from __future__ import annotations

import sqlite3
from datetime import datetime, timedelta, timezone

from collector.counting import figures
from collector.counting.rollup import rollup
from collector.store import db as store_db
from collector.store import lifecycle, settings
from collector.store.db import open_db
from collector.store.ingest import store_report
from collector.store.migrations import apply
from collector.store.units import save_units
from tests.builders import KES, NETWORK_AGENT, make_report

NOW = datetime.now(timezone.utc).replace(microsecond=0)
UNITS = [
    (2, {"code": "SXD", "name": "Sở Xây dựng", "allocated": "10"}),
    (3, {"code": "HUYEN", "name": "Huyện", "allocated": "8"}),
    (4, {"code": "XA", "name": "Xã A", "allocated": "5", "parent": "HUYEN"}),
]
MACHINE = "00000000-0000-4000-8000-000000000001"
PAGES = (
    "/",
    "/units",
    "/units/SXD",
    "/units/HUYEN?tab=installed",
    "/units/HUYEN?tab=missing",
    "/machines",
    "/machines?state=installed",
    f"/machines/{MACHINE}",
    "/api/v1/rollup",
    "/api/v1/rollup?parent=HUYEN",
    "/api/v1/rollup/machines",
    "/api/v1/machines",
    "/reconcile",
    "/exports/rollup.csv",
    "/exports/units/HUYEN/machines.csv",
)


def _behind(db):
    """Reports, a retirement and a setting change stored with nobody keeping the figures:
    every kind of mark is left."""
    save_units(db, UNITS)
    agent = dict(NETWORK_AGENT, last_connected_at=NOW.isoformat())
    for number, (name, days) in enumerate(
        (("SXD-1", 0), ("XA-1", 1), ("XA-2", 3), ("DESKTOP-9", 0)), start=1
    ):
        store_report(
            db,
            make_report(
                hostname=name,
                machine_id=f"00000000-0000-4000-8000-00000000000{number}",
                products=(KES,),
                management_agent=agent,
                unit_code="HUYEN",
                collected_at=NOW - timedelta(days=days),
            ),
        )
    lifecycle.retire(
        db,
        "tests",
        "00000000-0000-4000-8000-000000000003",
        on=(NOW - timedelta(days=2)).date().isoformat(),
    )
    settings.set_value(db, "official_requires_connected", "yes", "tests")


def test_a_read_behind_the_keeper_answers_exactly_and_writes_nothing(tmp_path):
    db = open_db(tmp_path / "alone.db")  # no server: no keeper to leave the work to
    apply(db)
    _behind(db)
    marks = db.execute("SELECT count(*) FROM kept_marks").fetchone()[0]
    assert marks
    read = [
        rollup(db),
        rollup(db, parent="HUYEN"),
        rollup(db, as_of=(NOW - timedelta(days=1)).date().isoformat()),
    ]
    assert db.execute("SELECT count(*) FROM kept_marks").fetchone()[0] == marks
    assert not db.conn.in_transaction
    figures.keep(db)
    for days in (1, 2, 3):
        figures.keep_day(
            db, (NOW - timedelta(days=days)).astimezone(timezone(timedelta(hours=7))).date()
        )
    assert db.execute("SELECT count(*) FROM kept_marks").fetchone()[0] == 0
    assert read == [
        rollup(db),
        rollup(db, parent="HUYEN"),
        rollup(db, as_of=(NOW - timedelta(days=1)).date().isoformat()),
    ]


def _read(client, page):
    """The whole answer, its response closed (an export holds a slot until then)."""
    answer = client.get(page)
    answer.get_data()
    answer.close()
    return answer


def test_pages_answer_while_another_holds_the_write_lock(app, client, db, monkeypatch):
    """Reading pages under ingest load takes no write lock: with the kept figures behind
    (reports, a retirement and a setting unkept) and another connection holding the write
    lock, every page answers at once, and with the figures counted after keeping."""
    _behind(db)
    monkeypatch.setattr(store_db, "BUSY_TIMEOUT_MS", 100)  # a page that waits fails fast
    holder = sqlite3.connect(app.config["DATABASE"], isolation_level=None)
    holder.execute("BEGIN IMMEDIATE")
    try:
        answers = {page: _read(client, page) for page in PAGES}
    finally:
        holder.execute("ROLLBACK")
        holder.close()
    assert {page: answer.status_code for page, answer in answers.items()} == dict.fromkeys(
        PAGES, 200
    )
    figures.keep(db)
    assert answers["/api/v1/rollup"].json == client.get("/api/v1/rollup").json
    assert (
        answers["/api/v1/rollup?parent=HUYEN"].json
        == client.get("/api/v1/rollup?parent=HUYEN").json
    )
    assert (
        answers["/exports/units/HUYEN/machines.csv"].data
        == client.get("/exports/units/HUYEN/machines.csv").data
    )


def _steps_to_read_a_new_machine(tmp_path, others, history=0):
    """SQLite's steps (in hundreds) to read one machine's row right after its report, the
    keeper not having come, with `others` machines stored and kept, and `history` reports of
    its own (each under another name) kept before."""
    db = open_db(tmp_path / f"{others}-{history}.db")
    apply(db)
    save_units(db, UNITS)
    with store_db.write_transaction(db):
        for number in range(others):
            store_report(db, make_report(hostname=f"SXD-{number}", machine_id=f"m-{number}"))
        for day in range(history, 0, -1):
            store_report(
                db,
                make_report(
                    hostname=f"XA-OLD{day}",
                    machine_id="m-new",
                    collected_at=NOW - timedelta(days=day),
                ),
            )
    figures.keep(db)  # the first count of every machine
    figures.keep(db)  # the marks their reports left meanwhile
    store_report(db, make_report(hostname="XA-NEW", machine_id="m-new"))
    store_report(db, make_report(hostname="SXD-0", machine_id="m-0"))
    steps = []
    db.conn.set_progress_handler(lambda: steps.append(1), 100)
    row = figures.machine(db, "m-new")
    db.conn.set_progress_handler(None, 0)
    db.close()
    assert row["unit"] == "XA" and row["seen"]
    return len(steps)


def test_reading_one_machine_costs_the_same_whatever_the_machines_stored(tmp_path):
    """The answer to each report reads its machine's row: with the keeping behind, only
    that machine is counted again and its name looked up, not every machine's."""
    few = _steps_to_read_a_new_machine(tmp_path, 50)
    many = _steps_to_read_a_new_machine(tmp_path, 1000)
    assert many < few * 1.3 + 5


def test_reading_one_machine_costs_the_same_whatever_its_history(tmp_path):
    """Only the name of its latest report is looked up, not every name it ever had."""
    few = _steps_to_read_a_new_machine(tmp_path, 50, history=1)
    many = _steps_to_read_a_new_machine(tmp_path, 50, history=300)
    assert many < few * 1.3 + 5
