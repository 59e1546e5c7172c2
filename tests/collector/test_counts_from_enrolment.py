"""A machine enrolled with a token counts for no day before its enrolment (issue 24, M2):
20 fakes enrolled today with `collected_at` 12 days ago moved HCL's official figure, as of
a day already issued, from 5 to 25."""

from __future__ import annotations

import json
from datetime import datetime, timedelta, timezone

import pytest

from collector.counting import figures
from collector.counting.rollup import rollup
from collector.exports.issue import issue_report
from collector.formats.formatting import LOCAL_TZ
from collector.store import enrollment
from collector.store.ingest import store_report
from collector.store.units import save_units
from tests.builders import make_report

REPORTS = "/api/v1/reports"
BOARD = "5e1a7c2b-3f4d-11b2-a85c-8c3f2e7d9a01"


@pytest.fixture
def hcl(db):
    save_units(db, [(2, {"code": "HCL", "name": "Huyện Cao Lãnh", "allocated": "330"})])
    return db


def official(db, as_of=None):
    [row] = [row for section in rollup(db, as_of)["sections"] for row in section["units"]]
    return row["installed_official"]


def days_ago(days):
    return datetime.now(timezone.utc) - timedelta(days=days)


def post(client, body, secret):
    return client.post(REPORTS, json=body, headers={"Authorization": f"Bearer {secret}"})


def stored(db, report_id):
    row = db.execute(
        "SELECT collected_at, observed_at, received_at, body FROM reports WHERE report_id = ?",
        [report_id],
    ).fetchone()
    return dict(zip(("collected_at", "observed_at", "received_at", "body"), row, strict=True))


def test_fakes_enrolled_today_cannot_reach_a_day_already_issued(anon_client, hcl):
    # Five genuine PCs, stored without a credential (as an import is), before that day.
    for number in range(1, 6):
        store_report(hcl, make_report(f"HCL-PC{number:02d}", collected_at=days_ago(13)))
    issued_day = days_ago(12).astimezone(LOCAL_TZ).date()
    issue_report(hcl, "5", as_of=issued_day.isoformat(), actor="tests")
    assert official(hcl, issued_day) == 5
    _, token = enrollment.create_token(hcl, "tests", unit_code="HCL")
    for number in range(20):
        fake = make_report(f"HCL-FAKE{number:02d}", collected_at=days_ago(12))
        answer = post(anon_client, fake, token)
        assert answer.status_code == 201
        row = stored(hcl, fake["report_id"])
        # Observed from its enrolment on; what the agent said stays in the row and body.
        assert row["observed_at"] == row["received_at"]
        assert row["collected_at"] < row["observed_at"]
        assert json.loads(row["body"])["collected_at"] == fake["collected_at"]
    assert official(hcl, issued_day) == 5
    assert official(hcl) == 25  # they count from today
    # The kept figures follow the same moments: kept and counted again, they agree.
    figures.keep(hcl)
    figures.keep_day(hcl, issued_day)
    assert official(hcl, issued_day) == 5
    assert figures.rebuild(hcl)["differed"] == []


def test_the_spool_of_a_pc_offline_before_its_first_enrolment(anon_client, hcl):
    _, token = enrollment.create_token(hcl, "tests", unit_code="HCL")
    spool = [make_report("HCL-PC01", collected_at=days_ago(days)) for days in (9, 5, 2)]
    credential = post(anon_client, spool[0], token).json["credential"]
    for report in spool[1:]:
        assert post(anon_client, report, credential).status_code == 201
    rows = [stored(hcl, report["report_id"]) for report in spool]
    enrolled_at = hcl.execute("SELECT enrolled_at FROM machine_credentials").fetchone()[0]
    assert all(row["observed_at"] >= min(enrolled_at, rows[0]["received_at"]) for row in rows)
    assert official(hcl, days_ago(3).astimezone(LOCAL_TZ).date()) == 0
    # Its latest report (the last sent) decides its state today.
    latest = hcl.execute("SELECT latest_report_id FROM machines").fetchone()[0]
    assert latest == spool[-1]["report_id"]
    assert official(hcl) == 1


def test_a_reinstalled_pc_counts_from_its_first_enrolment(anon_client, hcl):
    _, token = enrollment.create_token(hcl, "tests", unit_code="HCL")
    first = make_report("HCL-PC01", machine_id="a1b2c3d4-0000-4000-8000-000000000001")
    first["machine"]["hardware_uuid"] = BOARD
    assert post(anon_client, first, token).status_code == 201
    # Its credential is as old as the PC's first run of the agent, ten days ago.
    hcl.execute(
        "UPDATE machine_credentials SET enrolled_at = ?",
        [days_ago(10).strftime("%Y-%m-%dT%H:%M:%SZ")],
    )
    hcl.conn.commit()
    again = make_report(
        "HCL-PC01", machine_id="a1b2c3d4-0000-4000-8000-000000000002", collected_at=days_ago(4)
    )
    again["machine"]["hardware_uuid"] = BOARD
    answer = post(anon_client, again, token)
    assert answer.status_code == 201
    assert answer.json["machine_id"] == first["machine"]["machine_id"]
    row = stored(hcl, again["report_id"])
    assert row["observed_at"] == row["collected_at"]  # after the machine's first enrolment


def test_a_machine_without_a_credential_keeps_its_history(hcl):
    report = make_report("HCL-PC01", collected_at=days_ago(12))
    store_report(hcl, report)
    row = stored(hcl, report["report_id"])
    assert row["observed_at"] == row["collected_at"]
