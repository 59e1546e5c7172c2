"""A small province for page tests: two sections, a district with two communes, and
machines installed, missing, exempt and misnamed in known numbers.

Totals: 45 licences allocated; 35 installed and named per the guideline plus 3 misnamed,
so 38 installed as the appendix counts them (84,4%). Sở Xây dựng is over quota (11 of 10),
Sở Tư pháp has no machine reporting.
"""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

from collector.store.ingest import store_report
from collector.store.units import save_units
from tests.builders import DEFENDER, KES, make_report

# (code, name, group, parent, allocated, installed, missing, exempt, misnamed installed)
PROVINCE = [
    ("SXD", "Sở Xây dựng", "Các Sở, ban, ngành Tỉnh", "", "10", 11, 1, 1, 0),
    ("STC", "Sở Tài chính", "Các Sở, ban, ngành Tỉnh", "", "8", 8, 0, 0, 0),
    ("SYT", "Sở Y tế", "Các Sở, ban, ngành Tỉnh", "", "12", 9, 2, 0, 1),
    ("STP", "Sở Tư pháp", "Các Sở, ban, ngành Tỉnh", "", "5", 0, 0, 0, 0),
    ("HCL", "UBND huyện Cao Lãnh", "UBND các huyện, thành phố", "", "", 0, 0, 0, 0),
    ("XMH", "UBND xã Mỹ Hiệp", "UBND các huyện, thành phố", "HCL", "6", 3, 2, 0, 0),
    ("XBT", "UBND xã Bình Thạnh", "UBND các huyện, thành phố", "HCL", "4", 4, 0, 0, 2),
]


def seed(db):
    """The small province: units, then machines installed, missing, exempt and misnamed."""
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
                    "officer_name": "Nguyễn Văn An",
                    "officer_phone": "0277 3851 234",
                },
            )
            for line, (code, name, group, parent, allocated, *_) in enumerate(PROVINCE, 2)
        ],
        actor="tests",
    )
    when = datetime.now(timezone.utc) - timedelta(hours=2)
    for code, *_, installed, missing, exempt, misnamed in PROVINCE:
        machines = ([f"{code}-KT{n:02d}", (KES,), 8] for n in range(installed))
        for hostname, products, ram in [
            *machines,
            *([f"{code}-CHUA{n}", (DEFENDER,), 8] for n in range(missing)),
            *([f"{code}-CU{n}", (), 1] for n in range(exempt)),
        ]:
            store_report(
                db, make_report(hostname=hostname, products=products, ram_gb=ram, collected_at=when)
            )
        for n in range(misnamed):
            store_report(
                db, make_report(hostname=f"DESKTOP-{code}{n}", unit_code=code, collected_at=when)
            )
