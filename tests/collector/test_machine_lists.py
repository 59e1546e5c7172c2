"""Machine lists that act: search by name, IP, MAC or id only; sort; jump to a page;
product and IP columns; downloads with the list's filters; counts on the unit tabs."""

from __future__ import annotations

import re

import pytest

from collector.counting.machine_states import list_machine_states
from collector.store.machines import list_machines
from tests.builders import DEFENDER, KES, make_report


@pytest.fixture
def office(db):
    """Three desktops: one named DESKTOP-*, two named for a unit, one a laptop."""
    from datetime import datetime, timedelta, timezone

    from collector.store.ingest import store_report

    when = datetime.now(timezone.utc) - timedelta(hours=1)
    for hostname, ip, mac, products, device in (
        ("DESKTOP-8F2K1", "10.20.1.5", "00:1A:2B:3C:4D:01", (DEFENDER,), "desktop"),
        ("SXD-KT-01", "10.20.1.6", "00-1A-2B-3C-4D-02", (KES,), "desktop"),
        ("SXD-KT-02", "192.168.7.40", "AA:BB:CC:DD:EE:03", (KES, DEFENDER), "laptop"),
    ):
        store_report(
            db,
            make_report(
                hostname=hostname,
                products=products,
                device_type=device,
                addresses=[{"ip": ip, "mac": mac}],
                collected_at=when,
            ),
        )
    return db


def hostnames(page):
    return [row["hostname"] for row in page.rows]


@pytest.mark.parametrize(
    "query, expected",
    [
        ("DESKTOP", ["DESKTOP-8F2K1"]),  # not every desktop (device_type in the body)
        ("desktop", ["DESKTOP-8F2K1"]),
        ("Kaspersky", []),  # product names are not searched
        ("Windows", []),
        ("10.20.1", ["DESKTOP-8F2K1", "SXD-KT-01"]),
        ("192.168.7.40", ["SXD-KT-02"]),
        ("00:1a:2b:3c:4d:02", ["SXD-KT-01"]),  # MAC whatever its separators and case
        ("001A2B3C4D01", ["DESKTOP-8F2K1"]),
        ("aa-bb-cc", ["SXD-KT-02"]),
        ("kt-0", ["SXD-KT-01", "SXD-KT-02"]),
        (":", []),
    ],
)
def test_search_matches_name_ip_mac_or_id_only(office, query, expected):
    assert hostnames(list_machine_states(office, query=query)) == expected
    assert hostnames(list_machines(office, query=query)) == expected


def test_search_finds_a_machine_id(office):
    machine_id = list_machines(office).rows[0]["machine_id"]
    assert [
        row["machine_id"] for row in list_machine_states(office, query=machine_id[:13]).rows
    ] == [machine_id]


@pytest.mark.parametrize(
    "sort, descending, expected",
    [
        (None, False, ["DESKTOP-8F2K1", "SXD-KT-01", "SXD-KT-02"]),
        ("hostname", True, ["SXD-KT-02", "SXD-KT-01", "DESKTOP-8F2K1"]),
        ("ip", False, ["DESKTOP-8F2K1", "SXD-KT-01", "SXD-KT-02"]),
        ("ip", True, ["SXD-KT-02", "SXD-KT-01", "DESKTOP-8F2K1"]),
        ("product", False, ["SXD-KT-01", "SXD-KT-02", "DESKTOP-8F2K1"]),
        ("device", True, ["SXD-KT-02", "DESKTOP-8F2K1", "SXD-KT-01"]),
        ("state", False, ["SXD-KT-01", "SXD-KT-02", "DESKTOP-8F2K1"]),
        ("state", True, ["DESKTOP-8F2K1", "SXD-KT-01", "SXD-KT-02"]),
    ],
)
def test_lists_sort_by_a_column(office, sort, descending, expected):
    assert hostnames(list_machine_states(office, sort=sort, descending=descending)) == expected


def test_a_sort_it_does_not_know_is_refused(office):
    from collector.counting.machine_states import BadFilter

    with pytest.raises(BadFilter):
        list_machine_states(office, sort="body")


def test_pages_and_exports_word_each_state_alike(client, db):
    from collector.exports.machine_list import build_machines_export
    from collector.formats.state_words import STATE_WORDS
    from collector.store.units import save_units

    save_units(
        db,
        [(2, {"code": "SXD", "name": "Sở Xây dựng", "group": "Sở", "allocated": "3"})],
        actor="tests",
    )
    client.post("/api/v1/reports", json=make_report(hostname="SXD-KT-01"))
    client.post("/api/v1/reports", json=make_report(hostname="SXD-CHUA-01", products=(DEFENDER,)))
    page = client.get("/machines").get_data(as_text=True)
    csv = build_machines_export(db, "SXD", "csv").body.decode("utf-8-sig")
    for state in ("protected", "missing"):
        assert STATE_WORDS[state]["vi"] in page and STATE_WORDS[state]["vi"] in csv
    english = client.get("/machines?lang=en").get_data(as_text=True)
    assert STATE_WORDS["missing"]["en"] in english


def test_tab_counts_are_the_lengths_of_the_tabs(db):
    from collector.counting.machine_states import TABS, list_tab, tab_counts
    from tests.province import PROVINCE, seed

    seed(db)
    store_duplicate = make_report(hostname="XBT-KT00", machine_id="guid-second-xbt-kt00")
    from collector.store.ingest import store_report

    store_report(db, store_duplicate)
    for code, *_ in PROVINCE:
        counts = tab_counts(db, code)
        assert counts == {tab: list_tab(db, tab, unit=code).total for tab in TABS}
    assert tab_counts(db, "HCL") == {
        "all": 12,
        "installed": 10,
        "missing": 2,
        "exempt": 0,
        "misnamed": 2,
        "stale": 0,
        "not_connected": 10,
        "duplicates": 2,
        "licence_expiring": 0,
    }


@pytest.fixture
def province_pages(client, db):
    from tests.province import seed

    seed(db)
    return client


def csv_lines(response):
    assert response.status_code == 200, response.get_data(as_text=True)
    return response.get_data().decode("utf-8-sig").splitlines()


def test_machine_list_downloads_with_its_filters(province_pages):
    page = province_pages.get("/machines?state=missing&sort=hostname&desc=1")
    html = page.get_data(as_text=True)
    assert "/exports/machines.csv?state=missing&amp;sort=hostname&amp;desc=1" in html
    lines = csv_lines(
        province_pages.get("/exports/machines.csv?state=missing&sort=hostname&desc=1")
    )
    names = [line.split(",")[1] for line in lines[1:]]
    assert names == ["XMH-CHUA1", "XMH-CHUA0", "SYT-CHUA1", "SYT-CHUA0", "SXD-CHUA0"]
    found = csv_lines(province_pages.get("/exports/machines.csv?q=DESKTOP"))
    assert len(found) == 1 + 3  # the misnamed DESKTOP-* only
    xlsx = province_pages.get("/exports/machines.xlsx?naming=misnamed")
    assert xlsx.status_code == 200 and xlsx.data[:2] == b"PK"
    assert "toan-tinh" in xlsx.headers["Content-Disposition"]


def test_the_whole_province_in_one_file(province_pages):
    lines = csv_lines(province_pages.get("/exports/machines.csv"))
    assert len(lines) == 1 + 35 + 3 + 5 + 1  # installed named + misnamed + missing + exempt


@pytest.mark.parametrize("query", ["state=broken", "sort=body", "naming=maybe"])
def test_a_download_refuses_filters_it_does_not_know(province_pages, query):
    assert province_pages.get(f"/exports/machines.csv?{query}").status_code == 400


def test_machine_list_shows_products_ips_and_sort_links(province_pages):
    html = province_pages.get("/machines?sort=product").get_data(as_text=True)
    assert "Kaspersky Endpoint Security for Windows" in html and "10.1.2.3" in html
    assert "?sort=product&amp;desc=1" in html  # the current order's heading reverses it
    assert "?sort=ip" in html


def test_unit_tabs_show_their_counts(province_pages):
    html = province_pages.get("/units/HCL").get_data(as_text=True)
    tabs = re.findall(r'tab=(\w+)[^>]*>[^<]*<span class="count">([\d.]+)</span>', html)
    assert dict(tabs) == {
        "installed": "9",
        "missing": "2",
        "exempt": "0",
        "misnamed": "2",
        "stale": "0",
        "not_connected": "9",
        "duplicates": "0",
        "licence_expiring": "0",
    }


def test_export_machines_without_unit_is_the_province(db, tmp_path, app):
    from click.testing import CliRunner

    from collector.cli.main import main
    from tests.province import seed

    seed(db)
    out = tmp_path / "all.csv"
    result = CliRunner().invoke(
        main, ["export", "machines", "--out", str(out), "--db", app.config["DATABASE"]]
    )
    assert result.exit_code == 0, result.output
    assert len(out.read_bytes().decode("utf-8-sig").splitlines()) == 1 + 44


def test_history_says_whether_the_mandated_product_was_there(client):
    from datetime import datetime, timedelta, timezone

    now = datetime.now(timezone.utc)
    for days, products in ((3, (DEFENDER,)), (1, (KES, DEFENDER))):
        client.post(
            "/api/v1/reports",
            json=make_report(
                hostname="SXD-KT-01",
                machine_id="guid-hist-0001",
                products=products,
                collected_at=now - timedelta(days=days),
            ),
        )
    html = client.get("/machines/guid-hist-0001").get_data(as_text=True)
    history = html[html.index("Lịch sử báo cáo") :]
    rows = re.findall(r"<tr><td>.*?</tr>", history, re.S)
    assert len(rows) == 2
    newest, oldest = rows
    assert "Đã cài, đang bảo vệ" in newest
    assert "Chưa cài" in oldest and "Windows Defender" in oldest
    assert ">có<" not in history


def test_a_unit_tab_s_page_reads_one_index_whatever_the_machines_under_it(db):
    """Each tab of a unit's page finds its page of machines in the index of the unit's
    machines alone, never each machine's row (scattered through the table: 64 ms for the
    3,000 under a unit at 300,000 machines)."""
    from collector.counting import figures
    from collector.counting.machine_states import TABS, list_tab
    from tests.province import seed

    seed(db)
    figures.keep(db)
    figures.keep(db)  # the marks a first count of every machine leaves to the next keep
    statements = []
    db.conn.set_trace_callback(statements.append)
    try:
        for tab in TABS:
            list_tab(db, tab, unit="HCL")
    finally:
        db.conn.set_trace_callback(None)
    pages = [sql for sql in statements if "INDEXED BY machine_now_unit" in sql]
    assert len(pages) >= len(TABS)
    for sql in pages:
        plan = " ".join(row[3] for row in db.execute("EXPLAIN QUERY PLAN " + sql))
        assert "COVERING INDEX machine_now_unit" in plan, (sql, plan)


def test_a_unit_tab_s_page_reads_the_unit_s_rows_alone_while_the_keeping_lags(db):
    """With reports not kept yet, a tab's list still reads the unit's kept rows through
    their index (not every machine's: seconds at 300,000 machines)."""
    from collector.counting import figures
    from collector.counting.machine_states import list_tab
    from collector.store.ingest import store_report
    from tests.province import seed

    seed(db)
    figures.keep(db)
    figures.keep(db)
    store_report(db, make_report(hostname="HCL-KT-99", machine_id="guid-behind"))
    statements = []
    with figures.reading(db):  # its temporary rows stay for the plans
        db.conn.set_trace_callback(statements.append)
        try:
            list_tab(db, "installed", unit="HCL")
        finally:
            db.conn.set_trace_callback(None)
        reads = [sql for sql in statements if "fresh_now" in sql and "CREATE" not in sql]
        assert reads
        for sql in reads:
            plan = [row[3] for row in db.execute("EXPLAIN QUERY PLAN " + sql)]
            assert "SCAN machine_now" not in plan, (sql, plan)
