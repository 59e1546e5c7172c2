"""Linux facts, read from /etc, /sys and /proc without spawning processes."""

from __future__ import annotations

import glob
import os
import platform

from agent import device
from agent.probe import ProbeError, attempt, read_text

# Install paths of the Kaspersky packages for Linux (KESL and Network Agent installation
# guides: the packages install under /opt/kaspersky/<name>).
KESL_PATH = "/opt/kaspersky/kesl"
NETWORK_AGENT_PATH = "/opt/kaspersky/klnagent64"
VIRTUAL_VENDORS = ("qemu", "vmware", "virtualbox", "innotek", "xen", "kvm", "bochs",
                   "parallels", "microsoft corporation")


def gather(errors, root="/"):
    """Every Linux-specific fact of the report; failures go to `errors`."""
    os_info = attempt(errors, "os", os_release, root, default=None) or {
        "family": "linux", "name": "Linux", "version": platform.release(), "server": False}
    return {
        "machine_id": attempt(errors, "machine_id", machine_id, root),
        "os": os_info,
        "installed_ram_bytes": attempt(errors, "installed RAM", installed_ram_bytes, root),
        "device_type": attempt(errors, "device type", detect_device_type, root, os_info,
                               default="unknown"),
        "antivirus": antivirus(root),
        "management_agent": management_agent(root),
    }


def _path(root, path):
    return os.path.join(root, path.lstrip("/"))


def machine_id(root="/"):
    """The systemd/D-Bus machine id, stable across renames and reinstalls of the agent."""
    for path in ("/etc/machine-id", "/var/lib/dbus/machine-id"):
        try:
            value = read_text(_path(root, path))
        except ProbeError:
            continue
        if value:
            return value
    raise ProbeError("no /etc/machine-id")


def os_release(root="/"):
    """Name and version from /etc/os-release; a server when no desktop session is installed."""
    fields = {}
    for line in read_text(_path(root, "/etc/os-release")).splitlines():
        key, sep, value = line.partition("=")
        if sep:
            fields[key.strip()] = value.strip().strip('"')
    desktops = glob.glob(_path(root, "/usr/share/xsessions/*.desktop")) + glob.glob(
        _path(root, "/usr/share/wayland-sessions/*.desktop"))
    return {
        "family": "linux",
        "name": fields.get("PRETTY_NAME") or fields.get("NAME") or "Linux",
        "version": fields.get("VERSION_ID") or platform.release(),
        "build": platform.release(),
        "server": not desktops,
    }


def installed_ram_bytes(root="/"):
    """Memory blocks the kernel knows, online or not: the installed figure, to 128 MiB."""
    block_dir = _path(root, "/sys/devices/system/memory")
    block_size = int(read_text(os.path.join(block_dir, "block_size_bytes")), 16)
    blocks = glob.glob(os.path.join(block_dir, "memory[0-9]*"))
    if not blocks:
        raise ProbeError("no memory blocks in /sys")
    return block_size * len(blocks)


def detect_device_type(root, os_info):
    chassis = []
    try:
        chassis = [int(read_text(_path(root, "/sys/class/dmi/id/chassis_type")))]
    except (ProbeError, ValueError):
        pass
    batteries = glob.glob(_path(root, "/sys/class/power_supply/BAT*"))
    return device.device_type(chassis, virtual=is_virtual(root), server_os=os_info["server"],
                              has_battery=bool(batteries))


def is_virtual(root="/"):
    """A VM or container: the CPU's hypervisor flag, a DMI vendor, or a container marker."""
    if any(os.path.exists(_path(root, p)) for p in ("/.dockerenv", "/run/.containerenv")):
        return True
    try:
        vendor = read_text(_path(root, "/sys/class/dmi/id/sys_vendor")).lower()
        if any(name in vendor for name in VIRTUAL_VENDORS):
            return True
    except ProbeError:
        pass
    try:
        return " hypervisor" in read_text(_path(root, "/proc/cpuinfo"))
    except ProbeError:
        return False


def antivirus(root="/"):
    """Kaspersky Endpoint Security for Linux, found by its install path."""
    products = []
    if os.path.isdir(_path(root, KESL_PATH)):
        products.append({
            "name": "Kaspersky Endpoint Security for Linux", "vendor": "Kaspersky",
            "version": None, "enabled": None, "up_to_date": None, "sources": ["path"]})
    return {"status": "detected" if products else "none", "products": products}


def management_agent(root="/"):
    if not os.path.isdir(_path(root, NETWORK_AGENT_PATH)):
        return None
    return {"name": "Kaspersky Security Center Network Agent", "installed": True,
            "running": None}
