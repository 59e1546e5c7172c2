"""Build one report from this machine's facts; never fails, whatever the probes do."""

from __future__ import annotations

import sys
import uuid
from datetime import datetime, timezone

from agent import __version__, system
from agent.probe import attempt
from agent.sources import Source, read_sources, records_and_errors
from shared.report import SCHEMA_VERSION

if sys.platform == "win32":
    from agent import windows as platform_facts
else:
    from agent import linux as platform_facts

OPTIONAL_MACHINE_FIELDS = ("dns_name", "domain", "manufacturer", "model", "serial", "hardware_uuid")
# psutil answers these from one system call each; read after the platform's sources, so the
# whole collection ends within the platform's longest time limit plus this one.
COMMON_TIMEOUT = 2.0


def collect_report(unit_code=None, outcomes=None):
    """The report of this machine now, as a dict that `shared.report.validate` accepts.

    `outcomes`, when given, receives every source's Outcome (for `collect --diagnose`).
    """
    errors = []
    facts = platform_facts.gather(errors, outcomes=outcomes)
    read = read_sources(
        [
            Source("visible RAM", system.visible_ram_bytes, COMMON_TIMEOUT),
            Source("addresses", system.addresses, COMMON_TIMEOUT),
        ]
    )
    if outcomes is not None:
        outcomes.extend(read)
    common, failed = records_and_errors(read)
    errors.extend(f"{name}: {message}" for name, message in failed.items())
    hostname = facts.get("hostname") or attempt(
        errors, "hostname", system.hostname, default="unknown"
    )
    machine = {
        "hostname": hostname,
        "machine_id": facts.get("machine_id") or fallback_machine_id(hostname),
        "os": facts.get("os")
        or {"family": "other", "name": sys.platform, "version": "", "server": False},
        "ram": {
            # Both raw: a VM with dynamic memory shows its start-up figure to the firmware
            # and more to the OS; the collector's counting rules weigh the two.
            "installed_bytes": facts.get("installed_ram_bytes"),
            "visible_bytes": common.get("visible RAM", 0),
        },
        "device_type": facts.get("device_type") or "unknown",
        "addresses": common.get("addresses", []),
    }
    machine.update((key, facts[key]) for key in OPTIONAL_MACHINE_FIELDS if facts.get(key))
    return {
        "schema_version": SCHEMA_VERSION,
        "report_id": str(uuid.uuid4()),
        "collected_at": datetime.now(timezone.utc).isoformat(timespec="seconds"),
        "agent": {"version": __version__, "unit_code": unit_code},
        "machine": machine,
        "antivirus": facts.get("antivirus") or {"status": "unknown", "products": []},
        "management_agent": facts.get("management_agent"),
        "errors": [line[:500] for line in errors][:50],
    }


def fallback_machine_id(hostname):
    """When the OS gives no id, one derived from the name (stable until a rename)."""
    return str(uuid.uuid5(uuid.NAMESPACE_DNS, "avroll-host-" + hostname.lower()))
