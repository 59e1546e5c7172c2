"""Windows facts from a recorded inventory output, replayed through the agent's parser.

The fixture has the shape `ConvertTo-Json -Compress` prints for the inventory script: one
AntiVirusProduct is printed as a bare object, not a list (PowerShell unrolls single items).
"""

from __future__ import annotations

from pathlib import Path

import pytest

from agent import windows
from agent.probe import ProbeError

FIXTURES = Path(__file__).parent / "fixtures" / "windows"


def test_windows_10_with_defender_only():
    facts = windows.parse_inventory((FIXTURES / "win10_defender_only.json").read_text())
    assert facts["machine_id"] == "5b1c2d3e-4f50-4617-8a9b-0c1d2e3f4a5b"
    assert facts["hostname"] == "STTTT-KT-07"
    assert facts["os"] == {"family": "windows", "name": "Microsoft Windows 10 Pro",
                           "version": "10.0.19045", "build": "19045", "server": False}
    assert facts["installed_ram_bytes"] == 8 * 2**30
    assert facts["device_type"] == "desktop"
    assert facts["serial"] == "7XK2Q13"
    assert facts["antivirus"] == {"status": "detected", "products": [{
        "name": "Windows Defender", "vendor": "Microsoft", "version": None, "enabled": True,
        "up_to_date": True, "sources": ["securitycenter"]}]}


def test_output_that_is_not_json_is_a_probe_error():
    with pytest.raises(ProbeError):
        windows.parse_inventory("Get-CimInstance : Access denied")
