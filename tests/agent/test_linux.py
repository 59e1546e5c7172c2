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


def test_kesl_and_network_agent_by_unit_package_and_agent_state(laptop):
    write(laptop, "/lib/systemd/system/kesl.service", "[Unit]\n")
    write(laptop, "/lib/systemd/system/klnagent64.service", "[Unit]\n")
    write(
        laptop,
        "/var/lib/dpkg/status",
        "Package: kesl\nStatus: install ok installed\nVersion: 12.1.0-1297\n\n"
        "Package: klnagent64\nStatus: install ok installed\nVersion: 15.1.0-20748\n\n"
        "Package: kesl-gui\nStatus: deinstall ok config-files\nVersion: 12.1.0-1297\n",
    )
    state = "var/opt/kaspersky/klnagent/1103/1.0.0.0/Statistics/AVState"
    write(laptop, f"/{state}/Protection_RtpState", "4\n")
    write(laptop, f"/{state}/Protection_BasesDate", "21-11-2026 18-22-00\n")
    facts = linux.gather([], root=str(laptop), processes={"kesl", "klnagent", "bash"})
    assert facts["antivirus"] == {
        "status": "detected",
        "products": [
            {
                "name": "Kaspersky Endpoint Security for Linux",
                "vendor": "Kaspersky",
                "version": "12.1.0-1297",
                "enabled": True,
                "up_to_date": None,
                "signatures_updated_at": "2026-11-21T18:22:00+00:00",
                "sources": ["service", "package"],
            }
        ],
    }
    assert facts["management_agent"] == {
        "name": "Kaspersky Security Center Network Agent",
        "installed": True,
        "running": True,
        "version": "15.1.0-20748",
        "server": None,
        "last_connected_at": None,
    }


def test_installed_but_not_running(laptop):
    write(laptop, "/etc/systemd/system/kesl.service", "[Unit]\n")
    (laptop / "opt/kaspersky/klnagent64").mkdir(parents=True)
    facts = linux.gather([], root=str(laptop), processes={"bash"})
    assert facts["antivirus"]["products"][0]["enabled"] is False
    assert facts["management_agent"]["running"] is False


@pytest.mark.parametrize(
    "text, expected",
    [
        ("4C4C4544-0058-4B10-8032-B7C04F513133\n", "4c4c4544-0058-4b10-8032-b7c04f513133"),
        ("00000000-0000-0000-0000-000000000000\n", None),
        ("FFFFFFFF-FFFF-FFFF-FFFF-FFFFFFFFFFFF\n", None),
        ("03000200-0400-0500-0006-000700080009\n", None),  # the AMI firmware default
        ("Not Settable\n", None),
    ],
)
def test_hardware_uuid_from_dmi(laptop, text, expected):
    write(laptop, "/sys/class/dmi/id/product_uuid", text)
    assert linux.gather([], root=str(laptop))["hardware_uuid"] == expected


def test_no_dmi_table_is_no_hardware_uuid_and_no_error(laptop):
    errors = []
    assert linux.gather(errors, root=str(laptop))["hardware_uuid"] is None
    assert errors == []


def test_the_process_list_is_read_only_where_a_kaspersky_product_is(laptop, monkeypatch):
    def not_needed():
        raise AssertionError("the process list was read")

    monkeypatch.setattr(linux, "process_names", not_needed)
    errors = []
    assert linux.gather(errors, root=str(laptop))["antivirus"]["status"] == "none"
    assert errors == []
    (laptop / "opt/kaspersky/kesl").mkdir(parents=True)
    linux.gather(errors, root=str(laptop))
    assert errors == ["processes: AssertionError: the process list was read"]


def test_only_the_kaspersky_stanzas_of_dpkg_status_count(laptop):
    write(
        laptop,
        "/var/lib/dpkg/status",
        "Package: bash\nStatus: install ok installed\nVersion: 5.2\n\n"
        "Package: kesl\nStatus: install ok installed\nVersion: 12.1.0-1297\n",
    )
    assert linux.dpkg_versions(str(laptop), ("kesl", "klnagent64")) == {"kesl": "12.1.0-1297"}
