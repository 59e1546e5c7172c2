"""Vietnamese throughout: store messages, setting names and audit actions in words."""

from __future__ import annotations

import pytest

from collector.store import settings
from collector.web import i18n, words
from tests.reporting import csrf_token


@pytest.mark.parametrize(
    "english, vietnamese",
    [
        ("'hai nghìn' is not a whole number", "'hai nghìn' không phải là một số nguyên"),
        ("must be between 1 and 3650", "phải nằm trong khoảng từ 1 đến 3650"),
        ("line 7: name is empty", "dòng 7: tên đơn vị đang để trống"),
        (
            "the naming pattern must contain {unit} exactly once",
            "mẫu đặt tên phải có {unit} (mã đơn vị) đúng một lần",
        ),
        (
            "unknown placeholder {x}: use {unit}, {any}, {n} or {text}",
            "không có ô {x}: chỉ dùng {unit}, {any}, {n} hoặc {text}",
        ),
        ("header: missing column(s) code, name", "dòng tiêu đề: thiếu cột code, name"),
        ("a message nobody wrote down", "a message nobody wrote down"),
    ],
)
def test_store_messages_in_vietnamese(english, vietnamese):
    assert words.message(english) == vietnamese
    assert words.message(english, "en") == english


def test_every_message_template_is_one_the_store_can_write():
    assert len({english for english, _ in words.MESSAGES}) == len(words.MESSAGES)


def test_every_setting_and_action_has_words_in_both_languages():
    # A setting without its own label (the documents' ones carry theirs) has one here.
    unlabelled = {key for key, setting in settings.SETTINGS.items() if not setting.label}
    assert unlabelled <= set(words.SETTING_LABELS) <= set(settings.SETTINGS)
    for text in (*words.SETTING_LABELS.values(), *words.ACTIONS.values()):
        assert text in i18n.VI


def test_settings_page_speaks_vietnamese(client):
    page = client.get("/admin/settings").get_data(as_text=True)
    assert "Quy tắc đặt tên máy tính" in page and "Phần mềm bắt buộc" in page
    answer = client.post(
        "/admin/settings",
        data={"key": "stale_after_days", "value": "hai nghìn", "csrf_token": csrf_token(client)},
    )
    html = answer.get_data(as_text=True)
    assert answer.status_code == 422
    assert "&#39;hai nghìn&#39; không phải là một số nguyên" in html
    assert "is not a whole number" not in html
    english = client.post(
        "/admin/settings?lang=en",
        data={"key": "stale_after_days", "value": "hai nghìn", "csrf_token": csrf_token(client)},
    )
    assert "is not a whole number" in english.get_data(as_text=True)


def test_audit_log_says_what_was_done(client):
    client.post(
        "/admin/settings",
        data={"key": "stale_after_days", "value": "20", "csrf_token": csrf_token(client)},
    )
    html = client.get("/audit").get_data(as_text=True)
    assert "Thay đổi thiết lập" in html and "settings.set" not in html


def test_definitions_show_setting_values_not_keys(client, db):
    from collector.store import settings as store_settings
    from collector.store.units import save_units

    save_units(db, [(2, {"code": "SXD", "name": "Sở Xây dựng", "allocated": "10"})])
    store_settings.set_value(db, "connected_days", "9", "tests")
    html = client.get("/units").get_data(as_text=True)
    assert "connected_days" not in html and "stale_after_days" not in html
    assert "máy chủ quản trị trong 9 ngày" in html
    assert "không quá 30 ngày" in html
    assert "official_requires_connected" not in html and "(hiện tắt)" in html
    english = client.get("/units?lang=en").get_data(as_text=True)
    assert "within 9 days." in english and "connected_days" not in english


def test_audit_details_read_as_words(client, db):
    from collector.store import lifecycle
    from collector.store.ingest import store_report
    from collector.store.units import save_units
    from tests.builders import make_report

    save_units(db, [(2, {"code": "SXD", "name": "Sở Xây dựng", "allocated": "10"})])
    store_report(db, make_report(hostname="SXD-01"))
    lifecycle.retire(db, "tests", "SXD-01", on="2024-05-12", reason="thanh lý")
    client.post(
        "/admin/settings",
        data={"key": "stale_after_days", "value": "20", "csrf_token": csrf_token(client)},
    )
    html = client.get("/audit").get_data(as_text=True)
    assert "Cho thôi tính một máy" in html and "machines.retire" not in html
    assert "từ ngày: 12/05/2024" in html and "lý do: thanh lý" in html
    assert "thiết lập: Quá hạn báo cáo sau (ngày)" in html
    assert "{&#34;" not in html and '{"' not in html
