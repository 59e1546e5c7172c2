"""A small province for export tests: a department with a server, a virtual Linux server, a
laptop, a hostile misnamed PC and a stale one; a district with a commune under it."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

from collector.store.ingest import store_report
from collector.store.units import save_units
from tests.builders import DEFENDER, KES, make_report

HOSTILE = '=HYPERLINK("http://x","y")'
KESL = {
    "name": "Kaspersky Endpoint Security for Linux",
    "vendor": "Kaspersky",
    "version": "12.1.0.1297",
    "enabled": True,
    "up_to_date": True,
    "sources": ["service"],
}
UNITS = [
    {
        "code": "SXD",
        "name": "Sở Xây dựng",
        "group": "Các Sở, ban, ngành Tỉnh",
        "allocated": "6",
        "leader_name": "Nguyễn Văn A",
        "leader_phone": "0912 345 678",
        "officer_name": "Trần Thị B",
        "officer_phone": "",
    },
    {
        "code": "HCL",
        "name": "Huyện Cao Lãnh",
        "group": "UBND các huyện, thành phố",
        "allocated": "2",
    },
    {
        "code": "XMH",
        "name": "Xã Mỹ Hiệp",
        "group": "UBND các huyện, thành phố",
        "parent": "HCL",
        "allocated": "1",
        "officer_name": "Lê C",
        "officer_phone": "0277 3",
    },
]


def _linux(report):
    report["machine"]["os"] = {
        "family": "linux",
        "name": "Ubuntu 24.04.1 LTS",
        "version": "24.04",
        "server": True,
    }
    return report


def seed_small_province(db):
    """Units with contacts and seven machines; what each export must show follows."""
    save_units(
        db,
        [
            (number, {key: value for key, value in unit.items()})
            for number, unit in enumerate(UNITS, 2)
        ],
    )
    now = datetime.now(timezone.utc) - timedelta(hours=1)
    reports = [
        make_report("SXD-PC01", os_name="Microsoft Windows 11 Pro", collected_at=now),
        make_report(
            "SXD-PC02",
            os_name="Microsoft Windows 11 Pro",
            collected_at=now,
            products=(dict(KES, up_to_date=False),),
        ),
        make_report(
            "SXD-LAP01",
            os_name="Microsoft Windows 11 Pro",
            device_type="laptop",
            collected_at=now,
            ram_gb=16,
        ),
        make_report(
            "SXD-SRV01",
            os_name="Microsoft® Windows Server® 2019 Standard",
            server=True,
            device_type="server",
            collected_at=now,
        ),
        _linux(make_report("SXD-WEB01", device_type="virtual", products=(KESL,), collected_at=now)),
        make_report(HOSTILE, unit_code="SXD", ram_gb=1.5, products=(), collected_at=now),
        make_report("SXD-OLD01", collected_at=now - timedelta(days=90)),
        make_report(
            "XMH-PC01", products=(DEFENDER,), collected_at=now, ram_gb=4, management_agent=None
        ),
    ]
    for report in reports:
        store_report(db, report)
