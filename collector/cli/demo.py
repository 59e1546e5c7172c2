"""`avroll demo --db FILE`: a separate database filled with an example province, so a
newcomer sees real pages and charts: provincial departments, districts with their communes
(three levels), about 5.000 computers in every state (servers and virtual machines among
them), six weeks of rollout history; and, through `demo_views.py`, a letterhead, contacts,
KSC and AD imports, conflicts and an issued report.

The names and allocations of the departments and districts are Dong Thap's (2021 letters);
the communes, computers and their history are made up, the same on every run (seeded).
"""

from __future__ import annotations

import random
import uuid
from datetime import datetime, timedelta, timezone
from pathlib import Path

import click

from collector.cli import demo_views
from collector.cli.options import database, db_option

WEEKS = 6
COMMUNES_EACH = 8
# Commune names are made of two common words of Dong Thap's place names, each name used
# once in the province (no two districts share a commune's name).
NAME_FIRST = (
    "Tân",
    "Mỹ",
    "Bình",
    "An",
    "Phú",
    "Long",
    "Hòa",
    "Thạnh",
    "Phong",
    "Hưng",
    "Tịnh",
    "Nhị",
)
NAME_SECOND = ("Hiệp", "Thạnh", "Nghĩa", "Hội", "Thuận", "Lợi", "Phước", "Đông", "Tây", "Quý")
SERVER_SYSTEMS = (
    "Microsoft Windows Server 2019 Standard",
    "Microsoft Windows Server 2016 Standard",
)
KSWS = {
    "name": "Kaspersky Security for Windows Server",
    "vendor": "Kaspersky",
    "version": "11.0.1.897",
    "sources": ["service", "registry"],
}
KES = {
    "name": "Kaspersky Endpoint Security for Windows",
    "vendor": "Kaspersky",
    "version": "12.3.0.493",
    "sources": ["securitycenter", "service"],
}
DEFENDER = {
    "name": "Windows Defender",
    "vendor": "Microsoft",
    "version": None,
    "enabled": True,
    "up_to_date": True,
    "sources": ["securitycenter"],
}
OTHERS = (
    {
        "name": "Bkav Pro",
        "vendor": "BKAV",
        "version": "5.3",
        "enabled": True,
        "up_to_date": False,
        "sources": ["securitycenter"],
    },
    {
        "name": "McAfee VirusScan Enterprise",
        "vendor": "McAfee",
        "version": "8.8",
        "enabled": True,
        "up_to_date": False,
        "sources": ["registry"],
    },
)
SYSTEMS = (
    "Microsoft Windows 10 Pro",
    "Microsoft Windows 11 Pro",
    "Microsoft Windows 7 Professional",
    "Microsoft Windows 10 Enterprise",
)


class DemoError(Exception):
    """The demo database is not new: the demo never mixes into real figures."""


def demo_units(share=1.0):
    """Dong Thap's departments and districts, each district with communes under it;
    allocations times `share` (at least one licence each)."""
    from collector.formats.spreadsheets import read_table

    source = Path(__file__).parents[1] / "data" / "dong_thap_2021_units.csv"
    header, rows = read_table(source)
    units = [dict(zip(header, cells, strict=True)) for _, cells in rows]
    pool = [
        f"{first} {second}" for first in NAME_FIRST for second in NAME_SECOND if first != second
    ]
    names = iter(random.Random(2021).sample(pool, len(pool)))
    for district in [unit for unit in units if unit["group"].startswith("UBND")]:
        for number in range(1, COMMUNES_EACH + 1):
            units.append(
                {
                    "code": f"{district['code']}X{number}",
                    "name": f"UBND xã {next(names)}",
                    "group": district["group"],
                    "parent": district["code"],
                    "allocated": "20",
                }
            )
    for unit in units:
        if unit["allocated"]:
            unit["allocated"] = str(max(1, round(int(unit["allocated"]) * share)))
    return demo_views.with_contacts(units)


def _report(rng, machine, when, products, agent):
    return {
        "schema_version": 1,
        "report_id": str(uuid.UUID(int=rng.getrandbits(128))),
        "collected_at": when.isoformat(timespec="seconds"),
        "agent": {"version": "0.1.0", "unit_code": machine["enrolled"]},
        "machine": {
            "hostname": machine["hostname"],
            "machine_id": machine["machine_id"],
            "os": {
                "family": "windows",
                "name": machine["os"],
                "version": "10.0.19045",
                "server": machine.get("server", False),
            },
            "ram": {"installed_bytes": machine["ram"], "visible_bytes": machine["ram"] * 95 // 100},
            "device_type": machine["device"],
            "addresses": [{"ip": machine["ip"], "mac": machine["mac"]}],
        },
        "antivirus": {"status": "detected" if products else "none", "products": products},
        "management_agent": agent,
        "errors": [],
    }


def _one_pc(rng, hostname, enrolled):
    """A desktop of the given name, enrolled for a unit."""
    return {
        "hostname": hostname,
        "machine_id": str(uuid.UUID(int=rng.getrandbits(128))),
        "enrolled": enrolled,
        "os": SYSTEMS[0],
        "device": "desktop",
        "ram": 8 * 2**30,
        "ip": f"10.251.0.{rng.randrange(2, 250)}",
        "mac": ":".join(f"{rng.getrandbits(8):02X}" for _ in range(6)),
    }


def _machines(rng, units):
    """Each unit's computers: mostly its allocation, some over, some silent units."""
    machines = []
    for index, unit in enumerate(units):
        allocated = int(unit["allocated"] or 0)
        # A district's own offices: what its communes were not given.
        own = allocated - sum(
            int(other["allocated"] or 0) for other in units if other.get("parent") == unit["code"]
        )
        count = 0 if index % 17 == 5 else max(0, round(own * rng.uniform(0.85, 1.12)))
        servers = 0 if unit.get("parent") or not count else 1 + index % 2
        for number in range(1, count + 1):
            misnamed = rng.random() < 0.03
            server = number <= servers
            machines.append(
                {
                    "hostname": (
                        f"{unit['code']}-SRV{number:02d}"
                        if server
                        else f"DESKTOP-{rng.getrandbits(28):07X}"
                        if misnamed
                        else f"{unit['code']}-PC{number:03d}"
                    )[:15],
                    "machine_id": str(uuid.UUID(int=rng.getrandbits(128))),
                    "enrolled": unit["code"],
                    "server": server,
                    "os": rng.choice(SERVER_SYSTEMS if server else SYSTEMS),
                    "device": "server"
                    if server
                    else rng.choice(("desktop",) * 8 + ("laptop", "laptop", "virtual")),
                    # Days after today its licence ends: a few within the warning.
                    "licence_days": rng.choice((12, 25)) if rng.random() < 0.04 else 200,
                    "ram": (1 if rng.random() < 0.03 else rng.choice((4, 8, 8, 16))) * 2**30,
                    "ip": f"10.{index % 250}.{number // 250}.{number % 250 + 2}",
                    "mac": ":".join(f"{rng.getrandbits(8):02X}" for _ in range(6)),
                    # Day of the rollout it gets the product (None: never), stops reporting.
                    "installs": (
                        None if rng.random() < 0.08 else int(rng.triangular(0, WEEKS * 7, 9))
                    ),
                    "stops": WEEKS * 7 - 35 if rng.random() < 0.02 else None,
                    "off": rng.random() < 0.04,
                }
            )
    # A reinstalled PC reports under its old name with a new id: a shared name.
    for original in rng.sample(machines, 12):
        machines.append(dict(original, machine_id=str(uuid.UUID(int=rng.getrandbits(128)))))
    return machines


def fill(db, now=None, seed=2021, share=1.0):
    """Units, computers (allocations times `share`) and six weeks of their reports;
    DemoError unless the database is new. Returns (units, machines, reports)."""
    from collector.store.ingest import store_report
    from collector.store.units import save_units

    if db.execute(
        "SELECT (SELECT count(*) FROM units) + (SELECT count(*) FROM reports)"
    ).fetchone()[0]:
        raise DemoError("the database already holds units or reports: give a new file")
    # A made-up database that can be made again: no journal to write at each report
    # (WAL again at the end, as the collector opens it).
    db.execute("PRAGMA journal_mode = MEMORY")
    db.execute("PRAGMA synchronous = OFF")
    rng = random.Random(seed)
    units = demo_units(share)
    save_units(db, list(enumerate(units, 2)), actor="demo")
    now = now or datetime.now(timezone.utc)
    start = now - timedelta(days=WEEKS * 7)
    reports = 0
    machines = _machines(rng, units)
    for machine in machines:
        last_day = machine["stops"] if machine["stops"] is not None else WEEKS * 7
        installs = machine["installs"]
        days = sorted(
            {
                *range(rng.randrange(10), last_day, 10),
                *([installs] if installs is not None and installs < last_day else []),
            }
        )
        for day in days:
            when = min(
                now - timedelta(minutes=5), start + timedelta(days=day, hours=rng.uniform(1, 9))
            )
            has_kes = machine["installs"] is not None and day >= machine["installs"]
            products = [rng.choice((DEFENDER, *OTHERS))]
            agent = None
            if has_kes:
                healthy = not machine["off"]
                licence = (now + timedelta(days=machine["licence_days"])).isoformat(
                    timespec="seconds"
                )
                products = [
                    dict(KES, enabled=healthy, up_to_date=healthy, licence_expires_at=licence),
                    DEFENDER,
                ]
                if machine["server"]:  # no Security Center: judged by its signature date
                    signed = when - timedelta(days=1 if healthy else 20)
                    products = [
                        dict(
                            KSWS,
                            enabled=True,
                            up_to_date=None,
                            signatures_updated_at=signed.isoformat(timespec="seconds"),
                            licence_expires_at=licence,
                        )
                    ]
                # A healthy PC synchronised with the console when it reported.
                contact = when if healthy else when - timedelta(days=30)
                agent = {
                    "name": "Kaspersky Security Center Network Agent",
                    "installed": True,
                    "running": True,
                    "version": "14.2.0.26967",
                    "last_connected_at": contact.isoformat(timespec="seconds"),
                }
            store_report(db, _report(rng, machine, when, products, agent), received_at=None)
            reports += 1
    # Two decommissioned PCs, retired by hand (their history stays).
    from collector.store.lifecycle import retire

    for (machine_id,) in db.execute(
        "SELECT machine_id FROM machines ORDER BY machine_id LIMIT 2"
    ).fetchall():
        retire(db, "demo", machine_id, reason="thanh lý")
    demo_views.letterhead(db)
    demo_views.conflicting_reports(
        db,
        rng,
        lambda hostname: _report(
            rng,
            _one_pc(rng, hostname, "HTM"),
            now - timedelta(hours=3),
            [dict(KES, enabled=True, up_to_date=True)],
            None,
        ),
    )
    demo_views.console_imports(db, machines, now, rng)
    demo_views.issued_report(db, now)
    db.execute("PRAGMA journal_mode = WAL")
    return len(units), len(machines) + 6, reports + 6


@click.command("demo")
@db_option
def demo(db_path):
    """Fill a new database (--db FILE) with an example province to explore: about 5.000
    computers in every state, three levels of units, six weeks of history."""
    with database(db_path) as db:
        try:
            units, machines, reports = fill(db)
        except DemoError as exc:
            raise click.ClickException(f"{db_path}: {exc}") from None
    click.echo(f"{db_path}: {units} units, {machines} computers, {reports} reports")
    click.echo(f"See it: avroll serve --db {db_path}")
