"""An issued report keeps the figures it went out with; where it is shown, late data that
would move them today is pointed out, unit by unit (issue 24), and its files never change."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest
from click.testing import CliRunner

from collector.cli.main import main
from collector.counting import figures
from collector.exports.issue import issue_reminder, issue_report
from collector.exports.issued_figures import check
from collector.formats.formatting import LOCAL_TZ
from collector.store import enrollment
from collector.store.db import open_db
from collector.store.ingest import store_report
from collector.store.issued_reports import issued_reports
from collector.store.migrations import apply
from collector.store.units import save_units
from tests.builders import make_report
from tests.reporting import enrolled_since, post_report

REPORTS = "/api/v1/reports"


def days_ago(days):
    return datetime.now(timezone.utc) - timedelta(days=days)


ISSUED_DAY = days_ago(12).astimezone(LOCAL_TZ).date()


def province(db):
    save_units(
        db,
        [
            (2, {"code": "HCL", "name": "Huyện Cao Lãnh", "group": "Huyện", "allocated": "330"}),
            (3, {"code": "SXD", "name": "Sở Xây dựng", "group": "Sở", "allocated": "10"}),
        ],
    )
    for number in range(1, 6):
        store_report(db, make_report(f"HCL-PC{number:02d}", collected_at=days_ago(13)))
    store_report(db, make_report("DESKTOP-1", collected_at=days_ago(13)))  # misnamed


def rows(found):
    return {(row["kind"], row["code"]): (row["allocated"], row["installed"]) for row in found}


def test_an_issued_report_keeps_the_figures_of_its_appendix(db):
    province(db)
    issue_report(db, "5", as_of=ISSUED_DAY.isoformat(), actor="tests")
    issue_reminder(db, "6", as_of=ISSUED_DAY.isoformat(), actor="tests")
    reminder, report = issued_reports(db)
    for issued in (report, reminder):
        assert rows(issued["figures"]) == {
            ("unit", "HCL"): (330, 5),
            ("unit", "SXD"): (10, 0),
            ("misnamed", None): (None, 1),
            ("total", None): (340, 6),
        }
        assert check(db, issued).state == "same"


def late_pc(client, collected):
    """A genuine HCL PC, enrolled three weeks ago, whose spooled report arrives today."""
    late = make_report("HCL-PC06", collected_at=collected)
    enrolled_since(client, late, days_ago(21), "HCL")
    assert post_report(client, late).status_code == 201


def test_late_data_is_pointed_out_and_the_files_stay_as_issued(client, db):
    province(db)
    _, files = issue_report(db, "5", as_of=ISSUED_DAY.isoformat(), actor="tests")
    [issued] = issued_reports(db)
    # Fakes enrolled today with an old collection time move nothing (they count from today).
    _, token = enrollment.create_token(db, "tests", unit_code="HCL")
    for number in range(20):
        fake = make_report(f"HCL-FAKE{number:02d}", collected_at=days_ago(12))
        assert post_report(client, fake, token=token).status_code == 201
    figures.keep(db)
    figures.keep_day(db, ISSUED_DAY)
    assert check(db, issued, kept_only=True).state == "same"
    page = client.get("/reports/issued").get_data(as_text=True)
    assert "Dữ liệu đến muộn" not in page
    # A genuine PC's report of that day, sent late, moves it.
    late_pc(client, days_ago(12))
    figures.keep(db)
    figures.keep_day(db, ISSUED_DAY)
    found = check(db, issued, kept_only=True)
    assert found.state == "moved"
    assert [(c.kind, c.code, c.figure, c.issued, c.today) for c in found.changes] == [
        ("unit", "HCL", "installed", 5, 6),
        ("total", None, "installed", 6, 7),
    ]
    page = client.get("/reports/issued").get_data(as_text=True)
    day = ISSUED_DAY.strftime("%d/%m/%Y")
    assert f"Dữ liệu đến muộn làm thay đổi số liệu đến ngày {day} của văn bản này" in page
    assert "Huyện Cao Lãnh (HCL): Số lượng bản quyền được cài đặt 5 → 6" in page
    assert "Tổng cộng: Số lượng bản quyền được cài đặt 6 → 7" in page
    english = client.get("/reports/issued?lang=en").get_data(as_text=True)
    assert "Huyện Cao Lãnh (HCL): Licences installed 5 → 6" in english
    for filename, body in files.items():
        assert client.get(f"/reports/issued/{issued['id']}/{filename}").data == body


def test_a_day_not_kept_yet_is_not_counted_by_the_page(tmp_path):
    db = open_db(str(tmp_path / "alone.db"))  # no server: nobody keeps the day meanwhile
    apply(db)
    province(db)
    issue_report(db, "5", as_of=ISSUED_DAY.isoformat(), actor="tests")
    store_report(db, make_report("HCL-PC06", collected_at=days_ago(12)))
    [issued] = issued_reports(db)
    assert check(db, issued, kept_only=True).state == "pending"
    assert check(db, issued).state == "moved"  # the command line counts
    figures.keep_day(db, ISSUED_DAY)
    assert check(db, issued, kept_only=True).state == "moved"
    db.close()


@pytest.mark.parametrize("parent", [None, "HCL"])
def test_a_report_issued_before_figures_were_kept_is_read_back_from_its_appendix(db, parent):
    province(db)
    save_units(db, [(4, {"code": "XMH", "name": "Xã Mỹ Hiệp", "parent": "HCL", "allocated": "4"})])
    store_report(db, make_report("XMH-PC01", collected_at=days_ago(13)))
    issue_report(db, "5", as_of=ISSUED_DAY.isoformat(), parent=parent, actor="tests")
    [kept] = issued_reports(db)
    db.execute("UPDATE issued_reports SET figures = NULL")
    db.conn.commit()
    [issued] = issued_reports(db)
    assert check(db, issued).state == "same"
    store_report(db, make_report("HCL-PC06", collected_at=days_ago(12)))
    store_report(db, make_report("XMH-PC02", collected_at=days_ago(12)))
    read_back = check(db, issued).changes
    assert read_back == check(db, kept).changes
    moved = [(c.kind, c.code, c.figure, c.issued, c.today) for c in read_back]
    assert (
        moved
        == {
            None: [("unit", "HCL", "installed", 6, 8), ("total", None, "installed", 7, 9)],
            "HCL": [
                ("unit", "XMH", "installed", 1, 2),
                ("parent_own", "HCL", "installed", 5, 6),
                ("total", None, "installed", 6, 8),
            ],
        }[parent]
    )


def test_a_report_without_figures_nor_appendix_is_not_compared(db):
    province(db)
    issue_report(db, "5", as_of=ISSUED_DAY.isoformat(), actor="tests")
    db.execute("UPDATE issued_reports SET figures = NULL")
    db.execute("DELETE FROM issued_files WHERE filename LIKE '%phu-luc%'")
    db.conn.commit()
    [issued] = issued_reports(db)
    assert check(db, issued).state == "unknown"


@pytest.mark.parametrize("lang", ["en", "vi"])
def test_the_command_line_lists_what_late_data_would_change(tmp_path, monkeypatch, lang):
    path = tmp_path / "cli.db"
    db = open_db(str(path))
    apply(db)
    province(db)
    issue_report(db, "5", as_of=ISSUED_DAY.isoformat(), actor="tests")
    store_report(db, make_report("HCL-PC06", collected_at=days_ago(12)))
    db.close()
    monkeypatch.setenv("AVROLL_LANG", lang)
    result = CliRunner().invoke(main, ["export", "issued-reports", "--db", str(path)])
    assert result.exit_code == 0, result.output
    expected = {
        "en": "  late data would change it: Huyện Cao Lãnh (HCL): licences installed 5 → 6",
        "vi": "  dữ liệu đến muộn làm thay đổi: Huyện Cao Lãnh (HCL): số bản quyền được cài "
        "đặt 5 → 6",
    }[lang]
    assert expected in result.output.splitlines()
    total = {
        "en": "  late data would change it: Total: licences installed 6 → 7",
        "vi": "  dữ liệu đến muộn làm thay đổi: Tổng cộng: số bản quyền được cài đặt 6 → 7",
    }[lang]
    assert total in result.output.splitlines()
