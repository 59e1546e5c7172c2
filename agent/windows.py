"""Windows facts: one PowerShell process for every query, parsed by pure functions.

`run_inventory()` and `firmware_ram_bytes()` are the only calls into Windows. Everything
else takes the raw text the inventory script prints (see `agent/windows_script.py`) and
returns plain data, so tests replay recorded outputs of real PCs through the same code.
"""

from __future__ import annotations

import json
import os
import sys

from agent import antivirus, device, kaspersky
from agent.probe import CommandTimeout, ProbeError, attempt, run_command, text_or_none
from agent.windows_script import encoded_command

# The whole collection must end within 10 s: PowerShell gets 8, the rest (psutil, one
# ctypes call) takes well under a second. The script bounds Defender's query itself.
POWERSHELL_TIMEOUT = 8.0
# Values firmware vendors put where there is no serial number, make or model.
PLACEHOLDERS = {"", "0", "none", "default string", "to be filled by o.e.m.", "system serial number",
             "not applicable", "not specified", "chassis serial number"}
VIRTUAL_MODELS = ("virtual machine", "vmware", "virtualbox", "qemu", "kvm", "bochs", "hvm domu",
                  "xen", "parallels", "standard pc (")


def gather(errors):
    """Every Windows-specific fact of the report; failures go to `errors`."""
    raw = run_inventory(errors)
    facts = attempt(errors, "inventory", parse_inventory, raw) if raw else None
    if facts is None:
        return {"antivirus": {"status": "unknown", "products": []}}
    errors.extend(facts.pop("errors"))
    if sys.platform == "win32":
        firmware = attempt(errors, "installed RAM", firmware_ram_bytes)
        facts["installed_ram_bytes"] = firmware or facts["installed_ram_bytes"]
    return facts


def powershell_path():
    """64-bit PowerShell even from a 32-bit agent, which would otherwise see the 32-bit registry.

    A 32-bit process on 64-bit Windows reaches System32 through "Sysnative" only (Microsoft
    Learn, "File System Redirector"); the redirected 32-bit PowerShell reads a registry view
    without MachineGuid and without 64-bit products.
    """
    root = os.environ.get("SystemRoot", r"C:\Windows")
    native = os.path.join(root, "Sysnative", "WindowsPowerShell", "v1.0", "powershell.exe")
    return native if os.path.exists(native) else "powershell.exe"


def inventory_command():
    return [powershell_path(), "-NoProfile", "-NonInteractive", "-ExecutionPolicy", "Bypass",
            "-EncodedCommand", encoded_command()]


def run_inventory(errors):
    """The inventory script's output; on a timeout, what it printed before it was stopped."""
    try:
        # An empty stdin: PowerShell 2 otherwise waits for its input to close.
        return run_command(inventory_command(), timeout=POWERSHELL_TIMEOUT, input_text=b"")
    except CommandTimeout as exc:
        errors.append(f"inventory: {exc}")
        return exc.output
    except ProbeError as exc:
        errors.append(f"inventory: {exc}")
        return ""


def firmware_ram_bytes():
    """RAM installed per the firmware's SMBIOS table: GetPhysicallyInstalledSystemMemory.

    Windows Vista SP1 and later; it fails on VMs whose firmware lists no memory devices.
    """
    import ctypes  # Windows-only call, imported where it is used

    kilobytes = ctypes.c_ulonglong(0)
    if not ctypes.windll.kernel32.GetPhysicallyInstalledSystemMemory(ctypes.byref(kilobytes)):
        raise ProbeError("GetPhysicallyInstalledSystemMemory failed")
    return kilobytes.value * 1024


def read_sections(raw):
    """The script's JSON lines merged into one dict: section name → data, plus `errors`."""
    sections, errors = {}, {}
    for line in raw.splitlines():
        line = line.strip()
        if not line.startswith("{"):
            continue  # a warning PowerShell printed, or a line cut short by a kill
        try:
            record = json.loads(line)
        except ValueError:
            continue
        if isinstance(record, dict):
            errors.update(record.pop("errors", None) or {})
            sections.update(record)
    if not sections and not errors:
        raise ProbeError("PowerShell printed no JSON: " + raw.strip()[:120])
    return sections, errors


def as_list(value):
    """A list, whatever shape PowerShell printed.

    ConvertTo-Json prints one item bare, not as a one-item list, and Windows PowerShell 5.1
    can wrap an array as {"value": [...], "Count": n} (PowerShell/PowerShell issues 3153, 5579).
    """
    if value is None:
        return []
    if isinstance(value, dict) and set(value) == {"value", "Count"}:
        return as_list(value["value"])
    return value if isinstance(value, list) else [value]


def parse_inventory(raw):
    """The report's Windows facts from the inventory script's output."""
    sections, failed = read_sections(raw)
    errors = [f"{name}: {message}"[:500] for name, message in sorted(failed.items())]
    os_rec = _record(sections.get("os"))
    computer = _record(sections.get("computer"))
    registry = _record(sections.get("current_version"))
    server = _is_server(os_rec, registry)
    if "done" not in sections:
        missing = [n for n in ("services", "uninstall", "security_center") if n not in sections]
        errors.append("inventory: output stopped before " + (", ".join(missing) or "its end"))
    antivirus_facts = windows_antivirus(sections, failed, server)
    return {
        "machine_id": text_or_none(sections.get("machine_guid")),
        "hostname": text_or_none(computer.get("Name")),
        "dns_name": _dns_name(computer),
        "domain": text_or_none(computer.get("Domain")) or text_or_none(computer.get("Workgroup")),
        "manufacturer": _known(computer.get("Manufacturer")),
        "model": _known(computer.get("Model")),
        "serial": _serial(sections),
        "os": _os(os_rec, registry, server) if os_rec else None,
        "installed_ram_bytes": sum(int(m.get("Capacity") or 0)
                                   for m in _records(sections.get("memory"))) or None,
        "device_type": _device_type(sections, computer, server),
        "antivirus": antivirus_facts["antivirus"],
        "management_agent": antivirus_facts["management_agent"],
        "errors": errors,
    }


def windows_antivirus(sections, failed, server):
    """Products, status and the Network Agent from the antivirus sections."""
    services = None if "services" in failed or "services" not in sections else [
        s for s in _records(sections["services"]) if not _is_windows7_defender(s, sections)]
    uninstall = None if "uninstall" not in sections else _records(sections["uninstall"])
    security_center = _records(sections.get("security_center"))
    products = antivirus.windows_products(
        security_center=security_center, services=services, uninstall=uninstall,
        defender=_record(sections.get("defender")) or None,
        avstate=_record(sections.get("avstate")) or None)
    # Windows Server has no Security Center; services and the uninstall list are what every
    # installed antivirus leaves, so having read both is enough to say "none" there.
    looked = services is not None and uninstall is not None and (
        server is True or "security_center" in sections)
    return {
        "antivirus": {"status": antivirus.status_of(products, probes_failed=not looked),
                      "products": products},
        "management_agent": network_agent(services, uninstall or [], sections.get("avstate")),
    }


def _is_windows7_defender(service, sections):
    """Before Windows 8, WinDefend is Windows Defender antispyware, not an antivirus.

    Security Center lists it under AntiSpywareProduct there, never AntiVirusProduct.
    """
    version = str(_record(sections.get("os")).get("Version") or "")
    parts = [int(p) for p in version.split(".")[:2] if p.isdigit()]
    return (service.get("Name") or "").lower() == "windefend" and len(parts) == 2 and (
        tuple(parts) < (6, 2))


def network_agent(services, uninstall, avstate):
    """Kaspersky Security Center's Network Agent (service klnagent), or None when absent."""
    service = next((s for s in services or () if (s.get("Name") or "").lower()
                    == antivirus.NETWORK_AGENT_SERVICE), None)
    entry = next((e for e in uninstall if "network agent" in (e.get("DisplayName") or "").lower()
                  and "kaspersky" in (e.get("DisplayName") or "").lower()), None)
    if service is None and entry is None:
        return None
    state = kaspersky.parse_avstate(_record(avstate))
    return {
        "name": antivirus.NETWORK_AGENT_NAME,
        "installed": True,
        "running": None if service is None and services is None else (
            service is not None and service.get("State") == "Running"),
        "version": text_or_none((entry or {}).get("DisplayVersion")) or state.get("agent_version"),
    }


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


def _device_type(sections, computer, server):
    chassis = [int(c) for e in _records(sections.get("enclosure"))
               for c in as_list(e.get("ChassisTypes"))]
    identity = " ".join(filter(None, [computer.get("Manufacturer"), computer.get("Model")]))
    battery = sections.get("battery")
    return device.device_type(
        chassis, virtual=any(key in identity.lower() for key in VIRTUAL_MODELS),
        server_os=bool(server),
        # PCSystemType 2 is Mobile (Win32_ComputerSystem docs).
        has_battery=computer.get("PCSystemType") == 2 or bool(battery))


def _serial(sections):
    candidates = [r.get("SerialNumber") for name in ("bios", "enclosure")
                  for r in _records(sections.get(name))]
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
    return [r for r in as_list(value) if isinstance(r, dict)]


def _record(value):
    records = _records(value)
    return records[0] if records else {}
