"""Attribution that cannot be gamed (a bound token, a name outside its subtree, an admin's
assignment) and machines that leave the counts (retired by hand, with their token, or when
not seen for long), each as an officer and as an attacker would try it."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest
from click.testing import CliRunner

from collector.cli.main import main
from collector.counting.machine_states import list_machine_states
from collector.counting.rollup import rollup
from collector.store import enrollment, lifecycle, settings, users
from collector.store.ingest import store_report
from collector.store.units import save_units
from tests.builders import make_report
from tests.reporting import REPORTS, csrf_token, enrolled_since, login, post_report

NOW = datetime.now(timezone.utc)
LOCAL = timezone(timedelta(hours=7))


def units(db):
    save_units(
        db,
        [
            (n, dict(zip(("code", "name", "group", "parent", "allocated"), row, strict=True)))
            for n, row in enumerate(
                [
                    ("HCL", "Huyện Cao Lãnh", "Huyện", "", "30"),
                    ("XMH", "Xã Mỹ Hiệp", "Huyện", "HCL", "10"),
                    ("HTM", "Huyện Tháp Mười", "Huyện", "", "30"),
                    ("SXD", "Sở Xây dựng", "Sở", "", "10"),
                ],
                2,
            )
        ],
    )


def row_of(report, code):
    return next(
        row for section in report["sections"] for row in section["units"] if row["code"] == code
    )


def enroll(client, db, hostname, unit=None, token=None, **kw):
    token = token or enrollment.create_token(db, "tests", unit_code=unit)[1]
    report = make_report(hostname=hostname, **kw)
    if "collected_at" in kw:  # its history counts from when its agent enrolled
        enrolled_since(client, report, kw["collected_at"], unit)
    return post_report(client, report, token=token)


def test_a_token_bound_to_one_unit_cannot_raise_another_units_count(anon_client, db):
    units(db)
    token = enrollment.create_token(db, "tests", unit_code="HTM")[1]
    for n in range(5):
        assert enroll(anon_client, db, f"HTM-{n}", token=token).status_code == 201
    for n in range(20):  # the attack: HTM's token, HCL's names
        assert enroll(anon_client, db, f"HCL-FAKE{n}", token=token).status_code == 201
    report = rollup(db)
    assert row_of(report, "HCL")["installed_official"] == 0
    assert row_of(report, "HTM")["installed_official"] == 5
    assert report["checks"]["attribution_conflicts"] == 20
    assert report["total"]["installed_official"] == 5  # counted for neither, nor misnamed
    conflicts = list_machine_states(db, conflict=True, per_page=100)
    assert conflicts.total == 20 and all(row["unit"] is None for row in conflicts.rows)


def test_communes_under_the_tokens_district_are_not_conflicts(anon_client, db):
    units(db)
    token = enrollment.create_token(db, "tests", unit_code="HCL")[1]
    enroll(anon_client, db, "XMH-01", token=token)
    enroll(anon_client, db, "HCL-01", token=token)
    report = rollup(db)
    assert report["checks"]["attribution_conflicts"] == 0
    assert row_of(rollup(db, parent="HCL"), "XMH")["installed_official"] == 1
    assert row_of(report, "HCL")["installed_official"] == 2


def test_an_admin_assigns_a_conflict_and_the_page_shows_it(client, db):
    units(db)
    token = enrollment.create_token(db, "tests", unit_code="HTM")[1]
    enroll(client, db, "HCL-PC1", token=token)
    machine_id = make_report(hostname="HCL-PC1")["machine"]["machine_id"]
    page = client.get(f"/machines/{machine_id}").get_data(as_text=True)
    assert "Xung đột" in page
    assert (
        client.post(
            f"/admin/machines/{machine_id}/assign",
            data={"unit_code": "HCL", "csrf_token": csrf_token(client)},
        ).status_code
        == 302
    )
    assert row_of(rollup(db), "HCL")["installed_official"] == 1
    assert rollup(db)["checks"]["attribution_conflicts"] == 0
    page = client.get(f"/machines/{machine_id}").get_data(as_text=True)
    assert "Gán đơn vị thủ công" in page and "Xung đột" not in page
    logged = db.execute(
        "SELECT actor, detail FROM audit_log WHERE action = 'machines.assign'"
    ).fetchone()
    assert logged[0] == "admin" and '"unit_code": "HCL"' in logged[1]


def test_an_assignment_does_not_change_figures_before_it_was_made(db):
    units(db)
    store_report(db, make_report(hostname="DESKTOP-1", collected_at=NOW - timedelta(days=3)))
    machine_id = make_report(hostname="DESKTOP-1")["machine"]["machine_id"]
    lifecycle.assign(db, "tests", machine_id, "SXD")
    three_days_ago = (NOW - timedelta(days=2)).astimezone(LOCAL).date().isoformat()
    assert row_of(rollup(db, as_of=three_days_ago), "SXD")["installed"] == 0
    assert row_of(rollup(db), "SXD")["installed"] == 1


def test_retire_from_a_date_keeps_history_and_stops_reports(anon_client, db, tmp_path):
    units(db)
    enroll(anon_client, db, "SXD-01", collected_at=NOW - timedelta(days=5))
    enroll(anon_client, db, "SXD-02", collected_at=NOW - timedelta(days=5))
    machine_id = make_report(hostname="SXD-01")["machine"]["machine_id"]
    yesterday = (NOW - timedelta(days=1)).astimezone(LOCAL).date()
    lifecycle.retire(db, "tests", machine_id, on=yesterday.isoformat(), reason="thanh lý")
    before = (yesterday - timedelta(days=1)).isoformat()
    assert row_of(rollup(db, as_of=before), "SXD")["installed"] == 2  # history kept
    assert row_of(rollup(db, as_of=yesterday.isoformat()), "SXD")["installed"] == 1
    now = row_of(rollup(db), "SXD")
    assert (now["installed"], now["seen"], now["own"]["retired"]) == (1, 1, 1)
    # Its credential is gone: it cannot report, nor come back with a token.
    answer = post_report(anon_client, make_report(hostname="SXD-01"))
    assert answer.status_code == 401
    token = enrollment.create_token(db, "tests")[1]
    again = anon_client.post(
        REPORTS, json=make_report(hostname="SXD-01"), headers={"Authorization": f"Bearer {token}"}
    )
    assert again.status_code == 403 and "retired" in again.json["error"]


@pytest.mark.parametrize("day, message", [("2099-01-01", "future"), ("12/05/2022", "YYYY")])
def test_retire_refuses_a_bad_date(db, day, message):
    units(db)
    store_report(db, make_report(hostname="SXD-01"))
    machine_id = make_report(hostname="SXD-01")["machine"]["machine_id"]
    with pytest.raises(lifecycle.BadRetirement, match=message):
        lifecycle.retire(db, "tests", machine_id, on=day)


def test_avroll_machines_retire(tmp_path):
    from collector.store.db import open_db
    from collector.store.migrations import apply

    path = tmp_path / "cli.db"
    db = open_db(path)
    apply(db)
    store_report(db, make_report(hostname="SXD-01"))
    db.close()
    machine_id = make_report(hostname="SXD-01")["machine"]["machine_id"]
    runner = CliRunner()
    done = runner.invoke(
        main,
        [
            "machines",
            "retire",
            machine_id,
            "--date",
            "2024-01-02",
            "--reason",
            "thanh lý",
            "--yes",
            "--db",
            str(path),
        ],
    )
    assert done.exit_code == 0 and "retired from 2024-01-02" in done.output
    unknown = runner.invoke(
        main,
        [
            "machines",
            "retire",
            "nope-0000",
            "--date",
            "2024-01-02",
            "--reason",
            "x",
            "--yes",
            "--db",
            str(path),
        ],
    )
    assert unknown.exit_code == 1 and "no machine" in unknown.output


def test_machines_not_seen_for_long_retire_by_themselves(db):
    units(db)
    store_report(db, make_report(hostname="SXD-OLD", collected_at=NOW - timedelta(days=200)))
    store_report(db, make_report(hostname="SXD-MID", collected_at=NOW - timedelta(days=60)))
    store_report(db, make_report(hostname="SXD-NEW"))
    row = row_of(rollup(db), "SXD")
    assert (row["seen"], row["stale"], row["own"]["retired"]) == (1, 1, 1)
    settings.set_value(db, "retire_after_days", "0")
    assert row_of(rollup(db), "SXD")["stale"] == 2


def test_a_token_enrolls_no_more_machines_than_its_limit(anon_client, db, tmp_path):
    units(db)
    token = enrollment.create_token(db, "tests", machine_limit=2)[1]
    assert [enroll(anon_client, db, f"SXD-{n}", token=token).status_code for n in range(3)] == [
        201,
        201,
        403,
    ]
    assert db.execute("SELECT count(*) FROM machine_credentials").fetchone()[0] == 2
    # The enrolled machines keep reporting with their credentials.
    assert post_report(anon_client, make_report(hostname="SXD-0")).status_code == 201


def _leaked_token_with_genuine_pcs(client, db):
    """A unit's token: 3 genuine PCs enrolled with it a week ago, then 30 fakes after a leak."""
    units(db)
    leaked = enrollment.create_token(db, "tests", unit_code="SXD")
    for n in range(3):
        enroll(client, db, f"SXD-REAL{n}", token=leaked[1])
    db.execute(
        "UPDATE machine_credentials SET enrolled_at = ?",
        [(NOW - timedelta(days=7)).strftime("%Y-%m-%dT%H:%M:%SZ")],
    )
    db.conn.commit()
    for n in range(30):
        enroll(client, db, f"SXD-FAKE{n}", token=leaked[1])
    assert row_of(rollup(db), "SXD")["installed"] == 33
    leak = (NOW - timedelta(days=1)).astimezone(LOCAL).strftime("%Y-%m-%dT%H:%M")
    return leaked[0], leak


def test_revoking_a_leaked_token_retires_what_it_enrolled_after_the_leak(client, db):
    token_id, leak = _leaked_token_with_genuine_pcs(client, db)
    client.get("/admin/tokens")
    assert (
        client.post(
            f"/admin/tokens/{token_id}/revoke",
            data={"retire_machines": "1", "enrolled_after": leak, "csrf_token": csrf_token(client)},
        ).status_code
        == 302
    )
    assert row_of(rollup(db), "SXD")["installed"] == 3
    assert post_report(client, make_report(hostname="SXD-FAKE1")).status_code == 401
    assert post_report(client, make_report(hostname="SXD-REAL1")).status_code == 201


def test_retiring_from_the_page_without_a_moment_retires_nothing(client, db):
    token_id, _leak = _leaked_token_with_genuine_pcs(client, db)
    client.get("/admin/tokens")
    answer = client.post(
        f"/admin/tokens/{token_id}/revoke",
        data={"retire_machines": "1", "csrf_token": csrf_token(client)},
    )
    assert answer.status_code == 400
    assert row_of(rollup(db), "SXD")["installed"] == 33
    assert post_report(client, make_report(hostname="SXD-REAL1")).status_code == 201


def test_the_command_lists_the_machines_and_asks_before_retiring_them_all(client, db, app):
    token_id, leak = _leaked_token_with_genuine_pcs(client, db)
    run = CliRunner().invoke(
        main,
        ["tokens", "revoke", str(token_id), "--retire-machines", "--db", app.config["DATABASE"]],
        input="n\n",
    )
    assert run.exit_code == 1 and "SXD-REAL0" in run.output and "SXD-FAKE29" in run.output
    assert row_of(rollup(db), "SXD")["installed"] == 33
    run = CliRunner().invoke(
        main,
        [
            "tokens",
            "revoke",
            str(token_id),
            "--retire-machines",
            "--enrolled-after",
            leak,
            "--db",
            app.config["DATABASE"],
        ],
    )
    assert run.exit_code == 0, run.output
    assert "30 machine(s)" in run.output
    assert row_of(rollup(db), "SXD")["installed"] == 3


def test_retiring_a_machine_removes_every_credential_that_reports_into_it(anon_client, db):
    units(db)
    board = "4c4c4544-0042-3510-8052-b4c04f4d3232"
    first = make_report(hostname="SXD-KT-01")
    first["machine"]["hardware_uuid"] = board
    assert post_report(anon_client, first).status_code == 201
    other_token = enrollment.create_token(db, "tests")[1]
    reinstalled = make_report(hostname="SXD-KT-01", machine_id="reinstalled-guid-0001")
    reinstalled["machine"]["hardware_uuid"] = board
    answer = post_report(anon_client, reinstalled, token=other_token)
    assert answer.status_code == 201
    assert answer.json["machine_id"] == first["machine"]["machine_id"]
    lifecycle.retire(db, "tests", first["machine"]["machine_id"])
    again = make_report(hostname="SXD-KT-01", machine_id="reinstalled-guid-0001")
    again["machine"]["hardware_uuid"] = board
    assert post_report(anon_client, again).status_code == 401


def test_a_unit_officer_sees_a_machine_assigned_to_their_unit(app, anon_client, db):
    units(db)
    users.add_user(db, "tests", "sxd", "officer-password", "unit", "SXD")
    post_report(anon_client, make_report(hostname="DESKTOP-7"))
    machine_id = make_report(hostname="DESKTOP-7")["machine"]["machine_id"]
    officer = app.test_client()
    login(officer, "sxd", "officer-password")
    assert officer.get(f"/machines/{machine_id}").status_code == 404
    assert officer.get(f"/api/v1/machines/{machine_id}").status_code == 404
    lifecycle.assign(db, "tests", machine_id, "SXD")
    assert officer.get(f"/machines/{machine_id}").status_code == 200
    assert officer.get(f"/api/v1/machines/{machine_id}").status_code == 200
    listed = officer.get("/api/v1/machines").json["machines"]
    assert [row["machine_id"] for row in listed] == [machine_id]
