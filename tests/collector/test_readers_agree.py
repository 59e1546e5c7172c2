"""Readers that once restated a rule, each now reading the door (`counting/figures.py`):
every one of these disagreed with the appendix before (issue 23)."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

from collector.counting import reconcile
from collector.counting.inventory import device_os_counts, unit_reporting
from collector.counting.machine_states import list_machine_states, list_tab, tab_counts
from collector.counting.rollup import rollup
from collector.counting.trends import daily_figures
from collector.formats.formatting import LOCAL_TZ
from collector.store import console_imports, enrollment, lifecycle, settings, users
from collector.store.ingest import store_report
from collector.store.units import save_units
from tests.builders import KES, NETWORK_AGENT, make_report
from tests.console_files import ksc_row, write_ksc
from tests.reporting import login

NOW = datetime.now(timezone.utc).replace(microsecond=0)
UNITS = [
    (2, {"code": "SXD", "name": "Sở Xây dựng", "allocated": "10"}),
    (3, {"code": "HUYEN", "name": "Huyện", "allocated": "8"}),
    (4, {"code": "XA", "name": "Xã A", "allocated": "5", "parent": "HUYEN"}),
]


def day(days_ago):
    return (NOW - timedelta(days=days_ago)).astimezone(LOCAL_TZ).date().isoformat()


def report(db, name, machine, unit_code=None, bound=False, days_ago=0, agent=NETWORK_AGENT):
    store_report(
        db,
        make_report(
            hostname=name,
            machine_id=machine,
            unit_code=unit_code,
            products=(KES,),
            management_agent=agent,
            collected_at=NOW - timedelta(days=days_ago),
        ),
    )
    if bound:  # as enrolled with a token bound to `unit_code`
        db.execute(
            "UPDATE reports SET unit_bound = 1 WHERE rowid = (SELECT max(rowid) FROM reports)"
        )
        db.conn.commit()


def unit_row(report, code):
    return next(
        row for section in report["sections"] for row in section["units"] if row["code"] == code
    )


def machine_id(number):
    return f"00000000-0000-4000-8000-{number:012d}"


def test_a_retired_machine_is_seen_by_no_reader(db, tmp_path):
    save_units(db, UNITS)
    report(db, "SXD-1", machine_id(1))
    report(db, "SXD-2", machine_id(2))
    lifecycle.retire(db, "tests", machine_id(2), on=day(0))
    row = unit_row(rollup(db), "SXD")
    assert (row["seen"], row["retired"]) == (1, 1)
    # Biểu mẫu 1's devices and letter 003's reporting machines.
    assert sum(each["machines"] for each in device_os_counts(db, "SXD")) == 1
    assert {unit["code"]: unit["seen"] for unit in unit_reporting(db)}["SXD"] == 1
    # The reconciliation: avroll sees one machine, not the retired one.
    console_imports.import_file(
        db,
        "ksc",
        write_ksc(tmp_path / "ksc.txt", [ksc_row("SXD-1", last=NOW), ksc_row("SXD-2", last=NOW)]),
        actor="tests",
    )
    seen_by_avroll = {
        machine.key for machine in reconcile.reconcile(db).machines if machine.avroll is not None
    }
    assert seen_by_avroll == {"SXD-1"}


def test_a_commune_pc_enrolled_with_its_district_s_token_is_no_mismatch(db):
    save_units(db, UNITS)
    report(db, "XA-1", machine_id(1), unit_code="HUYEN", bound=True)
    report(db, "SXD-1", machine_id(2), unit_code="HUYEN", bound=False)  # a real mismatch
    checks = rollup(db)["checks"]
    assert checks["name_unit_mismatches"] == 1
    assert checks["attribution_conflicts"] == 0
    assert [row["hostname"] for row in list_machine_states(db, mismatch=True).rows] == ["SXD-1"]


def test_a_unit_s_trend_charts_its_row_s_figure(db):
    """With official_requires_connected, a unit's chart draws the installed licences of its
    row (named, and connected), not every named machine with the product."""
    save_units(db, UNITS)
    settings.set_value(db, "official_requires_connected", "yes", "tests")
    report(db, "SXD-1", machine_id(1), agent=dict(NETWORK_AGENT, last_connected_at=None))
    assert unit_row(rollup(db), "SXD")["installed_official"] == 0
    assert daily_figures(db, "SXD")[-1]["installed"] == 0


def test_a_trend_point_follows_a_retirement_dated_back(db):
    save_units(db, UNITS)
    for number in range(1, 6):
        report(db, f"SXD-{number}", machine_id(number), days_ago=4)
    before = {point["date"]: point["installed"] for point in daily_figures(db)}
    assert before[day(2)] == 5
    lifecycle.retire(db, "tests", machine_id(1), on=day(3))
    assert rollup(db, as_of=day(2))["total"]["installed_official"] == 4
    after = {point["date"]: point["installed"] for point in daily_figures(db)}
    assert after[day(2)] == 4


def test_past_lists_use_the_tree_in_force_that_day(db):
    """XA moved from HUYEN to SXD yesterday: three days ago, HUYEN's tabs, lists and Biểu
    mẫu 1 still hold XA's machines, as its figures do."""
    save_units(db, UNITS)
    report(db, "XA-1", machine_id(1), days_ago=5)
    report(db, "XA-2", machine_id(2), days_ago=5)
    save_units(
        db,
        [(4, {"code": "XA", "name": "Xã A", "allocated": "5", "parent": "SXD"})],
        effective_from=day(1),
    )
    past = day(3)
    assert rollup(db, as_of=past, parent="HUYEN")["total"]["seen"] == 2
    assert tab_counts(db, "HUYEN", as_of=past)["all"] == 2
    assert list_tab(db, "installed", as_of=past, unit="HUYEN").total == 2
    assert sum(row["machines"] for row in device_os_counts(db, "HUYEN", as_of=past)) == 2
    assert rollup(db, parent="HUYEN")["total"]["seen"] == 0
    assert tab_counts(db, "HUYEN")["all"] == 0


def test_a_conflict_is_opened_by_the_units_it_concerns_and_counted_by_none(app, db):
    """Enrolled with SXD's token, named for XA: counted for no unit, shown (and opened)
    under both units it concerns, and its agent is told so."""
    save_units(db, UNITS)
    users.add_user(db, "tests", "sxd", "officer-password", "unit", "SXD")
    users.add_user(db, "tests", "xa", "officer-password", "unit", "XA")
    users.add_user(db, "tests", "other", "officer-password", "unit", "HUYEN")
    token = enrollment.create_token(db, "tests", unit_code="SXD")[1]
    agent = app.test_client()
    answer = agent.post(
        "/api/v1/reports",
        json=make_report(hostname="XA-7"),
        headers={"Authorization": f"Bearer {token}"},
    )
    assert answer.status_code == 201, answer.json
    machine = answer.json["machine_id"]
    advice = answer.json["naming"]["advice"]
    assert "được tính cho đơn vị XA" not in advice
    assert "không được tính cho đơn vị nào" in advice
    assert rollup(db)["checks"]["attribution_conflicts"] == 1
    opened = {}
    for name in ("sxd", "xa", "other"):
        officer = app.test_client()
        login(officer, name, "officer-password")
        opened[name] = (
            officer.get(f"/api/v1/machines/{machine}").status_code,
            officer.get("/api/v1/machines").json["total"],
            officer.get("/api/v1/rollup").json["checks"]["attribution_conflicts"],
        )
    # HUYEN is XA's parent: the conflict concerns its subtree too.
    assert opened == {"sxd": (200, 1, 1), "xa": (200, 1, 1), "other": (200, 1, 1)}
    assert [
        row["machine_id"] for row in list_machine_states(db, unit="SXD", conflict=True).rows
    ] == [machine]


def test_the_district_reminder_counts_its_unit_as_the_roll_up_does(db):
    """Letter 004: "N máy/M máy (có K máy đặt đúng tên)", installed with every name, then
    those named right, under a district as in the province."""
    from collector.exports.reminder_letter import build_reminder

    save_units(db, UNITS)
    report(db, "XA-1", machine_id(1), unit_code="XA")
    report(db, "DESKTOP-1", machine_id(2), unit_code="XA")  # misnamed, enrolled for XA
    report(db, "SXD-1", machine_id(3))
    for parent in ("HUYEN", None):
        total = rollup(db, parent=parent)["total"]
        letter = build_reminder(db, below="100%", parent=parent)
        assert (letter["installed"], letter["named"]) == (
            total["installed"],
            total["installed_named"],
        )
    assert build_reminder(db, below="100%", parent="HUYEN")["installed"] == 2
