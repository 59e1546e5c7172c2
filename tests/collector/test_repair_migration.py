"""Rows stored before the contract refused them are repaired by a migration, and then every
page that lists them answers."""

from __future__ import annotations

import json
import uuid

from collector.store import migrations, users
from collector.store.db import open_db
from collector.web.app import create_app
from tests.builders import make_report
from tests.reporting import ADMIN, login

REPAIR = "m010_repair_rows_the_contract_now_refuses"


def insert(db, report, collected_at, report_id=None, machine_id=None, hostname=None):
    rid = report_id or report["report_id"]
    mid = machine_id or report["machine"]["machine_id"]
    name = hostname or report["machine"]["hostname"]
    db.execute(
        "INSERT INTO reports (report_id, machine_id, received_at, collected_at, "
        "observed_at, hostname, os_family, ram_installed_bytes, ram_visible_bytes, "
        "device_type, av_status, mgmt_installed, body) VALUES "
        "(?, ?, '2026-11-01T00:00:00Z', ?, ?, ?, 'windows', 8589934592, 8000000000, "
        "'desktop', 'detected', 1, ?)",
        [rid, mid, collected_at, collected_at, name, json.dumps(report)],
    )
    db.execute(
        "INSERT OR REPLACE INTO machines VALUES (?, ?, ?, ?, ?)",
        [mid, name, collected_at, collected_at, rid],
    )


def test_the_migration_repairs_old_bad_rows(tmp_path):
    path = tmp_path / "avroll.db"
    db = open_db(path)
    migrations.migrations.apply(db, stop_before=REPAIR)
    rid, machine = uuid.uuid4(), uuid.uuid4()
    insert(db, make_report(hostname="PC-OLD"), "999-05-01T00:00:00Z")
    insert(db, make_report(hostname="PC\ufffeBAD"), "2026-10-01T00:00:00Z")
    insert(
        db,
        make_report(hostname="PC-TWICE"),
        "2026-10-02T00:00:00Z",
        report_id=str(rid),
        machine_id=machine.hex,
    )
    insert(
        db,
        make_report(hostname="PC-TWICE"),
        "2026-10-02T00:00:00Z",
        report_id=rid.hex.upper(),
        machine_id=str(machine),
    )
    db.conn.commit()
    users.add_user(db, "tests", *ADMIN, "admin")
    db.close()

    app = create_app({"DATABASE": str(path), "TESTING": True})
    db = open_db(path)
    assert REPAIR in {m.name for m in migrations.migrations.applied(db)}
    times = dict(db.execute("SELECT hostname, observed_at FROM reports"))
    assert times["PC-OLD"] == "2026-11-01T00:00:00Z"
    assert "PC\ufffdBAD" in times
    assert db.execute(
        "SELECT report_id, machine_id FROM reports WHERE hostname = 'PC-TWICE'"
    ).fetchall() == [(str(rid), str(machine))]
    assert db.execute("SELECT count(*) FROM machines").fetchone()[0] == 3
    db.close()
    client = app.test_client()
    login(client, *ADMIN)
    for url in ("/machines", "/", f"/machines/{machine}", "/api/v1/machines"):
        assert client.get(url).status_code == 200, url
