"""Text written by PCs and admins is shown as text on every page and never runs in a spreadsheet."""

from __future__ import annotations

import csv
import io

import openpyxl
import pytest

from collector.formats.safe_cells import neutralise
from collector.store import enrollment
from tests.builders import make_report

HOSTILE = ["<script>alert(1)</script>", '=HYPERLINK("http://x","y")']
# The pages that show a machine's name, a product's or a token's note.
SHOWING_IT = {"/machines", "/machines/guid-evil-0001", "/audit", "/admin/tokens"}
SHOWN_AS = {HOSTILE[0]: "&lt;script&gt;alert(1)&lt;/script&gt;", HOSTILE[1]: "=HYPERLINK("}


def page_urls(app, machine_id):
    """Every HTML page a GET reaches, with the hostile machine where a page takes one
    (downloads under /exports/ are files, not pages; a national collector's pages, 404 on a
    province's, are walked with hostile names in test_national.py)."""
    for rule in app.url_map.iter_rules():
        if (
            "GET" not in rule.methods
            or rule.endpoint == "static"
            or rule.rule.startswith(("/api/", "/exports/", "/national"))
            or set(rule.arguments) - {"machine_id"}
        ):
            continue
        yield rule.build({"machine_id": machine_id}, append_unknown=False)[1]


@pytest.mark.parametrize("hostname", HOSTILE)
def test_hostile_hostnames_are_text_on_every_page(app, client, db, hostname):
    report = make_report(hostname=hostname, machine_id="guid-evil-0001")
    report["antivirus"]["products"][0]["name"] = hostname
    assert client.post("/api/v1/reports", json=report).status_code == 201
    enrollment.create_token(db, "tests", note=hostname)
    urls = list(page_urls(app, "guid-evil-0001"))
    assert SHOWING_IT | {"/", "/units", "/login"} <= set(urls)
    for url in urls:
        answer = client.get(url, follow_redirects=True)
        html = answer.get_data(as_text=True)
        assert answer.status_code == 200, url
        assert "<script>alert" not in html, url
        if url in SHOWING_IT:
            assert SHOWN_AS[hostname] in html, url


@pytest.mark.parametrize(
    "text, expected",
    [
        ('=HYPERLINK("http://x","y")', '\'=HYPERLINK("http://x","y")'),
        ("+1+2", "'+1+2"),
        ("-2+3", "'-2+3"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("\t=1", "'\t=1"),
        ("\r=1", "'\r=1"),
        (" =HYPERLINK(1)", "' =HYPERLINK(1)"),
        ("  \t+1", "'  \t+1"),
        ("\u00a0=1", "'\u00a0=1"),
        ("\n@SUM(A1)", "'\n@SUM(A1)"),
        ("SXD 01", "SXD 01"),
        (" ", " "),
        ("SXD-KT-01", "SXD-KT-01"),
        ("Sở Xây dựng", "Sở Xây dựng"),
        ("", ""),
        (42, 42),
        (-3, -3),
        (None, None),
        (96.7, 96.7),
    ],
)
def test_neutralise(text, expected):
    assert neutralise(text) == expected


def test_neutralised_cells_stay_text_in_xlsx(tmp_path):
    sheet_path = tmp_path / "cells.xlsx"
    book = openpyxl.Workbook()
    book.active.append([neutralise(value) for value in HOSTILE + ["=1+1", 5]])
    book.save(sheet_path)
    cells = next(openpyxl.load_workbook(sheet_path).active.iter_rows())
    assert [cell.data_type for cell in cells] == ["s", "s", "s", "n"]
    assert not any(str(cell.value).startswith("=") for cell in cells)


def test_neutralised_cells_stay_text_in_csv():
    out = io.StringIO()
    csv.writer(out).writerow([neutralise(value) for value in HOSTILE])
    row = next(csv.reader(io.StringIO(out.getvalue())))
    assert all(not cell.startswith(("=", "+", "-", "@")) for cell in row)
