"""What the API accepts, every page shows: whatever POST /api/v1/reports takes (2xx), every
page, API read and export renders without a 500, and the XLSX files stay readable.

Property-based (hypothesis) over the fields a PC writes freely: names, times, versions,
unit codes. Kept to a few dozen examples so the suite stays fast."""

from __future__ import annotations

import io
from datetime import datetime, timedelta, timezone

import openpyxl
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from collector.store import users
from collector.store.db import open_db
from collector.store.units import save_units
from collector.web.app import create_app
from tests.builders import make_report
from tests.reporting import ADMIN, login, post_report

UNIT = "HTM"
# Any character UTF-8 can carry (the boundary decides what is refused).
free_text = st.text(st.characters(codec="utf-8"), min_size=1, max_size=30)
names = st.one_of(
    free_text,
    st.sampled_from(
        [
            " =1+1",
            "\t@SUM(A1)",
            "PC\u200b01",
            "PC\ufffe",
            "<b>x</b>",
            "  ",
            "MÁY-KẾ-TOÁN",
            "PC-\U0001f600",
            "а-cyrillic",
            "x" * 255,
        ]
    ),
)
times = st.datetimes(
    min_value=datetime(1, 1, 2),
    max_value=datetime(9999, 12, 30),
    timezones=st.sampled_from(
        [timezone.utc, timezone(timedelta(hours=7)), timezone(timedelta(hours=-12, minutes=-30))]
    ),
)
EXPORTS = (
    "/exports/units/{u}/machines.xlsx",
    "/exports/units/{u}/machines.csv",
    "/exports/units/{u}/survey.xlsx",
    "/exports/rollup.xlsx",
    "/exports/rollup.csv",
    "/exports/reporting-status.xlsx",
    "/exports/units/{u}/machines.xlsx?tab=stale",
    "/exports/units/{u}/machines.xlsx?tab=misnamed",
)
API = (
    "/api/v1/machines",
    "/api/v1/machines/{m}",
    "/api/v1/rollup",
    "/api/v1/rollup/machines?state=stale",
    "/api/v1/units/{u}/machines",
    "/api/v1/units/{u}/survey",
    "/api/v1/reporting-status",
)
PAGES = (
    "/",
    "/machines",
    "/machines/{m}",
    "/machines?state=stale",
    "/units",
    "/units/{u}",
    "/units/{u}?tab=stale",
    "/audit",
)


@pytest.fixture(scope="module")
def browser(tmp_path_factory):
    app = create_app(
        {
            "DATABASE": str(tmp_path_factory.mktemp("renders") / "avroll.db"),
            "TESTING": True,
            "REPORTS_PER_MACHINE": 10**6,
        }
    )
    db = open_db(app.config["DATABASE"])
    users.add_user(db, "tests", *ADMIN, "admin")
    save_units(db, [(2, {"code": UNIT, "name": "Huyện Tháp Mười", "allocated": "330"})])
    db.close()
    client = app.test_client()
    login(client, *ADMIN)
    return client


@settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    hostname=names,
    product=names,
    collected=times,
    expiry=st.none() | times,
    version=free_text,
    unit=st.sampled_from([None, UNIT, "htm", "ZZZ9"]),
)
def test_whatever_is_accepted_renders_everywhere(
    browser, hostname, product, collected, expiry, version, unit
):
    report = make_report(hostname=hostname, unit_code=unit, collected_at=collected)
    report["agent"]["version"] = version
    report["antivirus"]["products"][0]["name"] = product
    report["antivirus"]["products"][0]["licence_expires_at"] = expiry and expiry.isoformat()
    answer = post_report(browser, report)
    assert answer.status_code in (201, 422), answer.get_data(as_text=True)[:300]
    if answer.status_code != 201:
        return
    machine = answer.json["machine_id"]
    for url in PAGES + API + EXPORTS:
        url = url.format(u=UNIT, m=machine)
        got = browser.get(url)
        assert got.status_code == 200, (url, got.status_code)
        if ".xlsx" in url:
            openpyxl.load_workbook(io.BytesIO(got.data))  # a valid workbook
        got.close()  # an export holds its officer's slot until its answer is closed
