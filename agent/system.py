"""Facts every OS answers the same way through psutil: visible RAM and network addresses."""

from __future__ import annotations

import ipaddress
import socket

import psutil

MAX_ADDRESSES = 64


def visible_ram_bytes():
    """RAM the OS can use (less than installed when firmware or graphics reserve some)."""
    return psutil.virtual_memory().total


def hostname():
    """The computer's short name, as the OS reports it."""
    return socket.gethostname().split(".")[0]


def addresses():
    """IP and MAC of each interface that could reach the collector (no loopback)."""
    found = []
    for _nic, entries in sorted(psutil.net_if_addrs().items()):
        mac = next((normalise_mac(e.address) for e in entries if e.family == psutil.AF_LINK), None)
        ips = [
            e.address.split("%")[0]
            for e in entries
            if e.family in (socket.AF_INET, socket.AF_INET6)
        ]
        ips = [ip for ip in ips if _reachable(ip)]
        if not ips and mac:
            continue  # an interface that is down or unaddressed says nothing useful
        found.extend({"ip": ip, "mac": mac} for ip in ips)
    return found[:MAX_ADDRESSES]


def normalise_mac(text):
    """`aa-bb-cc-dd-ee-ff` (Windows) or `aa:bb:…` (Linux) as `AA:BB:CC:DD:EE:FF`; None if blank."""
    mac = text.replace("-", ":").upper()
    return None if not mac or set(mac) <= {"0", ":"} else mac


def _reachable(ip):
    try:
        address = ipaddress.ip_address(ip)
    except ValueError:
        return False
    return not (address.is_loopback or address.is_link_local or address.is_unspecified)
