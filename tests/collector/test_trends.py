"""Trends: the figures day by day are the rollup's of each day, for the province and a unit."""

from __future__ import annotations

import re
from datetime import date, datetime, time, timedelta, timezone

import pytest

from collector.counting.rollup import rollup
from collector.counting.states import BadAsOf, UnknownUnit
from collector.counting.trends import daily_figures, sample_days
from collector.formats.formatting import LOCAL_TZ
from collector.store.ingest import store_report
from collector.store.units import save_units
from collector.web.trend_chart import trend_chart
from tests.builders import DEFENDER, KES, make_report

TODAY = datetime.now(timezone.utc)


def days_ago(days):
    """Noon (Vietnam time) `days` days ago; now for today: a report of that local day."""
    if days == 0:
        return TODAY
    local_day = TODAY.astimezone(LOCAL_TZ).date() - timedelta(days=days)
    return datetime.combine(local_day, time(12), LOCAL_TZ)


@pytest.fixture
def rollout(db):
    """Two units; machines get the product over ten days, one day at a time."""
    save_units(
        db,
        [
            (2, {"code": "SXD", "name": "Sở Xây dựng", "group": "Sở", "allocated": "10"}),
            (3, {"code": "HCL", "name": "UBND huyện Cao Lãnh", "group": "Huyện", "allocated": "4"}),
            (
                4,
                {
                    "code": "XMH",
                    "name": "UBND xã Mỹ Hiệp",
                    "group": "Huyện",
                    "parent": "HCL",
                    "allocated": "4",
                },
            ),
        ],
        actor="tests",
    )
    for n in range(10):
        store_report(
            db, make_report(hostname=f"SXD-PC{n}", products=(DEFENDER,), collected_at=days_ago(10))
        )
        store_report(
            db, make_report(hostname=f"SXD-PC{n}", products=(KES,), collected_at=days_ago(9 - n))
        )
    store_report(db, make_report(hostname="XMH-PC1", collected_at=days_ago(3)))
    store_report(db, make_report(hostname="DESKTOP-1", unit_code="XMH", collected_at=days_ago(2)))
    return db


def test_each_day_is_the_rollup_of_that_day(rollout):
    figures = daily_figures(rollout)
    assert len(figures) == 11
    assert set(figures[0]) == {
        "date",
        "allocated",
        "installed",
        "connected",
        "protected",
        "exempt",
        "missing",
    }
    for day in figures:
        total = rollup(rollout, as_of=day["date"])["total"]
        assert (day["allocated"], day["installed"], day["missing"]) == (
            total["allocated"],
            total["installed_official"],
            total["missing"],
        )
        assert day["connected"] == total["connected"]
    # SXD one more a day; XMH-PC1 from 3 days ago, the misnamed DESKTOP-1 from 2 days ago.
    assert [day["installed"] for day in figures][-4:] == [7 + 1, 8 + 2, 9 + 2, 10 + 2]
    assert figures[0]["installed"] == 0 and figures[0]["missing"] == 10


def test_a_unit_counts_its_subtree_as_its_row(rollout):
    figures = daily_figures(rollout, "HCL")
    # The misnamed DESKTOP-1 of XMH is in the province's figure, not in the unit's row.
    assert [day["installed"] for day in figures][-5:] == [0, 1, 1, 1, 1]
    assert figures[-1]["allocated"] == 4
    assert daily_figures(rollout)[-1]["installed"] == 10 + 2


def test_dates_and_sampling(rollout):
    start, end = date(2024, 1, 1), date(2024, 12, 31)
    days = sample_days(start, end)
    assert len(days) == 60 and days[0] == start and days[-1] == end
    assert sample_days(end, start) == []
    some = daily_figures(rollout, start=days_ago(2).date().isoformat())
    assert len(some) == 3
    with pytest.raises(BadAsOf):
        daily_figures(rollout, end=(TODAY + timedelta(days=3)).date().isoformat())
    with pytest.raises(UnknownUnit):
        daily_figures(rollout, "NOPE")


def test_an_empty_collector_has_one_day(db):
    figures = daily_figures(db)
    assert len(figures) == 1 and figures[0]["installed"] == 0


def test_overview_and_unit_pages_draw_the_trend(rollout, client):
    from collector.formats.formatting import percent

    first = client.get("/").get_data(as_text=True)
    # The first view draws what is kept (today) at once and fills in the other days.
    assert 'data-fill="/charts/trend"' in first and "Đang tính thêm 10 ngày" in first
    assert len(re.findall(r'<circle class="dot installed"', first)) == 1
    whole = client.get("/charts/trend").get_data(as_text=True)
    assert "data-fill" not in whole
    assert len(re.findall(r'<circle class="dot installed"', whole)) == 11
    html = client.get("/").get_data(as_text=True)  # the days are kept now
    assert 'class="chart trend"' in html and "Tỷ lệ cài đặt theo thời gian" in html
    assert "data-fill" not in html
    dots = re.findall(r'<circle class="dot installed"[^>]*><title>([^<]*)</title>', html)
    assert len(dots) == 11
    assert dots[-1].endswith(f"{percent(12 / 14)} (12 / 14)")  # HCL shares its 4 with XMH
    client.get("/charts/trend?unit=HCL")
    unit = client.get("/units/HCL").get_data(as_text=True)
    unit_dots = re.findall(r'<circle class="dot installed"[^>]*><title>([^<]*)</title>', unit)
    assert unit_dots[-1].endswith("25,0% (1 / 4)")
    assert "//" not in html.split('<svg class="chart trend"')[1].split("</svg>")[0].replace(
        "http://www.w3.org", ""
    )


def test_the_chart_geometry(rollout):
    figures = daily_figures(rollout)
    marks = [(figures[3]["date"], "Báo cáo số 12/BC-STTTT")]
    chart = trend_chart(figures, marks)
    xs = [point.x for point in chart["installed"]]
    assert xs == sorted(xs) and xs[0] == chart["left"] and xs[-1] == chart["right"]
    assert chart["installed"][0].y == chart["bottom"]  # 0% on the axis
    assert [tick.value for tick in chart["y_ticks"]] == [0, 0.25, 0.5, 0.75, 1.0]
    assert [mark.value for mark in chart["marks"]] == ["Báo cáo số 12/BC-STTTT"]
    assert len(chart["connected"]) == len(chart["installed"])
    assert (
        trend_chart(
            [
                {
                    "date": "2024-01-01",
                    "allocated": None,
                    "installed": 3,
                    "connected": None,
                    "protected": 0,
                    "exempt": 0,
                    "missing": 0,
                }
            ]
        )
        is None
    )


def test_past_days_are_kept_until_a_late_report_changes_them(rollout):
    before = daily_figures(rollout)
    assert daily_figures(rollout) == before
    # A report spooled on a PC five days ago arrives only now: those days change.
    store_report(rollout, make_report(hostname="SXD-LATE", collected_at=days_ago(5)))
    after = daily_figures(rollout)
    assert [a["installed"] - b["installed"] for a, b in zip(after, before, strict=True)] == [
        0
    ] * 5 + [1] * 6


def test_issued_reports_are_marked_on_the_chart(rollout, client):
    from collector.store.issued_reports import save_issued

    as_of = days_ago(4).date().isoformat()
    save_issued(
        rollout,
        "12/BC-STTTT",
        days_ago(3).date().isoformat(),
        as_of,
        None,
        {"phu-luc.xlsx": b"x"},
        "tests",
    )
    save_issued(
        rollout,
        "7/BC-UBND",
        days_ago(3).date().isoformat(),
        as_of,
        "HCL",
        {"phu-luc.xlsx": b"y"},
        "tests",
    )
    html = client.get("/charts/trend").get_data(as_text=True)
    marks = re.findall(r'<g class="mark">.*?<text[^>]*>([^<]*)</text>', html, re.S)
    assert marks == [f"số 12/BC-STTTT ngày {days_ago(3).strftime('%d/%m/%Y')}"]
    unit = client.get("/charts/trend?unit=HCL").get_data(as_text=True)
    assert "7/BC-UBND" in unit and "12/BC-STTTT" not in unit
