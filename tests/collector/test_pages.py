"""The officer's pages: Vietnamese by default, English on request, input shown as text."""

from __future__ import annotations

import re
from pathlib import Path

from collector.web import i18n
from tests.builders import make_report

TEMPLATES = Path(__file__).parents[2] / "collector" / "web" / "templates"


def test_machine_list_in_vietnamese(client):
    client.post("/api/v1/reports", json=make_report(hostname="SXD-KT-01", ram_gb=2))
    page = client.get("/machines")
    html = page.get_data(as_text=True)
    assert page.status_code == 200
    assert '<html lang="vi">' in html
    assert "Máy tính" in html and "SXD-KT-01" in html
    assert "2 GB" in html


def test_english_is_kept_once_chosen(client):
    assert "Computers" in client.get("/machines?lang=en").get_data(as_text=True)
    assert '<html lang="en">' in client.get("/machines").get_data(as_text=True)


def test_machine_detail_shows_products_and_names(client):
    report = make_report(hostname="SXD-KT-01", machine_id="guid-0009-dddd")
    client.post("/api/v1/reports", json=report)
    html = client.get("/machines/guid-0009-dddd").get_data(as_text=True)
    assert "Kaspersky Endpoint Security for Windows" in html
    assert "Kaspersky Security Center Network Agent" in html
    assert "guid-0009-dddd" in html


def test_unknown_machine_is_a_404_page(client):
    page = client.get("/machines/nope-nope-nope")
    assert page.status_code == 404
    assert "Không tìm thấy" in page.get_data(as_text=True)


def test_hostile_hostname_is_shown_as_text(client):
    client.post(
        "/api/v1/reports",
        json=make_report(hostname="<script>alert(1)</script>", machine_id="guid-evil-0001"),
    )
    for url in ("/machines", "/machines/guid-evil-0001"):
        html = client.get(url).get_data(as_text=True)
        assert "<script>alert(1)</script>" not in html
        assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html


def test_pages_load_nothing_from_the_internet(client):
    html = client.get("/machines").get_data(as_text=True)
    assert not re.search(r'(src|href)="(https?:)?//', html)


def test_every_template_text_has_a_vietnamese_translation():
    used = set()
    for template in TEMPLATES.glob("*.html"):
        used |= set(re.findall(r'_\("([^"]+)"\)', template.read_text()))
        used |= set(re.findall(r"_\('([^']+)'\)", template.read_text()))
    assert used, "no translated text found"
    assert sorted(used - set(i18n.VI)) == []


def test_machine_page_says_its_state_unit_and_naming(client, db):
    from collector.store.units import save_units

    save_units(
        db,
        [(2, {"code": "SXD", "name": "Sở Xây dựng"}), (3, {"code": "STC", "name": "Sở Tài chính"})],
    )
    client.post(
        "/api/v1/reports",
        json=make_report(hostname="SXD-KT-01", machine_id="guid-aaaa-0001", unit_code="STC"),
    )
    client.post(
        "/api/v1/reports",
        json=make_report(
            hostname="DESKTOP-7Q2", machine_id="guid-bbbb-0002", unit_code="STC", products=()
        ),
    )
    named = client.get("/machines/guid-aaaa-0001").get_data(as_text=True)
    assert "state-protected" in named and 'href="/units/SXD"' in named
    assert "(tên máy ghi đơn vị khác)" in named  # enrolled for STC, named for SXD
    misnamed = client.get("/machines/guid-bbbb-0002").get_data(as_text=True)
    assert "state-missing" in misnamed and 'href="/units/STC"' in misnamed
    assert "chưa đúng hướng dẫn" in misnamed and "ví dụ STC-KT01" in misnamed
    assert "{unit}" not in misnamed  # the rule in words, with a real example


def test_machine_list_searches_ip_and_mac_and_filters_states(client):
    client.post(
        "/api/v1/reports",
        json=make_report(
            hostname="SXD-KT-01", addresses=[{"ip": "10.9.8.7", "mac": "AA:BB:CC:00:11:22"}]
        ),
    )
    client.post("/api/v1/reports", json=make_report(hostname="SXD-KT-02", products=()))
    for query in ("q=10.9.8", "q=aa:bb:cc", "state=installed", "state=protected"):
        html = client.get("/machines?" + query).get_data(as_text=True)
        assert "SXD-KT-01" in html and "SXD-KT-02" not in html, query
    html = client.get("/machines?state=missing").get_data(as_text=True)
    assert "SXD-KT-02" in html and "SXD-KT-01" not in html
    assert client.get("/machines?state=everything").status_code == 400
    assert client.get("/machines?naming=misnamed").status_code == 200
