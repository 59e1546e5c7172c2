"""Provinces for the national collector's tests: units and machines reported days ago (so
the days a push sends have figures), some connected, some missing, some misnamed."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

from collector.store.ingest import store_report
from collector.store.units import save_units
from tests.builders import DEFENDER, KES, NETWORK_AGENT, make_report

# Per province: (unit code, name, group, parent, allocated, installed, missing, misnamed).
PROVINCES = {
    "BNI": [
        ("STTTT", "Sở Thông tin và Truyền thông", "Các Sở, ban, ngành", "", "12", 9, 2, 1),
        ("SYT", "Sở Y tế", "Các Sở, ban, ngành", "", "8", 8, 0, 0),
        ("XTS", "UBND phường Tiên Sơn", "UBND các xã, phường", "", "5", 2, 1, 0),
    ],
    "DTP": [
        ("SXD", "Sở Xây dựng", "Các Sở, ban, ngành", "", "10", 7, 3, 2),
        ("XMH", "UBND xã Mỹ Hiệp", "UBND các xã, phường", "", "6", 6, 0, 0),
    ],
}
# The national collector's units: the provinces.
NATION = [("BNI", "Tỉnh Bắc Ninh"), ("DTP", "Tỉnh Đồng Tháp")]


def seed_nation(db):
    save_units(
        db,
        [
            (line, {"code": code, "name": name, "group": "Các tỉnh, thành phố"})
            for line, (code, name) in enumerate(NATION, 2)
        ],
        actor="tests",
    )


def seed_province(db, province, days_ago=3, now=None):
    """A province's units and machines, reported `days_ago` days before `now`; half the
    installed ones connected to the Administration Server."""
    units = PROVINCES[province]
    save_units(
        db,
        [
            (
                line,
                {
                    "code": code,
                    "name": name,
                    "group": group,
                    "parent": parent,
                    "allocated": allocated,
                },
            )
            for line, (code, name, group, parent, allocated, *_) in enumerate(units, 2)
        ],
        actor="tests",
    )
    when = (now or datetime.now(timezone.utc)) - timedelta(days=days_ago)
    connected = dict(NETWORK_AGENT, last_connected_at=when.isoformat(timespec="seconds"))
    for code, *_, installed, missing, misnamed in units:
        for n in range(installed):
            store_report(
                db,
                make_report(
                    hostname=f"{code}-KT{n:02d}",
                    collected_at=when,
                    management_agent=connected if n % 2 else None,
                ),
            )
        for n in range(missing):
            store_report(
                db, make_report(hostname=f"{code}-CHUA{n}", products=(DEFENDER,), collected_at=when)
            )
        for n in range(misnamed):
            store_report(
                db,
                make_report(
                    hostname=f"DESKTOP-{code}{n}",
                    unit_code=code,
                    collected_at=when,
                    products=(KES,),
                ),
            )
