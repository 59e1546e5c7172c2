"""Which kind of device a machine is, from the facts both Windows and Linux expose."""

from __future__ import annotations

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
