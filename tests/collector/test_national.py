"""A national collector from the same software: provinces push their appendix day by day and
their issued reports; the national side keeps them as signed, never recounts, refuses to
rewrite an issued report, and shows and exports the provinces' figures."""

from __future__ import annotations

import base64
import csv
import io
from datetime import datetime, timedelta, timezone

import pytest
from flask.testing import FlaskClient

from collector.cli import push
from collector.counting.rollup import rollup
from collector.exports.issue import issue_report
from collector.exports.national_push import day_payload
from collector.exports.rollup_appendix import appendix_lines
from collector.store import audit, national, users
from collector.store.db import open_db
from collector.store.lifecycle import today
from collector.web import report_writer
from collector.web.app import create_app
from tests.national import seed_nation, seed_province
from tests.reporting import ADMIN, login


@pytest.fixture
def nation(tmp_path):
    """A national collector (role nation, the provinces as units) and a database handle."""
    app = create_app({"DATABASE": str(tmp_path / "nation.db"), "TESTING": True})
    db = open_db(app.config["DATABASE"])
    users.add_user(db, "tests", ADMIN[0], ADMIN[1], "admin")
    national.set_role(db, "tests", "nation")
    seed_nation(db)
    yield app, db
    db.close()
    report_writer.close(app)


@pytest.fixture
def province_db(tmp_path):
    db = open_db(tmp_path / "bni.db")
    from collector.store import migrations

    migrations.apply(db)
    seed_province(db, "BNI")
    yield db
    db.close()


def sender(app, credential, skew_seconds=0):
    """`push.push`'s transport over the national app's test client; the province's clock
    `skew_seconds` behind the national one."""
    app.test_client_class = FlaskClient
    client = app.test_client()

    def send(method, path, body=None):
        sent_at = (datetime.now(timezone.utc) - timedelta(seconds=skew_seconds)).isoformat(
            timespec="seconds"
        )
        answer = client.open(
            path,
            method=method,
            json=body,
            headers={"Authorization": f"Bearer {credential}", push.SENT_AT_HEADER: sent_at},
        )
        return answer.status_code, answer.json

    return send


def appendix_rows(db, as_of):
    """The province's own appendix as of a day, as its export lays it out."""
    return [
        [
            line.kind,
            line.section,
            line.group or None,
            line.stt,
            line.code,
            line.name,
            line.allocated,
            line.installed,
            line.rate,
            line.note or None,
            line.connected,
        ]
        for line in appendix_lines(rollup(db, as_of=as_of))
    ]


def test_a_push_sends_each_day_once_and_the_nation_keeps_the_provinces_appendix(
    nation, province_db
):
    app, db = nation
    _, credential = national.create_credential(db, "tests", "BNI")
    send = sender(app, credential)
    done = push.push(province_db, send)
    yesterday = (today() - timedelta(days=1)).isoformat()
    assert sorted(done.days) == [(today() - timedelta(days=n)).isoformat() for n in (3, 2, 1)]
    assert set(done.days.values()) == {"stored"}
    for as_of in done.days:
        kept = national.day_figures(db, "BNI", as_of)["figures"]
        assert [row[:11] for row in kept["rows"]] == appendix_rows(province_db, as_of)
        total = rollup(province_db, as_of=as_of)["total"]
        assert kept["total"]["installed"] == total["installed_official"] == 20
        assert kept["total"]["allocated"] == total["allocated"] == 25
        assert kept["total"]["connected"] == total["connected"] == 9
        assert kept["total"]["misnamed"] == 1
    unit_rows = {row[4]: row for row in kept["rows"] if row[0] == "unit"}
    assert unit_rows["STTTT"][11] == 1  # its misnamed machine, beside its row
    assert national.pushed_state(db, "BNI")["last_day"] == yesterday
    # Pushed again: nothing left to send; a day sent again changes nothing.
    assert push.push(province_db, send).days == {}
    status, answer = send("POST", "/api/v1/national/days", day_payload(province_db, yesterday))
    assert (status, answer["result"]) == (200, "unchanged")
    assert db.execute("SELECT count(*) FROM national_days").fetchone()[0] == 3


def test_an_outage_loses_nothing_and_the_push_resumes(nation, province_db):
    app, db = nation
    _, credential = national.create_credential(db, "tests", "BNI")
    working = sender(app, credential)
    calls = []

    def failing_after_one_day(method, path, body=None):
        if path.endswith("/days") and calls:
            raise push.PushFailed("POST /api/v1/national/days: ConnectionError")
        if path.endswith("/days"):
            calls.append(body["as_of"])
        return working(method, path, body)

    with pytest.raises(push.PushFailed):
        push.push(province_db, failing_after_one_day)
    assert db.execute("SELECT count(*) FROM national_days").fetchone()[0] == 1
    resumed = push.push(province_db, working)
    assert len(resumed.days) == 2 and calls[0] not in resumed.days
    assert db.execute("SELECT count(*) FROM national_days").fetchone()[0] == 3


def test_issued_reports_are_kept_byte_for_byte_and_never_rewritten(nation, province_db):
    app, db = nation
    _, credential = national.create_credential(db, "tests", "BNI")
    as_of = (today() - timedelta(days=1)).isoformat()
    _, files = issue_report(province_db, "714", today().isoformat(), as_of, actor="tests")
    send = sender(app, credential)
    done = push.push(province_db, send)
    assert done.issued == {f"714 {today().isoformat()}": "stored"}
    assert push.push(province_db, send).issued == {}  # kept already: not sent again
    app.test_client_class = FlaskClient
    browser = app.test_client()
    login(browser, *ADMIN)
    for filename, body in files.items():
        got = browser.get(
            "/national/issued",
            query_string={
                "province": "BNI",
                "number": "714",
                "issued_on": today().isoformat(),
                "filename": filename,
            },
        )
        assert got.status_code == 200 and got.data == body
    forged = next(push.issued_payloads(province_db))
    forged["files"][0]["body"] = base64.b64encode(b"other bytes").decode()
    forged["files"][0]["sha256"] = __import__("hashlib").sha256(b"other bytes").hexdigest()
    status, answer = send("POST", "/api/v1/national/issued", forged)
    assert status == 409 and "never rewritten" in answer["error"]


def test_clock_skew_is_measured_and_a_day_not_over_is_refused(nation, province_db):
    app, db = nation
    _, credential = national.create_credential(db, "tests", "BNI")
    send = sender(app, credential, skew_seconds=3600)  # the province's clock an hour slow
    push.push(province_db, send)
    skews = {row[0] for row in db.execute("SELECT clock_skew_seconds FROM national_days")}
    assert len(skews) == 1 and abs(skews.pop() - 3600) <= 5
    status, answer = send(
        "POST", "/api/v1/national/days", day_payload(province_db, today().isoformat())
    )
    assert status == 409 and "not over yet" in answer["error"]


@pytest.mark.parametrize(
    "change, words",
    [
        (
            lambda day: day.update(rows=[["unit", 1, "x", 1, "A", "B", -1, 2, 0.5, None, 1, 0]]),
            "rows[0].allocated",
        ),
        (lambda day: day.update(as_of="2026-13-01"), "as_of"),
        (lambda day: day["total"].pop("seen"), "total"),
        (lambda day: day.update(rows=[["bogus"] * 12]), "rows[0].kind"),
        (lambda day: day["rows"][0].__setitem__(5, "x\u202e" * 3), "rows[0].name"),
    ],
)
def test_a_hostile_day_is_refused_and_nothing_stored(nation, province_db, change, words):
    app, db = nation
    _, credential = national.create_credential(db, "tests", "BNI")
    day = day_payload(province_db, (today() - timedelta(days=1)).isoformat())
    change(day)
    status, answer = sender(app, credential)("POST", "/api/v1/national/days", day)
    assert status == 422 and any(words in error for error in answer["errors"])
    assert db.execute("SELECT count(*) FROM national_days").fetchone()[0] == 0


def test_only_a_live_credential_of_a_national_collector_pushes(nation, app, province_db):
    nation_app, db = nation
    credential_id, credential = national.create_credential(db, "tests", "BNI")
    assert sender(nation_app, "avrp_" + "x" * 43)("GET", "/api/v1/national/state")[0] == 401
    national.revoke_credential(db, "tests", credential_id)
    assert sender(nation_app, credential)("GET", "/api/v1/national/state")[0] == 401
    # A province's own collector has no national endpoints at all.
    assert sender(app, credential)("GET", "/api/v1/national/state")[0] == 404
    assert [
        row[0]
        for row in db.execute(
            "SELECT action FROM audit_log WHERE action LIKE 'push_credentials.%' ORDER BY id"
        )
    ] == ["push_credentials.create", "push_credentials.revoke"]


def test_the_national_pages_table_trend_silent_provinces_and_appendix(nation, province_db):
    app, db = nation
    _, credential = national.create_credential(db, "tests", "BNI")
    push.push(province_db, sender(app, credential))
    app.test_client_class = FlaskClient
    browser = app.test_client()
    login(browser, *ADMIN)
    assert browser.get("/").headers["Location"].endswith("/national")
    page = browser.get("/national").get_data(as_text=True)
    assert "Tỉnh Bắc Ninh" in page and "Tỷ lệ DTI" in page
    assert "80,0%" in page  # Bắc Ninh: 20 installed of 25 allocated
    assert "36,0%" in page  # its DTI rate: 9 connected of 25
    silent = page.split("Các tỉnh chưa gửi số liệu từ ngày", 1)[1]
    assert "Tỉnh Đồng Tháp" in silent and "Tỉnh Bắc Ninh" not in silent.split("<h2>")[0]
    trend = browser.get("/national/provinces/BNI").get_data(as_text=True)
    assert "<svg" in trend and "polyline" in trend
    yesterday = (today() - timedelta(days=1)).isoformat()
    exported = browser.get(f"/national/appendix.csv?as_of={yesterday}")
    rows = list(csv.reader(io.StringIO(exported.get_data(as_text=True).lstrip("\ufeff"))))
    by_code = {row[3]: row for row in rows[1:]}
    assert by_code["BNI"][5:8] == ["25", "20", "0.8"]
    assert by_code["DTP"][8] == "Chưa gửi số liệu ngày này"
    assert rows[-1][4] == "Tổng cộng" and rows[-1][6] == "20"
    assert browser.get(f"/national/appendix.xlsx?as_of={yesterday}").status_code == 200
    table = browser.get("/api/v1/national/provinces").json
    assert table["total"]["installed"] == 20 and table["total"]["dti_rate"] == 9 / 25
    assert audit.recent(db).total >= 1


def test_the_nightly_run_pushes_and_a_failed_push_waits_for_the_next_night(
    nation, tmp_path, monkeypatch, caplog
):
    import logging

    from collector.cli import nightly
    from collector.store import migrations

    app, db = nation
    path = tmp_path / "dtp.db"
    province = open_db(path)
    migrations.apply(province)
    seed_province(province, "DTP")
    province.close()
    _, credential = national.create_credential(db, "tests", "DTP")
    monkeypatch.setenv("AVROLL_PUSH_CREDENTIAL", credential)
    down = True

    def transport(url, secret):
        assert (url, secret) == ("https://nation.example", credential)
        if down:

            def refused(method, path, body=None):
                raise push.PushFailed(f"{method} {path}: ConnectionError")

            return refused
        return sender(app, secret)

    monkeypatch.setattr(push, "http_post_get", transport)
    night = nightly.NightlyRetention(path, push_to="https://nation.example")
    with caplog.at_level(logging.INFO, logger="avroll.retention"):
        night.run_once()
        assert "it resumes next night" in caplog.text
        down = False
        night.run_once()
    assert "push to https://nation.example: pushed 3 day(s)" in caplog.text
    assert national.pushed_state(db, "DTP")["last_day"] == (today() - timedelta(days=1)).isoformat()


@pytest.mark.parametrize("name", ["<script>alert(1)</script>", '=HYPERLINK("http://x","y")'])
def test_hostile_province_names_are_text_on_the_national_pages_and_appendix(
    nation, province_db, name
):
    app, db = nation
    from collector.store.units import save_units

    save_units(
        db, [(2, {"code": "BNI", "name": name, "group": "Các tỉnh, thành phố"})], actor="tests"
    )
    _, credential = national.create_credential(db, "tests", "BNI")
    push.push(province_db, sender(app, credential))
    app.test_client_class = FlaskClient
    browser = app.test_client()
    login(browser, *ADMIN)
    for url in ("/national", "/national/provinces/BNI"):
        html = browser.get(url).get_data(as_text=True)
        assert "<script>alert(1)</script>" not in html
        if name.startswith("<"):
            assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    yesterday = (today() - timedelta(days=1)).isoformat()
    exported = browser.get(f"/national/appendix.csv?as_of={yesterday}").get_data(as_text=True)
    if name.startswith("="):
        assert "'=HYPERLINK" in exported  # neutralised: never a formula
