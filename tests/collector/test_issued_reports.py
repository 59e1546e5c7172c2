"""Issued reports stay as sent: number and date go into the appendix and the letter, whose
bytes are kept and download unchanged after units, settings and reports change."""

from __future__ import annotations

import io

import pytest
from click.testing import CliRunner
from docx import Document
from openpyxl import load_workbook

from collector.cli.main import main
from collector.exports.issue import issue_reminder, issue_report
from collector.exports.letterhead import BadIssue
from collector.exports.report_letter import build_report_letter
from collector.store import settings, users
from collector.store.ingest import store_report
from collector.store.issued_reports import DuplicateIssue, issued_reports
from collector.store.units import save_units
from tests.builders import make_report
from tests.exports_data import seed_small_province
from tests.reporting import csrf_token, login


@pytest.fixture
def province(db):
    seed_small_province(db)
    settings.set_value(db, "issuer_name", "Sở Thông tin và Truyền thông")
    settings.set_value(db, "issuer_symbol", "STTTT-CNTT")
    return db


def letter_texts(body):
    document = Document(io.BytesIO(body))
    return [
        paragraph.text
        for table in document.tables
        for cell in table.rows[0].cells
        for paragraph in cell.paragraphs
    ] + [p.text for p in document.paragraphs]


def test_issued_files_download_byte_identical_whatever_changes(client, province):
    report_id, files = issue_report(province, "123", actor="tests")
    letter, appendix = sorted(files)
    assert letter.startswith("so-123-cong-van-bao-cao-") and letter.endswith(".docx")
    assert appendix.startswith("so-123-phu-luc-ty-le-cai-dat-")
    assert "Số: 123/STTTT-CNTT" in letter_texts(files[letter])
    sheet = load_workbook(io.BytesIO(files[appendix])).active
    assert sheet["A3"].value.startswith("(Kèm theo Công văn số 123/STTTT-CNTT ngày ")
    # Everything the files were made from changes afterwards.
    settings.set_value(province, "issuer_name", "Công an tỉnh")
    save_units(province, [(2, {"code": "SXD", "name": "Sở Xây dựng (mới)", "allocated": "60"})])
    store_report(province, make_report(hostname="SXD-PCNEW"))
    assert build_report_letter(province).body != files[letter]
    for filename, body in files.items():
        answer = client.get(f"/reports/issued/{report_id}/{filename}")
        assert answer.status_code == 200
        assert answer.data == body
        assert answer.headers["Content-Disposition"] == f'attachment; filename="{filename}"'
    assert client.get(f"/reports/issued/{report_id}/other.xlsx").status_code == 404
    assert client.get("/reports/issued/99/x.docx").status_code == 404


def test_the_list_and_the_query_for_the_trend_chart(client, province):
    issue_report(province, "7", actor="tests")
    [report] = issued_reports(province)
    assert (report["number"], report["issued_by"]) == ("7", "tests")
    assert report["issued_on"] == report["as_of"]  # both today by default
    assert sorted(file["filename"].rsplit(".", 1)[1] for file in report["files"]) == [
        "docx",
        "xlsx",
    ]
    assert all(len(file["sha256"]) == 64 and file["size"] > 1000 for file in report["files"])
    page = client.get("/reports/issued").get_data(as_text=True)
    assert "Báo cáo đã ban hành" in page and report["files"][0]["filename"] in page


def post(browser, **form):
    return browser.post("/reports/issued", data=dict(form, csrf_token=csrf_token(browser)))


def test_issuing_from_the_page(client, province):
    answer = post(client, number="45")
    assert answer.status_code == 302
    assert [report["number"] for report in issued_reports(province)] == ["45"]
    again = post(client, number="45")
    assert again.status_code == 422 and "đã được ban hành" in again.get_data(as_text=True)
    for bad in (
        {"number": "số 4"},
        {"number": "46", "issued_on": "2999-01-01"},
        {"number": "46", "as_of": "hôm qua"},
    ):
        assert post(client, **bad).status_code == 422, bad
    assert len(issued_reports(province)) == 1  # nothing half-stored


@pytest.mark.parametrize(
    ("number", "issued_on", "as_of", "message"),
    [
        ("", None, None, "1 đến 6 chữ số"),
        ("1234567", None, None, "1 đến 6 chữ số"),
        ("12", "2020-01-01", "2020-01-02", "trước ngày số liệu 02/01/2020"),
        ("12", "05/2020", None, "không phải ngày"),
    ],
)
def test_bad_issues_are_refused(province, number, issued_on, as_of, message):
    with pytest.raises(BadIssue, match=message):
        issue_report(province, number, issued_on, as_of=as_of)
    assert issued_reports(province) == []


def test_the_same_number_and_date_only_once(province):
    issue_report(province, "9", "2020-01-02", as_of="2020-01-01")
    with pytest.raises(DuplicateIssue):
        issue_report(province, "009", "2020-01-02", as_of="2020-01-01")
    issue_report(province, "9", "2020-01-03", as_of="2020-01-01")  # another date: fine


def test_numbers_are_the_issuers_own(province):
    # The province and a district each number their documents; a reminder shares the
    # province's numbers with its reports.
    issue_report(province, "9", "2020-01-02", as_of="2020-01-01")
    issue_report(province, "9", "2020-01-02", as_of="2020-01-01", parent="HCL")
    with pytest.raises(DuplicateIssue):
        issue_reminder(province, "9", "2020-01-02", as_of="2020-01-01")
    assert len(issued_reports(province)) == 2


def test_a_reminder_is_issued_and_kept_like_a_report(client, province):
    reminder_id, files = issue_reminder(province, "15", below="90", actor="tests")
    letter = next(name for name in files if name.endswith(".docx"))
    assert letter.startswith("so-15-cong-van-don-doc-")
    assert sorted(name.split("-", 2)[2].split("-2")[0] for name in files) == [
        "bieu-mau",
        "cong-van-don-doc",
        "phu-luc-ty-le-cai-dat",
    ]
    assert "Số: 15/STTTT-CNTT" in letter_texts(files[letter])
    appendix = next(name for name in files if "phu-luc" in name)
    sheet = load_workbook(io.BytesIO(files[appendix])).active
    assert sheet["A3"].value.startswith("(Kèm theo Công văn số 15/STTTT-CNTT ngày ")
    # The form the units answer on goes with this reminder: its number and date.
    form = next(name for name in files if "bieu-mau" in name)
    sheet = load_workbook(io.BytesIO(files[form])).active
    assert sheet["A2"].value.startswith("(Gửi kèm theo Công văn số 15/STTTT-CNTT ngày ")
    [kept] = issued_reports(province, "reminder")
    assert (kept["id"], kept["kind"], kept["number"]) == (reminder_id, "reminder", "15")
    assert issued_reports(province, "report") == []  # the trend chart marks reports only
    store_report(province, make_report(hostname="SXD-PCNEW"))
    settings.set_value(province, "issuer_name", "Công an tỉnh")
    for filename, body in files.items():
        assert client.get(f"/reports/issued/{reminder_id}/{filename}").data == body
    page = client.get("/reports/issued").get_data(as_text=True)
    assert "Công văn đôn đốc" in page and letter in page


def test_a_units_reminder_and_its_form_cite_the_same_letter(province):
    """Under a unit without a letterhead of its own the reminder is the unit's (a dotted
    blank for its symbol): the form it sends along cites that letter, not the province's."""
    _, files = issue_reminder(
        province, "4", "2020-01-02", below="1000", as_of="2020-01-01", parent="HCL"
    )
    form = next(name for name in files if "bieu-mau" in name)
    line = load_workbook(io.BytesIO(files[form])).active["A2"].value
    assert line == "(Gửi kèm theo Công văn số 4/……… ngày 02/01/2020 của Huyện Cao Lãnh)"


def test_issuing_a_reminder_from_the_page(client, province):
    answer = post(client, kind="reminder", number="16", below="90")
    assert answer.status_code == 302
    assert [(report["kind"], report["number"]) for report in issued_reports(province)] == [
        ("reminder", "16")
    ]
    refused = post(client, kind="reminder", number="17", below="0")
    assert refused.status_code == 422
    assert "không có đơn vị nào" in refused.get_data(as_text=True)
    assert post(client, kind="reminder", number="17", below="abc").status_code == 422
    assert len(issued_reports(province)) == 1


def test_viewers_read_unit_officers_do_not(app, anon_client, province):
    issue_report(province, "3", actor="tests")
    users.add_user(province, "tests", "viewer", "viewer-password", "viewer")
    users.add_user(province, "tests", "hcl", "officer-password", "unit", "HCL")
    assert login(anon_client, "viewer", "viewer-password").status_code == 302
    assert anon_client.get("/reports/issued").status_code == 200
    assert post(anon_client, number="4").status_code == 403
    other = app.test_client()
    assert login(other, "hcl", "officer-password").status_code == 302
    assert other.get("/reports/issued").status_code == 403
    assert other.get("/reports/issued/1/x.docx").status_code == 403


def test_cli_issues_lists_and_writes_the_kept_files(app, province, tmp_path):
    runner = CliRunner()
    database = app.config["DATABASE"]
    result = runner.invoke(main, ["export", "issue-report", "--number", "12", "--db", database])
    assert result.exit_code == 0 and "issued report 1" in result.output, result.output
    listed = runner.invoke(main, ["export", "issued-reports", "--db", database]).output
    assert listed.startswith("1\treport\tsố 12\t")
    result = runner.invoke(
        main,
        [
            "export",
            "issued-reports",
            "--id",
            "1",
            "--out-dir",
            str(tmp_path / "out"),
            "--db",
            database,
        ],
    )
    assert result.exit_code == 0, result.output
    [report] = issued_reports(province)
    for file in report["files"]:
        assert (tmp_path / "out" / file["filename"]).stat().st_size == file["size"]
    result = runner.invoke(main, ["export", "issue-report", "--number", "12", "--db", database])
    assert result.exit_code != 0 and "đã được ban hành" in result.output
