"""Machines that can be brought back (issue 21, item 3): retiring asks for a confirmation, a
date and a reason; a retired machine comes back by command or button, audited; a hostname
works wherever a machine id does; the /machines list assigns and retires in bulk; a
machine's page and its list's export say what the collector knows about it."""

from __future__ import annotations

import csv
import io
import json
from datetime import datetime, timedelta, timezone

import pytest
from click.testing import CliRunner

from collector.cli.main import main
from collector.counting.machine_states import list_tab, tab_counts
from collector.counting.rollup import rollup
from collector.store import audit, enrollment, lifecycle, users
from collector.store.db import open_db
from collector.store.ingest import store_report
from collector.store.migrations import apply
from collector.store.units import save_units
from tests.builders import KES, NETWORK_AGENT, make_report
from tests.reporting import REPORTS, csrf_token, login, post_report

NOW = datetime.now(timezone.utc)
LOCAL = timezone(timedelta(hours=7))
TODAY = NOW.astimezone(LOCAL).date()


def units(db):
    save_units(
        db,
        [
            (n, dict(zip(("code", "name", "group", "parent", "allocated"), row, strict=True)))
            for n, row in enumerate(
                [
                    ("SXD", "Sở Xây dựng", "Sở", "", "10"),
                    ("HTM", "Huyện Tháp Mười", "Huyện", "", "30"),
                ],
                2,
            )
        ],
    )


def machine_id(hostname):
    return make_report(hostname=hostname)["machine"]["machine_id"]


def row_of(report, code):
    return next(
        row for section in report["sections"] for row in section["units"] if row["code"] == code
    )


def figures(db):
    return {
        code: (row_of(rollup(db), code)["installed"], row_of(rollup(db), code)["seen"])
        for code in ("SXD", "HTM")
    }


def audit_actions(db):
    return [row["action"] for row in audit.recent(db, per_page=100).rows]


def test_restore_brings_the_counts_back_as_if_never_retired(anon_client, db):
    units(db)
    token = enrollment.create_token(db, "tests")[1]
    for name in ("SXD-01", "SXD-02", "HTM-01"):
        assert post_report(anon_client, make_report(hostname=name), token=token).status_code == 201
    before = figures(db)
    week_ago = (TODAY - timedelta(days=7)).isoformat()
    lifecycle.retire(db, "tests", "sxd-01", on=week_ago, reason="thanh lý")  # by its name
    assert figures(db)["SXD"] == (1, 1)
    assert row_of(rollup(db), "SXD")["own"]["retired"] == 1
    assert lifecycle.restore(db, "tests", "SXD-01", "nhầm máy") == machine_id("SXD-01")
    assert figures(db) == before
    assert lifecycle.machine_lifecycle(db, machine_id("SXD-01"))["retirement"] is None
    assert audit_actions(db)[:2] == ["machines.restore", "machines.retire"]
    # Its credential was forgotten when retired: it enrolls again with a token.
    again = anon_client.post(
        REPORTS, json=make_report(hostname="SXD-01"), headers={"Authorization": f"Bearer {token}"}
    )
    assert again.status_code == 201
    with pytest.raises(lifecycle.NotRetired):
        lifecycle.restore(db, "tests", "SXD-01")


def _cli_db(tmp_path):
    path = tmp_path / "cli.db"
    db = open_db(path)
    apply(db)
    units(db)
    store_report(db, make_report(hostname="SXD-01"))
    store_report(db, make_report(hostname="SXD-TWIN", machine_id="aaaa-1"))
    store_report(db, make_report(hostname="SXD-TWIN", machine_id="bbbb-2"))
    db.close()
    return path


def test_cli_retire_asks_for_a_reason_a_date_and_confirmation(tmp_path):
    path = _cli_db(tmp_path)
    runner = CliRunner()
    no_reason = runner.invoke(
        main, ["machines", "retire", "SXD-01", "--date", TODAY.isoformat(), "--db", str(path)]
    )
    assert no_reason.exit_code == 2 and "--reason" in no_reason.output
    no_date = runner.invoke(
        main, ["machines", "retire", "SXD-01", "--reason", "hỏng", "--db", str(path)]
    )
    assert no_date.exit_code == 2 and "--date" in no_date.output
    declined = runner.invoke(
        main,
        [
            "machines",
            "retire",
            "SXD-01",
            "--date",
            TODAY.isoformat(),
            "--reason",
            "hỏng",
            "--db",
            str(path),
        ],
        input="n\n",
    )
    assert declined.exit_code == 1 and machine_id("SXD-01") in declined.output
    db = open_db(path)
    assert lifecycle.machine_lifecycle(db, machine_id("SXD-01"))["retirement"] is None
    confirmed = runner.invoke(
        main,
        [
            "machines",
            "retire",
            "sxd-01",
            "--date",
            TODAY.isoformat(),
            "--reason",
            "hỏng",
            "--db",
            str(path),
        ],
        input="y\n",
    )
    assert confirmed.exit_code == 0, confirmed.output
    assert lifecycle.machine_lifecycle(db, machine_id("SXD-01"))["retirement"]["reason"] == "hỏng"
    restored = runner.invoke(main, ["machines", "restore", "SXD-01", "--db", str(path)])
    assert restored.exit_code == 0 and machine_id("SXD-01") in restored.output
    assert lifecycle.machine_lifecycle(db, machine_id("SXD-01"))["retirement"] is None
    twice = runner.invoke(main, ["machines", "restore", "SXD-01", "--db", str(path)])
    assert twice.exit_code == 1 and "not retired" in twice.output


def test_cli_takes_hostnames_and_names_twins_by_id(tmp_path):
    path = _cli_db(tmp_path)
    runner = CliRunner()
    assigned = runner.invoke(main, ["machines", "assign", "sxd-01", "HTM", "--db", str(path)])
    assert assigned.exit_code == 0 and f"{machine_id('SXD-01')} counts for HTM" in assigned.output
    shared = runner.invoke(main, ["machines", "assign", "SXD-TWIN", "HTM", "--db", str(path)])
    assert shared.exit_code == 1
    assert "aaaa-1" in shared.output and "bbbb-2" in shared.output
    by_id = runner.invoke(main, ["machines", "assign", "bbbb-2", "HTM", "--db", str(path)])
    assert by_id.exit_code == 0
    unknown = runner.invoke(main, ["machines", "restore", "NOPE-01", "--db", str(path)])
    assert unknown.exit_code == 1 and "NOPE-01" in unknown.output


def _retire_form(client, **changes):
    form = {
        "date": TODAY.isoformat(),
        "reason": "thanh lý",
        "confirm": "1",
        "csrf_token": csrf_token(client),
    }
    form.update(changes)
    return {key: value for key, value in form.items() if value is not None}


@pytest.mark.parametrize(
    "missing, words",
    [
        ({"confirm": None}, "xác nhận"),
        ({"date": ""}, "nhập ngày"),
        ({"reason": "  "}, "lý do"),
        ({"date": "2999-01-01"}, "chưa tới"),
    ],
)
def test_the_retire_button_needs_confirmation_date_and_reason(client, db, missing, words):
    units(db)
    store_report(db, make_report(hostname="SXD-01"))
    answer = client.post(
        f"/admin/machines/{machine_id('SXD-01')}/retire", data=_retire_form(client, **missing)
    )
    assert answer.status_code == 422 and words in answer.get_data(as_text=True)
    assert lifecycle.machine_lifecycle(db, machine_id("SXD-01"))["retirement"] is None


def test_retire_and_restore_buttons(client, db):
    units(db)
    store_report(db, make_report(hostname="SXD-01"))
    page = f"/machines/{machine_id('SXD-01')}"
    assert 'name="confirm"' in client.get(page).get_data(as_text=True)
    done = client.post(f"/admin/machines/{machine_id('SXD-01')}/retire", data=_retire_form(client))
    assert done.status_code == 302
    html = client.get(page).get_data(as_text=True)
    assert "Tính lại máy này" in html and "không đơn vị nào: máy đã thôi tính" in html
    back = client.post(
        f"/admin/machines/{machine_id('SXD-01')}/restore", data={"csrf_token": csrf_token(client)}
    )
    assert back.status_code == 302
    assert 'Được tính cho</dt><dd class="counted-for">\n    đơn vị' in client.get(page).get_data(
        as_text=True
    )
    assert audit_actions(db)[:2] == ["machines.restore", "machines.retire"]
    again = client.post(
        f"/admin/machines/{machine_id('SXD-01')}/restore", data={"csrf_token": csrf_token(client)}
    )
    assert again.status_code == 409


def test_a_machine_page_opens_by_its_name(client, db):
    units(db)
    store_report(db, make_report(hostname="SXD-01"))
    answer = client.get("/machines/sxd-01")
    assert answer.status_code == 302 and machine_id("SXD-01") in answer.location


def _province(db):
    units(db)
    for name in ("SXD-01", "SXD-02", "BADNAME-1", "HTM-01"):
        store_report(db, make_report(hostname=name, unit_code="SXD"))


def test_bulk_assign_and_retire_on_the_filtered_list(client, db):
    _province(db)
    listed = client.get("/machines?naming=misnamed").get_data(as_text=True)
    assert 'form="bulk"' in listed and "mọi máy theo bộ lọc này" in listed
    # No CSRF token: refused, nothing changed.
    refused = client.post(
        "/admin/machines/bulk",
        data={"action": "assign", "unit_code": "HTM", "machine_id": machine_id("SXD-01")},
    )
    assert refused.status_code == 400
    assigned = client.post(
        "/admin/machines/bulk?naming=misnamed",
        data={
            "action": "assign",
            "unit_code": "HTM",
            "scope": "filter",
            "csrf_token": csrf_token(client),
        },
    )
    assert assigned.status_code == 200 and "Số máy đã thay đổi: 1" in assigned.get_data(
        as_text=True
    )
    assert (
        lifecycle.machine_lifecycle(db, machine_id("BADNAME-1"))["assignment"]["unit_code"] == "HTM"
    )
    ticked = [machine_id("SXD-01"), machine_id("SXD-02")]
    unconfirmed = client.post(
        "/admin/machines/bulk",
        data={
            "action": "retire",
            "machine_id": ticked,
            "date": TODAY.isoformat(),
            "reason": "cũ",
            "csrf_token": csrf_token(client),
        },
    )
    assert unconfirmed.status_code == 422
    retired = client.post(
        "/admin/machines/bulk",
        data={
            "action": "retire",
            "machine_id": ticked,
            "date": TODAY.isoformat(),
            "reason": "cũ",
            "confirm": "1",
            "csrf_token": csrf_token(client),
        },
    )
    assert retired.status_code == 200
    assert row_of(rollup(db), "SXD")["own"]["retired"] == 2
    assert audit_actions(db)[:3] == ["machines.retire", "machines.retire", "machines.assign"]


def test_bulk_actions_are_for_admins_only(anon_client, db):
    _province(db)
    users.add_user(db, "tests", "viewer1", "mật-khẩu-đủ-dài-1", "viewer")
    client = anon_client
    login(client, "viewer1", "mật-khẩu-đủ-dài-1")
    assert 'form="bulk"' not in client.get("/machines").get_data(as_text=True)
    answer = client.post(
        "/admin/machines/bulk",
        data={
            "action": "retire",
            "scope": "filter",
            "date": TODAY.isoformat(),
            "reason": "x",
            "confirm": "1",
            "csrf_token": csrf_token(client),
        },
    )
    assert answer.status_code == 403


def _server_report(**changes):
    soon = (NOW + timedelta(days=10)).isoformat(timespec="seconds")
    signed = (NOW - timedelta(days=2)).isoformat(timespec="seconds")
    product = dict(
        KES,
        name="Kaspersky Security for Windows Server",
        up_to_date=None,
        signatures_updated_at=signed,
        licence_expires_at=soon,
    )
    agent = dict(NETWORK_AGENT, last_connected_at=signed)
    report = make_report(
        hostname="SXD-SRV01",
        server=True,
        products=[product],
        management_agent=agent,
        addresses=[{"ip": "10.9.8.7", "mac": "00:11:22:33:44:55"}],
    )
    report["machine"].update(changes)
    return report, signed


def test_the_machine_page_says_what_the_collector_knows(client, db):
    units(db)
    report, signed = _server_report()
    store_report(db, report)
    store_report(
        db,
        make_report(
            hostname="SXD-SRV01", machine_id="old-install-1", collected_at=NOW - timedelta(days=3)
        ),
    )
    html = client.get(f"/machines/{machine_id('SXD-SRV01')}").get_data(as_text=True)
    local = datetime.fromisoformat(signed).astimezone(LOCAL)
    assert local.strftime("%d/%m/%Y") in html  # the signature date
    expiry = (NOW + timedelta(days=10)).date()
    assert expiry.strftime("%d/%m/%Y") in html and "còn dưới 30 ngày" in html
    assert "Có máy khác báo cáo cùng tên" in html and "/machines/old-install-1" in html
    assert "10.9.8.7" in html
    assert 'đơn vị <a href="/units/SXD">SXD</a>' in html


def test_counted_for_is_true_for_a_misnamed_machine(client, db):
    units(db)
    token = enrollment.create_token(db, "tests", unit_code="SXD")[1]
    post_report(client, make_report(hostname="DESKTOP-AB12"), token=token)
    html = client.get(f"/machines/{machine_id('DESKTOP-AB12')}").get_data(as_text=True)
    assert "Được tính cho đơn vị" not in html
    assert "dòng máy đặt tên chưa đúng hướng dẫn" in html


def test_licence_expiring_list_and_count_per_unit(client, db):
    units(db)
    report, _ = _server_report()
    store_report(db, report)
    later = dict(KES, licence_expires_at=(NOW + timedelta(days=200)).isoformat(timespec="seconds"))
    store_report(db, make_report(hostname="SXD-02", products=[later]))
    store_report(db, make_report(hostname="HTM-01"))
    assert tab_counts(db, "SXD")["licence_expiring"] == 1
    assert tab_counts(db, "HTM")["licence_expiring"] == 0
    assert [row["hostname"] for row in list_tab(db, "licence_expiring", unit="SXD").rows] == [
        "SXD-SRV01"
    ]
    html = client.get("/units/SXD?tab=licence_expiring").get_data(as_text=True)
    assert "Bản quyền hết hạn trong 30 ngày" in html and "SXD-SRV01" in html


def test_machine_list_export_has_ip_connection_signatures_and_licence(client, db):
    units(db)
    report, signed = _server_report()
    store_report(db, report)
    answer = client.get("/exports/machines.csv")
    rows = list(csv.reader(io.StringIO(answer.get_data(as_text=True).lstrip("\ufeff"))))
    header = rows[0]
    line = dict(zip(header, rows[1], strict=True))
    assert line["Địa chỉ IP"] == "10.9.8.7"
    assert line["Kết nối máy chủ quản trị"] == "Có"
    assert line["Liên lạc máy chủ quản trị gần nhất"] != ""
    assert line["Cập nhật mẫu"] == datetime.fromisoformat(signed).astimezone(LOCAL).strftime(
        "%d/%m/%Y"
    )
    assert line["Hạn bản quyền"] == (NOW + timedelta(days=10)).date().strftime("%d/%m/%Y")
    assert json.dumps(header, ensure_ascii=False).count("Mã máy") == 1


def test_the_api_takes_a_hostname(client, db):
    units(db)
    store_report(db, make_report(hostname="SXD-01"))
    store_report(db, make_report(hostname="SXD-TWIN", machine_id="aaaa-1"))
    store_report(db, make_report(hostname="SXD-TWIN", machine_id="bbbb-2"))
    one = client.get("/api/v1/machines/sxd-01")
    assert one.status_code == 200 and one.json["machine"]["machine_id"] == machine_id("SXD-01")
    two = client.get("/api/v1/machines/SXD-TWIN")
    assert two.status_code == 409 and sorted(two.json["errors"]) == ["aaaa-1", "bbbb-2"]
    assert client.get("/api/v1/machines/NOPE-01").status_code == 404
