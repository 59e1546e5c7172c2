"""`avroll demo`: an example province with three levels, every state and weeks of history."""

from __future__ import annotations

import pytest

from collector.cli.demo import DemoError, fill
from collector.counting.machine_states import list_machine_states
from collector.counting.rollup import rollup
from collector.counting.states import STATES
from collector.counting.trends import daily_figures
from collector.store.units import list_units


@pytest.fixture(scope="module")
def demo_db(tmp_path_factory):
    from collector.store import migrations
    from collector.store.db import open_db

    db = open_db(tmp_path_factory.mktemp("demo") / "demo.db")
    migrations.apply(db)
    fill(db, share=0.05)
    yield db
    db.close()


def test_three_levels_of_units(demo_db):
    units = {unit["code"]: unit for unit in list_units(demo_db)}
    communes = [unit for unit in units.values() if unit["parent"]]
    assert len(units) > 100 and communes
    assert all(units[unit["parent"]]["parent"] is None for unit in communes)
    assert any(unit["group"].startswith("Các Sở") for unit in units.values())


def test_every_state_and_weeks_of_history(demo_db):
    for state in STATES:
        assert list_machine_states(demo_db, state=state, per_page=1).total > 0, state
    assert list_machine_states(demo_db, follows_guideline=False, per_page=1).total > 0
    assert list_machine_states(demo_db, duplicates=True, per_page=1).total > 0
    figures = daily_figures(demo_db)
    assert len(figures) >= 40  # six weeks
    rates = [day["installed"] / day["allocated"] for day in figures]
    assert rates[0] < rates[-1] / 5  # the rollout climbs
    assert rollup(demo_db)["checks"]["units_without_reports"]


def test_demo_refuses_a_database_in_use(demo_db):
    with pytest.raises(DemoError):
        fill(demo_db)


def test_every_feature_has_something_to_show(demo_db):
    from collector.counting.machine_states import list_tab
    from collector.store import settings
    from collector.store.console_imports import latest_import
    from collector.store.issued_reports import issued_reports

    servers = demo_db.execute(
        "SELECT count(*) FROM machines m JOIN reports r ON "
        "r.report_id = m.latest_report_id WHERE r.os_server"
    ).fetchone()[0]
    assert servers > 10
    protected_servers = list_machine_states(
        demo_db, state="protected", query="-SRV", per_page=1
    ).total
    assert protected_servers > 0  # judged by their signature date
    assert (
        demo_db.execute("SELECT count(*) FROM reports WHERE device_type = 'virtual'").fetchone()[0]
        > 0
    )
    units = list_units(demo_db)
    assert all(unit["email"] and unit["officer_name"] for unit in units)
    communes = [unit["name"] for unit in units if unit["parent"]]
    assert len(communes) == len(set(communes)) == 96
    assert latest_import(demo_db, "ksc")["devices"] > 0
    assert latest_import(demo_db, "directory")["devices"] > 0
    assert [report["number"] for report in issued_reports(demo_db)] == ["150"]
    assert rollup(demo_db)["checks"]["attribution_conflicts"] == 6
    assert settings.current(demo_db)["issuer_name"] == "Sở Thông tin và Truyền thông"
    assert list_tab(demo_db, "licence_expiring", per_page=1).total > 0
