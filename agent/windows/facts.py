"""The report's Windows facts from the raw records `agent.windows.api` reads: pure functions.

`facts_from_records(records, failed)` takes {source: raw record} and {source: error line} and
returns plain data, so tests replay records of real PCs (tests/agent/fixtures/windows/)
through the same code the agent runs.
"""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

from agent import antivirus, device, kaspersky
from agent.probe import text_or_none

# Values firmware vendors put where there is no serial number, make or model.
PLACEHOLDERS = {
    "",
    "0",
    "none",
    "default string",
    "to be filled by o.e.m.",
    "system serial number",
    "not applicable",
    "not specified",
    "chassis serial number",
}
VIRTUAL_MODELS = (
    "virtual machine",
    "vmware",
    "virtualbox",
    "qemu",
    "kvm",
    "bochs",
    "hvm domu",
    "xen",
    "parallels",
    "standard pc (",
)


def facts_from_records(records, failed):
    """Every Windows fact of the report, and the `errors` lines of the sources that failed."""
    os_rec = _record(records.get("os"))
    computer = _record(records.get("computer"))
    registry = _record(records.get("current_version"))
    server = _is_server(os_rec, registry)
    services = None if "services" in failed else _records(records.get("services"))
    found = windows_antivirus(records, services, failed, server)
    installed_ram = _installed_ram(records)
    return {
        "machine_id": text_or_none(records.get("machine_guid")),
        "hardware_uuid": device.hardware_uuid(_record(records.get("computer_product")).get("UUID")),
        # The NetBIOS name from kernel32 answers even when WMI does not.
        "hostname": text_or_none(records.get("netbios_name")) or text_or_none(computer.get("Name")),
        "dns_name": _dns_name(computer),
        "domain": text_or_none(computer.get("Domain")) or text_or_none(computer.get("Workgroup")),
        "manufacturer": _known(computer.get("Manufacturer")),
        "model": _known(computer.get("Model")),
        "serial": _serial(records),
        "os": _os(os_rec, registry, server) if os_rec else None,
        "installed_ram_bytes": installed_ram,
        "device_type": _device_type(records, computer, server),
        "antivirus": found["antivirus"],
        "management_agent": found["management_agent"],
        "errors": _error_lines(failed, server, found, installed_ram),
    }


def _error_lines(failed, server, found, installed_ram):
    """A line per failed source, except where a failure is the expected absence of a source."""
    expected = set()
    if server:
        expected.add("security_center")  # no Security Center on Windows Server
    if not any(
        p["name"] and antivirus.known_family(p["name"]) == "defender"
        for p in found["antivirus"]["products"]
    ):
        expected.add("defender")  # no Defender (Windows 7, or removed): nothing to ask
    if installed_ram is not None:
        expected.add("firmware_ram")  # VMs without SMBIOS memory devices: modules were read
    return [
        f"{name}: {message}"[:500]
        for name, message in sorted(failed.items())
        if name not in expected
    ]


def windows_antivirus(records, services, failed, server):
    """Products, status and the Network Agent from the antivirus sources."""
    if services is not None:
        services = [s for s in services if not _is_windows7_defender(s, records)]
    uninstall = None if "uninstall" in failed else _records(records.get("uninstall"))
    avstate = _record(records.get("avstate")) or None
    products = antivirus.windows_products(
        security_center=_records(records.get("security_center")),
        services=services,
        uninstall=uninstall,
        defender=_defender_status(records.get("defender")),
        avstate=avstate,
        kaspersky_data=_records(records.get("kaspersky_data")),
    )
    # Windows Server has no Security Center; services and the uninstall list are what every
    # installed antivirus leaves, so having read both is enough to say "none" there.
    looked = (
        services is not None
        and uninstall is not None
        and (server is True or "security_center" not in failed)
    )
    return {
        "antivirus": {
            "status": antivirus.status_of(products, probes_failed=not looked),
            "products": products,
        },
        "management_agent": network_agent(services, uninstall or [], avstate),
    }


def _defender_status(rows):
    """MSFT_MpComputerStatus with its signature time as ISO 8601 UTC."""
    status = _record(rows)
    if not status:
        return None
    return dict(
        status, AntivirusSignatureLastUpdated=dmtf_time(status.get("AntivirusSignatureLastUpdated"))
    )


def dmtf_time(text):
    """A WMI (DMTF) datetime `yyyymmddHHMMSS.ffffff+UUU` (UUU: minutes east of UTC) as ISO UTC."""
    text = text_or_none(text)
    if not text or len(text) < 25 or text[21] not in "+-":
        return None
    try:
        moment = datetime.strptime(text[:14], "%Y%m%d%H%M%S")
        offset = int(text[22:25]) * (1 if text[21] == "+" else -1)
    except ValueError:
        return None
    moment = moment.replace(tzinfo=timezone(timedelta(minutes=offset)))
    return moment.astimezone(timezone.utc).isoformat()


def _is_windows7_defender(service, records):
    """Before Windows 8, WinDefend is Windows Defender antispyware, not an antivirus.

    Security Center lists it under AntiSpywareProduct there, never AntiVirusProduct.
    """
    version = str(_record(records.get("os")).get("Version") or "")
    parts = [int(p) for p in version.split(".")[:2] if p.isdigit()]
    return (
        (service.get("name") or "").lower() == "windefend"
        and len(parts) == 2
        and (tuple(parts) < (6, 2))
    )


def network_agent(services, uninstall, avstate):
    """Kaspersky Security Center's Network Agent (service klnagent), or None when absent."""
    service = next(
        (
            s
            for s in services or ()
            if (s.get("name") or "").lower() == antivirus.NETWORK_AGENT_SERVICE
        ),
        None,
    )
    entry = next(
        (e for e in uninstall if antivirus.is_network_agent_name(e.get("DisplayName") or "")), None
    )
    if service is None and entry is None:
        return None
    state = kaspersky.parse_avstate(avstate)
    return {
        "name": antivirus.NETWORK_AGENT_NAME,
        "installed": True,
        "running": _running(service, services),
        "version": text_or_none((entry or {}).get("DisplayVersion")) or state.get("agent_version"),
        "server": state.get("server"),
        "last_connected_at": state.get("last_connected_at"),
    }


def _running(service, services):
    """True/False from the service's state; None when the services or its state are unread."""
    if service is None:
        return None if services is None else False
    status = service.get("status")
    return None if status is None else status == "running"


def _installed_ram(records):
    """The firmware's figure (kilobytes), else the memory modules' sum; None when neither."""
    kilobytes = records.get("firmware_ram")
    if isinstance(kilobytes, int) and kilobytes > 0:
        return kilobytes * 1024
    total = sum(_int(m.get("Capacity")) for m in _records(records.get("memory")))
    return total or None


def _int(value):
    try:
        return int(value)  # WMI scripting gives uint64 as text
    except (TypeError, ValueError):
        return 0


def _is_server(os_rec, registry):
    # ProductType: 1 workstation, 2 domain controller, 3 server (Win32_OperatingSystem docs).
    if os_rec.get("ProductType") is not None:
        return int(os_rec["ProductType"]) != 1
    kind = registry.get("InstallationType")
    return None if kind is None else kind.lower().startswith("server")


def _os(os_rec, registry, server):
    build = text_or_none(os_rec.get("BuildNumber"))
    if build and registry.get("UBR") is not None:
        build = f"{build}.{registry['UBR']}"  # the update revision, e.g. 19045.4046
    return {
        "family": "windows",
        "name": (os_rec.get("Caption") or "Windows").strip(),  # Windows 7 ends it with a space
        "version": text_or_none(os_rec.get("Version")) or "",
        "build": build,
        "edition": text_or_none(registry.get("EditionID")),
        "server": bool(server),
    }


def _device_type(records, computer, server):
    chassis = [
        _int(c) for e in _records(records.get("enclosure")) for c in (e.get("ChassisTypes") or [])
    ]
    identity = " ".join(filter(None, [computer.get("Manufacturer"), computer.get("Model")]))
    return device.device_type(
        chassis,
        virtual=any(key in identity.lower() for key in VIRTUAL_MODELS),
        server_os=bool(server),
        # PCSystemType 2 is Mobile (Win32_ComputerSystem docs).
        has_battery=computer.get("PCSystemType") == 2 or bool(_records(records.get("battery"))),
    )


def _serial(records):
    candidates = [
        r.get("SerialNumber") for name in ("bios", "enclosure") for r in _records(records.get(name))
    ]
    return next((_known(s) for s in candidates if _known(s)), None)


def _dns_name(computer):
    name, domain = text_or_none(computer.get("DNSHostName")), text_or_none(computer.get("Domain"))
    if name and domain and computer.get("PartOfDomain"):
        return f"{name}.{domain}".lower()
    return name.lower() if name else None


def _known(value):
    text = text_or_none(value)
    return text if text and text.lower() not in PLACEHOLDERS else None


def _records(value):
    if isinstance(value, dict):
        value = [value]
    return [r for r in value or () if isinstance(r, dict)]


def _record(value):
    records = _records(value)
    return records[0] if records else {}
