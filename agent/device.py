"""Which kind of device a machine is, and its board's identity, from facts every OS exposes."""

from __future__ import annotations

import uuid

# SMBIOS System Enclosure "Type" codes (DMTF DSP0134, section 7.4.1), which Windows
# shows as Win32_SystemEnclosure.ChassisTypes and Linux as /sys/class/dmi/id/chassis_type.
DESKTOP_CHASSIS = {3, 4, 5, 6, 7, 13, 15, 16, 24, 35, 36}
LAPTOP_CHASSIS = {8, 9, 10, 11, 12, 14, 18, 21, 30, 31, 32}
SERVER_CHASSIS = {17, 23, 25, 28, 29}


def device_type(chassis_types=(), virtual=False, server_os=False, has_battery=False):
    """desktop, laptop, server, virtual or unknown; a VM is virtual whatever it claims."""
    if virtual:
        return "virtual"
    codes = set(chassis_types)
    if codes & SERVER_CHASSIS or server_os:
        return "server"
    if codes & LAPTOP_CHASSIS or has_battery:
        return "laptop"
    if codes & DESKTOP_CHASSIS:
        return "desktop"
    return "unknown"


# SMBIOS UUIDs that name no board: unset (all zeros, all ones; DMTF DSP0134 7.2.1), the
# firmware default that many AMI-based boards ship with, and the placeholders public
# inventory code refuses (a byte counting up, 00010203-…-0E0F): each shared by thousands of
# unrelated PCs (public dmidecode dumps, inventory tools' lists of junk UUIDs).
NO_UUIDS = {
    uuid.UUID("03000200-0400-0500-0006-000700080009"),
    uuid.UUID("00010203-0405-0607-0809-0a0b0c0d0e0f"),
}
# Placeholders by shape: one byte throughout (00…, FF…, FEFEFEFE-…), or a DEADBEEF-… filler.
FILLER_PREFIX = "deadbeef"


def hardware_uuid(value):
    """The SMBIOS UUID in canonical lower-case form; None when absent, malformed or unset."""
    try:
        parsed = uuid.UUID(str(value).strip())
    except (TypeError, ValueError):
        return None
    junk = parsed in NO_UUIDS or len(set(parsed.bytes)) == 1 or parsed.hex.startswith(FILLER_PREFIX)
    return None if junk else str(parsed)
