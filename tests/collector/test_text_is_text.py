"""All text is text (issue 24, item 5): the report's rule (no C0/C1 controls, no
noncharacters) holds for every field an administrator enters, every setting and every
import; and every export still writes a readable file from rows stored before the rule."""

from __future__ import annotations

import io
import zipfile

import pytest
from docx import Document
from openpyxl import load_workbook

from collector.store import settings
from collector.store.units import UnitImportError, save_units
from tests.exports_data import seed_small_province

# Word's Shift+Enter, a C0 control, NUL, a noncharacter, a C1 control.
NOT_TEXT = ["\x0b", "\x01", "\x00", "\uffff", "\ufffe", "\x85"]
OLD_NAME = "Sở\x0bXây\x01dựng\x00\uffff\x85"


def stored_before_the_rule(db):
    """A province whose unit name, officer and signer were stored before the check."""
    seed_small_province(db)
    db.execute(
        "UPDATE units SET name = ?, officer_name = ? WHERE code = 'SXD'",
        [OLD_NAME, "Nguyễn\x0bVăn A"],
    )
    db.execute("UPDATE unit_versions SET name = ? WHERE code = 'SXD'", [OLD_NAME])
    for key in ("signer_name", "issuer_name", "report_recipient"):
        db.execute(
            "INSERT OR REPLACE INTO setting_versions (key, value, effective_from, "
            "recorded_at) VALUES (?, ?, '2000-01-01', '2000-01-01T00:00:00Z')",
            [key, "Trần\x01Thị\uffffB"],
        )
    db.conn.commit()


def export_urls(app):
    for rule in app.url_map.iter_rules():
        if not rule.rule.startswith("/exports/"):
            continue
        for fmt in ("xlsx", "csv") if "fmt" in rule.arguments else (None,):
            values = {"fmt": fmt, "code": "SXD"}
            yield rule.build({key: values[key] for key in rule.arguments}, append_unknown=False)[1]


def readable(url, body):
    if url.endswith(".xlsx"):
        book = load_workbook(io.BytesIO(body))
        return [
            cell
            for sheet in book
            for row in sheet.iter_rows(values_only=True)
            for cell in row
            if isinstance(cell, str)
        ]
    if url.endswith(".docx"):
        document = Document(io.BytesIO(body))
        return [paragraph.text for paragraph in document.paragraphs] + [
            cell.text for table in document.tables for row in table.rows for cell in row.cells
        ]
    return body.decode("utf-8-sig").splitlines()


def test_every_export_is_written_from_text_stored_before_the_rule(app, client, db):
    stored_before_the_rule(db)
    urls = list(export_urls(app))
    assert len(urls) >= 12
    for url in urls:
        answer = client.get(url)
        assert answer.status_code == 200, url
        texts = readable(url, answer.data)
        joined = "\n".join(texts)
        for char in NOT_TEXT:
            assert char not in joined, (url, char)
        if url.endswith((".xlsx", ".docx")):
            assert zipfile.is_zipfile(io.BytesIO(answer.data))


@pytest.mark.parametrize("char", NOT_TEXT)
def test_a_unit_name_that_is_not_text_is_refused(db, char):
    with pytest.raises(UnitImportError) as refused:
        save_units(db, [(2, {"code": "SXD", "name": f"Sở{char}Xây dựng"})])
    assert "name" in str(refused.value.errors)
    with pytest.raises(UnitImportError):
        save_units(
            db, [(2, {"code": "SXD", "name": "Sở Xây dựng", "officer_name": f"Nguyễn{char}A"})]
        )


@pytest.mark.parametrize(
    "key", ["signer_name", "issuer_name", "letter_copies", "required_product", "naming_pattern"]
)
@pytest.mark.parametrize("char", ["\x01", "\x0b", "\uffff", "\x85"])
def test_a_setting_that_is_not_text_is_refused(db, key, char):
    with pytest.raises(settings.SettingError):
        settings.set_value(db, key, f"Trần{char}Thị B", "tests")


def test_the_unit_form_refuses_a_control_character_with_a_clear_answer(client):
    from tests.reporting import csrf_token

    client.get("/admin/units")
    answer = client.post(
        "/admin/units",
        data={"code": "SXD", "name": "Sở\x01Xây dựng", "csrf_token": csrf_token(client)},
    )
    assert 400 <= answer.status_code < 500
    assert client.get("/admin/units").get_data(as_text=True).count("Sở\x01") == 0


@pytest.mark.parametrize(
    "path, form",
    [
        ("/admin/tokens", {"note": "Phòng\x01KT", "machine_limit": "5"}),
        ("/admin/settings", {"key": "signer_name", "value": "Trần\uffffB"}),
        ("/admin/mail", {"smtp_host": "mail\x00.example", "action": "save"}),
    ],
)
def test_every_admin_form_refuses_what_is_not_text(client, db, path, form):
    from tests.reporting import csrf_token

    client.get(path)
    before = db.execute("SELECT count(*) FROM audit_log").fetchone()[0]
    answer = client.post(path, data=dict(form, csrf_token=csrf_token(client)))
    assert answer.status_code == 400
    assert db.execute("SELECT count(*) FROM audit_log").fetchone()[0] == before


def test_a_text_area_keeps_its_line_breaks(client):
    from tests.reporting import csrf_token

    client.get("/admin/settings")
    answer = client.post(
        "/admin/settings",
        data={
            "key": "letter_copies",
            "value": "UBND các huyện;\r\nLưu: VT",
            "csrf_token": csrf_token(client),
        },
    )
    assert answer.status_code in (200, 302)
