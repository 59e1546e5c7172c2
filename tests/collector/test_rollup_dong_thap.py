"""The Dong Thap appendix of 12/05/2022, rebuilt from synthetic machine reports (see\n`tests/dong_thap.py`): every row, the order, the totals, the true rates."""

from __future__ import annotations

import pytest

from collector.counting.rollup import rollup
from collector.formats.formatting import percent
from collector.store.units import save_units
from tests.builders import make_report
from tests.dong_thap import EXPECTED, MISNAMED, allocation_2021, dong_thap_database


@pytest.fixture(scope="module")
def dong_thap(tmp_path_factory):
    db = dong_thap_database(tmp_path_factory.mktemp("dong_thap") / "avroll.db")
    yield db
    db.close()


def test_every_row_in_order_with_true_rates(dong_thap):
    report = rollup(dong_thap, as_of="2022-05-12")
    got = [
        (
            section["group"],
            [
                (
                    row["code"],
                    row["allocated"],
                    row["installed_official"],
                    percent(row["install_rate"]),
                )
                for row in section["units"]
            ],
        )
        for section in report["sections"]
    ]
    assert got == EXPECTED


def test_55_of_56_is_98_2_percent(dong_thap):
    rows = {
        row["code"]: row
        for section in rollup(dong_thap, as_of="2022-05-12")["sections"]
        for row in section["units"]
    }
    assert rows["SGDDT"]["install_rate"] == pytest.approx(55 / 56)
    assert percent(rows["SGDDT"]["install_rate"]) == "98,2%"
    assert rows["STP"]["install_rate"] > rows["STNMT"]["install_rate"]
    assert rows["TTTHDL"]["install_rate"] is None


def test_totals_and_misnamed_row(dong_thap):
    report = rollup(dong_thap, as_of="2022-05-12")
    provincial, districts = (section["total"] for section in report["sections"])
    # The misnamed row is the last row of section 1 (letter 002): its total includes it.
    assert [section["misnamed"] for section in report["sections"]] == [True, False]
    assert report["misnamed"]["section"] == 1
    assert (provincial["allocated"], provincial["installed_official"]) == (1124, 1118 + 59)
    assert percent(provincial["install_rate"]) == "104,7%"
    assert (districts["allocated"], districts["installed_official"]) == (3960, 3830)
    assert percent(districts["install_rate"]) == "96,7%"
    assert report["misnamed"]["installed_official"] == MISNAMED
    total = report["total"]
    assert (total["allocated"], total["installed_official"]) == (5084, 5007)
    assert total["installed"] == 5007
    assert percent(total["install_rate"]) == "98,5%"


def test_with_the_2021_allocation_the_letters_headline_holds(tmp_path, dong_thap):
    # The 2021 allocation kept in force through 2022 (a change counts from the day given).
    save_units(
        dong_thap,
        [(2, {"code": "TTTHDL", "name": "Trung tâm THDL Tỉnh", "allocated": "53"})],
        effective_from="2022-01-01",
    )
    try:
        total = rollup(dong_thap, as_of="2022-05-12")["total"]
    finally:
        save_units(
            dong_thap,
            [(2, {"code": "TTTHDL", "name": "Trung tâm THDL Tỉnh", "allocated": ""})],
            effective_from="2022-01-01",
        )
    assert (total["allocated"], total["installed_official"]) == (5137, 5007)  # "5.007 / 5.137"


def test_with_the_2021_allocation_section_totals_are_the_letters_sentences(dong_thap):
    with allocation_2021(dong_thap):
        report = rollup(dong_thap, as_of="2022-05-12")
    got = [
        (
            section["total"]["installed_official"],
            section["total"]["allocated"],
            percent(section["total"]["install_rate"]),
        )
        for section in report["sections"]
    ]
    assert got == [(1177, 1177, "100,0%"), (3830, 3960, "96,7%")]
    total = report["total"]
    assert (
        sum(section["total"]["installed_official"] for section in report["sections"])
        == total["installed_official"]
        == 5007
    )


def test_machines_that_must_not_count_are_classified(dong_thap):
    report = rollup(dong_thap, as_of="2022-05-12")
    rows = {row["code"]: row for section in report["sections"] for row in section["units"]}
    sxd = rows["SXD"]
    assert (sxd["installed"], sxd["protected"], sxd["exempt"], sxd["missing"]) == (62, 57, 3, 1)
    assert sxd["seen"] == 66 and sxd["mismatched"] == 1
    assert sxd["coverage"] == pytest.approx(62 / 63)
    hlvu = rows["HLVU"]
    assert (hlvu["installed"], hlvu["missing"]) == (257, 3)
    assert (rows["STP"]["stale"], rows["STP"]["installed"]) == (3, 25)
    assert rows["SYT"]["stale"] == 1
    htm = rows["HTM"]  # ten misnamed machines enrolled for it: its own, not its official row
    assert (htm["installed_official"], htm["installed"], htm["misnamed"]) == (330, 340, 10)
    checks = report["checks"]
    assert checks["duplicate_hostnames"] == [
        {
            "hostname": "SYT-M001",
            "machine_ids": sorted(
                ["old-syt-m001-identity", make_report(hostname="syt-m001")["machine"]["machine_id"]]
            ),
        }
    ]
    assert [unit["code"] for unit in checks["units_without_reports"]] == ["BATGT"]
    assert checks["name_unit_mismatches"] == 1


def test_as_of_a_later_date_counts_the_later_install(dong_thap):
    def hlvu(as_of):
        report = rollup(dong_thap, as_of=as_of)
        return next(
            row
            for section in report["sections"]
            for row in section["units"]
            if row["code"] == "HLVU"
        )

    assert hlvu("2022-05-12")["installed_official"] == 257
    assert hlvu("2022-05-16")["installed_official"] == 258
    assert hlvu("2022-04-30")["seen"] == 0  # nothing had reported yet
