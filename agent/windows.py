"""Windows facts: one PowerShell call for every CIM query, parsed by pure functions.

The parsing functions take the raw output (PowerShell's `ConvertTo-Json`) and return
plain data, so tests replay recorded outputs of real PCs through the same code.
"""

from __future__ import annotations

import json

from agent import antivirus, device
from agent.probe import ProbeError, attempt, run_command

POWERSHELL_TIMEOUT = 8

# CIM first; Get-WmiObject where the CIM cmdlets are missing (PowerShell 2 on Windows 7).
INVENTORY_SCRIPT = r"""
$ErrorActionPreference = 'SilentlyContinue'
function Q($ns, $class) {
  if (Get-Command Get-CimInstance -ErrorAction SilentlyContinue) {
    Get-CimInstance -Namespace $ns -ClassName $class
  } else { Get-WmiObject -Namespace $ns -Class $class }
}
$r = @{}
$r.os = Q 'root\cimv2' 'Win32_OperatingSystem' | Select-Object Caption,Version,BuildNumber,ProductType,OperatingSystemSKU
$r.computer = Q 'root\cimv2' 'Win32_ComputerSystem' | Select-Object Name,DNSHostName,Domain,PartOfDomain,Manufacturer,Model,TotalPhysicalMemory,PCSystemType
$r.memory = @(Q 'root\cimv2' 'Win32_PhysicalMemory' | Select-Object Capacity)
$r.enclosure = @(Q 'root\cimv2' 'Win32_SystemEnclosure' | Select-Object ChassisTypes,SerialNumber)
$r.antivirus = @(Q 'root\SecurityCenter2' 'AntiVirusProduct' | Select-Object displayName,productState,pathToSignedProductExe,timestamp)
$r.machine_guid = (Get-ItemProperty 'HKLM:\SOFTWARE\Microsoft\Cryptography' -Name MachineGuid).MachineGuid
$r | ConvertTo-Json -Depth 4 -Compress
"""


def gather(errors):
    """Every Windows-specific fact of the report; failures go to `errors`."""
    raw = attempt(errors, "inventory", run_inventory)
    if raw is None:
        return {"antivirus": {"status": "unknown", "products": []}}
    return attempt(errors, "inventory", parse_inventory, raw, default={})


def run_inventory():
    return run_command(
        ["powershell.exe", "-NoProfile", "-NonInteractive", "-ExecutionPolicy", "Bypass",
         "-Command", "-"], timeout=POWERSHELL_TIMEOUT, input_text=INVENTORY_SCRIPT.encode())


def _as_list(value):
    """ConvertTo-Json prints one object bare and several as a list; always give a list."""
    if value is None:
        return []
    return value if isinstance(value, list) else [value]


def parse_inventory(raw):
    """The report's Windows facts from the inventory script's JSON output."""
    try:
        data = json.loads(raw)
    except ValueError as exc:
        raise ProbeError(f"PowerShell printed no JSON: {exc}") from None
    os_rec = data.get("os") or {}
    computer = data.get("computer") or {}
    enclosure = _as_list(data.get("enclosure"))
    # ProductType: 1 workstation, 2 domain controller, 3 server (Win32_OperatingSystem docs).
    server = int(os_rec.get("ProductType") or 1) != 1
    chassis = [int(c) for e in enclosure for c in _as_list(e.get("ChassisTypes"))]
    capacities = [int(m.get("Capacity") or 0) for m in _as_list(data.get("memory"))]
    model = " ".join(filter(None, [computer.get("Manufacturer"), computer.get("Model")]))
    products = antivirus.security_center_products(_as_list(data.get("antivirus")))
    return {
        "machine_id": (data.get("machine_guid") or "").strip() or None,
        "hostname": computer.get("Name"),
        "dns_name": _dns_name(computer),
        "domain": computer.get("Domain"),
        "manufacturer": computer.get("Manufacturer"),
        "model": computer.get("Model"),
        "serial": next((e.get("SerialNumber") for e in enclosure if e.get("SerialNumber")),
                       None),
        "os": {
            "family": "windows",
            "name": (os_rec.get("Caption") or "Windows").strip(),
            "version": os_rec.get("Version") or "",
            "build": os_rec.get("BuildNumber"),
            "server": server,
        },
        "installed_ram_bytes": sum(capacities) or None,
        "device_type": device.device_type(
            chassis, virtual=_looks_virtual(model), server_os=server,
            # PCSystemType 2 is Mobile (Win32_ComputerSystem docs).
            has_battery=computer.get("PCSystemType") == 2),
        # Security Center exists on client Windows only: on a server an empty list proves nothing.
        "antivirus": {"status": antivirus.status_of(products, probes_failed=server),
                      "products": products},
    }


def _dns_name(computer):
    name, domain = computer.get("DNSHostName"), computer.get("Domain")
    if name and domain and computer.get("PartOfDomain"):
        return f"{name}.{domain}".lower()
    return name.lower() if name else None


def _looks_virtual(model):
    lowered = model.lower()
    return any(key in lowered for key in ("virtual", "vmware", "qemu", "kvm", "xen", "hvm"))
