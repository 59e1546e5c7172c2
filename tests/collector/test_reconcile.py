"""Each reconciliation list checked against a constructed province (tests/console_files.py)."""

from __future__ import annotations

from datetime import datetime, timezone

import pytest

from collector.counting import reconcile
from collector.counting.rollup import rollup
from collector.store import console_imports, settings
from tests.console_files import EXPECTED, EXPECTED_UNITS, seed_views


@pytest.fixture
def views(db, tmp_path):
    ksc, ad = seed_views(db, tmp_path)
    console_imports.import_file(db, "ksc", ksc, actor="tests")
    console_imports.import_file(db, "directory", ad, actor="tests")
    return db


def _names(rows):
    return {row["netbios"] for row in rows}


@pytest.mark.parametrize("list_name", reconcile.LISTS)
def test_each_list_holds_exactly_the_machines_the_province_was_built_with(views, list_name):
    rows = reconcile.machines(views, list_name=list_name)
    assert _names(rows) == EXPECTED[list_name]
    assert reconcile.summary(views)["counts"][list_name] == len(rows)


@pytest.mark.parametrize("code", EXPECTED_UNITS)
def test_unit_counts_include_the_units_under_it(views, code):
    assert reconcile.summary(views, unit=code)["counts"] == EXPECTED_UNITS[code]
    by_unit = {row["code"]: row["counts"] for row in reconcile.per_unit(views)}
    assert by_unit[code] == EXPECTED_UNITS[code]


def test_views_column_says_who_saw_each_machine(views):
    rows = {(row["list"], row["netbios"]): row for row in reconcile.machines(views)}
    assert rows[("confirmed", "SXD-KT01")]["views"] == ["avroll", "ksc", "directory"]
    assert rows[("no_agent", "XMH-KT05")]["views"] == ["directory"]
    assert rows[("no_agent", "WIN-7H3K")]["views"] == ["ksc"]
    assert rows[("not_in_ksc", "SXD-KT02")]["views"] == ["avroll", "directory"]
    # A DNS name in the console is matched by its first label, without case.
    assert rows[("not_connected", "SXD-KT03")]["ksc_name"] == "sxd-kt03.sxd.local"
    assert rows[("not_connected", "SXD-KT03")]["ksc_connected"] is False


def test_connected_has_the_unit_page_s_one_meaning(views):
    """An agent in touch an hour ago is not "not connected" because KSC's export lacks it:
    that is its own list, beside; and a machine avroll and KSC confirm is confirmed
    though the directory has no account of it (SXD-KT06's second machine)."""
    lists = {}
    for row in reconcile.machines(views):
        lists.setdefault(row["netbios"], set()).add(row["list"])
    assert lists["SXD-KT02"] == {"not_in_ksc"}
    assert lists["SXD-KT06"] == {"not_in_ksc", "confirmed"}
    summary = reconcile.summary(views, "SXD")["counts"]
    total = rollup(views, parent="SXD")["total"]
    assert summary["not_connected"] == total["installed"] - total["connected"] == 1


def test_a_shared_name_is_matched_by_ip_only(views):
    shared = [
        machine for machine in reconcile.reconcile(views).machines if machine.key == "SXD-KT06"
    ]
    with_ksc = [machine for machine in shared if machine.ksc]
    assert len(with_ksc) == 1 and "10.0.0.62" in with_ksc[0].avroll["ips"]
    assert all(machine.shared_name for machine in shared)
    # The directory's record cannot tell which of the two it is: no list counts it.
    alone = [machine for machine in shared if machine.avroll is None]
    assert len(alone) == 1 and alone[0].lists == ()


def test_connected_days_setting_moves_the_line(views):
    settings.set_value(views, "connected_days", "30", actor="tests")
    assert _names(reconcile.machines(views, list_name="not_connected")) == set()
    assert "SXD-KT03" in _names(reconcile.machines(views, list_name="confirmed"))


def test_without_a_ksc_import_the_console_lists_are_not_given(db, tmp_path):
    _, ad = seed_views(db, tmp_path)
    console_imports.import_file(db, "directory", ad, actor="tests")
    counts = reconcile.summary(db)["counts"]
    # Connected and confirmed are avroll's own, with or without KSC's list.
    assert counts == {
        "no_agent": 2,
        "not_connected": 1,
        "not_in_ksc": None,
        "unowned": None,
        "confirmed": 5,
    }


def test_the_newest_import_counts_and_earlier_ones_stay(views, tmp_path):
    from tests.console_files import ksc_row, write_ksc

    now = datetime.now(timezone.utc)
    again = write_ksc(tmp_path / "again.txt", [ksc_row("SXD-KT02", "10.0.0.2", now)])
    console_imports.import_file(views, "ksc", again, actor="tests")
    assert len([row for row in console_imports.list_imports(views) if row["source"] == "ksc"]) == 2
    assert "SXD-KT02" not in _names(reconcile.machines(views, list_name="not_connected"))
    assert _names(reconcile.machines(views, list_name="unowned")) == set()
