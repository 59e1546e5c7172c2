"""A PC's wrong clock: the collector measures the skew from the agent's send time against
its own, dates what the PC saw by the collector's clock, and shows the skew."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest

from collector.formats.formatting import clock_skew
from collector.store.ingest import report_row
from tests.builders import make_report
from tests.reporting import enrollment_token_of

NOW = datetime(2026, 11, 30, 4, 0, tzinfo=timezone.utc)
RECEIVED = "2026-11-30T04:00:00Z"
REPORTS = "/api/v1/reports"


def stamp(moment):
    return moment.isoformat(timespec="seconds")


def test_an_agent_years_behind_is_dated_by_the_collectors_clock():
    behind = NOW - timedelta(days=3 * 365)
    row = report_row(
        make_report(collected_at=behind - timedelta(seconds=5)), RECEIVED, sent_at=stamp(behind)
    )
    assert row["clock_skew_seconds"] == 3 * 365 * 86400
    assert row["observed_at"] == "2026-11-30T03:59:55Z"


def test_a_report_spooled_for_days_keeps_its_age():
    row = report_row(
        make_report(collected_at=NOW - timedelta(days=4)), RECEIVED, sent_at=stamp(NOW)
    )
    assert row["clock_skew_seconds"] == 0
    assert row["observed_at"] == "2026-11-26T04:00:00Z"


def test_an_agent_ahead_is_dated_no_later_than_received():
    ahead = NOW + timedelta(days=400)
    row = report_row(make_report(collected_at=ahead), RECEIVED, sent_at=stamp(ahead))
    assert row["clock_skew_seconds"] == -400 * 86400
    assert row["observed_at"] == RECEIVED


@pytest.mark.parametrize("sent_at", [None, "", "yesterday", "0001-01-01T00:00:00+01:00"])
def test_without_a_usable_send_time_an_implausible_time_is_the_collectors(sent_at):
    row = report_row(make_report(collected_at="1980-01-01T00:00:00Z"), RECEIVED, sent_at=sent_at)
    assert row["clock_skew_seconds"] is None
    assert row["observed_at"] == RECEIVED


def test_the_api_measures_the_skew_and_the_page_shows_it(client, app):
    behind = datetime.now(timezone.utc) - timedelta(days=2 * 365 + 3)
    report = make_report(hostname="PC-OLD-CLOCK", collected_at=behind)
    answer = client.post(
        REPORTS,
        json=report,
        headers={
            "Authorization": f"Bearer {enrollment_token_of(app)}",
            "X-Avroll-Sent-At": stamp(behind),
        },
    )
    assert answer.status_code == 201
    machine = answer.json["machine_id"]
    assert client.get("/machines?state=stale").get_data(as_text=True).count("PC-OLD-CLOCK") == 0
    detail = client.get(f"/api/v1/machines/{machine}").json["machine"]
    assert detail["clock_skew_seconds"] == pytest.approx((2 * 365 + 3) * 86400, abs=120)
    html = client.get(f"/machines/{machine}").get_data(as_text=True)
    assert "chậm 2 năm 3 ngày" in html


@pytest.mark.parametrize(
    "seconds, vi, en",
    [
        (0, "đúng giờ", "on time"),
        (59, "đúng giờ", "on time"),
        (3 * 3600 + 60, "chậm 3 giờ 1 phút", "3 h 1 min behind"),
        (-(2 * 365 + 3) * 86400, "nhanh 2 năm 3 ngày", "2 years 3 days ahead"),
        (None, "", ""),
    ],
)
def test_clock_skew_text(seconds, vi, en):
    assert clock_skew(seconds, "vi") == vi and clock_skew(seconds, "en") == en
