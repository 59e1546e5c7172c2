"""The rollup's cache of which unit each computer name follows never goes stale."""

from __future__ import annotations

from collector.counting.rollup import rollup
from collector.store import settings
from collector.store.ingest import store_report
from collector.store.units import save_units
from tests.builders import make_report


def unit_row(figures, code):
    return next(
        unit for section in figures["sections"] for unit in section["units"] if unit["code"] == code
    )


def test_new_units_new_reports_and_a_new_pattern_are_all_seen(db):
    save_units(db, [(2, {"code": "SXD", "name": "Sở Xây dựng", "allocated": "10"})])
    store_report(db, make_report(hostname="SXD-KT-01"))
    store_report(db, make_report(hostname="STC-KT-01"))
    figures = rollup(db)
    assert unit_row(figures, "SXD")["installed_official"] == 1
    assert figures["misnamed"]["installed_official"] == 1

    # A unit added later claims the name that was misnamed until now.
    save_units(db, [(2, {"code": "STC", "name": "Sở Tài chính", "allocated": "10"})])
    figures = rollup(db)
    assert unit_row(figures, "STC")["installed_official"] == 1
    assert figures["misnamed"]["installed_official"] == 0

    # A report stored after the last rollup is counted by the next one.
    store_report(db, make_report(hostname="STC-KT-02"))
    assert unit_row(rollup(db), "STC")["installed_official"] == 2

    # A new pattern re-reads every name: none of these follows it.
    settings.set_value(db, "naming_pattern", "PC-{unit}-{n}")
    figures = rollup(db)
    assert unit_row(figures, "STC")["installed_official"] == 0
    assert figures["misnamed"]["installed_official"] == 3
