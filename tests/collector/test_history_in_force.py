"""A report that was sent comes out the same later: allocations, the unit tree and the
counting settings take effect from the day they are made (or an earlier day an admin gives),
and figures as of a date use the values in force on it."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest
from click.testing import CliRunner

from collector.cli.main import main
from collector.counting.rollup import rollup
from collector.formats.formatting import percent
from collector.store import settings
from collector.store.ingest import store_report
from collector.store.units import UnitImportError, save_units
from tests.builders import make_report

NOW = datetime.now(timezone.utc)
LOCAL = timezone(timedelta(hours=7))


def day(days_ago):
    return (NOW - timedelta(days=days_ago)).astimezone(LOCAL).date().isoformat()


def unit(db, code, allocated, parent="", name=None, **kw):
    save_units(
        db,
        [
            (
                2,
                {
                    "code": code,
                    "name": name or f"Đơn vị {code}",
                    "group": "Sở",
                    "parent": parent,
                    "allocated": allocated,
                },
            )
        ],
        **kw,
    )


def row_of(report, code):
    return next(
        row for section in report["sections"] for row in section["units"] if row["code"] == code
    )


@pytest.fixture
def sent_three_days_ago(db):
    unit(db, "SXD", "20")
    store_report(db, make_report(hostname="SXD-01", collected_at=NOW - timedelta(days=4)))
    report = rollup(db, as_of=day(3))
    assert percent(row_of(report, "SXD")["install_rate"]) == "5,0%"
    return report


def test_an_allocation_changed_today_leaves_a_past_report_as_it_was_sent(db, sent_three_days_ago):
    unit(db, "SXD", "10")
    assert rollup(db, as_of=day(3)) == sent_three_days_ago
    assert percent(row_of(rollup(db), "SXD")["install_rate"]) == "10,0%"


def test_an_admin_may_date_a_change_back(db, sent_three_days_ago):
    unit(db, "SXD", "10", effective_from=day(2))
    assert percent(row_of(rollup(db, as_of=day(2)), "SXD")["install_rate"]) == "10,0%"
    assert percent(row_of(rollup(db, as_of=day(3)), "SXD")["install_rate"]) == "5,0%"
    with pytest.raises(UnitImportError, match="cannot take effect before"):
        unit(db, "SXD", "12", effective_from=day(8))
    with pytest.raises(UnitImportError, match="future"):
        unit(db, "SXD", "12", effective_from=(NOW + timedelta(days=3)).date().isoformat())


def test_a_rename_and_a_move_in_the_tree_count_from_their_day(db):
    unit(db, "HA", "10")
    unit(db, "HB", "10")
    unit(db, "XA", "4", parent="HA")
    store_report(db, make_report(hostname="XA-01", collected_at=NOW - timedelta(days=4)))
    before = rollup(db, as_of=day(2))
    unit(db, "XA", "4", parent="HB", name="Xã A (sáp nhập)")
    assert rollup(db, as_of=day(2)) == before
    assert row_of(rollup(db, as_of=day(2)), "HA")["installed_official"] == 1
    now = rollup(db)
    assert (row_of(now, "HA")["installed_official"], row_of(now, "HB")["installed_official"]) == (
        0,
        1,
    )
    assert row_of(rollup(db, parent="HB"), "XA")["name"] == "Xã A (sáp nhập)"


def test_a_counting_setting_counts_from_its_day(db):
    unit(db, "SXD", "10")
    store_report(
        db,
        make_report(hostname="SXD-01", products=(), ram_gb=3, collected_at=NOW - timedelta(days=4)),
    )
    sent = rollup(db, as_of=day(3))
    assert row_of(sent, "SXD")["missing"] == 1
    settings.set_value(db, "ram_exempt_below_mb", "4096")
    assert rollup(db, as_of=day(3)) == sent
    assert row_of(rollup(db), "SXD")["exempt"] == 1
    with pytest.raises(settings.SettingError, match="cannot take effect before"):
        settings.set_value(db, "ram_exempt_below_mb", "4096", effective_from=day(3))
    settings.set_value(db, "stale_after_days", "2", effective_from=day(3))  # dated back
    assert row_of(rollup(db, as_of=day(3)), "SXD")["stale"] == 0
    assert row_of(rollup(db), "SXD")["stale"] == 1


def test_the_command_line_dates_changes_too(tmp_path):
    path = str(tmp_path / "h.db")
    runner = CliRunner()
    done = runner.invoke(
        main, ["settings", "set", "stale_after_days", "14", "--from", day(2), "--db", path]
    )
    assert done.exit_code == 0, done.output
    refused = runner.invoke(
        main, ["settings", "set", "stale_after_days", "20", "--from", day(5), "--db", path]
    )
    assert refused.exit_code == 1 and "cannot take effect before" in refused.output
    units_file = tmp_path / "units.csv"
    units_file.write_text("code,name,allocated\nSXD,Sở Xây dựng,5\n", encoding="utf-8")
    assert runner.invoke(main, ["units", "import", str(units_file), "--db", path]).exit_code == 0
    units_file.write_text("code,name,allocated\nSXD,Sở Xây dựng,7\n", encoding="utf-8")
    assert (
        runner.invoke(
            main, ["units", "import", str(units_file), "--from", day(1), "--db", path]
        ).exit_code
        == 0
    )


def test_the_settings_and_units_pages_say_so(client):
    assert "có hiệu lực khi ấy" in client.get("/admin/settings").get_data(as_text=True)
    assert "có hiệu lực khi ấy" in client.get("/admin/units").get_data(as_text=True)
