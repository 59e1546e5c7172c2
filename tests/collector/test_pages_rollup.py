"""The overview, the units table and a unit's page, read through Flask's client: real
figures in Vietnamese formats, filters, sorting, and a unit officer held to their subtree."""

from __future__ import annotations

import re

import pytest

from collector.store import users
from collector.store.units import save_units
from tests.province import seed
from tests.reporting import login


@pytest.fixture
def province(client, db):
    seed(db)
    return client


def text_of(html):
    """The page's visible text, spaces collapsed (enough to find figures and names)."""
    return " ".join(re.sub(r"<[^>]+>", " ", html).split())


def codes_in_table(html):
    return re.findall(r'<tr class="[^"]*" data-code="([^"]+)"', html)


def test_overview_totals_chart_and_actions(province):
    page = province.get("/")
    html = page.get_data(as_text=True)
    assert page.status_code == 200
    text = text_of(html)
    for label, value in [
        ("Số lượng bản quyền được phân bổ", "45"),
        ("Số lượng bản quyền được cài đặt", "38"),
        ("Tỷ lệ cài đặt", "84,4%"),
        ("Số máy báo cáo", "44"),
        ("Miễn cài (RAM thấp)", "1"),
        ("Chưa cài", "5"),
        ("Đặt tên chưa đúng", "3"),
    ]:
        assert f"{label} {value}" in text, label
    # Over 100% and the lowest rate are marked; each bar links to its unit.
    assert re.search(r'<g class="bar over">\s*<a href="/units/SXD">', html)
    assert re.search(r'<g class="bar lowest">\s*<a href="/units/STP">', html)
    assert "110,0%" in html and "0,0%" in html
    # What needs action, each count linking to the list behind it.
    assert re.search(r'href="/units\?flag=no_reports"><strong>1</strong>', html)
    assert re.search(r'href="/units\?flag=over_quota"><strong>1</strong>', html)
    assert re.search(r'href="/machines\?naming=misnamed"><strong>3</strong>', html)
    assert re.search(r'href="/machines\?state=missing"><strong>5</strong>', html)


def test_overview_as_of_a_past_date_has_nothing_yet(province):
    text = text_of(province.get("/?as_of=2020-01-01").get_data(as_text=True))
    assert "tính đến ngày 01/01/2020" in text
    assert "Số máy báo cáo 0" in text
    assert province.get("/?as_of=2999-01-01").status_code == 400
    assert province.get("/?as_of=tomorrow").status_code == 400


def test_overview_in_english(province):
    text = text_of(province.get("/?lang=en").get_data(as_text=True))
    assert "Install rate 84.4%" in text and "Needs action now" in text


def test_units_table_in_appendix_order_with_totals(province):
    html = province.get("/units").get_data(as_text=True)
    assert codes_in_table(html) == ["SXD", "STC", "SYT", "STP", "HCL"]
    text = text_of(html)
    assert "I Các Sở, ban, ngành Tỉnh" in text and "II UBND các huyện, thành phố" in text
    assert "1 Sở Xây dựng 10 11 110,0% Vượt số được phân bổ" in text
    assert "4 Sở Tư pháp 5 0 0,0% Chưa có máy báo cáo" in text
    # The misnamed row ends section I and counts in its total, as in the appendix.
    assert "5 Số máy đã cài đặt nhưng chưa đặt tên theo hướng dẫn 3 3 Cộng 35 31 88,6%" in text
    assert "Tổng cộng 45 38 84,4%" in text


@pytest.mark.parametrize(
    "query, codes",
    [
        ("?sort=name", ["STC", "STP", "SXD", "SYT", "HCL"]),  # a before ư
        ("?sort=name&desc=1", ["SYT", "SXD", "STP", "STC", "HCL"]),
        ("?sort=rate", ["STP", "SYT", "STC", "SXD", "HCL"]),
        ("?sort=rate&desc=1", ["SXD", "STC", "SYT", "STP", "HCL"]),
        ("?sort=missing&desc=1", ["SYT", "SXD", "STC", "STP", "HCL"]),  # ties by name
        ("?sort=allocated", ["STP", "STC", "SXD", "SYT", "HCL"]),
        ("?group=UBND+các+huyện,+thành+phố", ["HCL"]),
        ("?parent=HCL", ["XBT", "XMH"]),
        ("?flag=over_quota", ["SXD"]),
        ("?flag=no_reports", ["STP"]),
    ],
)
def test_units_table_sorts_and_filters(province, query, codes):
    assert codes_in_table(province.get("/units" + query).get_data(as_text=True)) == codes


@pytest.mark.parametrize(
    "query, status",
    [("?sort=drop+table", 400), ("?flag=x", 400), ("?parent=NOPE", 404), ("?as_of=12/05", 400)],
)
def test_units_table_refuses_what_it_does_not_know(province, query, status):
    assert province.get("/units" + query).status_code == status


def test_thousands_are_written_the_vietnamese_way(province, db):
    save_units(
        db,
        [
            (
                2,
                {
                    "code": "SGDDT",
                    "name": "Sở Giáo dục và Đào tạo",
                    "group": "Các Sở, ban, ngành Tỉnh",
                    "allocated": "5137",
                },
            )
        ],
    )
    text = text_of(province.get("/units").get_data(as_text=True))
    assert "Sở Giáo dục và Đào tạo 5.137 0 0,0%" in text
    assert "Tổng cộng 5.182 38 0,7%" in text


def test_unit_page_figures_contacts_children_and_tabs(province):
    html = province.get("/units/HCL").get_data(as_text=True)
    text = text_of(html)
    # As HCL's row in the province's table: 7 named of 10; its 2 misnamed are apart.
    assert "Số lượng bản quyền được cài đặt 7" in text and "Tỷ lệ cài đặt 70,0%" in text
    assert "Nguyễn Văn An · 0277 3851 234" in text
    assert codes_in_table(html) == ["XBT", "XMH"]
    assert "Số máy đã cài đặt nhưng chưa đặt tên theo hướng dẫn 2" in text
    installed = re.findall(r'<td class="host"><a [^>]+>([^<]+)</a>', html)
    assert installed == [
        "DESKTOP-XBT0",
        "DESKTOP-XBT1",
        "XBT-KT00",
        "XBT-KT01",
        "XBT-KT02",
        "XBT-KT03",
        "XMH-KT00",
        "XMH-KT01",
        "XMH-KT02",
    ]
    missing = province.get("/units/HCL?tab=missing").get_data(as_text=True)
    assert re.findall(r'<td class="host"><a [^>]+>([^<]+)</a>', missing) == [
        "XMH-CHUA0",
        "XMH-CHUA1",
    ]
    misnamed = province.get("/units/xbt?tab=misnamed").get_data(as_text=True)
    assert re.findall(r'<td class="host"><a [^>]+>([^<]+)</a>', misnamed) == [
        "DESKTOP-XBT0",
        "DESKTOP-XBT1",
    ]


def test_unit_page_paginates_its_machines(province, db):
    from collector.store.ingest import store_report
    from tests.builders import make_report

    for number in range(60):
        store_report(db, make_report(hostname=f"STC-P{number:02d}"))
    first = province.get("/units/STC").get_data(as_text=True)
    assert first.count('<td class="host">') == 50
    assert 'name="page" min="1" max="2" value="1"' in first  # jump to a page
    second = province.get("/units/STC?page=2").get_data(as_text=True)
    assert second.count('<td class="host">') == 18  # 68 installed in all


@pytest.mark.parametrize(
    "url, status",
    [("/units/NOPE", 404), ("/units/SXD?tab=everything", 400), ("/units/SXD?as_of=x", 400)],
)
def test_unit_page_refuses(province, url, status):
    assert province.get(url).status_code == status


def test_pages_link_to_the_exports(province):
    overview = province.get("/?as_of=2026-01-02").get_data(as_text=True)
    assert 'href="/exports/rollup.xlsx?as_of=2026-01-02"' in overview
    assert 'href="/exports/reporting-status.csv"' in overview
    unit = province.get("/units/HCL?tab=missing").get_data(as_text=True)
    assert re.search(r'href="/exports/units/HCL/machines.xlsx\?[^"]*tab=missing', unit)
    assert 'href="/exports/units/HCL/survey.xlsx"' in unit
    assert re.search(r'href="/exports/rollup.csv\?[^"]*parent=HCL', unit)


@pytest.fixture
def district_officer(province, db, anon_client):
    users.add_user(db, "tests", "caolanh", "officer-password", "unit", "HCL")
    assert login(anon_client, "caolanh", "officer-password").status_code == 302
    return anon_client


def test_unit_officer_sees_only_their_subtree(district_officer):
    overview = district_officer.get("/").get_data(as_text=True)
    assert "/units/XMH" in overview and "/units/SXD" not in overview
    assert "Sở Xây dựng" not in overview
    assert codes_in_table(district_officer.get("/units").get_data(as_text=True)) == ["XBT", "XMH"]
    assert district_officer.get("/units/XMH").status_code == 200
    for url in ("/units/SXD", "/units/sxd?tab=missing", "/units?parent=SXD", "/machines?unit=SXD"):
        assert district_officer.get(url).status_code == 404, url
    machines = district_officer.get("/machines?q=KT").get_data(as_text=True)
    assert "XMH-KT00" in machines and "SXD-KT00" not in machines


def test_hostile_unit_names_are_text(province, db):
    save_units(
        db,
        [
            (
                2,
                {
                    "code": "EVIL",
                    "name": "<script>alert(1)</script>",
                    "group": "<b>khối</b>",
                    "allocated": "3",
                },
            )
        ],
    )
    for url in ("/", "/units", "/units/EVIL", "/admin/units"):
        html = province.get(url).get_data(as_text=True)
        assert "<script>alert(1)</script>" not in html and "<b>khối</b>" not in html, url
        assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html, url
