"""The reconciliation on the pages, in downloads and in the API; imports by upload and the
reminders page for administrators; unit officers see only their units."""

from __future__ import annotations

import io

import pytest
from openpyxl import load_workbook

from collector.store import console_imports, mail, users
from tests.console_files import EXPECTED, EXPECTED_UNITS, ksc_row, seed_views, write_ksc
from tests.reporting import csrf_token, login


@pytest.fixture
def views(db, tmp_path):
    ksc, ad = seed_views(db, tmp_path)
    console_imports.import_file(db, "ksc", ksc, actor="tests")
    console_imports.import_file(db, "directory", ad, actor="tests")
    return ksc, ad


@pytest.fixture
def officer(db, anon_client, views):
    users.add_user(db, "tests", "sxd1", "sxd-password-1", "unit", unit_code="SXD")
    assert login(anon_client, "sxd1", "sxd-password-1").status_code == 302
    return anon_client


def test_api_counts_match_the_lists_and_the_pages(client, views):
    body = client.get("/api/v1/reconcile").get_json()
    assert body["counts"] == {name: len(names) for name, names in EXPECTED.items()}
    assert {row["code"]: row["counts"] for row in body["units"]} == EXPECTED_UNITS
    for name, names in EXPECTED.items():
        listed = client.get(f"/api/v1/reconcile/machines?list={name}").get_json()
        assert {row["netbios"] for row in listed["machines"]} == names
    unit = client.get("/api/v1/reconcile?unit=HCL").get_json()
    assert unit["counts"] == EXPECTED_UNITS["HCL"]
    html = client.get("/units/SXD").get_data(as_text=True)
    assert "Đối chiếu với KSC và Active Directory" in html
    # The unit page's own figure, and KSC's list beside it under its own name.
    assert "<strong>1</strong> Đã cài Kaspersky nhưng chưa kết nối" in html
    assert "<strong>2</strong> Đã cài, không có trong danh sách KSC" in html


def test_api_refuses_bad_arguments_with_json(client, views):
    answer = client.get("/api/v1/reconcile/machines?list=everything")
    assert answer.status_code == 400 and answer.get_json()["ok"] is False
    assert client.get("/api/v1/reconcile?unit=NOPE").status_code == 404
    assert client.get("/reconcile?list=x").status_code == 400
    assert client.get("/exports/reconcile.pdf").status_code == 404


def test_overview_needs_action_lists_the_gaps(client, views):
    html = client.get("/").get_data(as_text=True)
    assert "<strong>3</strong>\n  máy có trong KSC hoặc AD nhưng chưa có agent avroll" in html
    assert "/reconcile?list=unowned" in html


def test_reconcile_page_and_download_say_which_views_saw_each(client, views):
    html = client.get("/reconcile?list=no_agent").get_data(as_text=True)
    assert "XMH-KT05" in html and "WIN-7H3K" in html and "SXD-KT02" not in html
    made = client.get("/exports/reconcile.xlsx?unit=SXD")
    assert made.status_code == 200 and "doi-chieu-SXD" in made.headers["Content-Disposition"]
    rows = list(load_workbook(io.BytesIO(made.data)).active.iter_rows(values_only=True))
    kt02 = next(row for row in rows if row[2] == "SXD-KT02")
    assert kt02[4] == "avroll, AD"


def test_unit_officer_sees_only_their_units(officer):
    body = officer.get("/api/v1/reconcile").get_json()
    assert body["unit"] == "SXD" and [row["code"] for row in body["units"]] == ["SXD"]
    listed = officer.get("/api/v1/reconcile/machines?list=unowned").get_json()
    assert listed["machines"] == []  # WIN-7H3K belongs to no unit, DESKTOP-ABC to SYT
    assert officer.get("/api/v1/reconcile?unit=SYT").status_code == 404
    assert officer.get("/exports/reconcile.csv?unit=SYT").status_code == 404
    assert officer.get("/admin/imports").status_code == 403
    assert officer.get("/admin/mail").status_code == 403


def test_upload_a_ksc_export(client, db, tmp_path):
    path = write_ksc(tmp_path / "ksc.txt", [ksc_row("SXD-KT01"), ksc_row("SXD-KT02")])
    client.get("/admin/imports")
    answer = client.post(
        "/admin/imports",
        data={
            "csrf_token": csrf_token(client),
            "source": "ksc",
            "file": (io.BytesIO(path.read_bytes()), "Devices export.txt"),
        },
        content_type="multipart/form-data",
    )
    assert answer.status_code == 200
    assert "Devices export.txt" in answer.get_data(as_text=True)
    assert console_imports.latest_import(db, "ksc")["devices"] == 2


def test_an_upload_larger_than_a_report_is_accepted(client, db, tmp_path):
    from collector.web.app import MAX_REPORT_BYTES

    rows = [ksc_row(f"SXD-PC{n:04d}", group="Managed devices/" + "x" * 40) for n in range(3000)]
    path = write_ksc(tmp_path / "ksc.txt", rows)
    assert path.stat().st_size > 3 * MAX_REPORT_BYTES
    client.get("/admin/imports")
    answer = client.post(
        "/admin/imports",
        data={
            "csrf_token": csrf_token(client),
            "source": "ksc",
            "file": (io.BytesIO(path.read_bytes()), "big.txt"),
        },
        content_type="multipart/form-data",
    )
    assert answer.status_code == 200
    assert console_imports.latest_import(db, "ksc")["devices"] == 3000


def test_a_bad_upload_shows_every_line_and_changes_nothing(client, db, tmp_path):
    path = write_ksc(
        tmp_path / "ksc.txt",
        [ksc_row("SXD-KT01"), ksc_row("\u202eEVIL"), ksc_row("SXD-KT03", ip="999.1.1.1")],
    )
    client.get("/admin/imports")
    answer = client.post(
        "/admin/imports",
        data={
            "csrf_token": csrf_token(client),
            "source": "ksc",
            "file": (io.BytesIO(path.read_bytes()), "ksc.txt"),
        },
        content_type="multipart/form-data",
    )
    html = answer.get_data(as_text=True)
    assert answer.status_code == 422 and "line 3:" in html and "line 4:" in html
    assert "\u202e" not in html.split("<main>")[1]
    assert console_imports.latest_import(db, "ksc") is None


def test_upload_needs_the_csrf_token(client, db, tmp_path):
    path = write_ksc(tmp_path / "ksc.txt", [ksc_row("SXD-KT01")])
    answer = client.post(
        "/admin/imports",
        data={"source": "ksc", "file": (io.BytesIO(path.read_bytes()), "ksc.txt")},
        content_type="multipart/form-data",
    )
    assert answer.status_code == 400 and console_imports.latest_import(db, "ksc") is None


def test_mail_page_keeps_the_password_secret(client, db, views):
    client.get("/admin/mail")
    answer = client.post(
        "/admin/mail",
        data={
            "csrf_token": csrf_token(client),
            "action": "settings",
            "host": "smtp.dongthap.gov.vn",
            "port": "587",
            "security": "starttls",
            "username": "avroll",
            "password": "Top-Secret-42",
            "sender": "avroll@dongthap.gov.vn",
        },
    )
    html = answer.get_data(as_text=True)
    assert answer.status_code == 200 and "Top-Secret-42" not in html
    assert mail.smtp_password(db) == "Top-Secret-42"
    assert "cntt@syt.dongthap.gov.vn" in html  # the preview below 100%
    assert "Top-Secret-42" not in client.get("/audit").get_data(as_text=True)


def test_every_sending_is_shown_on_the_admin_page(client, db, views):
    mail.log_sending(db, "admin", "SYT", "cntt@syt.dongthap.gov.vn", "Đôn đốc: Sở Y tế", 4)
    mail.log_sending(
        db,
        "admin",
        "HCL",
        None,
        "Đôn đốc: UBND huyện Cao Lãnh",
        0,
        "SMTPRecipientsRefused: <b>refused</b>",
    )
    html = client.get("/admin/mail").get_data(as_text=True)
    assert "Các lần gửi <small>2</small>" in html
    assert "đã gửi" in html and "lỗi: SMTPRecipientsRefused: &lt;b&gt;refused&lt;/b&gt;" in html


def test_pages_before_any_import_and_in_english(client, db, tmp_path):
    seed_views(db, tmp_path)  # units and reports, nothing imported
    assert "Chưa nhập danh sách nào từ KSC" in client.get("/units/SXD").get_data(as_text=True)
    assert "/reconcile" in client.get("/").get_data(as_text=True)
    assert client.get("/api/v1/reconcile").get_json()["counts"] == {
        "no_agent": 0,
        "not_connected": None,
        "not_in_ksc": None,
        "unowned": None,
        "confirmed": None,
    }
    html = client.get("/reconcile?lang=en").get_data(as_text=True)
    assert "No avroll agent (known to KSC or AD)" in html and "not imported" in html
