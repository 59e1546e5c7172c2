"""Settings, the rollup API, the machine-state list and the naming answer to agents."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest
from click.testing import CliRunner

from collector.cli.main import main
from collector.counting.machine_states import list_machine_states
from collector.counting.rollup import rollup
from collector.store import settings
from collector.store.ingest import store_report
from collector.store.units import save_units
from tests.builders import DEFENDER, KES, make_report

NOW = datetime.now(timezone.utc)


def units(db, *rows):
    save_units(
        db,
        [
            (n, dict(zip(("code", "name", "group", "parent", "allocated"), row, strict=True)))
            for n, row in enumerate(rows, 2)
        ],
    )


def store(db, hostname, **kw):
    kw.setdefault("collected_at", NOW - timedelta(hours=1))
    store_report(db, make_report(hostname=hostname, **kw))


@pytest.mark.parametrize(
    "key, value, reason",
    [
        ("naming_pattern", "{unit}_{any}", "letters, digits and hyphens"),
        ("naming_pattern", "{any}", "exactly once"),
        ("ram_exempt_below_mb", "-1", "between"),
        ("stale_after_days", "0", "between"),
        ("stale_after_days", "abc", "not a whole number"),
        ("required_product", " ; ", "at least one"),
        ("colour", "blue", "unknown setting"),
    ],
)
def test_bad_settings_are_refused(db, key, value, reason):
    with pytest.raises(settings.SettingError, match=reason):
        settings.set_value(db, key, value)
    assert db.execute("SELECT count(*) FROM settings").fetchone()[0] == 0


def test_settings_set_and_show(tmp_path):
    path = str(tmp_path / "s.db")
    runner = CliRunner()
    assert (
        runner.invoke(main, ["settings", "set", "stale_after_days", "14", "--db", path]).exit_code
        == 0
    )
    refused = runner.invoke(main, ["settings", "set", "ram_exempt_below_mb", "-5", "--db", path])
    assert refused.exit_code == 1 and "between 0 and" in refused.output
    shown = runner.invoke(main, ["settings", "show", "--db", path]).output
    assert "stale_after_days = 14\n" in shown
    assert "naming_pattern = {unit}-{any}  (default)" in shown


def test_subtree_sums_and_children_over_allocated(db):
    units(
        db,
        ("HTM", "Huyện Tháp Mười", "Huyện", "", "10"),
        ("XA", "Xã A", "Xã", "HTM", "6"),
        ("XB", "Xã B", "Xã", "HTM", "6"),
        ("XA1", "Ấp 1", "Ấp", "XA", ""),
    )
    store(db, "XA-01")
    store(db, "XA1-01")
    store(db, "XB-01", products=(DEFENDER,))
    store(db, "HTM-01")
    report = rollup(db)
    htm = report["sections"][0]["units"][0]
    assert (htm["allocated"], htm["installed_official"], htm["seen"], htm["missing"]) == (
        10,
        3,
        4,
        1,
    )
    assert htm["children_allocated"] == 12 and htm["children_over_allocated"] is True
    assert [c["code"] for c in report["checks"]["children_over_allocated"]] == ["HTM"]
    under = rollup(db, parent="htm")
    rows = {row["code"]: row for s in under["sections"] for row in s["units"]}
    assert (rows["XA"]["installed_official"], rows["XA"]["own"]["installed"]) == (2, 1)
    assert under["parent_own"]["installed_official"] == 1
    assert under["total"]["installed_official"] == 3 and under["total"]["allocated"] == 10


def test_stale_is_listed_not_counted_and_setting_applies(db):
    units(db, ("SXD", "Sở Xây dựng", "Sở", "", "5"))
    store(db, "SXD-01", collected_at=NOW - timedelta(days=20))
    row = rollup(db)["sections"][0]["units"][0]
    assert (row["installed"], row["stale"]) == (1, 0)
    settings.set_value(db, "stale_after_days", "10")
    row = rollup(db)["sections"][0]["units"][0]
    assert (row["installed"], row["stale"], row["seen"]) == (0, 1, 0)
    listed = list_machine_states(db, unit="SXD", state="stale")
    assert [m["hostname"] for m in listed.rows] == ["SXD-01"]


def test_ram_threshold_setting(db):
    units(db, ("SXD", "Sở Xây dựng", "Sở", "", "5"))
    store(db, "SXD-01", ram_gb=3, products=())
    assert rollup(db)["sections"][0]["units"][0]["missing"] == 1
    settings.set_value(db, "ram_exempt_below_mb", "4096")
    assert rollup(db)["sections"][0]["units"][0]["exempt"] == 1


def test_rollup_api_errors_and_order(client, db):
    units(
        db,
        ("A", "Bê", "Nhóm", "", "10"),
        ("B", "A", "Nhóm", "", "10"),
        ("C", "Xê", "Nhóm", "", ""),
        ("D", "Đê", "Nhóm", "", "4"),
    )
    for name in ("A-1", "B-1", "C-1", "D-1", "D-2"):
        store(db, name)
    answer = client.get("/api/v1/rollup").json
    assert [row["code"] for row in answer["sections"][0]["units"]] == ["D", "B", "A", "C"]
    assert client.get("/api/v1/rollup?as_of=12/05/2022").status_code == 400
    future = (NOW + timedelta(days=3)).date().isoformat()
    assert client.get(f"/api/v1/rollup?as_of={future}").json["status"] == 400
    missing = client.get("/api/v1/rollup?parent=NOPE")
    assert missing.status_code == 404 and missing.json["ok"] is False
    assert client.get("/api/v1/rollup?as_of=2022-05-12").json["total"]["seen"] == 0


def test_machine_states_filters_and_pages(client, db):
    units(db, ("SXD", "Sở Xây dựng", "Sở", "", "5"), ("STC", "Sở Tài chính", "Sở", "", "5"))
    for number in range(7):
        store(db, f"SXD-{number:02d}")
    store(db, "DESKTOP-1", unit_code="SXD")
    store(db, "SXD-X", unit_code="STC", products=(DEFENDER,))
    store(db, "STC-01", products=(dict(KES, enabled=False),))
    page = list_machine_states(db, unit="SXD", state="installed", per_page=5, page=2)
    # DESKTOP-1 first: misnamed, listed under the unit it was enrolled for.
    assert page.total == 8 and [m["hostname"] for m in page.rows] == ["SXD-04", "SXD-05", "SXD-06"]
    misnamed = list_machine_states(db, unit="SXD", follows_guideline=False).rows
    assert [(m["hostname"], m["unit"], m["enrolled_code"]) for m in misnamed] == [
        ("DESKTOP-1", "SXD", "SXD")
    ]
    mismatch = list_machine_states(db, mismatch=True).rows
    assert [(m["hostname"], m["named_unit"], m["state"]) for m in mismatch] == [
        ("SXD-X", "SXD", "missing")
    ]
    assert list_machine_states(db, unit="STC").rows[0]["state"] == "unprotected"
    api = client.get("/api/v1/rollup/machines?unit=sxd&state=missing").json
    assert [m["hostname"] for m in api["machines"]] == ["SXD-X"]
    assert client.get("/api/v1/rollup/machines?state=broken").status_code == 400
    assert client.get("/api/v1/rollup/machines?unit=NOPE").status_code == 404


def test_report_answer_tells_the_agent_about_its_name(client, db):
    units(db, ("SXD", "Sở Xây dựng", "Sở", "", "5"))
    good = client.post("/api/v1/reports", json=make_report(hostname="sxd-kt01")).json["naming"]
    assert good == {
        "follows_guideline": True,
        "unit_code": "SXD",
        "pattern": "{unit}-{any}",
        "advice": good["advice"],
    }
    bad = client.post(
        "/api/v1/reports", json=make_report(hostname="DESKTOP-7HF2K", unit_code="sxd")
    ).json["naming"]
    assert bad["follows_guideline"] is False and bad["unit_code"] is None
    assert bad["advice"] == (
        "Tên máy DESKTOP-7HF2K chưa đúng hướng dẫn: hãy đổi tên gồm mã đơn vị (SXD), dấu "
        "gạch ngang, rồi phần phân biệt máy (chữ, chữ số hoặc dấu gạch ngang, ví dụ KT01); "
        "ví dụ SXD-KT01."
    )
    assert "{" not in bad["advice"]
    long = client.post("/api/v1/reports", json=make_report(hostname="SXD-KETOAN-PHONG1")).json[
        "naming"
    ]
    assert long["follows_guideline"] is False and "15" in long["advice"]
