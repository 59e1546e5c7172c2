"""Export files as the Kaspersky console and Active Directory write them, and a constructed
province whose three views disagree in known ways (the reconciliation lists' expected
contents).

The KSC layout (tab-delimited, UTF-16 with a BOM, these headings) follows the device list
export of the English Kaspersky Security Center 14 console, as the column list quoted by
scripts that process it shows (github, "all_hosts.csv" read with delimiter '\\t'). The
directory files follow `Get-ADComputer -Filter * -Properties LastLogonDate,Description |
Export-Csv` in Windows PowerShell 5.1 (its `#TYPE` first line, every cell quoted) and
`csvde -r "(objectClass=computer)"`.
"""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

from collector.formats.formatting import LOCAL_TZ
from collector.store.ingest import store_report
from collector.store.units import save_units
from tests.builders import DEFENDER, KES, NETWORK_AGENT, make_report

KSC_HEADINGS = (
    "Name",
    "Windows domain",
    "Network Agent is installed",
    "Network Agent is running",
    "Real-time protection",
    "Last connected to Administration Server",
    "Protection last updated",
    "Anti-virus databases last updated",
    "Connection IP address",
    "Network Agent version",
    "Application version",
    "Status",
    "Parent group",
    "Name of virtual or secondary Administration Server",
    "Operating system type",
)
AD_TYPE_LINE = "#TYPE Microsoft.ActiveDirectory.Management.ADComputer"
AD_HEADINGS = (
    "DistinguishedName",
    "DNSHostName",
    "Enabled",
    "LastLogonDate",
    "Name",
    "ObjectClass",
    "SamAccountName",
    "Description",
)
DOMAIN = "DC=sxd,DC=dongthap,DC=gov,DC=vn"


def console_time(moment):
    """A moment as a Vietnamese console writes it: local time, day first."""
    return moment.astimezone(LOCAL_TZ).strftime("%d/%m/%Y %H:%M:%S")


def ksc_row(name, ip="", last=None, group="Managed devices", installed="Yes"):
    last_text = console_time(last) if last else ""
    return [
        name,
        "SOXAYDUNG",
        installed,
        installed,
        "Running" if installed == "Yes" else "",
        last_text,
        last_text,
        last_text,
        ip,
        "14.2.0.26967",
        "12.3.0.493",
        "OK",
        group,
        "",
        "Workstation",
    ]


def ksc_text(rows, headings=KSC_HEADINGS):
    """The console's export: tab-delimited lines under its headings."""
    lines = ["\t".join(headings)] + ["\t".join(row) for row in rows]
    return "\r\n".join(lines) + "\r\n"


def write_ksc(path, rows, encoding="utf-16", headings=KSC_HEADINGS):
    """Write as the console does: UTF-16 LE with a BOM by default."""
    path.write_bytes(ksc_text(rows, headings).encode(encoding))
    return path


def ad_row(name, last=None, ou="OU=KeToan,OU=SXD", enabled="True", description=""):
    last_text = last.astimezone(LOCAL_TZ).strftime("%m/%d/%Y %I:%M:%S %p") if last else ""
    dns = f"{name.lower()}.sxd.dongthap.gov.vn" if name else ""
    return [
        f"CN={name},{ou},{DOMAIN}",
        dns,
        enabled,
        last_text,
        name,
        "computer",
        f"{name}$" if name else "",
        description,
    ]


def write_ad(path, rows):
    """Export-Csv's file: the #TYPE line, then every cell quoted, UTF-8 with a BOM."""

    def quoted(cells):
        return ",".join('"' + cell.replace('"', '""') + '"' for cell in cells)

    lines = [AD_TYPE_LINE, quoted(AD_HEADINGS), *(quoted(row) for row in rows)]
    path.write_bytes(("\ufeff" + "\r\n".join(lines) + "\r\n").encode("utf-8"))
    return path


# The constructed province: (code, name, parent, allocated, contact e-mail).
UNITS = [
    ("SXD", "Sở Xây dựng", "", "10", "it@sxd.dongthap.gov.vn"),
    ("SYT", "Sở Y tế", "", "6", "cntt@syt.dongthap.gov.vn"),
    ("HCL", "UBND huyện Cao Lãnh", "", "", "ubnd@caolanh.dongthap.gov.vn"),
    ("XMH", "UBND xã Mỹ Hiệp", "HCL", "4", "xamyhiep@dongthap.gov.vn"),
]
# What each reconciliation list must hold, by NetBIOS name.
EXPECTED = {
    "no_agent": {"SYT-KT09", "WIN-7H3K", "XMH-KT05"},
    "not_connected": {"SXD-KT03"},
    "not_in_ksc": {"SXD-KT02", "SXD-KT06"},
    "unowned": {"DESKTOP-ABC", "WIN-7H3K"},
    "confirmed": {"SXD-KT01", "SXD-KT06", "XMH-KT01"},
}
EXPECTED_UNITS = {
    "SXD": {"no_agent": 0, "not_connected": 1, "not_in_ksc": 2, "unowned": 0, "confirmed": 2},
    "SYT": {"no_agent": 1, "not_connected": 0, "not_in_ksc": 0, "unowned": 1, "confirmed": 0},
    "HCL": {"no_agent": 1, "not_connected": 0, "not_in_ksc": 0, "unowned": 0, "confirmed": 1},
    "XMH": {"no_agent": 1, "not_connected": 0, "not_in_ksc": 0, "unowned": 0, "confirmed": 1},
}


def seed_views(db, tmp_path, now=None):
    """Units and avroll reports of the constructed province, and its KSC and AD files
    (returned as paths, not imported)."""
    now = now or datetime.now(timezone.utc)
    save_units(
        db,
        [
            (
                line,
                {
                    "code": code,
                    "name": name,
                    "group": "",
                    "parent": parent,
                    "allocated": allocated,
                    "email": email,
                },
            )
            for line, (code, name, parent, allocated, email) in enumerate(UNITS, 2)
        ],
        actor="tests",
    )
    recent = now - timedelta(hours=2)
    # Each agent's own Network Agent contact (avroll's "connected"): recent, but SXD-KT03's.
    in_touch = dict(NETWORK_AGENT, last_connected_at=recent.isoformat())
    for hostname, ip, products, enrolled in [
        ("SXD-KT01", "10.0.0.1", (KES,), None),  # all three views: confirmed
        ("SXD-KT02", "10.0.0.2", (KES,), None),  # connected, absent from KSC's list
        ("SXD-KT03", "10.0.0.3", (KES,), None),  # last contact 20 days ago: not connected
        ("SXD-KT04", "10.0.0.4", (DEFENDER,), None),  # seen by all (avroll: missing)
        ("XMH-KT01", "10.0.1.1", (KES,), None),  # confirmed, under HCL
        ("DESKTOP-ABC", "10.0.2.1", (KES,), "SYT"),
    ]:  # KSC name follows no unit
        agent = (
            dict(NETWORK_AGENT, last_connected_at=(now - timedelta(days=20)).isoformat())
            if hostname == "SXD-KT03"
            else in_touch
        )
        store_report(
            db,
            make_report(
                hostname=hostname,
                products=products,
                unit_code=enrolled,
                collected_at=recent,
                management_agent=agent,
                addresses=[{"ip": ip, "mac": "00:1A:2B:3C:4D:5E"}],
            ),
        )
    # One name, two machines: KSC's record has the second one's IP.
    for machine, ip in (("a", "10.0.0.61"), ("b", "10.0.0.62")):
        store_report(
            db,
            make_report(
                hostname="SXD-KT06",
                machine_id=f"6{machine}" * 4 + "-x",
                collected_at=recent,
                management_agent=in_touch,
                addresses=[{"ip": ip, "mac": "00:1A:2B:3C:4D:5E"}],
            ),
        )
    ksc = write_ksc(
        tmp_path / "ksc-devices.txt",
        [
            ksc_row("SXD-KT01", "10.0.0.1", recent, "Managed devices/SXD"),
            ksc_row("sxd-kt03.sxd.local", "10.0.0.3", now - timedelta(days=20)),
            ksc_row("SXD-KT04", "10.0.0.4", recent),
            ksc_row("XMH-KT01", "10.0.1.1", recent, "Managed devices/HCL/XMH"),
            ksc_row("DESKTOP-ABC", "10.0.2.1", recent, "Unassigned devices"),
            ksc_row("SYT-KT09", "10.0.3.9", recent),
            ksc_row("WIN-7H3K", "10.0.9.9", None, "Unassigned devices", installed="No"),
            ksc_row("SXD-KT06", "10.0.0.62", recent),
        ],
    )
    ad = write_ad(
        tmp_path / "ad-computers.csv",
        [
            ad_row("SXD-KT01", recent),
            ad_row("SXD-KT02", recent),
            ad_row("SXD-KT03", recent),
            ad_row("SXD-KT04", recent),
            ad_row("XMH-KT01", recent, "OU=XMH,OU=HCL"),
            ad_row("SYT-KT09", recent, "OU=SYT"),
            ad_row("XMH-KT05", None, "OU=XMH,OU=HCL"),
            ad_row("SXD-KT06", recent),
            ad_row("SXD-CU", None, enabled="False"),
        ],
    )
    return ksc, ad
