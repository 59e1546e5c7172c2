"""Administrators' pages: settings, units and enrollment tokens, under the CLI's rules;
403 for anyone else, 400 without the CSRF token, every error shown."""

from __future__ import annotations

import io
import re

import pytest

from collector.store import settings, users
from collector.store.units import get_unit, list_units
from tests.reporting import csrf_token, login

ADMIN_PAGES = [
    "/admin/settings",
    "/admin/units",
    "/admin/tokens",
    "/admin/units.csv",
    "/admin/held",
]


@pytest.fixture
def viewer(client, db, anon_client):
    users.add_user(db, "tests", "viewer1", "viewer-password", "viewer")
    assert login(anon_client, "viewer1", "viewer-password").status_code == 302
    return anon_client


def post(client, url, **data):
    client.get(url)
    return client.post(url, data=dict(data, csrf_token=csrf_token(client)))


@pytest.mark.parametrize("url", ADMIN_PAGES)
def test_viewers_are_refused(viewer, url):
    assert viewer.get(url).status_code == 403


def test_viewers_cannot_post_either(viewer, db):
    viewer.get("/machines")
    token = csrf_token(viewer)
    for url, data in [
        ("/admin/settings", {"key": "stale_after_days", "value": "7"}),
        ("/admin/units", {"code": "X1", "name": "X"}),
        ("/admin/tokens", {"note": "x"}),
        ("/admin/tokens/1/revoke", {}),
        ("/admin/held/1/accept", {}),
    ]:
        assert viewer.post(url, data=dict(data, csrf_token=token)).status_code == 403, url
    assert settings.current(db)["stale_after_days"] == 30 and list_units(db) == []
    assert "Thiết lập" not in viewer.get("/machines").get_data(as_text=True)


def test_forms_need_the_csrf_token(client, db):
    client.get("/admin/settings")
    for url, data in [
        ("/admin/settings", {"key": "stale_after_days", "value": "7"}),
        ("/admin/units", {"code": "X1", "name": "X"}),
        ("/admin/tokens", {"note": "x"}),
    ]:
        assert client.post(url, data=data).status_code == 400, url
    assert settings.current(db)["stale_after_days"] == 30 and list_units(db) == []


def test_every_admin_form_carries_the_csrf_token(client):
    for url in ADMIN_PAGES[:3]:
        html = client.get(url).get_data(as_text=True)
        forms = re.findall(r'<form[^>]*method="post"[^>]*>(.*?)</form>', html, re.S)
        assert len(forms) >= 2, url
        assert all(f'name="csrf_token" value="{csrf_token(client)}"' in form for form in forms)


def test_a_setting_is_saved_and_audited(client, db):
    answer = post(client, "/admin/settings", key="stale_after_days", value="14")
    assert answer.status_code == 200 and "Đã lưu" in answer.get_data(as_text=True)
    assert settings.current(db)["stale_after_days"] == 14
    assert (
        db.execute("SELECT actor FROM audit_log WHERE action = 'settings.set'").fetchone()[0]
        == "admin"
    )


@pytest.mark.parametrize(
    "key, value", [("stale_after_days", "0"), ("naming_pattern", "{nope}"), ("nothing", "1")]
)
def test_a_bad_setting_is_refused_with_its_reason(client, db, key, value):
    answer = post(client, "/admin/settings", key=key, value=value)
    assert answer.status_code == 422
    assert settings.current(db)["stale_after_days"] == 30
    if key in settings.SETTINGS:
        assert 'class="error"' in answer.get_data(as_text=True)


def upload(client, name, content):
    client.get("/admin/units")
    return client.post(
        "/admin/units",
        content_type="multipart/form-data",
        data={
            "file": (io.BytesIO(content.encode("utf-8-sig")), name),
            "csrf_token": csrf_token(client),
        },
    )


def test_a_units_file_is_imported(client, db):
    answer = upload(
        client,
        "units.csv",
        "code,name,group,parent,allocated\nSXD,Sở Xây dựng,Sở,,55\nSXD1,Phòng KT,Sở,SXD,5\n",
    )
    assert answer.status_code == 200
    assert "Đã lưu: 2 thêm mới, 0 cập nhật" in answer.get_data(as_text=True)
    assert get_unit(db, "SXD1")["parent"] == "SXD"
    assert (
        db.execute("SELECT actor FROM audit_log WHERE action = 'units.save'").fetchone()[0]
        == "admin"
    )


def test_a_bad_units_file_shows_every_error_by_line_and_changes_nothing(client, db):
    answer = upload(
        client,
        "units.csv",
        "code,name,group,parent,allocated\n"
        "SXD,Sở Xây dựng,Sở,,55\n"
        "S X,Bad code,Sở,,1\n"
        "STC,Sở Tài chính,Sở,NOPE,nhiều\n",
    )
    html = answer.get_data(as_text=True)
    assert answer.status_code == 422
    assert "dòng 3: mã đơn vị &#39;S X&#39;" in html
    assert "dòng 4: số bản quyền phân bổ &#39;nhiều&#39; không phải là số nguyên" in html
    assert "dòng 4: đơn vị cấp trên &#39;NOPE&#39; chưa có trong danh sách" in html
    assert list_units(db) == []


def test_only_csv_or_xlsx_is_taken(client, db):
    answer = upload(client, "units.exe", "code,name\nA,B\n")
    assert answer.status_code == 422 and list_units(db) == []


def test_one_unit_is_added_then_changed(client, db):
    fields = {
        "code": "sxd",
        "name": "Sở Xây dựng",
        "group": "Sở",
        "parent": "",
        "allocated": "5.137",
        "officer_name": "Trần Thị B",
        "officer_phone": "0909 123 456",
    }
    assert post(client, "/admin/units", **fields).status_code == 200
    assert get_unit(db, "SXD")["allocated"] == 5137
    form = client.get("/admin/units?code=SXD").get_data(as_text=True)
    assert 'value="Trần Thị B"' in form
    answer = post(client, "/admin/units", **dict(fields, allocated="x"))
    assert answer.status_code == 422
    assert "số bản quyền phân bổ &#39;x&#39; không phải là số nguyên" in answer.get_data(
        as_text=True
    )
    assert "dòng 1" not in answer.get_data(as_text=True)
    assert get_unit(db, "SXD")["allocated"] == 5137
    units_file = client.get("/admin/units.csv")
    assert units_file.get_data(as_text=True).startswith("\ufeffcode,name,group")


def test_a_token_is_shown_once_then_revoked(client, db):
    answer = post(client, "/admin/tokens", note="Sở Xây dựng")
    html = answer.get_data(as_text=True)
    token = re.search(r'<code class="secret">(avre_[^<]+)</code>', html).group(1)
    assert answer.headers["Cache-Control"] == "no-store"
    assert token not in client.get("/admin/tokens").get_data(as_text=True)
    assert post(client, "/admin/tokens/1/revoke").status_code == 302
    assert db.execute("SELECT revoked_at IS NOT NULL FROM enrollment_tokens").fetchone()[0]
    assert post(client, "/admin/tokens/99/revoke").status_code == 404
    assert post(client, "/admin/tokens", unit_code="NOPE").status_code == 422
