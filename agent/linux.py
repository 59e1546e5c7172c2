"""Linux facts, read from /etc, /sys, /proc and /var without spawning processes."""

from __future__ import annotations

import glob
import os
import platform

import psutil

from agent import device, kaspersky
from agent.probe import ProbeError, attempt, read_text
from agent.sources import Source, read_sources, records_and_errors

# Install paths of the Kaspersky packages for Linux (KESL and Network Agent installation
# guides: the packages install under /opt/kaspersky/<name>).
KESL_PATH = "/opt/kaspersky/kesl"
NETWORK_AGENT_PATH = "/opt/kaspersky/klnagent64"
VIRTUAL_VENDORS = (
    "qemu",
    "vmware",
    "virtualbox",
    "innotek",
    "xen",
    "kvm",
    "bochs",
    "parallels",
    "microsoft corporation",
)


# Files under /etc, /sys and /proc answer at once; a hung network mount or a huge process
# table is what these limits are for.
FILE_TIMEOUT = 2.0
PROCESS_TIMEOUT = 3.0


def gather(errors, root="/", processes=None, outcomes=None):
    """Every Linux-specific fact of the report; failures go to `errors`.

    `outcomes`, when given, receives each source's Outcome (for `collect --diagnose`).
    """
    read = read_sources(
        [
            Source("machine_id", lambda: machine_id(root), FILE_TIMEOUT),
            Source("os", lambda: os_release(root), FILE_TIMEOUT),
            Source("installed RAM", lambda: installed_ram_bytes(root), FILE_TIMEOUT),
            Source("hardware_uuid", lambda: hardware_uuid(root), FILE_TIMEOUT),
            Source("packages", lambda: dpkg_versions(root, KASPERSKY_PACKAGES), FILE_TIMEOUT),
            Source("avstate", lambda: avstate_values(root), FILE_TIMEOUT),
        ]
    )
    records, _failed = records_and_errors(read)
    kesl = kaspersky_presence(root, KESL_PATH, KESL_UNITS, KESL_PACKAGES, records)
    agent = kaspersky_presence(
        root, NETWORK_AGENT_PATH, NETWORK_AGENT_UNITS, NETWORK_AGENT_PACKAGES, records
    )
    if processes is None and (kesl[0] or agent[0]):  # only a product found needs them
        read += read_sources([Source("processes", process_names, PROCESS_TIMEOUT)])
        processes = records_and_errors(read)[0].get("processes")
    if outcomes is not None:
        outcomes.extend(read)
    records, failed = records_and_errors(read)
    errors.extend(f"{name}: {message}" for name, message in failed.items())
    os_info = records.get("os") or {
        "family": "linux",
        "name": "Linux",
        "version": platform.release(),
        "server": False,
    }
    state = kaspersky.parse_avstate(records.get("avstate"))
    return {
        "machine_id": records.get("machine_id"),
        "hardware_uuid": records.get("hardware_uuid"),
        "os": os_info,
        "installed_ram_bytes": records.get("installed RAM"),
        "device_type": attempt(
            errors, "device type", detect_device_type, root, os_info, default="unknown"
        ),
        "antivirus": antivirus(kesl, processes, state),
        "management_agent": management_agent(agent, processes, state),
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


def hardware_uuid(root="/"):
    """The SMBIOS UUID (/sys/class/dmi/id/product_uuid, readable by root only); None without DMI."""
    path = _path(root, "/sys/class/dmi/id/product_uuid")
    if not os.access(path, os.R_OK):
        return None  # no DMI table (containers, some ARM boards), or not run as root
    return device.hardware_uuid(read_text(path))


def os_release(root="/"):
    """Name and version from /etc/os-release; a server when no desktop session is installed."""
    fields = {}
    for line in read_text(_path(root, "/etc/os-release")).splitlines():
        key, sep, value = line.partition("=")
        if sep:
            fields[key.strip()] = value.strip().strip('"')
    desktops = glob.glob(_path(root, "/usr/share/xsessions/*.desktop")) + glob.glob(
        _path(root, "/usr/share/wayland-sessions/*.desktop")
    )
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
    return device.device_type(
        chassis, virtual=is_virtual(root), server_os=os_info["server"], has_battery=bool(batteries)
    )


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


# systemd units the packages install (KESL 11+: kesl.service, KESL 10: kesl-supervisor.service;
# Network Agent for Linux: klnagent64.service, klnagent.service on 32-bit systems).
KESL_UNITS = ("kesl.service", "kesl-supervisor.service")
NETWORK_AGENT_UNITS = ("klnagent64.service", "klnagent.service")
UNIT_DIRS = ("/etc/systemd/system", "/lib/systemd/system", "/usr/lib/systemd/system")
KESL_PACKAGES = ("kesl",)
NETWORK_AGENT_PACKAGES = ("klnagent64", "klnagent")
KASPERSKY_PACKAGES = KESL_PACKAGES + NETWORK_AGENT_PACKAGES
KESL_NAME = "Kaspersky Endpoint Security for Linux"


def kaspersky_presence(root, install_path, units, packages, records):
    """Where a product shows (path, service, package) and its package version."""
    versions = records.get("packages") or {}
    sources = _presence(root, install_path, units)
    version = next((versions[p] for p in packages if p in versions), None)
    if version:
        sources.append("package")
    return sources, version


def antivirus(presence, processes, state):
    """Kaspersky Endpoint Security for Linux, by install path, systemd unit or package."""
    sources, version = presence
    if not sources:
        return {"status": "none", "products": []}
    running = _running(processes, "kesl")
    product = {
        "name": KESL_NAME,
        "vendor": "Kaspersky",
        "version": version,
        # No running process is proof of no protection; a running one defers to AVState.
        "enabled": False if running is False else state.get("enabled"),
        "up_to_date": None,
        "sources": sources,
    }
    if state.get("signatures_updated_at"):
        product["signatures_updated_at"] = state["signatures_updated_at"]
    return {"status": "detected", "products": [product]}


def management_agent(presence, processes, state):
    """The Network Agent for Linux, or None when it is not installed."""
    sources, version = presence
    if not sources:
        return None
    return {
        "name": "Kaspersky Security Center Network Agent",
        "installed": True,
        "running": _running(processes, "klnagent"),
        "version": version or state.get("agent_version"),
        "server": state.get("server"),
        "last_connected_at": state.get("last_connected_at"),
    }


def _presence(root, install_path, units):
    sources = ["path"] if os.path.isdir(_path(root, install_path)) else []
    if any(os.path.exists(_path(root, os.path.join(d, u))) for d in UNIT_DIRS for u in units):
        sources.append("service")
    return sources


def _running(processes, prefix):
    """Whether a process of that name runs; None when the process list could not be read."""
    if processes is None:
        return None
    return any(name.startswith(prefix) for name in processes)


def process_names():
    """Names of the running processes (their 15-character `comm`, readable without root)."""
    return sorted({p.info["name"] or "" for p in psutil.process_iter(["name"])})


def dpkg_versions(root="/", names=()):
    """Versions of the named packages that are installed, from dpkg's status file (Debian
    Policy 8.1); only their stanzas are parsed (the file holds every package)."""
    try:
        text = read_text(_path(root, "/var/lib/dpkg/status"))
    except ProbeError:
        return {}
    versions = {}
    for stanza in text.split("\n\n"):
        if stanza.partition("\n")[0].partition(": ")[2] not in names:
            continue
        fields = dict(
            line.split(": ", 1)
            for line in stanza.splitlines()
            if ": " in line and not line.startswith(" ")
        )
        if fields.get("Status", "").endswith(" installed") and "Package" in fields:
            versions[fields["Package"]] = fields.get("Version")
    return versions


def avstate_values(root="/"):
    """The Network Agent's AVState files as a name → value mapping; {} when absent."""
    directory = _path(root, kaspersky.AVSTATE_LINUX_DIR)
    try:
        names = os.listdir(directory)
    except OSError:
        return {}
    values = {}
    for name in names:
        try:
            values[name] = read_text(os.path.join(directory, name))
        except ProbeError:
            continue
    return values
