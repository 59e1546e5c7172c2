"""POST /api/v1/reports: stored once, acknowledged after commit, bad input a clear 4xx."""

from __future__ import annotations

import json
from datetime import datetime, timedelta, timezone

import pytest

from tests.builders import make_report
from tests.reporting import enrolled_since, enrollment_token_of, post_report

post = post_report


def count(db, table):
    return db[table].count


def test_report_is_stored_and_machine_listed(client, db):
    report = make_report(hostname="SXD-KT-01")
    answer = post(client, report)
    assert answer.status_code == 201
    body = answer.json
    naming = body.pop("naming")
    assert body == {
        "ok": True,
        "report_id": report["report_id"],
        "machine_id": report["machine"]["machine_id"],
        "duplicate": False,
        "credential": body["credential"],
    }
    assert body["credential"].startswith("avrm_")
    assert naming["follows_guideline"] is False  # no unit is known yet
    stored = db.execute("SELECT body FROM reports").fetchone()[0]
    assert json.loads(stored) == report
    machines = client.get("/api/v1/machines").json
    assert machines["total"] == 1
    assert machines["machines"][0]["hostname"] == "SXD-KT-01"
    assert machines["machines"][0]["ram_installed_bytes"] == 8 * 2**30


def test_same_report_twice_counts_once(client, db):
    report = make_report()
    assert post(client, report).status_code == 201
    again = post(client, report)
    assert again.status_code == 200
    assert again.json["duplicate"] is True
    assert count(db, "reports") == 1
    assert count(db, "report_products") == 1


def test_report_id_of_another_machine_is_a_conflict(client, db):
    first = make_report(hostname="A-01")
    post(client, first)
    other = make_report(hostname="B-01", report_id=first["report_id"])
    answer = post(client, other)
    assert answer.status_code == 409
    assert count(db, "machines") == 1


def test_rename_keeps_the_machine_and_its_history(client):
    post(
        client,
        make_report(
            hostname="PC-KETOAN",
            machine_id="guid-0001-aaaa",
            collected_at=datetime(2022, 5, 1, tzinfo=timezone.utc),
        ),
    )
    post(
        client,
        make_report(
            hostname="SXD-KT-01",
            machine_id="guid-0001-aaaa",
            collected_at=datetime(2022, 5, 10, tzinfo=timezone.utc),
        ),
    )
    listing = client.get("/api/v1/machines").json
    assert listing["total"] == 1
    assert listing["machines"][0]["hostname"] == "SXD-KT-01"
    detail = client.get("/api/v1/machines/guid-0001-aaaa").json["machine"]
    assert [n["hostname"] for n in detail["names"]] == ["PC-KETOAN", "SXD-KT-01"]
    assert len(detail["history"]) == 2


def test_late_report_from_the_spool_does_not_replace_a_newer_one(client):
    now = datetime.now(timezone.utc)
    newer = make_report(hostname="NEW-NAME", machine_id="guid-0002-bbbb", collected_at=now)
    enrolled_since(client, newer, now - timedelta(days=4))
    post(client, newer)
    post(
        client,
        make_report(
            hostname="OLD-NAME", machine_id="guid-0002-bbbb", collected_at=now - timedelta(days=3)
        ),
    )
    machine = client.get("/api/v1/machines/guid-0002-bbbb").json["machine"]
    assert machine["hostname"] == "NEW-NAME"
    assert machine["first_seen_at"] < machine["last_seen_at"]


def test_a_clock_in_the_future_is_seen_as_now(client):
    future = datetime.now(timezone.utc) + timedelta(days=400)
    post(client, make_report(machine_id="guid-0003-cccc", collected_at=future))
    machine = client.get("/api/v1/machines/guid-0003-cccc").json["machine"]
    assert machine["last_seen_at"] <= datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def test_invalid_report_is_422_naming_fields_and_stores_nothing(client, db):
    report = make_report()
    report["machine"]["ram"]["installed_bytes"] = "lots"
    del report["report_id"]
    answer = post(client, report)
    assert answer.status_code == 422
    assert answer.json["ok"] is False
    assert answer.json["status"] == 422
    assert "report_id: is required" in answer.json["errors"]
    assert "machine.ram.installed_bytes: must be a whole number" in answer.json["errors"]
    assert count(db, "reports") == 0


@pytest.mark.parametrize(
    "body, content_type, status",
    [
        (b"{not json", "application/json", 400),
        (b"\xff\xfe\x00", "application/json", 400),
        (b"[" * 150000 + b"]" * 150000, "application/json", 413),
        (b"[" * 50000 + b"]" * 50000, "application/json", 400),
        (b"[]", "application/json", 422),
        (b"null", "application/json", 422),
        (b"{}", "text/plain", 415),
        (b"hostname=x", "application/x-www-form-urlencoded", 415),
    ],
)
def test_malformed_bodies_get_a_json_4xx(app, anon_client, db, body, content_type, status):
    answer = anon_client.post(
        "/api/v1/reports",
        data=body,
        content_type=content_type,
        headers={"Authorization": f"Bearer {enrollment_token_of(app)}"},
    )
    assert answer.status_code == status
    assert answer.is_json and answer.json["ok"] is False and answer.json["status"] == status
    assert count(db, "reports") == 0


def test_oversized_report_is_413(client):
    report = make_report()
    report["errors"] = ["x" * 500] * 600
    answer = post(client, report)
    assert answer.status_code == 413
    assert answer.json["status"] == 413


def test_unknown_api_route_is_a_json_404(client):
    answer = client.get("/api/v1/nothing")
    assert answer.status_code == 404
    assert answer.json["ok"] is False


def test_machine_search_by_hostname_ip_and_mac(client):
    post(
        client,
        make_report(
            hostname="SXD-KT-01", addresses=[{"ip": "10.9.8.7", "mac": "AA:BB:CC:00:11:22"}]
        ),
    )
    post(client, make_report(hostname="STP-VP-02"))
    for query in ("sxd", "10.9.8.7", "AA:BB:CC"):
        found = client.get("/api/v1/machines", query_string={"q": query}).json
        assert [m["hostname"] for m in found["machines"]] == ["SXD-KT-01"], query
    assert client.get("/api/v1/machines", query_string={"q": "%"}).json["total"] == 0


def test_machine_list_is_paginated(client):
    for index in range(7):
        post(client, make_report(hostname=f"PC-{index:02}"))
    page = client.get("/api/v1/machines?page=2&per_page=3").json
    assert [m["hostname"] for m in page["machines"]] == ["PC-03", "PC-04", "PC-05"]
    assert (page["total"], page["pages"]) == (7, 3)


def test_the_board_uuid_and_the_raw_report_are_for_administrators_only(app, client, db):
    from collector.store import users
    from tests.reporting import login

    report = make_report(hostname="SXD-KT-07", machine_id="guid-0007-uuid")
    report["machine"]["hardware_uuid"] = "4c4c4544-0042-3510-8052-b4c04f4d3232"
    post(client, report)
    users.add_user(db, "tests", "viewer1", "viewer-password-1", "viewer")
    viewer = app.test_client()
    assert login(viewer, "viewer1", "viewer-password-1").status_code == 302
    seen = viewer.get("/api/v1/machines/guid-0007-uuid")
    assert seen.status_code == 200 and "report" not in seen.json["machine"]
    assert "4c4c4544" not in seen.get_data(as_text=True)
    assert seen.json["machine"]["products"][0]["name"]
    admin = client.get("/api/v1/machines/guid-0007-uuid").json["machine"]
    assert admin["report"]["machine"]["hardware_uuid"] == "4c4c4544-0042-3510-8052-b4c04f4d3232"
