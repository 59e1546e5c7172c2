"""The Dong Thap appendix of 12/05/2022 as synthetic machine reports, for every test of the
official table (rollup, pages, exports).

Allocations are the 2021 letter's (shipped as example units), with the data-integration
centre's allocation left empty as in the 2022 appendix; installs are the 2022 appendix's. The
hand-made table printed 55/56 as 96,4% and sorted 71,4% below 70,5%; ours must not.
"""

from __future__ import annotations

from contextlib import contextmanager
from datetime import datetime, timezone
from pathlib import Path

from collector.store.db import open_db
from collector.store.ingest import store_report
from collector.store.units import import_units, save_units
from collector.web.app import create_app
from tests.builders import DEFENDER, KES, make_report

UNITS_FILE = Path(__file__).parents[1] / "collector" / "data" / "dong_thap_2021_units.csv"
INSTALLED_2022 = {
    "SXD": 62,
    "SGTVT": 78,
    "VPHD": 25,
    "STTTT": 27,
    "SKHDT": 40,
    "SLDTBXH": 55,
    "STC": 66,
    "BQLKKT": 25,
    "SVHTTDL": 62,
    "SNV": 64,
    "VPUB": 65,
    "TTT": 42,
    "SYT": 69,
    "SNNPTNT": 198,
    "SGDDT": 55,
    "SCT": 48,
    "SKHCN": 38,
    "SNGV": 14,
    "STNMT": 43,
    "STP": 25,
    "TTTHDL": 17,
    "TPHN": 330,
    "HTM": 330,
    "HCT": 330,
    "HTN": 330,
    "HHN": 330,
    "HCL": 330,
    "HTH": 330,
    "TPCL": 321,
    "HLVO": 318,
    "TPSD": 313,
    "HTB": 311,
    "HLVU": 257,
}
MISNAMED = 59
# Section, then (code, allocated, installed, rate as printed) in the order the table must have.
EXPECTED = [
    (
        "Các Sở, ban, ngành Tỉnh",
        [
            ("SXD", 55, 62, "112,7%"),
            ("SGTVT", 71, 78, "109,9%"),
            ("VPHD", 24, 25, "104,2%"),
            ("STTTT", 26, 27, "103,8%"),
            ("SKHDT", 39, 40, "102,6%"),
            ("SLDTBXH", 54, 55, "101,9%"),
            ("STC", 65, 66, "101,5%"),
            # 100% ties in Vietnamese alphabetical order of their names.
            ("BQLKKT", 25, 25, "100,0%"),
            ("SNV", 64, 64, "100,0%"),
            ("SNNPTNT", 198, 198, "100,0%"),
            ("SVHTTDL", 62, 62, "100,0%"),
            ("SYT", 69, 69, "100,0%"),
            ("TTT", 42, 42, "100,0%"),
            ("VPUB", 65, 65, "100,0%"),
            ("SGDDT", 56, 55, "98,2%"),  # printed 96,4% by hand
            ("SCT", 50, 48, "96,0%"),
            ("SKHCN", 42, 38, "90,5%"),
            ("SNGV", 18, 14, "77,8%"),
            ("STP", 35, 25, "71,4%"),
            ("STNMT", 61, 43, "70,5%"),  # swapped by hand
            ("BATGT", 3, 0, "0,0%"),  # allocated in 2021, absent from the 2022 table
            ("TTTHDL", None, 17, ""),  # no allocation: last
        ],
    ),
    (
        "UBND các huyện, thành phố",
        [
            ("HCL", 330, 330, "100,0%"),
            ("HCT", 330, 330, "100,0%"),
            ("HHN", 330, 330, "100,0%"),
            ("HTN", 330, 330, "100,0%"),
            ("HTH", 330, 330, "100,0%"),
            ("HTM", 330, 330, "100,0%"),
            ("TPHN", 330, 330, "100,0%"),
            ("TPCL", 330, 321, "97,3%"),
            ("HLVO", 330, 318, "96,4%"),
            ("TPSD", 330, 313, "94,8%"),
            ("HTB", 330, 311, "94,2%"),
            ("HLVU", 330, 257, "77,9%"),
        ],
    ),
]
MAY_10 = datetime(2022, 5, 10, 2, 0, tzinfo=timezone.utc)
OUTDATED = dict(KES, up_to_date=False)
HOME_EDITION = {
    "name": "Kaspersky Internet Security",
    "vendor": "Kaspersky",
    "version": "21.3",
    "enabled": True,
    "up_to_date": True,
    "sources": ["wsc"],
}


def store(db, hostname, machine_id=None, **kw):
    kw.setdefault("collected_at", MAY_10)
    store_report(db, make_report(hostname=hostname, machine_id=machine_id, **kw))


def seed_dong_thap(db):
    """Units and reports that make the appendix of 12/05/2022."""
    import_units(db, UNITS_FILE)
    # The 2022 table's change, in force from the start of 2022 (a change counts from its day).
    save_units(
        db,
        [(2, {"code": "TTTHDL", "name": "Trung tâm THDL Tỉnh", "allocated": ""})],
        effective_from="2022-01-01",
    )
    for code, installed in INSTALLED_2022.items():
        for number in range(1, installed + 1):
            # Five SXD machines have the product but outdated: installed, not protected.
            products = (OUTDATED,) if code == "SXD" and number <= 5 else (KES,)
            name = f"{code}-M{number:03d}"
            store(db, name.lower() if number == 1 else name, products=products)
    for number in range(MISNAMED):
        # Windows' default names, a name over 15 characters, a character Windows refuses;
        # ten were enrolled for Thap Muoi, so its pages list them.
        name = ["DESKTOP-{:05d}", "SXD-KETOAN-P{:05d}", "SXD_KT{:03d}"][number % 3].format(number)
        store(db, name, unit_code="HTM" if number < 10 else None)
    # Not counted as installed: exempt (under 2 GB; visible RAM when installed is unknown),
    # a home antivirus, Defender only, and stale machines with the product.
    store(db, "SXD-CU01", ram_gb=1, products=(DEFENDER,))
    store(db, "SXD-CU02", ram_gb=None, visible_gb=1.5, products=())
    store(db, "SXD-CU03", ram_gb=4, visible_gb=1.5, products=())  # 32-bit Windows: missing
    store(db, "HLVU-NHA01", products=(HOME_EDITION,))
    store(db, "HLVU-NHA02", products=(DEFENDER,))
    for number in range(1, 4):
        store(db, f"STP-OLD{number}", collected_at=datetime(2022, 3, 1, tzinfo=timezone.utc))
    # A reinstalled PC: its old identity still has the name, last seen in January.
    store(
        db,
        "SYT-M001",
        machine_id="old-syt-m001-identity",
        collected_at=datetime(2022, 1, 5, tzinfo=timezone.utc),
    )
    # Named for SXD, enrolled for STC: counts for SXD, flagged.
    store(db, "SXD-KT-STC", unit_code="STC", ram_gb=1, products=())
    # Installed after the date: counts as of 16/05, not as of 12/05.
    store(
        db,
        "HLVU-MOI01",
        machine_id="hlvu-moi01-identity",
        products=(DEFENDER,),
        collected_at=datetime(2022, 5, 1, tzinfo=timezone.utc),
    )
    store(
        db,
        "HLVU-MOI01",
        machine_id="hlvu-moi01-identity",
        collected_at=datetime(2022, 5, 15, tzinfo=timezone.utc),
    )


@contextmanager
def allocation_2021(db):
    """The data-integration centre's 2021 allocation (53) put back for the block: with it
    the table adds up to letter 002's sentences (1.177 licences for the departments). In
    force from the start of 2022, as the 2022 change it replaces (a change counts from its
    day)."""
    save_units(
        db,
        [(2, {"code": "TTTHDL", "name": "Trung tâm THDL Tỉnh", "allocated": "53"})],
        effective_from="2022-01-01",
    )
    try:
        yield db
    finally:
        save_units(
            db,
            [(2, {"code": "TTTHDL", "name": "Trung tâm THDL Tỉnh", "allocated": ""})],
            effective_from="2022-01-01",
        )


def dong_thap_database(path):
    """A database file at `path` with the schema and the Dong Thap reports; open handle."""
    create_app({"DATABASE": str(path)})
    db = open_db(path)
    seed_dong_thap(db)
    return db
