"""Pages in the officer's words (issue 21, item 4): one menu with Đối chiếu in it, chart
labels that are not cut, a unit picker and the conflict filter, and what to do next on the
page of a unit where no computer reports."""

from __future__ import annotations

import re

import pytest

from collector.web.trend_chart import WIDTH, trend_chart
from tests.province import seed
from tests.reporting import login


@pytest.fixture
def province(client, db):
    seed(db)
    return client


def test_the_menu_holds_the_reconciliation_and_the_reports(province):
    html = province.get("/").get_data(as_text=True)
    menu = html.split("<nav>", 1)[1].split("</nav>", 1)[0]
    assert 'href="/reconcile"' in menu and "Đối chiếu" in menu
    assert 'href="/reports/issued"' in menu
    top = re.sub(r"<details.*?</details>", "", menu, flags=re.S)
    assert len(re.findall(r"<a ", top)) <= 6  # the rest under "Quản trị"
    assert "Quản trị" in menu and 'href="/audit"' in menu


def test_a_unit_officer_menu_has_no_administration(anon_client, db):
    from collector.store import users

    seed(db)
    users.add_user(db, "tests", "officer1", "mật-khẩu-đủ-dài-1", "unit", unit_code="SXD")
    login(anon_client, "officer1", "mật-khẩu-đủ-dài-1")
    menu = anon_client.get("/").get_data(as_text=True).split("<nav>", 1)[1].split("</nav>")[0]
    assert "Quản trị" not in menu and 'href="/reports/issued"' not in menu


def _figures(days):
    return [
        {"date": f"2026-11-{day:02d}", "installed": day, "connected": None, "allocated": 30}
        for day in days
    ]


@pytest.mark.parametrize("marked_day, anchor", [("2026-11-02", "start"), ("2026-11-29", "end")])
def test_an_issued_reports_label_is_written_where_it_fits(marked_day, anchor):
    chart = trend_chart(_figures(range(1, 30)), [(marked_day, "số 150 ngày 01/12/2026")])
    (mark,) = chart["marks"]
    assert mark.anchor == anchor
    width = len(mark.value) * 7
    assert (mark.at + 3 + width <= WIDTH) if anchor == "start" else (mark.at - 3 - width >= 0)


def test_long_unit_names_are_cut_whole_and_readable_in_full(client, db):
    from collector.store.units import save_units

    long_name = "Sở Lao động - Thương binh và Xã hội tỉnh Đồng Tháp"
    save_units(db, [(2, {"code": "SLD", "name": long_name, "allocated": "5"})])
    html = client.get("/").get_data(as_text=True)
    assert f"<title>{long_name}</title>" in html
    assert "Sở Lao động - Thương binh và Xã…" in html  # 32 characters, from its first letter


def test_machine_list_has_a_unit_picker_and_the_conflict_filter(province):
    html = province.get("/machines?unit=XMH").get_data(as_text=True)
    assert '<select name="unit"' in html
    assert '<option value="XMH" selected>XMH · UBND xã Mỹ Hiệp</option>' in html
    assert 'name="conflict"' in html


def test_a_silent_unit_page_says_what_to_do_next(province):
    html = province.get("/units/STP").get_data(as_text=True)
    assert "Đơn vị chưa có máy nào báo cáo: các bước tiếp theo" in html
    assert "Tạo mã đăng ký cho đơn vị này" in html and 'value="STP"' in html
    assert "--unit STP" in html and "STP-KT01" in html
    assert 'href="/admin/mail"' in html
    reporting = province.get("/units/SXD").get_data(as_text=True)
    assert "các bước tiếp theo" not in reporting
    made = province.post(
        "/admin/tokens",
        data={
            "unit_code": "STP",
            "note": "Sở Tư pháp",
            "csrf_token": html.split('name="csrf_token" value="', 1)[1].split('"', 1)[0],
        },
    )
    assert made.status_code == 200 and "avre_" in made.get_data(as_text=True)
    assert "Mã đã cấp cho đơn vị: #" in province.get("/units/STP").get_data(as_text=True)


def test_the_chart_fill_is_held_to_the_officers_units(anon_client, db):
    from collector.store import users

    seed(db)
    users.add_user(db, "tests", "officer2", "mật-khẩu-đủ-dài-1", "unit", unit_code="HCL")
    login(anon_client, "officer2", "mật-khẩu-đủ-dài-1")
    assert anon_client.get("/charts/trend?unit=XMH").status_code == 200
    assert anon_client.get("/charts/trend?unit=SXD").status_code == 404
    assert anon_client.get("/charts/trend?as_of=2999-01-01").status_code == 400
