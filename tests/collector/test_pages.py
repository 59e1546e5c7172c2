"""The officer's pages: Vietnamese by default, English on request, input shown as text."""

from __future__ import annotations

import re
from pathlib import Path

from collector import i18n
from tests.builders import make_report

TEMPLATES = Path(__file__).parents[2] / "collector" / "templates"


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
    client.post("/api/v1/reports", json=make_report(hostname="<script>alert(1)</script>",
                                                    machine_id="guid-evil-0001"))
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
