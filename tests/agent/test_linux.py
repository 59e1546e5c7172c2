"""Linux facts are read from files, so a fake root directory stands in for a machine."""

from __future__ import annotations

import pytest

from agent import linux
from agent.probe import ProbeError


def write(root, path, text):
    target = root / path.lstrip("/")
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(text)


@pytest.fixture
def laptop(tmp_path):
    write(tmp_path, "/etc/machine-id", "0f4c3d2a1b6e4f8a9c0d1e2f3a4b5c6d\n")
    write(tmp_path, "/etc/os-release", 'PRETTY_NAME="Ubuntu 24.04.1 LTS"\nVERSION_ID="24.04"\n')
    write(tmp_path, "/usr/share/xsessions/ubuntu.desktop", "[Desktop Entry]\n")
    write(tmp_path, "/sys/devices/system/memory/block_size_bytes", "8000000\n")
    for index in range(16):  # 16 blocks of 128 MiB
        (tmp_path / "sys/devices/system/memory" / f"memory{index}").mkdir()
    write(tmp_path, "/sys/class/dmi/id/chassis_type", "10\n")
    write(tmp_path, "/proc/cpuinfo", "flags : fpu vme sse2\n")
    return tmp_path


def test_laptop_facts(laptop):
    errors = []
    facts = linux.gather(errors, root=str(laptop))
    assert errors == []
    assert facts["machine_id"] == "0f4c3d2a1b6e4f8a9c0d1e2f3a4b5c6d"
    assert facts["os"]["name"] == "Ubuntu 24.04.1 LTS"
    assert facts["os"]["version"] == "24.04"
    assert facts["os"]["server"] is False
    assert facts["installed_ram_bytes"] == 2 * 2**30
    assert facts["device_type"] == "laptop"
    assert facts["antivirus"] == {"status": "none", "products": []}
    assert facts["management_agent"] is None


def test_server_with_kaspersky(laptop):
    (laptop / "usr/share/xsessions/ubuntu.desktop").unlink()
    (laptop / "sys/class/dmi/id/chassis_type").write_text("17\n")
    (laptop / "opt/kaspersky/kesl").mkdir(parents=True)
    (laptop / "opt/kaspersky/klnagent64").mkdir(parents=True)
    facts = linux.gather([], root=str(laptop))
    assert facts["os"]["server"] is True
    assert facts["device_type"] == "server"
    assert facts["antivirus"]["status"] == "detected"
    assert facts["antivirus"]["products"][0]["name"] == "Kaspersky Endpoint Security for Linux"
    assert facts["management_agent"]["installed"] is True


def test_virtual_machine_is_virtual_whatever_its_chassis(laptop):
    write(laptop, "/proc/cpuinfo", "flags : fpu vme sse2 hypervisor\n")
    assert linux.gather([], root=str(laptop))["device_type"] == "virtual"


def test_missing_files_become_errors_not_crashes(tmp_path):
    errors = []
    facts = linux.gather(errors, root=str(tmp_path))
    assert facts["machine_id"] is None
    assert facts["installed_ram_bytes"] is None
    assert facts["os"]["family"] == "linux"
    assert any(e.startswith("machine_id: ProbeError") for e in errors)
    with pytest.raises(ProbeError):
        linux.machine_id(str(tmp_path))
