"""Reports for tests: a valid schema-1 report with only what a test cares about changed."""

from __future__ import annotations

import copy
import uuid
from datetime import datetime, timezone

GB = 2**30

KES = {
    "name": "Kaspersky Endpoint Security for Windows",
    "vendor": "Kaspersky",
    "version": "12.3.0.493",
    "enabled": True,
    "up_to_date": True,
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
NETWORK_AGENT = {
    "name": "Kaspersky Security Center Network Agent",
    "installed": True,
    "running": True,
    "version": "14.2.0.26967",
}


def make_report(
    hostname="SXD-KT-01",
    machine_id=None,
    ram_gb=8,
    visible_gb=None,
    products=(KES,),
    management_agent=NETWORK_AGENT,
    collected_at=None,
    unit_code=None,
    report_id=None,
    os_name="Microsoft Windows 10 Pro",
    server=False,
    device_type="desktop",
    av_status=None,
    addresses=None,
):
    """A valid report; `machine_id` defaults to one derived from the hostname."""
    moment = collected_at or datetime.now(timezone.utc)
    if isinstance(moment, datetime):
        moment = moment.astimezone(timezone.utc).isoformat(timespec="seconds")
    # Deep copies: a test that mutates its report must not change these shared constants.
    products = copy.deepcopy(list(products))
    return {
        "schema_version": 1,
        "report_id": report_id or str(uuid.uuid4()),
        "collected_at": moment,
        "agent": {"version": "0.1.0", "unit_code": unit_code},
        "machine": {
            "hostname": hostname,
            "machine_id": machine_id or str(uuid.uuid5(uuid.NAMESPACE_DNS, hostname)),
            "os": {"family": "windows", "name": os_name, "version": "10.0.19045", "server": server},
            "ram": {
                "installed_bytes": None if ram_gb is None else int(ram_gb * GB),
                "visible_bytes": int((visible_gb or ram_gb or 4) * GB * 0.95),
            },
            "device_type": device_type,
            "addresses": addresses
            if addresses is not None
            else [{"ip": "10.1.2.3", "mac": "00:1A:2B:3C:4D:5E"}],
        },
        "antivirus": {
            "status": av_status or ("detected" if products else "none"),
            "products": products,
        },
        "management_agent": copy.deepcopy(management_agent) if management_agent else None,
        "errors": [],
    }
